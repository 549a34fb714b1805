//! The frame around every page: head, navigation, the error boundary.
//!
//! The error boundary is where an action's error lands when the page is
//! re-rendered without JavaScript (S22); the runtime puts errors in the same
//! element, so both paths look alike.

use maud::{DOCTYPE, Markup, html};
use serac::{ActionRef, Page};

/// The message for `field` of the last submission of `action`, if any, in
/// the place pages show them.
pub fn field_error<B>(page: &Page, action: ActionRef<B>, field: &str) -> Markup {
    html! {
        @if let Some(message) = page.field_error(action, field) {
            p.field-error id=(format!("{field}-error")) { (message) }
        }
    }
}

/// Every example, for the navigation and the home page: (path, title, what it shows).
pub const EXAMPLES: &[(&str, &str, &str)] = &[
    ("/invoices", "Invoices", "A create form validated on the server, a message next to each field."),
    ("/users/1", "Profile", "A name form whose action is bound to the user's id."),
    ("/posts", "Posts", "Published posts; edit one to save drafts as you type and publish."),
    ("/signup", "Sign up", "Validation, a pending button, a session cookie and a redirect."),
    ("/likes", "Likes", "A button calling an action; the count comes back in the same round trip."),
    ("/views", "Views", "An action that runs when the page loads."),
    ("/messages", "Messages", "Optimistic sending; the message “fail” rolls back."),
    ("/entry", "Journal", "A textarea you can submit with Ctrl/Cmd+Enter."),
    ("/cookies", "Cookies", "An action that sets and deletes a cookie."),
    ("/admin", "Admin", "An action only signed-in users may run."),
    ("/publish/1", "Publish", "A version captured when the page was rendered."),
    ("/upload", "Upload", "A file upload with progress and a size limit."),
    ("/slow", "Slow", "An action that runs longer than its route allows."),
    ("/stream", "Stream", "An answer streamed a piece at a time, with a Stop button."),
];

/// A whole page: `title` in `<title>` and `<h1>`, `content` below.
pub fn page(page: &Page, title: &str, content: Markup) -> Markup {
    frame(
        title,
        html! {
            @if let Some(notice) = page.notice() {
                p.notice role="status" { (notice) }
            }
            div.error-boundary #error role="alert" aria-live="assertive" data-serac-error-boundary="" {
                @if let Some(error) = page.error() {
                    p { (error.message) }
                }
            }
            (content)
        },
    )
}

/// The page Serac answers with when a request is refused before any action
/// runs (a file over the limit, a form from another site): the demo's own
/// layout, with the message and a way back.
pub fn error_page(status: axum::http::StatusCode, message: &str) -> Markup {
    let title = status.canonical_reason().unwrap_or("Error");
    frame(
        title,
        html! {
            div.error-boundary #error role="alert" { p { (message) } }
            p { "Use your browser's Back button to return to the page, or see " a href="/" { "all examples" } "." }
        },
    )
}

fn frame(title: &str, content: Markup) -> Markup {
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
                        a href="/dashboard" { "Dashboard" }
                    }
                }
                main {
                    h1 { (title) }
                    (content)
                }
            }
        }
    }
}
