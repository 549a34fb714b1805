//! Reading queries over `GET` (B19).
//!
//! - `GET /_serac/q/<id>?a=<JSON array>`: one query. The checks of a read
//!   (host, no other site), the query looked up once, its arguments decoded
//!   from the URL, the function run under its time limit, and the answer:
//!   the result as JSON with a strong `ETag`, or `304` when the browser
//!   already has it.
//! - `GET /_serac/qb?u=<query URL>&u=…`: a batch, the queries a page asked
//!   for at the same moment, read in one request (`read.rs`) and answered
//!   as one JSON array, in order, each entry with its own result or error.
//! - `along.rs`: the queries an action's answer brings back fresh.
//!
//! A query never sees a body, a seal or a form.

mod along;
mod read;

use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use http::{HeaderValue, Request, StatusCode};

pub(crate) use along::{fresh, requested};

use super::respond::json_response;
use crate::app::App;
use crate::error::Rejection;
use crate::guard;
use crate::protocol::{Envelope, EnvelopeError, MAX_QUERIES};
use crate::query::QUERY_BATCH_PATH;

/// How the browser may keep a query's answer unless the query says
/// otherwise (`#[query(cache_control = "…")]`), and how it keeps a batch:
/// privately, revalidated at every use (a `304` when it is unchanged).
const CACHE_CONTROL_VALUE: &str = "private, no-cache";

/// Answers a `GET` (or `HEAD`) of a query or of a batch.
pub(crate) async fn answer(app: Arc<App>, req: Request<Body>) -> Response {
    let answered =
        if req.uri().path() == QUERY_BATCH_PATH { batch(&app, req).await } else { one(&app, req).await };
    match answered {
        Ok(response) => response,
        Err(rejection) => super::reject(&app, true, rejection),
    }
}

async fn one(app: &Arc<App>, req: Request<Body>) -> Result<Response, Rejection> {
    let (parts, _body) = req.into_parts();
    guard::check_read(&parts, &app.config.guard)?;
    let (def, args) = read::resolve(app, parts.uri.path(), parts.uri.query())?;
    let if_none_match = parts.headers.get(IF_NONE_MATCH).cloned();
    match read::run_one(app, def, args, parts, None).await {
        Ok(value) => {
            // A `Value` always serializes.
            let body = serde_json::to_vec(&value).unwrap_or_default();
            Ok(cacheable(body, if_none_match.as_ref(), def.cache_control()))
        }
        Err(error) => Ok(error_answer(error)),
    }
}

/// A batch: `u=<query URL>`, once per query, at most [`MAX_QUERIES`].
async fn batch(app: &Arc<App>, req: Request<Body>) -> Result<Response, Rejection> {
    let (parts, _body) = req.into_parts();
    guard::check_read(&parts, &app.config.guard)?;
    let urls: Vec<String> = parts
        .uri
        .query()
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| k == "u")
                .map(|(_, v)| v.into_owned())
                .collect()
        })
        .unwrap_or_default();
    if urls.is_empty() {
        return Err(Rejection::BadPayload(
            "a batch names its queries: u=<query URL>, once for each query".to_string(),
        ));
    }
    if urls.len() > MAX_QUERIES {
        return Err(Rejection::BadPayload(format!(
            "a batch reads at most {MAX_QUERIES} queries; this one names {}",
            urls.len()
        )));
    }
    let if_none_match = parts.headers.get(IF_NONE_MATCH).cloned();
    let outcomes = read::run_all(app, &urls, &parts, None).await;
    let results: Vec<_> =
        urls.into_iter().zip(outcomes).map(|(url, outcome)| read::result_of(url, outcome)).collect();
    // Results and errors are plain data: they always serialize.
    let body = serde_json::to_vec(&results).unwrap_or_default();
    Ok(cacheable(body, if_none_match.as_ref(), None))
}

/// The answer `body` with its `ETag`; `304` when the browser already has it.
fn cacheable(
    body: Vec<u8>,
    if_none_match: Option<&HeaderValue>,
    cache_control: Option<&'static str>,
) -> Response {
    let etag = read::etag_bytes(&body);
    let matches = if_none_match.is_some_and(|v| {
        v.as_bytes().split(|&b| b == b',').any(|tag| {
            let tag = tag.trim_ascii();
            tag == etag || tag == b"*"
        })
    });
    let mut response = if matches {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(body));
        r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r
    };
    let headers = response.headers_mut();
    // The macro checked the query's own value is a header value.
    let cache_control = cache_control.and_then(|v| HeaderValue::from_str(v).ok());
    headers.insert(CACHE_CONTROL, cache_control.unwrap_or(HeaderValue::from_static(CACHE_CONTROL_VALUE)));
    if let Ok(etag) = HeaderValue::from_bytes(&etag) {
        headers.insert(ETAG, etag);
    }
    response
}

/// A query's error, as an action's: the envelope with its status.
fn error_answer(error: EnvelopeError) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(status, &Envelope::failed(error))
}
