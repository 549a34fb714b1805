//! The answer to a native form (JavaScript off): Post/Redirect/Get.
//!
//! `303` back to the page when the action succeeds and the form keeps no
//! state (whatever the action returned is for JavaScript callers), `303` to
//! the target of a redirect, and otherwise the page rendered again with the
//! action's state (`200`, also when it returned nothing: a form that shows
//! its result shows that too), its field errors and the submitted values
//! (`422`), or its error (the error's status).

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::header::LOCATION;
use http::request::Parts;
use http::{HeaderValue, Request, StatusCode};
use tower::Service;

use super::location::Location;
use super::{Exchange, Outcome, page_uri, values_of};
use crate::app::App;
use crate::call::render::render_page;
use crate::error::Rejection;
use crate::page::{Submission, error_page};
use crate::payload::Payload;

pub(super) async fn answer<S>(inner: S, app: &Arc<App>, ex: &Exchange, outcome: Outcome) -> Response
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    if let Some(location) = &outcome.redirect {
        return see_other(location.as_str());
    }
    let result = &outcome.result;
    match result {
        Ok(_) if !ex.stateful => see_other(Location::of_page(&page_uri(ex.cx.uri())).as_str()),
        _ => {
            let status = match result {
                Ok(_) => StatusCode::OK,
                Err(e) => e.status(),
            };
            let submission = outcome.submission(ex, app.config.mode);
            let message = submission.error.as_ref().map(|e| e.message.clone());
            let submission = Arc::new(submission);
            let page = render_page(
                inner,
                app.clone(),
                (ex.cx.headers(), ex.cx.extensions()),
                ex.cx.cookies_if_used(),
                Some(submission.clone()),
                ex.cx.uri().clone(),
            )
            .await;
            page_answer(app, page, status, &submission, message.as_deref())
        }
    }
}

/// The page answer of a native form: the app's page with our status, or the
/// built-in page when the app's page did not show the error or notice.
fn page_answer(
    app: &App,
    page: Response,
    status: StatusCode,
    submission: &Submission,
    message: Option<&str>,
) -> Response {
    if submission.needs_fallback() {
        return error_page(app, status, message.unwrap_or("The action could not be completed."));
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
/// fresh ids and a notice asking to submit again.
pub(in crate::call) async fn stale_form<S>(
    inner: S,
    app: Arc<App>,
    parts: Parts,
    payload: Payload,
) -> Response
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
    let page = render_page(
        inner,
        app.clone(),
        (&parts.headers, &parts.extensions),
        None,
        Some(submission.clone()),
        parts.uri.clone(),
    )
    .await;
    page_answer(&app, page, rejection.status(), &submission, Some(&rejection.to_string()))
}

fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response.headers_mut().insert(http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
