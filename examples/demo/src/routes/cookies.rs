//! `/cookies`: shows cookie `name`; set it from an input, delete it (S25).

use axum::http::HeaderMap;
use maud::{Markup, html};
use serac::prelude::*;

use crate::layout::page as layout;

/// The longest name kept, in characters.
pub const MAX_NAME: usize = 100;

#[derive(Debug, serde::Deserialize)]
pub struct NameForm {
    pub name: String,
}

/// Remembers a name in the `name` cookie.
#[serac::action]
pub async fn set_name(cx: Cx, form: Form<NameForm>) -> Result<(), ActionError> {
    let name = form.name.trim();
    if name.is_empty() {
        return Err(ActionError::invalid("name", "Type a name first."));
    }
    if name.chars().count() > MAX_NAME {
        return Err(ActionError::invalid("name", format!("Keep it under {MAX_NAME} characters.")));
    }
    cx.cookies().set(serac::cookie::Cookie::build(("name", name.to_string())).http_only(true).build());
    Ok(())
}

/// Forgets the `name` cookie.
#[serac::action]
pub async fn delete_name(cx: Cx) -> Result<(), ActionError> {
    cx.cookies().delete("name");
    Ok(())
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(serac::Cookie::split_parse_encoded)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

pub async fn show(page: Page, headers: HeaderMap) -> Markup {
    let name = cookie(&headers, "name");
    let set = set_name::action();
    let error = page.field_error(set, "name");
    layout(
        &page,
        "Cookies",
        html! {
            p #current {
                @match &name {
                    Some(name) => { "Cookie " code { "name" } " is " strong #name { (name) } "." }
                    None => { "Cookie " code { "name" } " is not set." }
                }
            }
            (page.form(set).id("set-name").body(html! {
                label for="name-input" { "Name" }
                input #name-input name="name" autocomplete="off" value=(page.value(set, "name"))
                    aria-invalid=[error.map(|_| "true")];
                @if let Some(error) = error { p.field-error #name-error { (error) } }
                button type="submit" { "Set cookie" }
            }))
            @if name.is_some() {
                (page.form(delete_name::action()).id("delete-name").body(html! {
                    button.secondary type="submit" { "Delete cookie" }
                }))
            }
        },
    )
}
