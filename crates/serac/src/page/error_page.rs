//! The error page: what a browser without JavaScript sees for a request
//! refused before any action ran, or an error the app's page did not show.
//! The app's own (`ActionLayer::error_page`), else a plain built-in one.

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use maud::{DOCTYPE, Markup, html};

use crate::app::App;
use crate::error::Rejection;

/// The page for errors that no app page renders: rejections before any
/// action ran, and errors a page did not show.
#[must_use]
pub(crate) fn error_page(app: &App, status: StatusCode, message: &str) -> Response {
    let markup = match &app.error_page {
        Some(page) => page(status, message),
        None => built_in(status, message),
    };
    let mut response = (status, markup).into_response();
    response.headers_mut().insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    response
}

fn built_in(status: StatusCode, message: &str) -> Markup {
    let title = status.canonical_reason().unwrap_or("Error");
    html! {
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
    }
}

impl IntoResponse for Rejection {
    /// The built-in page (an app's own layout is used where the layer
    /// answers, through `ActionLayer::error_page`).
    fn into_response(self) -> Response {
        let mut response = (self.status(), built_in(self.status(), &self.to_string())).into_response();
        response
            .headers_mut()
            .insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
        response
    }
}
