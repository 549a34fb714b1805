//! Reading a query (B19): `GET /_serac/q/<id>?a=<JSON array>`.
//!
//! Top to bottom as for an action call, with less to do: the checks of a
//! read (host, no other site), the query looked up once, its arguments
//! decoded from the URL, the function run under its time limit, and the
//! answer: the result as JSON with a strong `ETag`, or `304` when the
//! browser already has it. A query never sees a body, a seal or a form.

use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use http::{HeaderValue, Request, StatusCode};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::prepare::lookup;
use super::respond::{json_response, public_message};
use crate::action::{Call, invoke};
use crate::app::App;
use crate::cx::Cx;
use crate::error::{ActionError, Rejection};
use crate::guard;
use crate::payload::Payload;
use crate::protocol::{Envelope, EnvelopeError};
use crate::query::QUERY_PREFIX;

/// How the browser may keep a query's answer unless the query says
/// otherwise (`#[query(cache_control = "…")]`): privately, revalidated at
/// every use (a `304` when it is unchanged).
const CACHE_CONTROL_VALUE: &str = "private, no-cache";

/// Answers a `GET` (or `HEAD`) of a query.
pub(crate) async fn answer(app: Arc<App>, req: Request<Body>) -> Response {
    match read(&app, req).await {
        Ok(response) => response,
        Err(rejection) => super::reject(&app, true, rejection),
    }
}

async fn read(app: &Arc<App>, req: Request<Body>) -> Result<Response, Rejection> {
    let (parts, _body) = req.into_parts();
    guard::check_read(&parts, &app.config.guard)?;
    let id = parts.uri.path().strip_prefix(QUERY_PREFIX).unwrap_or_default();
    let def = lookup(app, id).filter(|d| d.is_query()).ok_or(Rejection::UnknownAction)?;
    let args = arguments(parts.uri.query())?;
    let max_duration = def.max_duration().unwrap_or(app.config.max_duration);
    let if_none_match = parts.headers.get(IF_NONE_MATCH).cloned();
    let cx = Cx::for_call(def.path(), app.states.clone(), parts, None, app.cache.clone());
    let mut call = Call::new(cx, Arc::new(Payload::default()), app.config.mode);
    call.args = args.into();
    let finished = invoke::run(def, call, max_duration).await;
    if finished.stream.is_some() {
        let error = ActionError::internal("a query cannot stream its result: return a value");
        return Ok(error_answer(app, &error, Some(invoke::digest())));
    }
    match finished.result {
        Ok(value) => Ok(value_answer(&value, if_none_match.as_ref(), def.cache_control())),
        Err(error) => Ok(error_answer(app, &error, finished.digest)),
    }
}

/// The arguments in `a=<JSON array>`; none without it.
fn arguments(query: Option<&str>) -> Result<Vec<Value>, Rejection> {
    let Some(raw) = query.and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "a")) else {
        return Ok(Vec::new());
    };
    match serde_json::from_str::<Value>(&raw.1) {
        Ok(Value::Array(args)) => Ok(args),
        _ => Err(Rejection::BadPayload("the query's arguments (a=…) must be a JSON array".to_string())),
    }
}

/// The result, with its `ETag`; `304` when the browser already has it.
fn value_answer(
    value: &Value,
    if_none_match: Option<&HeaderValue>,
    cache_control: Option<&'static str>,
) -> Response {
    // A `Value` always serializes.
    let body = serde_json::to_vec(value).unwrap_or_default();
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&body)[..16]));
    let matches = if_none_match
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"));
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
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(ETAG, etag);
    }
    response
}

/// A query's error, as an action's: the envelope with its status.
fn error_answer(app: &App, error: &ActionError, digest: Option<String>) -> Response {
    let envelope = Envelope {
        ok: false,
        result: Value::Null,
        error: Some(EnvelopeError {
            kind: error.kind().to_string(),
            status: error.status().as_u16(),
            message: public_message(error, digest.as_deref(), app.config.mode),
            fields: match error {
                ActionError::Validation(f) => Some(f.clone()),
                _ => None,
            },
            digest,
        }),
        redirect: None,
        replace: false,
        invalidated: Default::default(),
        html: None,
        url: None,
    };
    json_response(error.status(), &envelope)
}
