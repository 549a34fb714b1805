//! `/entry`: a journal whose textarea submits with Ctrl/Cmd+Enter (S15).

use maud::{Markup, html};
use serac::prelude::*;

use super::PageError;
use crate::Demo;
use crate::layout::page as layout;

/// The longest entry accepted, in characters.
pub const MAX_ENTRY: usize = 2000;

#[derive(Debug, serde::Deserialize)]
pub struct NewEntry {
    pub body: String,
}

/// Stores one journal entry.
#[serac::action]
pub async fn add_entry(cx: Cx, State(demo): State<Demo>, form: Form<NewEntry>) -> Result<(), ActionError> {
    let body = form.body.trim();
    if body.is_empty() {
        return Err(ActionError::invalid("body", "Write something before saving."));
    }
    if body.chars().count() > MAX_ENTRY {
        return Err(ActionError::invalid("body", format!("Keep it under {MAX_ENTRY} characters.")));
    }
    sqlx::query("INSERT INTO entries (body) VALUES ($1)").bind(body).execute(demo.db.pool()).await?;
    cx.revalidate_path("/entry");
    Ok(())
}

pub async fn show(State(demo): State<Demo>, page: Page) -> Result<Markup, PageError> {
    let entries: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, body FROM entries ORDER BY id DESC LIMIT 50")
            .fetch_all(demo.db.pool())
            .await?;
    let add = add_entry::action();
    let error = page.field_error(add, "body");
    Ok(layout(
        &page,
        "Journal",
        html! {
            (page.form(add).id("entry-form").body(html! {
                label for="entry-body" { "Today" }
                textarea #entry-body name="body" data-serac-submit-on="mod+enter"
                    aria-invalid=[error.map(|_| "true")] aria-describedby="entry-help" {
                    (page.value(add, "body"))
                }
                @if let Some(error) = error { p.field-error #body-error { (error) } }
                p.muted #entry-help { "Press " kbd { "Ctrl" } "+" kbd { "Enter" } " (" kbd { "⌘" } "+" kbd { "Enter" } " on a Mac) to save." }
                button type="submit" { "Save entry" }
            }))
            ul.cards #entries {
                @for (id, body) in &entries {
                    li id=(format!("entry-{id}")) { (body) }
                }
            }
        },
    ))
}
