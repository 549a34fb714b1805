//! `/users/{id}`: a profile whose name form is bound to the user's id (S13).
//! The id is sealed into the page, so the form can only ever rename this user.

use axum::extract::Path;
use maud::{Markup, html};
use serac::prelude::*;

use super::PageError;
use crate::Demo;
use crate::layout::{field_error, page as layout};
use crate::session::display_name;

/// The name form.
#[derive(Debug, serde::Deserialize, garde::Validate, serac::Constraints)]
pub struct NameForm {
    /// The new display name.
    #[garde(length(chars, min = 1, max = 60))]
    pub name: String,
}

/// Renames user `user_id` (bound by the page, never typed by the user).
#[serac::action]
pub async fn rename_user(
    cx: Cx,
    State(demo): State<Demo>,
    Bound(user_id): Bound<i64>,
    form: ValidForm<NameForm>,
) -> Result<(), ActionError> {
    let done = sqlx::query("UPDATE users SET name = $1 WHERE id = $2")
        .bind(form.name.trim())
        .bind(user_id)
        .execute(demo.db.pool())
        .await?;
    if done.rows_affected() == 0 {
        return Err(ActionError::not_found("This user no longer exists."));
    }
    cx.revalidate_path(format!("/users/{user_id}"));
    Ok(())
}

/// The page.
pub async fn show(State(demo): State<Demo>, Path(id): Path<i64>, page: Page) -> Result<Markup, PageError> {
    // The name only: a profile never shows the account's email (R9).
    let user: Option<String> = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(demo.db.pool())
        .await?;
    let Some(name) = user else {
        return Err(PageError::NotFound(format!("There is no user {id}.")));
    };
    let rename = rename_user::action();
    let typed = page.value(rename, "name");
    Ok(layout(
        &page,
        "Profile",
        html! {
            p #profile { "User " (id) ": " strong #display-name { (display_name(id, &name)) } }
            (page.form(rename.bind(id)).id("rename-form").body(html! {
                label { "Display name"
                    input #name name="name" value=(if typed.is_empty() { name.as_str() } else { typed });
                    (field_error(&page, rename, "name"))
                }
                button type="submit" { "Save name" }
            }))
        },
    ))
}
