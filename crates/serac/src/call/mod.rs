//! One action call, from the request to the response, top to bottom:
//!
//! 1. **recognise** (`recognise.rs`): a JavaScript call names its action in
//!    the `serac-action` header; a native form only in its fields, so its
//!    body is read and parsed first. A form post that names no action goes
//!    to the app untouched.
//! 2. **guard** (`crate::guard`): method, host, origin.
//! 3. **prepare** (`prepare.rs`): the action (its id looked up once), its
//!    limits, the body read and decoded under them, the sealed bound values
//!    and state opened and counted.
//! 4. **invoke** (`crate::action::invoke`): the action runs, under its time
//!    limit, in its own tracing span.
//! 5. **respond** (`respond/`): a JSON envelope for JavaScript, a page or a
//!    redirect for a native form.
//!
//! Steps 1 to 3 end in a [`Rejection`] with nothing run; the `?`s below are
//! the only ways out.

mod idempotency;
mod prepare;
mod query;
mod recognise;
mod render;
mod respond;

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, Request};
use tower::Service;

pub(crate) use query::answer as query;
pub(crate) use respond::reject;

use crate::action::invoke;
use crate::app::App;
use crate::error::Rejection;
use crate::guard;
use crate::page;
use crate::payload::Encoding;
use prepare::Prepared;
use recognise::Recognised;

/// Where a request that may be an action call names its action.
pub(crate) enum Named {
    /// In the `serac-action` header: a JavaScript call.
    Header(HeaderValue),
    /// Perhaps in a field of this form: a native form post.
    Form(Encoding),
}

/// Answers a request that may be an action call.
pub(crate) async fn call<S>(inner: S, app: Arc<App>, req: Request<Body>, named: Named) -> Response
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let js = matches!(named, Named::Header(_));
    match run(inner, &app, req, named).await {
        Ok(response) => response,
        Err(rejection) => reject(&app, js, rejection),
    }
}

async fn run<S>(inner: S, app: &Arc<App>, req: Request<Body>, named: Named) -> Result<Response, Rejection>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let request = match named {
        Named::Header(id) => recognise::javascript(req, id),
        // Boxed: reading and parsing a form is a large future, which a
        // JavaScript call should not carry.
        Named::Form(encoding) => match Box::pin(recognise::native_form(app, req, encoding)).await? {
            Recognised::Call(request) => request,
            // Boxed too: an app's own form handler is the rare case here.
            Recognised::NotACall(req) => return Ok(Box::pin(page::view(inner, app.clone(), req)).await),
        },
    };
    guard::check(&request.parts, &app.config.guard)?;
    let prepared = match prepare::prepare(app, request).await? {
        Prepared::Ready(prepared) => prepared,
        // Rare, and its future is large: boxed, so that every call's is not.
        Prepared::Stale { parts, payload } => {
            return Ok(Box::pin(respond::stale_form(inner, app.clone(), parts, payload)).await);
        }
    };
    let Some(key) = prepared.idempotency_key.clone() else {
        let finished = invoke::run(prepared.def, prepared.call, prepared.max_duration).await;
        return Ok(respond::respond(inner, app.clone(), prepared.exchange, finished).await);
    };
    // A call with an idempotency key (B4, R2): run once, or answered as the
    // first run was. Boxed: only such calls carry the wait for the store.
    let max_duration = prepared.max_duration;
    let run = async move {
        let finished = invoke::run(prepared.def, prepared.call, prepared.max_duration).await;
        respond::respond(inner, app.clone(), prepared.exchange, finished).await
    };
    Box::pin(idempotency::once(app, key, max_duration, run)).await
}
