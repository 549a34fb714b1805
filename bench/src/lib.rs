//! The apps Serac's benchmarks measure (`cargo bench -p serac-bench`, `bench/run`).
//!
//! The benchmarks print figures; nothing here asserts a speed.

#![forbid(unsafe_code)]

pub mod apps;

use axum::body::Body;
use http::Request;
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

/// Sends `request` to `service` in process and reads the whole answer: the
/// unit of work of the in-process benchmarks. Returns the body's length.
///
/// # Panics
/// When the answer is not a success: a benchmark of a failing request would
/// measure the wrong thing.
pub async fn one_request<S>(service: S, request: Request<Body>) -> usize
where
    S: tower::Service<Request<Body>, Response = axum::response::Response, Error = std::convert::Infallible>,
{
    let response = service.oneshot(request).await.unwrap_or_else(|e| match e {});
    assert!(response.status().is_success(), "{}", response.status());
    response.into_body().collect().await.map(|b| b.to_bytes().len()).unwrap_or(0)
}
