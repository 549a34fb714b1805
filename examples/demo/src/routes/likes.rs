//! `/likes`: "Total Likes: N" and a Like button (S20).

use maud::{Markup, html};
use serac::prelude::*;

use super::PageError;
use crate::Demo;
use crate::layout::page as layout;

/// Adds a like and returns the new total.
#[serac::action]
pub async fn like(cx: Cx, State(demo): State<Demo>) -> Result<i64, ActionError> {
    let total = demo.db.bump("likes").await?;
    cx.revalidate_path("/likes");
    Ok(total)
}

pub async fn show(State(demo): State<Demo>, page: Page) -> Result<Markup, PageError> {
    let total = demo.db.counter("likes").await?;
    Ok(layout(
        &page,
        "Likes",
        html! {
            p.big #likes { "Total Likes: " (total) }
            (page.form(like::action()).id("like-form").body(html! {
                button #like type="submit" { "♥ Like" }
            }))
        },
    ))
}
