//! The built-in error page: what a browser without JavaScript sees for a
//! request refused before any action ran, or an error the app's page did not
//! show.

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use maud::{DOCTYPE, html};

use crate::error::Rejection;

/// The built-in page for errors that no app page renders: rejections before
/// any action ran, and errors a page did not show.
#[must_use]
pub(crate) fn error_page(status: StatusCode, message: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (status.as_u16()) " " (title) }
            }
            body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5" {
                h1 { (status.as_u16()) " " (title) }
                p role="alert" data-serac-error="" { (message) }
                p { "Use your browser's Back button to return to the page." }
            }
        }
    };
    let mut response = (status, markup).into_response();
    response.headers_mut().insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    response
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        error_page(self.status(), &self.to_string())
    }
}
