//! `/publish/{id}`: the Publish button carries the version the page was
//! rendered with, bound and sealed; if the post changed since, publishing
//! refuses with "The version has changed since pressing publish" (S28).

use axum::extract::Path;
use maud::{Markup, html};
use serac::prelude::*;

use super::PageError;
use crate::Demo;
use crate::layout::page as layout;

/// The message when the version moved on.
pub const VERSION_CHANGED: &str = "The version has changed since pressing publish";

/// Publishes post `post_id` if it is still at `version`.
#[serac::action]
pub async fn publish_version(
    cx: Cx,
    State(demo): State<Demo>,
    Bound(post_id): Bound<i64>,
    Bound(version): Bound<i64>,
) -> Result<(), ActionError> {
    // One statement: the check and the write cannot be split by another edit.
    let done = sqlx::query("UPDATE posts SET published = 1, body = draft WHERE id = $1 AND version = $2")
        .bind(post_id)
        .bind(version)
        .execute(demo.db.pool())
        .await?;
    if done.rows_affected() == 0 {
        return Err(ActionError::conflict(VERSION_CHANGED));
    }
    cx.revalidate_tag("posts");
    cx.revalidate_path(format!("/publish/{post_id}"));
    Ok(())
}

/// Simulates someone else editing the post: its version moves on.
#[serac::action]
pub async fn touch_post(
    cx: Cx,
    State(demo): State<Demo>,
    Bound(post_id): Bound<i64>,
) -> Result<(), ActionError> {
    sqlx::query("UPDATE posts SET version = version + 1 WHERE id = $1")
        .bind(post_id)
        .execute(demo.db.pool())
        .await?;
    cx.revalidate_path(format!("/publish/{post_id}"));
    Ok(())
}

/// `/publish/{id}`.
pub async fn show(State(demo): State<Demo>, Path(id): Path<i64>, page: Page) -> Result<Markup, PageError> {
    let post: Option<(String, i64, i64)> =
        sqlx::query_as("SELECT title, version, published FROM posts WHERE id = $1")
            .bind(id)
            .fetch_optional(demo.db.pool())
            .await?;
    let Some((title, version, published)) = post else {
        return Err(PageError::NotFound(format!("There is no post {id}.")));
    };
    Ok(layout(
        &page,
        "Publish",
        html! {
            p #post-state { "“" (title) "” is at version " strong #version { (version) } "; "
                @if published != 0 { "published." } @else { "not published." } }
            (page.form(publish_version::action().bind(id).bind(version)).id("publish-form").body(html! {
                button #publish type="submit" { "Publish version " (version) }
            }))
            (page.form(touch_post::action().bind(id)).id("touch-form").body(html! {
                button.secondary #touch type="submit" { "Edit elsewhere (version + 1)" }
            }))
            p.muted { "Open this page in two tabs, edit in one, then publish in the other." }
        },
    ))
}
