//! The response future of [`super::ActionService`].

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;

use axum::response::Response;

/// The future returned by [`super::ActionService`]. Boxed: the action call
/// path awaits several steps (body, action, re-render) and naming that type
/// would gain nothing measurable next to the work itself.
pub type ResponseFuture = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send + 'static>>;
