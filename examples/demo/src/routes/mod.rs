//! One module per example page, each with its actions next to its view.

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::Demo;

pub mod cookies;
pub mod entry;
pub mod home;
pub mod likes;

/// Every route of the demo.
pub fn router(demo: Demo) -> Router {
    Router::new()
        .route("/", get(home::show))
        .route("/likes", get(likes::show))
        .route("/entry", get(entry::show))
        .route("/cookies", get(cookies::show))
        .route("/style.css", get(stylesheet))
        .with_state(demo)
}

async fn stylesheet() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../style.css"))
}

/// A page handler failed on the server side (the database, mostly).
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// A query failed.
    #[error("the database did not answer: {0}")]
    Db(#[from] sqlx::Error),
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        tracing::error!(error = %self, "page failed");
        (StatusCode::INTERNAL_SERVER_ERROR, "The page could not be loaded. Please try again in a moment.")
            .into_response()
    }
}
