//! The answer to an action that streamed its result (B18).
//!
//! With JavaScript, the answer is newline-delimited JSON sent as the parts
//! are produced: a line `{"part": …}` per part, then one last line, the
//! envelope every call ends with (error, redirect, invalidations, the page),
//! built once the stream has ended. The status and headers go out before
//! the first part, so they are `200` and the cookies the action set before
//! returning its stream; the envelope's `error.status` says how it ended.
//!
//! Without JavaScript there is nothing to show a part in: the parts are
//! collected and the action's result is their list, answered as any other
//! result (the page, or the redirect back to it).

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use futures_util::StreamExt as _;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use http::{HeaderValue, Request};
use http_body_util::BodyExt as _;
use serde_json::Value;
use tower::Service;

use super::Exchange;
use crate::action::invoke::{self, Finished};
use crate::action::streaming::PartStream;
use crate::app::App;
use crate::error::ActionError;

/// Marks a streamed answer: it is not kept for idempotent repeats (it is
/// never buffered), and a repeat of its key is told so.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Streamed;

/// The content type of a streamed answer.
pub(crate) const NDJSON: &str = "application/x-ndjson";

/// The most a stream collected for a browser without JavaScript may come
/// to, as JSON: more is not a page, and anyone can post a streaming action's
/// form without the header to make the server hold its whole stream.
pub(crate) const MAX_COLLECTED: usize = 16 * 1024 * 1024;

/// The parts, collected for a browser without JavaScript: their list, or
/// the error that ended them (an internal error past [`MAX_COLLECTED`]).
pub(super) async fn collect(mut parts: PartStream) -> (Result<Value, ActionError>, Option<String>) {
    let mut all = Vec::new();
    let mut size = 0usize;
    while let Some(part) = parts.next().await {
        match part {
            Ok(value) => {
                size += serde_json::to_vec(&value).map_or(0, |v| v.len());
                if size > MAX_COLLECTED {
                    let error = ActionError::internal(format!(
                        "a streamed result passed {MAX_COLLECTED} bytes without JavaScript, more than a page can show"
                    ));
                    let digest = log_error(&error);
                    return (Err(error), digest);
                }
                all.push(value);
            }
            Err(error) => {
                let digest = log_error(&error);
                return (Err(error), digest);
            }
        }
    }
    (Ok(Value::Array(all)), None)
}

/// Logs an error that ended a stream; its digest when it is internal.
fn log_error(error: &ActionError) -> Option<String> {
    if let ActionError::Internal(e) = error {
        let digest = invoke::digest();
        tracing::error!(digest = %digest, error = %e, "action stream failed");
        Some(digest)
    } else {
        tracing::info!(outcome = error.kind(), "action stream ended with an error");
        None
    }
}

/// The streamed answer to a JavaScript call.
pub(super) fn answer<S>(inner: S, app: Arc<App>, ex: Exchange, parts: PartStream) -> Response
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    // Cookies set before the stream was returned go with the headers.
    let cookies: Vec<HeaderValue> =
        ex.cx.cookies_if_used().map(|c| c.set_cookie_headers()).unwrap_or_default();
    let state = State::Parts { parts, inner, app, ex };
    let body = futures_util::stream::unfold(state, |state| async move {
        match state {
            State::Parts { mut parts, inner, app, ex } => match parts.next().await {
                Some(Ok(value)) => {
                    let mut line = Vec::with_capacity(64);
                    line.extend_from_slice(b"{\"part\":");
                    // A `Value` always serializes.
                    serde_json::to_writer(&mut line, &value).unwrap_or_default();
                    line.extend_from_slice(b"}\n");
                    Some((Ok::<_, Infallible>(Bytes::from(line)), State::Parts { parts, inner, app, ex }))
                }
                ended => {
                    drop(parts);
                    let (result, digest) = match ended {
                        Some(Err(error)) => {
                            let digest = log_error(&error);
                            (Err(error), digest)
                        }
                        _ => (Ok(Value::Null), None),
                    };
                    let finished = Finished { result, stream: None, digest };
                    let last = Box::pin(super::respond(inner, app, ex, finished)).await;
                    if last.headers().contains_key(SET_COOKIE) {
                        tracing::warn!(
                            "cookies set while the action's result was streaming are not sent: set them before returning the stream"
                        );
                    }
                    let mut bytes =
                        last.into_body().collect().await.map(|c| c.to_bytes().to_vec()).unwrap_or_default();
                    bytes.push(b'\n');
                    Some((Ok(Bytes::from(bytes)), State::Done))
                }
            },
            State::Done => None,
        }
    });
    let mut response = Response::new(Body::from_stream(body));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(NDJSON));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for cookie in cookies {
        headers.append(SET_COOKIE, cookie);
    }
    response.extensions_mut().insert(Streamed);
    response
}

enum State<S> {
    Parts { parts: PartStream, inner: S, app: Arc<App>, ex: Exchange },
    Done,
}
