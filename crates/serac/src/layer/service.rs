//! [`ActionService`]: sorts requests by their head.
//!
//! A request may be an action call when it carries the `serac-action` header
//! (the runtime, programmatic clients) or when it posts a form (a native
//! form, JavaScript off, names its action in a field); `call/` takes those.
//! The layer's own files are answered here; everything else goes to the app
//! untouched, with a [`crate::page::Page`] in its extensions.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::Response;
use http::{Method, Request};
use tower::Service;

use super::future::ResponseFuture;
use crate::app::App;
use crate::call;
use crate::client;
use crate::error::Rejection;
use crate::page::{self, Page};
use crate::payload::{self, Encoding};
use crate::protocol::{fields, names};

/// The service made by [`super::ActionLayer`].
pub struct ActionService<S> {
    inner: S,
    app: Arc<App>,
}

impl<S> ActionService<S> {
    pub(crate) fn new(inner: S, app: Arc<App>) -> Self {
        Self { inner, app }
    }
}

impl<S: Clone> Clone for ActionService<S> {
    fn clone(&self) -> Self {
        Self { inner: self.inner.clone(), app: self.app.clone() }
    }
}

impl<S> std::fmt::Debug for ActionService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActionService").field("app", &self.app).finish_non_exhaustive()
    }
}

impl<S> Service<Request<Body>> for ActionService<S>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<Body>) -> Self::Future {
        match classify(&self.app, &req) {
            Kind::Answered(response) => ResponseFuture::ready(response),
            Kind::Page if !self.app.caches_pages => {
                // The common case, on the app's own future: no box, no copy.
                let uri = req.uri().clone();
                req.extensions_mut().insert(Page { app: self.app.clone(), submission: None, uri });
                ResponseFuture::app(self.inner.call(req))
            }
            kind => {
                // The clone is the one that was not polled ready: keep the
                // ready one for this call (the usual tower pattern).
                let clone = self.inner.clone();
                let inner = std::mem::replace(&mut self.inner, clone);
                let app = self.app.clone();
                match kind {
                    Kind::Call(named) => ResponseFuture::boxed(Box::pin(call::call(inner, app, req, named))),
                    Kind::Query => ResponseFuture::boxed(Box::pin(call::query(app, req))),
                    _ => ResponseFuture::boxed(Box::pin(page::view(inner, app, req))),
                }
            }
        }
    }
}

/// What a request is, as far as its head tells.
enum Kind {
    /// Answered without the app: the layer's own files, a refused GET action.
    Answered(Response),
    /// Not an action call: to the app.
    Page,
    /// A `GET` of a query (`/_serac/q/<id>`) or of a batch (`/_serac/qb`).
    Query,
    /// A JavaScript call, or a form post that may name an action in its
    /// body.
    Call(call::Named),
}

fn classify(app: &App, req: &Request<Body>) -> Kind {
    // A cheap clone (a shared buffer): read as text later.
    if let Some(id) = req.headers().get(&names::ACTION) {
        return Kind::Call(call::Named::Header(id.clone()));
    }
    let method = req.method();
    if method == Method::GET || method == Method::HEAD {
        let path = req.uri().path();
        if path.starts_with(client::PREFIX) {
            let runtime = client::runtime();
            if path == runtime.path {
                return Kind::Answered(runtime.respond(req.headers()));
            }
            let stream = client::stream();
            if path == stream.path {
                return Kind::Answered(stream.respond(req.headers()));
            }
            let query = client::query();
            if path == query.path {
                return Kind::Answered(query.respond(req.headers()));
            }
            if let Some(module) = app.actions_module.as_ref().filter(|m| m.path == path) {
                return Kind::Answered(module.respond(req.headers()));
            }
            if let Some(manifest) = app.manifest.as_ref().filter(|_| path == client::MANIFEST_PATH) {
                return Kind::Answered(client::manifest_response(manifest.clone()));
            }
            if path.starts_with(crate::query::QUERY_PREFIX) || path == crate::query::QUERY_BATCH_PATH {
                return Kind::Query;
            }
            return Kind::Answered(client::not_found());
        }
        if query_names_action(req) {
            let method = method.to_string();
            return Kind::Answered(call::reject(app, false, Rejection::MethodNotAllowed { method }));
        }
        return Kind::Page;
    }
    match payload::encoding(req.headers()) {
        Ok(form @ (Encoding::UrlEncoded | Encoding::Multipart(_))) => Kind::Call(call::Named::Form(form)),
        _ => Kind::Page,
    }
}

/// Whether the query string names an action (a `method="get"` form).
fn query_names_action(req: &Request<Body>) -> bool {
    req.uri().query().is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == fields::ACTION))
}
