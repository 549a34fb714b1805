//! The answer to a JavaScript call: a JSON [`Envelope`]. When the action
//! changed what the page shows (revalidated, set cookies, redirected,
//! returned form state, or failed validation), the envelope also carries
//! the page rendered again, so one round trip is enough; and the fresh
//! results of the queries the client named (`call/query/along.rs`).

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use http::{Request, StatusCode, Uri};
use http_body_util::BodyExt as _;
use tower::Service;

use super::location::Location;
use super::{Exchange, Outcome, json_response, public_message};
use crate::app::App;
use crate::cache::Invalidated;
use crate::call::query;
use crate::call::render::render_page;
use crate::cookies::Cookies;
use crate::error::ActionError;
use crate::protocol::{Envelope, EnvelopeError};

pub(super) async fn answer<S>(
    inner: S,
    app: &Arc<App>,
    ex: &Exchange,
    outcome: Outcome,
    invalidated: Invalidated,
) -> Response
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let submission = |outcome: &Outcome| outcome.submission(ex, app.config.mode);
    let value = outcome.result.as_ref().ok().cloned().unwrap_or_default();
    let is_validation = matches!(outcome.result, Err(ActionError::Validation(_)));
    let redirect = outcome.redirect.clone();
    let changed = ex.wants_html
        && (ex.always_html
            || !invalidated.is_empty()
            || ex.cx.cookies_if_used().is_some_and(Cookies::changed)
            || redirect.is_some()
            || (ex.stateful && outcome.result.is_ok())
            || is_validation);
    let target = match &redirect {
        Some(Location::Local(path)) => path.parse::<Uri>().ok(),
        Some(Location::External(_)) => None,
        None => Some(ex.cx.uri().clone()),
    };
    let (html, url) = match target.filter(|_| changed) {
        Some(target) => {
            let url = target.to_string();
            // The same page a browser without JavaScript ends on: after a
            // success without form state that is the page as a GET shows it
            // (Post/Redirect/Get), not the submitted values.
            let keep = redirect.is_none() && (outcome.result.is_err() || ex.stateful);
            let submission = keep.then(|| Arc::new(submission(&outcome)));
            let request = (ex.cx.headers(), ex.cx.extensions());
            let page =
                render_page(inner, app.clone(), request, ex.cx.cookies_if_used(), submission, target).await;
            if page.status().is_success() {
                let bytes = page.into_body().collect().await.map(|c| c.to_bytes()).unwrap_or_default();
                (Some(String::from_utf8_lossy(&bytes).into_owned()), Some(url))
            } else {
                (None, None)
            }
        }
        None => (None, None),
    };
    let Outcome { result, digest, replace, .. } = outcome;
    // Single flight: the page that asked is still the one shown.
    let queries = if result.is_ok() && redirect.is_none() && !ex.queries.is_empty() {
        Some(query::fresh(app, &ex.queries, &ex.cx, ex.cx.cookies_if_used()).await)
    } else {
        None
    };
    let error = result.as_ref().err().filter(|e| !matches!(e, ActionError::Redirect(_)));
    let envelope = Envelope {
        ok: error.is_none(),
        result: value,
        error: error.map(|e| EnvelopeError {
            kind: e.kind().to_string(),
            status: e.status().as_u16(),
            message: public_message(e, digest.as_deref(), app.config.mode),
            fields: match e {
                ActionError::Validation(f) => Some(f.clone()),
                _ => None,
            },
            digest: digest.clone(),
        }),
        replace: replace && redirect.is_some(),
        redirect: redirect.map(|l| l.as_str().to_string()),
        invalidated,
        html,
        url,
        queries,
    };
    let status = error.map_or(StatusCode::OK, ActionError::status);
    json_response(status, &envelope)
}
