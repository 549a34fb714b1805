//! A request that is not an action call: handed to the app with a [`Page`]
//! in its extensions, through the page cache when its route opts in.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use http::{Method, Request};
use tower::{Service, ServiceExt as _};

use super::Page;
use crate::app::App;
use crate::cache::page;

/// Answers a page view (or any request that is not an action call) with the
/// app.
pub(crate) async fn view<S>(inner: S, app: Arc<App>, mut req: Request<Body>) -> Response
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Send + 'static,
    S::Future: Send + 'static,
{
    let policy = (req.method() == Method::GET || req.method() == Method::HEAD)
        .then(|| app.config.route_for(req.uri().path()).and_then(|r| r.cache.clone()))
        .flatten()
        .filter(|p| {
            p.with_session || !page::has_session(req.headers(), app.config.session_cookies.as_deref())
        });
    let uri = req.uri().clone();
    req.extensions_mut().insert(Page { app: app.clone(), submission: None, uri });
    let render = |req: Request<Body>| async move {
        match inner.oneshot(req).await {
            Ok(response) => response,
            Err(infallible) => match infallible {},
        }
    };
    match policy {
        Some(policy) => page::serve(&app.cache, &policy, req, render).await,
        None => render(req).await,
    }
}
