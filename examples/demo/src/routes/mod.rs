//! One module per example page, each with its actions next to its view.

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

pub mod admin;
pub mod cookies;
pub mod entry;
pub mod home;
pub mod invoices;
pub mod likes;
pub mod messages;
pub mod posts;
pub mod publish;
pub mod signup;
pub mod slow;
pub mod stream;
pub mod upload;
pub mod users;
pub mod views;

/// Every route of the demo (the table in the README).
pub fn router() -> Router {
    Router::new()
        .route("/", get(home::show))
        .route("/invoices", get(invoices::show))
        .route("/users/{id}", get(users::show))
        .route("/posts", get(posts::list))
        .route("/posts/{id}", get(posts::show))
        .route("/posts/{id}/edit", get(posts::edit))
        .route("/signup", get(signup::show))
        // It shows the signed-in user's email: never kept by a shared or
        // back-button cache.
        .route(
            "/dashboard",
            get(signup::dashboard).layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("private, no-store"),
            )),
        )
        .route("/likes", get(likes::show))
        .route("/views", get(views::show))
        .route("/views/seen", get(views::seen))
        .route("/messages", get(messages::show))
        .route("/entry", get(entry::show))
        .route("/cookies", get(cookies::show))
        .route("/admin", get(admin::show))
        .route("/publish/{id}", get(publish::show))
        .route("/upload", get(upload::show))
        .route("/slow", get(slow::show))
        .route("/stream", get(stream::show))
        .route("/style.css", get(stylesheet))
        .fallback(not_found)
}

async fn stylesheet() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../style.css"))
}

async fn not_found() -> PageError {
    PageError::NotFound("There is no page here.".into())
}

/// A page could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// What the URL names does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A query failed.
    #[error("the database did not answer: {0}")]
    Db(#[from] sqlx::Error),
    /// A server query the page called failed.
    #[error("a query failed: {0}")]
    Query(String),
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, message) = match &self {
            Self::NotFound(message) => (StatusCode::NOT_FOUND, message.clone()),
            Self::Db(_) | Self::Query(_) => {
                tracing::error!(error = %self, "page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The page could not be loaded. Please try again in a moment.".into(),
                )
            }
        };
        let page = maud::html! {
            (maud::DOCTYPE)
            html lang="en" {
                head { meta charset="utf-8"; title { (status.canonical_reason().unwrap_or("Error")) } link rel="stylesheet" href="/style.css"; }
                body { main { h1 { (status.canonical_reason().unwrap_or("Error")) } p #page-error { (message) } p { a href="/" { "All examples" } } } }
            }
        };
        (status, Html(page.into_string())).into_response()
    }
}
