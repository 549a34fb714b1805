//! `/`: a link to every example.

use maud::{Markup, html};
use serac::Page;

use crate::layout::{EXAMPLES, page as layout};

pub async fn show(page: Page) -> Markup {
    layout(
        &page,
        "Server actions for Rust",
        html! {
            p.muted { "Each example works with JavaScript on and off. Turn it off in your browser to see the same pages work as plain forms." }
            ul.cards {
                @for (path, name, what) in EXAMPLES {
                    li { a href=(path) { (name) } " — " (what) }
                }
            }
        },
    )
}
