//! Rendering a page again after an action: an in-process `GET` of the
//! page's URI through the wrapped router, with the cookies as the action
//! left them. Never an HTTP request, never a URL built from request headers.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, COOKIE, TRANSFER_ENCODING};
use http::{Request, Uri};
use tower::{Service, ServiceExt as _};

use crate::app::App;
use crate::cookies::Cookies;
use crate::page::{Page, Submission};
use crate::protocol::names;

/// The headers of a `GET` made after an action (the page rendered again, the
/// queries read along with it): the call's, without its body's, the
/// protocol's and `also`, with the cookies as the action left them (the
/// request's when it did not look at them).
pub(super) fn headers_after(
    headers: &http::HeaderMap,
    cookies: Option<&Cookies>,
    also: &[&http::HeaderName],
) -> http::HeaderMap {
    let mut headers = headers.clone();
    for name in [CONTENT_TYPE, CONTENT_LENGTH, TRANSFER_ENCODING] {
        headers.remove(name);
    }
    // Each removal is a lookup: a page render (every no-JS post) removes
    // only what it must.
    for name in [&names::ACTION, &names::RENDER].into_iter().chain(also.iter().copied()) {
        headers.remove(name);
    }
    if let Some(cookies) = cookies {
        headers.remove(COOKIE);
        if let Some(cookie) = cookies.request_header() {
            headers.insert(COOKIE, cookie);
        }
    }
    headers
}

/// Renders `target` through the app as a `GET`, as the browser would see it
/// after the action.
pub(super) async fn render_page<S>(
    inner: S,
    app: Arc<App>,
    (headers, extensions): (&http::HeaderMap, &http::Extensions),
    cookies: Option<&Cookies>,
    submission: Option<Arc<Submission>>,
    target: Uri,
) -> Response
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let mut req = Request::get(target.clone()).body(Body::empty()).expect("a GET with a parsed URI is valid");
    *req.headers_mut() = headers_after(headers, cookies, &[]);
    *req.extensions_mut() = extensions.clone();
    req.extensions_mut().insert(Page { app, submission, uri: target });
    // Boxed: the router's future is large, and only calls that render a page
    // need it; unboxed it would make every call's future that much larger.
    match Box::pin(inner.oneshot(req)).await {
        Ok(response) => response,
        Err(infallible) => match infallible {},
    }
}
