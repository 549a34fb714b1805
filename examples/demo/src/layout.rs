//! The frame around every page: head, navigation, the error boundary.
//!
//! The error boundary is where an action's error lands when the page is
//! re-rendered without JavaScript (S22); the runtime puts errors in the same
//! element, so both paths look alike.

use maud::{DOCTYPE, Markup, html};
use serac::Page;

/// Every example, for the navigation and the home page: (path, title, what it shows).
pub const EXAMPLES: &[(&str, &str, &str)] = &[
    ("/likes", "Likes", "A button calling an action; the count comes back in the same round trip."),
    ("/entry", "Journal", "A textarea you can submit with Ctrl/Cmd+Enter."),
    ("/cookies", "Cookies", "An action that sets and deletes a cookie."),
];

/// A whole page: `title` in `<title>` and `<h1>`, `content` below.
pub fn page(page: &Page, title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Serac demo" }
                link rel="stylesheet" href="/style.css";
                (serac::client::runtime_tags())
            }
            body {
                header.site {
                    a.brand href="/" { "Serac demo" }
                    nav {
                        @for (path, name, _) in EXAMPLES {
                            a href=(path) { (name) }
                        }
                    }
                }
                main {
                    h1 { (title) }
                    @if let Some(notice) = page.notice() {
                        p.notice role="status" { (notice) }
                    }
                    div.error-boundary #error role="alert" aria-live="assertive" data-serac-error-boundary="" {
                        @if let Some(error) = page.error() {
                            p { (error.message) }
                        }
                    }
                    (content)
                }
            }
        }
    }
}
