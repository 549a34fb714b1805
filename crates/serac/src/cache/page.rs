//! The opt-in page cache for GET routes: whole HTML answers stored by path
//! and query, tagged with the path, its ancestors (layouts) and the route's
//! tags, so `revalidate_path`, `revalidate_layout` and `revalidate_tag` drop
//! them.
//!
//! Only `200` answers without `Set-Cookie` are stored. Concurrent misses of
//! one page render it once. Requests carrying a
//! session cookie (see `Config::session_cookies`) bypass the cache unless
//! the route allows it, so a signed-in page is never served to someone else.

use std::time::Duration;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::{BufMut, Bytes, BytesMut};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode};
use http_body_util::BodyExt as _;

use super::{Cache, data_tag, page_tags};

/// The header telling whether a page came from the cache (`hit`/`miss`).
pub const CACHE_STATUS_HEADER: &str = "x-serac-cache";

/// The largest page stored.
const MAX_PAGE: usize = 4 * 1024 * 1024;

/// How a GET route's pages are cached: `RouteConfig::cache(PageCache::new(ttl))`.
#[derive(Debug, Clone)]
pub struct PageCache {
    pub(crate) ttl: Duration,
    pub(crate) tags: Vec<String>,
    pub(crate) with_session: bool,
}

impl PageCache {
    /// Pages kept for `ttl` at most.
    #[must_use]
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, tags: Vec::new(), with_session: false }
    }

    /// Also dropped by `revalidate_tag` of each of `tags`.
    #[must_use]
    pub fn tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        self.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Serves cached pages to requests with a session cookie too (the page
    /// does not depend on who asks).
    #[must_use]
    pub fn with_session_cookies(mut self) -> Self {
        self.with_session = true;
        self
    }
}

/// Whether the request carries a session cookie: any cookie when `names` is
/// `None`, else one of `names`.
pub(crate) fn has_session(headers: &HeaderMap, names: Option<&[String]>) -> bool {
    let mut cookies = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.split_once('=').map(|(k, _)| k.trim().to_string()))
        .filter(|k| !k.is_empty());
    match names {
        None => cookies.next().is_some(),
        Some(names) => cookies.any(|k| names.contains(&k)),
    }
}

fn key(req: &Request<Body>) -> String {
    let uri = req.uri();
    format!("page:{}", uri.path_and_query().map_or(uri.path(), |p| p.as_str()))
}

fn encode(content_type: &[u8], body: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(2 + content_type.len() + body.len());
    out.put_u16(u16::try_from(content_type.len()).unwrap_or(0));
    out.put_slice(content_type.get(..usize::from(u16::MAX)).unwrap_or(content_type));
    out.put_slice(body);
    out.freeze()
}

fn decode(stored: &Bytes) -> Option<(HeaderValue, Bytes)> {
    let len = usize::from(u16::from_be_bytes([*stored.first()?, *stored.get(1)?]));
    let content_type = HeaderValue::from_bytes(stored.get(2..2 + len)?).ok()?;
    Some((content_type, stored.slice(2 + len..)))
}

fn answer(content_type: HeaderValue, body: Bytes, status: &'static str) -> Response {
    let mut response = Body::from(body).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, content_type);
    // The server's cache is the one that knows about invalidations.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    headers.insert(CACHE_STATUS_HEADER, HeaderValue::from_static(status));
    response
}

/// Serves `req` from the cache, or through `render` and into the cache.
pub(crate) async fn serve<F, Fut>(
    cache: &Cache,
    policy: &PageCache,
    req: Request<Body>,
    render: F,
) -> Response
where
    F: FnOnce(Request<Body>) -> Fut,
    Fut: Future<Output = Response>,
{
    let key = key(&req);
    if let Some((content_type, body)) = cache.get(&key).await.as_ref().and_then(decode) {
        return answer(content_type, body, "hit");
    }
    // Single flight: concurrent misses of one page render it once; the
    // others wait and are answered from the cache.
    let _flight = cache.flight(&key).await;
    if let Some((content_type, body)) = cache.get(&key).await.as_ref().and_then(decode) {
        return answer(content_type, body, "hit");
    }
    let is_head = req.method() == Method::HEAD;
    let path = req.uri().path().to_string();
    let epoch = cache.epoch();
    let response = render(req).await;
    if response.status() != StatusCode::OK || response.headers().contains_key(SET_COOKIE) || is_head {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match http_body_util::Limited::new(body, MAX_PAGE).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            tracing::warn!(path, error = %e, "page cache: the page could not be read; not cached");
            let mut response =
                (StatusCode::INTERNAL_SERVER_ERROR, "The page could not be rendered.").into_response();
            response.headers_mut().insert(CACHE_STATUS_HEADER, HeaderValue::from_static("error"));
            return response;
        }
    };
    let content_type =
        parts.headers.get(CONTENT_TYPE).cloned().unwrap_or(HeaderValue::from_static("text/html"));
    let mut tags = page_tags(&path);
    tags.extend(policy.tags.iter().map(|t| data_tag(t)));
    cache
        .put_unless_invalidated(&key, encode(content_type.as_bytes(), &bytes), &tags, policy.ttl, epoch)
        .await;
    let mut response = Response::from_parts(parts, Body::from(bytes));
    response.headers_mut().insert(CACHE_STATUS_HEADER, HeaderValue::from_static("miss"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_pages_round_trip() {
        let stored = encode(b"text/html; charset=utf-8", b"<p>hi</p>");
        let (ct, body) = decode(&stored).expect("decodes");
        assert_eq!(ct, "text/html; charset=utf-8");
        assert_eq!(&body[..], b"<p>hi</p>");
        assert!(decode(&Bytes::from_static(b"\x00")).is_none());
    }

    #[test]
    fn session_cookies_are_recognised() {
        let mut headers = HeaderMap::new();
        assert!(!has_session(&headers, None));
        headers.insert(COOKIE, HeaderValue::from_static("theme=dark; session=abc"));
        assert!(has_session(&headers, None));
        assert!(has_session(&headers, Some(&["session".into()])));
        assert!(!has_session(&headers, Some(&["sid".into()])));
    }
}
