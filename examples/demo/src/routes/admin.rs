//! `/admin`: adding an item needs a signed-in user; signed out, the action
//! refuses with "You must be signed in to perform this action" (S22, S27).

use maud::{Markup, html};
use serac::prelude::*;

use super::PageError;
use crate::Demo;
use crate::layout::{field_error, page as layout};
use crate::session::{User, display_name};

/// The item form.
#[derive(Debug, serde::Deserialize, garde::Validate, serac::Constraints)]
pub struct NewItem {
    /// The item's name.
    #[garde(length(chars, min = 1, max = 100))]
    pub name: String,
}

/// Adds an item, as the signed-in user.
#[serac::action]
pub async fn add_item(
    cx: Cx,
    State(demo): State<Demo>,
    user: Auth<User>,
    form: ValidForm<NewItem>,
) -> Result<(), ActionError> {
    sqlx::query("INSERT INTO items (name, added_by) VALUES ($1, $2)")
        .bind(form.name.trim())
        .bind(user.id)
        .execute(demo.db.pool())
        .await?;
    cx.revalidate_path("/admin");
    Ok(())
}

/// `/admin`.
pub async fn show(State(demo): State<Demo>, page: Page) -> Result<Markup, PageError> {
    // Who added an item, by display name: never their email (R9).
    let items: Vec<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT items.id, items.name, users.id, users.name FROM items JOIN users ON users.id = items.added_by ORDER BY items.id",
    )
    .fetch_all(demo.db.pool())
    .await?;
    let add = add_item::action();
    Ok(layout(
        &page,
        "Admin",
        html! {
            ul.cards #items {
                @for (id, name, by, by_name) in &items {
                    li id=(format!("item-{id}")) { (name) " " small.muted { "added by " (display_name(*by, by_name)) } }
                }
            }
            (page.form(add).id("item-form").body(html! {
                // The rules of `NewItem` as constraint attributes (`required`,
                // `maxlength`): the browser checks before sending.
                label { "Item" (page.input::<NewItem>(add, "name").id("item").attr("autocomplete", "off")) }
                (field_error(&page, add, "name"))
                button #add-item type="submit" { "Add item" }
            }))
            p.muted { "Only signed-in users can add items. " a href="/signup" { "Sign up" } " first." }
        },
    ))
}
