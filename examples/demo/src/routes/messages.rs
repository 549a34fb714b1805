//! `/messages`: a thread and a send form whose message appears at once
//! (optimistic), replaced by the stored one; the message "fail" errors and
//! the optimistic copy is rolled back (S19, S22).

use std::time::Duration;

use maud::{Markup, html};
use serac::prelude::*;

use super::PageError;
use crate::Demo;
use crate::layout::{field_error, page as layout};

/// The send form.
#[derive(Debug, serde::Deserialize, garde::Validate, serac::Constraints)]
pub struct NewMessage {
    /// The text.
    #[garde(length(chars, min = 1, max = 500), custom(not_blank))]
    #[serac(message = "Type a message (up to 500 characters).")]
    pub message: String,
}

/// Spaces alone are not a message.
fn not_blank(value: &str, _: &()) -> garde::Result {
    if value.trim().is_empty() { Err(garde::Error::new("blank")) } else { Ok(()) }
}

/// Stores a message. Waits a little, as a real network would, so the
/// optimistic copy is visible.
#[serac::action]
pub async fn send_message(
    cx: Cx,
    State(demo): State<Demo>,
    form: ValidForm<NewMessage>,
) -> Result<(), ActionError> {
    let form = NewMessage { message: form.message.trim().to_string() };
    tokio::time::sleep(Duration::from_millis(400)).await;
    if form.message.eq_ignore_ascii_case("fail") {
        return Err(ActionError::conflict("The message could not be sent. Please try again."));
    }
    sqlx::query("INSERT INTO messages (body) VALUES ($1)")
        .bind(&form.message)
        .execute(demo.db.pool())
        .await?;
    cx.revalidate_path("/messages");
    Ok(())
}

/// `/messages`.
pub async fn show(State(demo): State<Demo>, page: Page) -> Result<Markup, PageError> {
    let messages: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, body FROM (SELECT id, body FROM messages ORDER BY id DESC LIMIT 50) ORDER BY id",
    )
    .fetch_all(demo.db.pool())
    .await?;
    let send = send_message::action();
    Ok(layout(
        &page,
        "Messages",
        html! {
            ul.thread #messages {
                @for (id, body) in &messages {
                    li.message id=(format!("message-{id}")) { (body) }
                }
            }
            template #message-template data-serac-into="#messages" {
                li.message.sending { span data-serac-field="message" {} " " small.muted { "Sending…" } }
            }
            (page.form(send).id("message-form").attr("data-serac-optimistic", "message-template").body(html! {
                label for="message" { "Message" }
                input #message name="message" autocomplete="off" placeholder="Say something (or “fail”)"
                    value=(page.value(send, "message"));
                (field_error(&page, send, "message"))
                button #send type="submit" { "Send" }
            }))
        },
    ))
}
