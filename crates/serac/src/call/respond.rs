//! Turning an action's outcome into a response.
//!
//! JavaScript calls get a JSON [`Envelope`]; when the action changed what the
//! page shows (revalidated, set cookies, redirected, returned form state, or
//! failed validation), the envelope also carries the page rendered again, so
//! one round trip is enough (S8).
//!
//! Native forms get Post/Redirect/Get (B16): `303` back to the page when the
//! action succeeds and the form keeps no state (it has no `$state` field:
//! whatever the action returned is for JavaScript callers), `303` to the
//! target of a redirect, and otherwise the page rendered again with the
//! action's state (`200`), its field errors and the submitted values (`422`),
//! or its error (the error's status).
//!
//! Rendering again is an in-process `GET` of the page's URI through the
//! wrapped router, with the cookies as the action left them: never an HTTP
//! request, never a URL built from request headers.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};
use http::request::Parts;
use http::{HeaderValue, Request, StatusCode, Uri};
use http_body_util::BodyExt as _;
use serde_json::Value;
use tower::Service;

use super::render::render_page;
use crate::action::invoke::Finished;
use crate::app::App;
use crate::cache::Invalidated;
use crate::cookies::Cookies;
use crate::cx::Cx;
use crate::error::{ActionError, Mode, Rejection};
use crate::page::{ErrorView, Submission, error_page};
use crate::payload::Payload;
use crate::protocol::{Envelope, EnvelopeError, fields, names};

/// Everything about the request that the response needs. The request's
/// headers, URI and extensions are in `cx` (moved there, not copied).
pub(crate) struct Exchange {
    pub(crate) cx: Cx,
    pub(crate) payload: Arc<Payload>,
    pub(crate) id: String,
    pub(crate) js: bool,
}

fn json_response(status: StatusCode, envelope: &Envelope) -> Response {
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
pub(crate) fn reject(js: bool, rejection: Rejection) -> Response {
    tracing::info!(
        kind = rejection.kind(),
        status = rejection.status().as_u16(),
        "action call rejected: {rejection}"
    );
    if !js {
        return rejection.into_response();
    }
    json_response(
        rejection.status(),
        &Envelope {
            ok: false,
            result: Value::Null,
            error: Some(EnvelopeError {
                kind: rejection.kind().to_string(),
                status: rejection.status().as_u16(),
                message: rejection.to_string(),
                fields: None,
                digest: None,
            }),
            redirect: None,
            invalidated: Invalidated::default(),
            html: None,
            url: None,
        },
    )
}

/// The message users see for an error.
fn public_message(error: &ActionError, digest: Option<&str>, mode: Mode) -> String {
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

/// A path on this site, usable as the target of a re-render.
fn local_target(location: &str) -> Option<Uri> {
    (location.starts_with('/') && !location.starts_with("//")).then(|| location.parse().ok()).flatten()
}

fn page_uri(uri: &Uri) -> String {
    uri.path_and_query().map_or_else(|| "/".to_string(), |pq| pq.as_str().to_string())
}

fn values_of(payload: &Payload) -> Vec<(String, String)> {
    payload.fields.iter().filter(|(k, _)| !k.starts_with('$')).cloned().collect()
}

fn append_cookies(response: &mut Response, cookies: &Cookies) {
    for value in cookies.set_cookie_headers() {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

/// The page answer of a native form: the app's page with our status, or the
/// built-in page when the app's page did not show the error or notice.
fn page_answer(
    page: Response,
    status: StatusCode,
    submission: &Submission,
    message: Option<&str>,
) -> Response {
    if submission.needs_fallback() {
        return error_page(status, message.unwrap_or("The action could not be completed."));
    }
    let mut page = page;
    if page.status().is_success() {
        *page.status_mut() = status;
    }
    page.headers_mut().insert(http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    page
}

/// A native form posted with an id this server does not know (a deploy or a
/// key rotation since the page was rendered): render the page again with
/// fresh ids and a notice asking to submit again (B3).
pub(crate) async fn stale_form<S>(inner: S, app: Arc<App>, parts: Parts, payload: Payload) -> Response
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let rejection = Rejection::UnknownAction;
    tracing::info!(kind = rejection.kind(), "stale or unknown action id from a form");
    let mut submission = Submission::new(String::new(), values_of(&payload));
    let notice = "This form was out of date, so nothing was done. The page has been refreshed: check your input and submit again.";
    submission.notice = Some(notice.to_string());
    let submission = Arc::new(submission);
    let cookies = Cookies::from_headers(&parts.headers);
    let page = render_page(
        inner,
        app,
        (&parts.headers, &parts.extensions),
        &cookies,
        Some(submission.clone()),
        parts.uri.clone(),
    )
    .await;
    page_answer(page, rejection.status(), &submission, Some(&rejection.to_string()))
}

pub(crate) async fn respond<S>(inner: S, app: Arc<App>, ex: Exchange, finished: Finished) -> Response
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let Finished { result, digest } = finished;
    let mode = app.config.mode;
    let cookies = ex.cx.cookies();
    let invalidated = ex.cx.invalidated();
    // Read-your-writes: the cache forgets before the page is rendered again
    // or the browser is sent back to it.
    app.cache.apply(&invalidated).await;

    let mut submission = Submission::new(ex.id.clone(), values_of(&ex.payload));
    let (status, redirect, value) = match &result {
        Ok(value) => (StatusCode::OK, None, value.clone()),
        Err(ActionError::Redirect(r)) => (StatusCode::SEE_OTHER, Some(r.location().to_string()), Value::Null),
        Err(error) => {
            if let ActionError::Validation(fields) = error {
                submission.field_errors = fields.clone();
            }
            submission.error = Some(ErrorView {
                status: error.status(),
                kind: error.kind(),
                message: public_message(error, digest.as_deref(), mode),
            });
            (error.status(), None, Value::Null)
        }
    };
    submission.state = (!value.is_null()).then(|| value.clone());

    if ex.js {
        let is_validation = matches!(result, Err(ActionError::Validation(_)));
        let stateful = ex.payload.last(fields::STATE).is_some() || ex.payload.json_state.is_some();
        let wants_html = ex.cx.headers().get(&names::RENDER).is_none_or(|v| v.as_bytes() != b"none");
        let changed = wants_html
            && (!invalidated.is_empty()
                || cookies.changed()
                || redirect.is_some()
                || (!value.is_null() && stateful)
                || is_validation);
        let target = match &redirect {
            Some(location) => local_target(location),
            None => Some(ex.cx.uri().clone()),
        };
        let (html, url) = match target.filter(|_| changed) {
            Some(target) => {
                let url = target.to_string();
                // The same page a browser without JavaScript ends on: after a
                // success without form state that is the page as a GET shows
                // it (Post/Redirect/Get), not the submitted values.
                let keep = redirect.is_none() && (result.is_err() || stateful);
                let submission = keep.then(|| Arc::new(submission));
                let request = (ex.cx.headers(), ex.cx.extensions());
                let page = render_page(inner, app.clone(), request, cookies, submission, target).await;
                if page.status().is_success() {
                    let bytes = page.into_body().collect().await.map(|c| c.to_bytes()).unwrap_or_default();
                    (Some(String::from_utf8_lossy(&bytes).into_owned()), Some(url))
                } else {
                    (None, None)
                }
            }
            None => (None, None),
        };
        let error = result.as_ref().err().filter(|e| !matches!(e, ActionError::Redirect(_)));
        let envelope = Envelope {
            ok: error.is_none(),
            result: value,
            error: error.map(|e| EnvelopeError {
                kind: e.kind().to_string(),
                status: e.status().as_u16(),
                message: public_message(e, digest.as_deref(), mode),
                fields: match e {
                    ActionError::Validation(f) => Some(f.clone()),
                    _ => None,
                },
                digest: digest.clone(),
            }),
            redirect,
            invalidated,
            html,
            url,
        };
        let status = error.map_or(StatusCode::OK, ActionError::status);
        let mut response = json_response(status, &envelope);
        append_cookies(&mut response, cookies);
        return response;
    }

    let mut response = match (&result, redirect) {
        (_, Some(location)) => see_other(&location),
        (Ok(value), None) if value.is_null() || ex.payload.last(fields::STATE).is_none() => {
            see_other(&page_uri(ex.cx.uri()))
        }
        _ => {
            let message = submission.error.as_ref().map(|e| e.message.clone());
            let submission = Arc::new(submission);
            let page = render_page(
                inner,
                app.clone(),
                (ex.cx.headers(), ex.cx.extensions()),
                cookies,
                Some(submission.clone()),
                ex.cx.uri().clone(),
            )
            .await;
            page_answer(page, status, &submission, message.as_deref())
        }
    };
    append_cookies(&mut response, cookies);
    response
}

fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response.headers_mut().insert(http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
