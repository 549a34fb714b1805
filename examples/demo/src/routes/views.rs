//! `/views`: "Total Views: N", counted once per page load by an action that
//! runs on load (S21). Without JavaScript a `<noscript>` image counts the
//! visit instead, so the number shown is the count before that visit.

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use maud::{Markup, html};
use serac::prelude::*;

use super::PageError;
use crate::Demo;
use crate::layout::page as layout;

/// Counts one view.
#[serac::action]
pub async fn count_view(cx: Cx, State(demo): State<Demo>) -> Result<i64, ActionError> {
    let total = demo.db.bump("views").await?;
    cx.revalidate_path("/views");
    Ok(total)
}

/// `/views`.
pub async fn show(State(demo): State<Demo>, page: Page) -> Result<Markup, PageError> {
    let total = demo.db.counter("views").await?;
    Ok(layout(
        &page,
        "Views",
        html! {
            p.big #views { "Total Views: " (total) }
            // Nothing to show: the form only carries the action that runs on load.
            (page.form(count_view::action()).id("view-form").attr("data-serac-on", "load").attr("hidden", "").body(html! {}))
            noscript { img src="/views/seen" alt="" width="1" height="1"; }
        },
    ))
}

/// `/views/seen`: the no-JavaScript counter, an image request. Never cached.
pub async fn seen(State(demo): State<Demo>) -> Result<impl IntoResponse, PageError> {
    demo.db.bump("views").await?;
    Ok((StatusCode::NO_CONTENT, [(header::CACHE_CONTROL, "no-store")]))
}
