//! [`ActionService`]: tells action calls from other requests and checks them.
//!
//! A request is an action call when it carries the `serac-action` header (the
//! runtime, programmatic clients) or when it is a form post whose body starts
//! with a `$action` field (a native form, JavaScript off). Everything else
//! goes to the app untouched, with a [`Page`] in its extensions.
//!
//! The checks run cheapest first, and nothing is read or run before the
//! previous check passed: method → origin and fetch metadata → declared
//! length → body under the limit → decoding → id lookup → per-action limit →
//! sealed fields. Only then does the action run.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::Response;
use http::{Method, Request};
use serde_json::Value;
use tower::{Service, ServiceExt as _};

use super::future::ResponseFuture;
use super::idempotency::{Begin, IDEMPOTENCY_HEADER, MAX_KEY_LEN};
use super::invoke;
use super::names;
use super::respond::{self, Exchange};
use crate::action::Call;
use crate::cache::page;
use crate::client;
use crate::cx::Cx;
use crate::guard;
use crate::html::fields;
use crate::outcome::{Rejection, human_bytes};
use crate::payload::{self, Encoding, PEEK_BYTES};
use crate::render::{Page, Shared};
use crate::seal::looks_like_id;

/// The service made by [`super::ActionLayer`].
pub struct ActionService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> ActionService<S> {
    pub(crate) fn new(inner: S, shared: Arc<Shared>) -> Self {
        Self { inner, shared }
    }
}

impl<S: Clone> Clone for ActionService<S> {
    fn clone(&self) -> Self {
        Self { inner: self.inner.clone(), shared: self.shared.clone() }
    }
}

impl<S> std::fmt::Debug for ActionService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActionService").field("shared", &self.shared).finish_non_exhaustive()
    }
}

impl<S> Service<Request<Body>> for ActionService<S>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        // The clone is the one that was not polled ready: keep the ready one
        // for this call (the usual tower pattern).
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let shared = self.shared.clone();
        // Each kind of request gets a future of its own size: a page view
        // does not carry the (much larger) state of an action call.
        match classify(&shared, req) {
            Kind::Answered(response) => Box::pin(std::future::ready(Ok(response))),
            Kind::Page(req) => Box::pin(async move { Ok(passthrough(inner, shared, req).await) }),
            Kind::Call { req, header_id } => {
                Box::pin(async move { Ok(call_or_form_post(inner, shared, req, header_id).await) })
            }
        }
    }
}

/// What a request is, as far as its head tells.
enum Kind {
    /// Answered without the app: the layer's own files, a refused GET action.
    Answered(Response),
    /// Not an action call: to the app.
    Page(Request<Body>),
    /// A JavaScript call (`header_id`), or a form post that may name an
    /// action in its body.
    Call { req: Request<Body>, header_id: Option<String> },
}

fn classify(shared: &Shared, req: Request<Body>) -> Kind {
    let header_id = req.headers().get(&names::ACTION).map(|v| v.to_str().unwrap_or("").trim().to_string());
    if header_id.is_some() {
        return Kind::Call { req, header_id };
    }
    let method = req.method();
    if method == Method::GET || method == Method::HEAD {
        let path = req.uri().path();
        if path.starts_with(client::PREFIX) {
            let runtime = client::runtime();
            if path == runtime.path {
                return Kind::Answered(runtime.respond(req.headers()));
            }
            if let Some(module) = shared.actions_module.as_ref().filter(|m| m.path == path) {
                return Kind::Answered(module.respond(req.headers()));
            }
            if let Some(manifest) = shared.manifest.as_ref().filter(|_| path == client::MANIFEST_PATH) {
                return Kind::Answered(client::manifest_response(manifest.clone()));
            }
            return Kind::Answered(client::not_found());
        }
        if query_names_action(&req) {
            let method = method.to_string();
            return Kind::Answered(respond::reject(false, Rejection::MethodNotAllowed { method }));
        }
        return Kind::Page(req);
    }
    if is_form_body(&req) { Kind::Call { req, header_id: None } } else { Kind::Page(req) }
}

/// Whether the query string names an action (a `method="get"` form).
fn query_names_action(req: &Request<Body>) -> bool {
    req.uri().query().is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == fields::ACTION))
}

fn is_form_body(req: &Request<Body>) -> bool {
    matches!(payload::encoding(req.headers()), Ok(Encoding::UrlEncoded | Encoding::Multipart(_)))
}

/// A JavaScript call, or a form post: for a form, its first bytes tell
/// whether it names an action (else it goes to the app).
async fn call_or_form_post<S>(
    inner: S,
    shared: Arc<Shared>,
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
            return Box::pin(passthrough(inner, shared, req)).await;
        }
        form_id = payload::action_in_prefix(&prefix);
        req
    };
    let method = req.method().clone();
    if method != Method::POST {
        return respond::reject(js, Rejection::MethodNotAllowed { method: method.to_string() });
    }
    call_action(inner, shared, req, header_id, form_id).await
}

/// A request that is not an action call: to the app, with a [`Page`].
async fn passthrough<S>(inner: S, shared: Arc<Shared>, mut req: Request<Body>) -> Response
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let policy = (req.method() == Method::GET || req.method() == Method::HEAD)
        .then(|| shared.config.route_for(req.uri().path()).and_then(|r| r.cache.clone()))
        .flatten()
        .filter(|p| {
            p.with_session || !page::has_session(req.headers(), shared.config.session_cookies.as_deref())
        });
    req.extensions_mut().insert(Page { shared: shared.clone(), submission: None });
    let render = |req: Request<Body>| async move {
        match inner.oneshot(req).await {
            Ok(response) => response,
            Err(infallible) => match infallible {},
        }
    };
    match policy {
        Some(policy) => page::serve(&shared.cache, &policy, req, render).await,
        None => render(req).await,
    }
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
    shared: Arc<Shared>,
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

    if let Err(r) = guard::check_origin(&parts, &shared.config) {
        return reject(r);
    }

    let config = &shared.config;
    let route = config.route_for(parts.uri.path());
    let route_limit = route.and_then(|r| r.body_limit).unwrap_or(config.body_limit);
    let header_def = match header_id.as_deref() {
        Some(id) => match looks_like_id(id).then(|| shared.registry.get(id)).flatten() {
            Some(def) => Some(def),
            None => return reject(Rejection::UnknownAction),
        },
        None => None,
    };
    // A native form names its action in its first bytes; when that id is not
    // known yet (a later field, a stale id), read up to the largest limit an
    // action may have, and check the exact one once the body is decoded.
    let early_def = header_def.or_else(|| form_id.as_deref().and_then(|id| shared.registry.get(id)));
    let read_limit = match early_def {
        Some(def) => def.body_limit.unwrap_or(route_limit),
        None => route_limit.max(shared.max_action_limit),
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
    let Some(def) = header_def.or_else(|| looks_like_id(&id).then(|| shared.registry.get(&id)).flatten())
    else {
        if js {
            return reject(Rejection::UnknownAction);
        }
        // Rare, and its future is large: boxed, so that every call's is not.
        return Box::pin(respond::stale_form(inner, shared, parts, payload)).await;
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
        .state_arc(shared.state.clone())
        .headers(parts.headers)
        .uri(parts.uri)
        .extensions(parts.extensions)
        .on_invalidate(shared.on_invalidate.clone())
        .cache(shared.cache.clone())
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

    let keys = shared.clone();
    let run = async move {
        let finished = invoke::run(def, call, max_duration).await;
        respond::respond(inner, shared, Exchange { cx, payload, id, js }, finished).await
    };
    let Some(key) = key else { return run.await };
    // Kept across the waits below: boxed, so that the future of every call
    // does not hold a second copy of it.
    let run = Box::pin(run);
    let keys = &keys.idempotency;
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
