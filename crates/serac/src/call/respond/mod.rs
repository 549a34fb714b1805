//! Turning an action's outcome into a response: the JSON envelope of a
//! JavaScript call (`envelope.rs`) or the page or redirect of a native form
//! (`form.rs`). What both share is here: the message people see for an
//! error, the submission the page is rendered with, and the answer to a
//! request refused before any action ran.

mod envelope;
mod form;
mod location;
mod stream;

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use http::header::{CONTENT_TYPE, SET_COOKIE};
use http::{HeaderValue, Request, StatusCode};
use serde_json::Value;
use tower::Service;

pub(super) use form::stale_form;
pub(super) use stream::Streamed;

use crate::action::invoke::{self, Finished};
use crate::app::App;
use crate::cookies::Cookies;
use crate::cx::Cx;
use crate::error::{ActionError, Mode, Rejection};
use crate::guard;
use crate::page::{ErrorView, Submission};
use crate::payload::Payload;
use crate::protocol::{Envelope, EnvelopeError};
use location::Location;

/// Everything about the request that the response needs. The request's
/// headers, URI and extensions are in `cx` (moved there, not copied).
pub(crate) struct Exchange {
    pub(crate) cx: Cx,
    pub(crate) payload: Arc<Payload>,
    pub(crate) id: String,
    pub(crate) js: bool,
    /// The form carries state (`$state`): its page shows the result.
    pub(crate) stateful: bool,
    /// The client reads the page from the envelope (no `serac-render: none`).
    pub(crate) wants_html: bool,
    /// The client asks for the page whatever changed (`serac-render: page`).
    pub(crate) always_html: bool,
    /// The queries whose fresh results the client wants with the answer
    /// (`serac-queries`).
    pub(crate) queries: Vec<String>,
}

/// The outcome of the action, as both answers read it.
struct Outcome {
    result: Result<Value, ActionError>,
    digest: Option<String>,
    redirect: Option<Location>,
    /// The redirect replaces the history entry.
    replace: bool,
}

impl Outcome {
    /// What the page rendered again is told about the call (built only
    /// when a page is rendered with it).
    fn submission(&self, ex: &Exchange, mode: Mode) -> Submission {
        let mut submission = Submission::new(ex.id.clone(), values_of(&ex.payload));
        match &self.result {
            // `null` too: "returned nothing" is not "did not run".
            Ok(value) => submission.state = Some(value.clone()),
            Err(ActionError::Redirect(_)) => {}
            Err(error) => {
                if let ActionError::Validation(fields) = error {
                    submission.field_errors = fields.clone();
                }
                submission.error = Some(ErrorView {
                    status: error.status(),
                    kind: error.kind(),
                    message: public_message(error, self.digest.as_deref(), mode),
                });
            }
        }
        submission
    }
}

pub(super) async fn respond<S>(inner: S, app: Arc<App>, ex: Exchange, finished: Finished) -> Response
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let mut finished = finished;
    if let Some(parts) = finished.stream.take() {
        if ex.js {
            return stream::answer(inner, app, ex, parts);
        }
        (finished.result, finished.digest) = stream::collect(parts).await;
    }
    // Read-your-writes: the cache forgets before the page is rendered again
    // or the browser is sent back to it.
    let invalidated = ex.cx.invalidated();
    app.cache.apply(&invalidated).await;

    let Finished { mut result, mut digest, .. } = finished;
    let mut redirect = None;
    let mut replace = false;
    if let Err(ActionError::Redirect(r)) = &result {
        replace = r.replaces_history();
        let request = (ex.cx.headers(), ex.cx.uri(), ex.cx.extensions());
        let own_origin = |url: &str| guard::is_own_origin(url, request, &app.config.guard);
        match Location::of_redirect(r.location(), &page_uri(ex.cx.uri()), own_origin) {
            Some(location) => redirect = Some(location),
            // The action's bug, or input it passed on: nobody is sent there.
            None => {
                let error = ActionError::internal(format!(
                    "the action redirected to {:?}, which is neither a page of this site nor an http(s) URL",
                    r.location()
                ));
                let reference = invoke::digest();
                tracing::error!(action = ex.cx.action_path(), digest = %reference, "{error}");
                (result, digest) = (Err(error), Some(reference));
            }
        }
    }
    let retry_after = match &result {
        Err(ActionError::RateLimited { retry_after, .. }) => Some(retry_after.as_secs().max(1)),
        _ => None,
    };
    let outcome = Outcome { result, digest, redirect, replace };
    let mut response = if ex.js {
        envelope::answer(inner, &app, &ex, outcome, invalidated).await
    } else {
        form::answer(inner, &app, &ex, outcome).await
    };
    if let Some(seconds) = retry_after {
        response.headers_mut().insert(http::header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    if let Some(cookies) = ex.cx.cookies_if_used() {
        append_cookies(&mut response, cookies);
    }
    response
}

pub(super) fn json_response(status: StatusCode, envelope: &Envelope) -> Response {
    // Sized for the envelope without a page, plus the page: one allocation.
    let capacity = 192 + envelope.html.as_ref().map_or(0, String::len);
    let mut body = Vec::with_capacity(capacity);
    envelope.write_json(&mut body);
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Answers a request refused before any action ran.
pub(crate) fn reject(app: &App, js: bool, rejection: Rejection) -> Response {
    tracing::info!(
        kind = rejection.kind(),
        status = rejection.status().as_u16(),
        "action call rejected: {rejection}"
    );
    if !js {
        return crate::page::error_page(app, rejection.status(), &rejection.to_string());
    }
    json_response(rejection.status(), &Envelope::failed(EnvelopeError::refused(&rejection)))
}

/// The message users see for an error.
pub(super) fn public_message(error: &ActionError, digest: Option<&str>, mode: Mode) -> String {
    match (error, mode) {
        (ActionError::Internal(_), Mode::Production) => {
            format!("Something went wrong on the server. Reference: {}", digest.unwrap_or("-"))
        }
        (ActionError::Internal(e), Mode::Development) => {
            format!("{e} (reference: {})", digest.unwrap_or("-"))
        }
        (ActionError::Validation(_), _) => {
            "Some fields are invalid. Correct them and submit again.".to_string()
        }
        (other, _) => other.to_string(),
    }
}

/// The path and query a request was posted to.
fn page_uri(uri: &http::Uri) -> String {
    uri.path_and_query().map_or_else(|| "/".to_string(), |pq| pq.as_str().to_string())
}

/// The submitted text fields, without the framework's own.
fn values_of(payload: &Payload) -> Vec<(String, String)> {
    payload.fields.iter().filter(|(k, _)| !k.starts_with('$')).cloned().collect()
}

fn append_cookies(response: &mut Response, cookies: &Cookies) {
    for value in cookies.set_cookie_headers() {
        response.headers_mut().append(SET_COOKIE, value);
    }
}
