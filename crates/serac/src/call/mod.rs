//! One action call, from the request to the response.
//!
//! `layer/service.rs` hands over every request whose head says it may be an
//! action call. The steps, each refusing with a [`Rejection`] and nothing
//! run: recognise the call (a native form names its action in its body),
//! guard (method, host, origin), read and decode the body under the
//! action's limit, open the sealed fields; then invoke the action
//! (`action/invoke.rs`) and respond (`respond.rs`).

mod idempotency;
mod render;
mod respond;

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use http::Request;
use serde_json::Value;
use tower::Service;

pub(crate) use idempotency::Keys;
use idempotency::{Begin, MAX_KEY_LEN};
use respond::Exchange;
pub(crate) use respond::reject;

use crate::action::{Call, invoke};
use crate::app::App;
use crate::cx::Cx;
use crate::error::{Rejection, human_bytes};
use crate::guard;
use crate::page;
use crate::payload::{self, PEEK_BYTES};
use crate::protocol::{IDEMPOTENCY_HEADER, fields, names};
use crate::seal::looks_like_id;

/// A JavaScript call, or a form post: for a form, its first bytes tell
/// whether it names an action (else it goes to the app).
pub(crate) async fn call<S>(
    inner: S,
    app: Arc<App>,
    keys: Arc<Keys>,
    req: Request<Body>,
    header_id: Option<String>,
) -> Response
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let js = header_id.is_some();
    let mut form_id = None;
    let req = if js {
        req
    } else {
        let (parts, body) = req.into_parts();
        let (prefix, body) = match payload::peek(body, PEEK_BYTES, payload::prefix_has_action_field).await {
            Ok(peeked) => peeked,
            Err(rejection) => return respond::reject(false, rejection),
        };
        let req = Request::from_parts(parts, body);
        if !payload::prefix_has_action_field(&prefix) {
            // Boxed: an app's own form handler is the rare case here.
            return Box::pin(page::view(inner, app, req)).await;
        }
        form_id = payload::action_in_prefix(&prefix);
        req
    };
    call_action(inner, app, keys, req, header_id, form_id).await
}

/// B4: the key a repeated call is recognised by (`<id>:<key>`), when the call
/// has one; a malformed key is refused before anything runs.
fn idempotency_key(parts: &http::request::Parts, id: &str, js: bool) -> Result<Option<String>, Rejection> {
    match parts.headers.get(&names::IDEMPOTENCY).filter(|_| js) {
        None => Ok(None),
        Some(v) => match v.to_str().ok().filter(|k| !k.is_empty() && k.len() <= MAX_KEY_LEN) {
            Some(k) => Ok(Some(format!("{id}:{k}"))),
            None => Err(Rejection::BadPayload(format!(
                "the {IDEMPOTENCY_HEADER} header must be 1 to {MAX_KEY_LEN} visible ASCII characters"
            ))),
        },
    }
}

async fn call_action<S>(
    inner: S,
    app: Arc<App>,
    keys: Arc<Keys>,
    req: Request<Body>,
    header_id: Option<String>,
    form_id: Option<String>,
) -> Response
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let js = header_id.is_some();
    let (parts, body) = req.into_parts();
    let reject = |r: Rejection| respond::reject(js, r);

    if let Err(r) = guard::check(&parts, &app.config.guard) {
        return reject(r);
    }

    let config = &app.config;
    let route = config.route_for(parts.uri.path());
    let route_limit = route.and_then(|r| r.body_limit).unwrap_or(config.body_limit);
    let header_def = match header_id.as_deref() {
        Some(id) => match looks_like_id(id).then(|| app.registry.get(id)).flatten() {
            Some(def) => Some(def),
            None => return reject(Rejection::UnknownAction),
        },
        None => None,
    };
    // A native form names its action in its first bytes; when that id is not
    // known yet (a later field, a stale id), read up to the largest limit an
    // action may have, and check the exact one once the body is decoded.
    let early_def = header_def.or_else(|| form_id.as_deref().and_then(|id| app.registry.get(id)));
    let read_limit = match early_def {
        Some(def) => def.body_limit.unwrap_or(route_limit),
        None => route_limit.max(app.max_action_limit),
    };
    if payload::content_length(&parts.headers).is_some_and(|len| len > read_limit as u64) {
        return reject(Rejection::PayloadTooLarge { limit: human_bytes(read_limit) });
    }
    let encoding = match payload::encoding(&parts.headers) {
        Ok(e) => e,
        Err(r) => return reject(r),
    };
    let bytes = match payload::read_limited(body, read_limit).await {
        Ok(b) => b,
        Err(r) => return reject(r),
    };
    let body_len = bytes.len();
    let payload = match payload::decode(&encoding, bytes).await {
        Ok(p) => p,
        Err(r) => return reject(r),
    };

    let id = match header_id {
        Some(id) => id,
        None => match payload.last(fields::ACTION).filter(|v| !v.is_empty()) {
            Some(id) => id.to_string(),
            None => return reject(Rejection::MissingAction),
        },
    };
    // A header id was looked up (and refused if unknown) before reading.
    let Some(def) = header_def.or_else(|| looks_like_id(&id).then(|| app.registry.get(&id)).flatten()) else {
        if js {
            return reject(Rejection::UnknownAction);
        }
        // Rare, and its future is large: boxed, so that every call's is not.
        return Box::pin(respond::stale_form(inner, app, parts, payload)).await;
    };
    let limit = def.body_limit.unwrap_or(route_limit);
    if body_len > limit {
        return reject(Rejection::PayloadTooLarge { limit: human_bytes(limit) });
    }

    // `$bound` and `$state` belong to the form's own action (its first
    // `$action` field); a submit button with another action carries its own
    // `$bound:<id>`. A sealed value that does not open for this action is
    // refused, so values cannot be moved between actions.
    let form_action = payload.fields.iter().find(|(k, _)| k == fields::ACTION).map(|(_, v)| v.as_str());
    let own = form_action.is_none_or(|a| a == id);
    let button_bound = payload
        .fields
        .iter()
        .rev()
        .find(|(k, _)| k.strip_prefix(fields::BOUND).and_then(|r| r.strip_prefix(':')) == Some(id.as_str()))
        .map(|(_, v)| v.as_str());
    let bound_field = button_bound
        .or(if own { payload.last(fields::BOUND) } else { None })
        .or(payload.json_bound.as_deref());
    let bound: Vec<Value> = match bound_field {
        None => Vec::new(),
        Some(sealed) => match config
            .keys
            .open(&id, sealed)
            .ok()
            .and_then(|plain| serde_json::from_slice::<Vec<Value>>(&plain).ok())
        {
            Some(args) => args,
            None => return reject(Rejection::BadSeal),
        },
    };
    let state_field =
        (if own { payload.last(fields::STATE) } else { None }).or(payload.json_state.as_deref());
    let prev_state = match state_field {
        None => None,
        Some(sealed) => match config
            .keys
            .open(&crate::seal::state_purpose(&id), sealed)
            .ok()
            .and_then(|plain| serde_json::from_slice::<Value>(&plain).ok())
        {
            Some(state) => Some(state),
            None => return reject(Rejection::BadSeal),
        },
    };

    let key = match idempotency_key(&parts, &id, js) {
        Ok(key) => key,
        Err(r) => return reject(r),
    };
    let cx = Cx::builder()
        .action(def.path)
        .state_arc(app.state.clone())
        .headers(parts.headers)
        .uri(parts.uri)
        .extensions(parts.extensions)
        .on_invalidate(app.on_invalidate.clone())
        .cache(app.cache.clone())
        .build();
    let payload = Arc::new(payload);
    let call = Call {
        cx: cx.clone(),
        positional: bound.into_iter().chain(payload.args.iter().cloned()).collect(),
        taken: 0,
        payload: payload.clone(),
        prev_state,
    };
    let max_duration = def.max_duration.or(route.and_then(|r| r.max_duration)).or(config.max_duration);

    let run = async move {
        let finished = invoke::run(def, call, max_duration).await;
        respond::respond(inner, app, Exchange { cx, payload, id, js }, finished).await
    };
    let Some(key) = key else { return run.await };
    // Kept across the waits below: boxed, so that the future of every call
    // does not hold a second copy of it.
    let run = Box::pin(run);
    loop {
        match keys.begin(key.clone()) {
            Begin::Replay(stored) => return stored.response(),
            Begin::Wait(mut rx) => {
                if let Ok(stored) = rx.wait_for(Option::is_some).await {
                    if let Some(stored) = stored.clone() {
                        return stored.response();
                    }
                }
                // The first run was cancelled: try to run it ourselves.
            }
            Begin::Run(running) => return running.finish(run.await).await,
        }
    }
}
