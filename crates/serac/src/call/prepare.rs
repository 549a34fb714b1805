//! Everything between a guarded request and a running action: which action
//! (its id looked up once), its limits, the body read and decoded under
//! them, and the sealed values opened.
//!
//! Which sealed values belong to the call is decided by what was pressed:
//!
//! | the call names its action by | bound values from | state from |
//! |---|---|---|
//! | a `$button` (a submit button with its own action) | the button's own value | the form's `$state`, sealed for the form's action (or for a form without one) |
//! | the form's `$action` (or the header naming it) | the form's `$bound` | the form's `$state` |
//! | the header alone (a JSON call) | the body's `"$bound"` | the body's `"$state"` |
//!
//! An action with `Bound` parameters gets exactly that many sealed values,
//! or the call is refused; values sealed for another action do not open.
//! A form's state belongs to the form: every action submitted from it gets
//! it (sealed for the form's own action, so a state from another form does
//! not open), and must accept its type.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use http::request::Parts;
use serde_json::Value;

use super::idempotency::Key;
use super::recognise::{CallBody, CallRequest, limit_for};
use super::respond::Exchange;
use crate::action::{ActionDef, Call};
use crate::app::App;
use crate::cx::Cx;
use crate::error::{Rejection, human_bytes};
use crate::payload::{self, Encoding, Payload};
use crate::protocol::{fields, names};
use crate::seal::{self, ID_LEN, KeyRing};

/// An action call ready to run.
pub(super) struct Ready {
    pub(super) def: &'static ActionDef,
    pub(super) call: Call,
    pub(super) max_duration: Duration,
    /// the key a repeated call is recognised by.
    pub(super) idempotency_key: Option<Key>,
    pub(super) exchange: Exchange,
}

pub(super) enum Prepared {
    Ready(Ready),
    /// A native form with an id this server does not know (a deploy or a
    /// key rotation since the page was rendered).
    Stale {
        parts: Parts,
        payload: Payload,
    },
}

/// The action a call names, and the sealed values that come with it.
struct Named<'a> {
    id: &'a str,
    bound: Option<&'a str>,
    state: Option<&'a str>,
    /// The action `state` is sealed for: the form's (empty for a form
    /// without one).
    state_owner: &'a str,
    /// For a button of another action than its form's: the sealed proof
    /// that it was rendered in a stateful form, and which.
    in_form: Option<&'a str>,
}

pub(super) async fn prepare(app: &App, request: CallRequest) -> Result<Prepared, Rejection> {
    let CallRequest { parts, header_id, body } = request;
    let js = header_id.is_some();
    let header_id = header_id.as_ref().map(|v| v.to_str().unwrap_or("").trim_ascii());
    let path = parts.uri.path();

    // A JavaScript call names its action before its body: look it up and
    // read the body under that action's own limit. A native form's body was
    // read to recognise it, under the largest limit a call may have.
    let header_def = match header_id {
        Some(id) => Some(lookup(app, id).ok_or(Rejection::UnknownAction)?),
        None => None,
    };
    let mut key = None;
    // The action that chose to stream a native form's body: the form must
    // call that one (a `$button` of another action is refused).
    let mut spooled_for: Option<&'static ActionDef> = None;
    let (mut payload, read_len) = match body {
        CallBody::Spool { body, def } => {
            // A native form for an action that spools its uploads (no
            // idempotency key without JavaScript).
            let limit = limit_for(app, path, Some(def));
            refuse_declared_over(&parts, limit)?;
            let Encoding::Multipart(boundary) = payload::encoding(&parts.headers)? else {
                return Err(Rejection::PayloadTooLarge { limit: human_bytes(app.config.body_limit) });
            };
            let (payload, len, _) = spool(app, &boundary, body, limit).await?;
            spooled_for = Some(def);
            (payload, Some(len))
        }
        CallBody::Unread(body) => {
            let encoding = payload::encoding(&parts.headers)?;
            // Only a multipart body streams to disk: any other body of an
            // action that spools its uploads is read into memory, under the
            // app's limit rather than the action's (large) one.
            let in_memory_def =
                header_def.filter(|d| !d.spools_uploads() || matches!(encoding, Encoding::Multipart(_)));
            let limit = limit_for(app, path, in_memory_def);
            refuse_declared_over(&parts, limit)?;
            let spooling = match (header_def, &encoding) {
                (Some(def), Encoding::Multipart(boundary)) if def.spools_uploads() => Some(boundary.clone()),
                _ => None,
            };
            if let Some(boundary) = spooling {
                // Files to disk as they arrive; the fingerprint hashes the
                // body as it goes by.
                let (payload, len, digest) = spool(app, &boundary, body, limit).await?;
                if let Some(id) = header_id {
                    key = Key::of(&parts, id, &digest)?;
                }
                (payload, Some(len))
            } else {
                let bytes = match payload::read_up_to(body, limit).await? {
                    payload::Read::Whole(bytes) => bytes,
                    payload::Read::Over { .. } => {
                        return Err(Rejection::PayloadTooLarge { limit: human_bytes(limit) });
                    }
                };
                // A repeat is the same request: its key is hashed with the body.
                if let Some(id) = header_id {
                    key = Key::of(&parts, id, &bytes)?;
                }
                (payload::decode(&encoding, bytes).await?, None)
            }
        }
        CallBody::Decoded { payload, len } => (payload, Some(len)),
    };

    if header_def.is_some_and(ActionDef::is_query) {
        return Err(Rejection::QueryPosted);
    }
    if !payload.files.is_empty() {
        let def = header_def.or_else(|| named(header_id, &payload).ok().and_then(|n| lookup(app, n.id)));
        if def.is_some_and(ActionDef::spools_uploads) {
            // A small form read whole: its files go where `Upload` takes them.
            payload::spool_files(&mut payload, &app.config.uploads_on_disk).await?;
        }
    }
    let named = named(header_id, &payload)?;
    let def = match header_def.or_else(|| lookup(app, named.id)) {
        Some(def) if def.is_query() => return Err(Rejection::QueryPosted),
        Some(def) => def,
        None => return Ok(Prepared::Stale { parts, payload }),
    };
    if spooled_for.is_some_and(|spooled| !std::ptr::eq(spooled, def)) {
        // Streamed under another action's limit: this one's may be smaller.
        let limit = limit_for(app, path, Some(def));
        return Err(Rejection::PayloadTooLarge { limit: human_bytes(limit) });
    }
    if let Some(len) = read_len {
        let limit = limit_for(app, path, Some(def));
        if len > limit {
            return Err(Rejection::PayloadTooLarge { limit: human_bytes(limit) });
        }
    }
    let keys = &app.config.keys;
    let bound = open_bound(keys, def, named.id, named.bound)?;
    check_in_form(keys, &named)?;
    let prev_state = open_state(keys, named.state_owner, named.state)?;
    let stateful = named.state.is_some();
    let id = named.id.to_string();

    let route = app.config.route_for(path);
    // The action's own limit wherever it is posted (R3), else its route's
    // (matched as the router matches), else the app's.
    let max_duration =
        def.max_duration().or(route.and_then(|r| r.max_duration)).unwrap_or(app.config.max_duration);
    let render = parts.headers.get(&names::RENDER).map(http::HeaderValue::as_bytes);
    let wants_html = render != Some(b"none");
    let always_html = render == Some(b"page");
    let queries = if js { super::query::requested(&parts.headers)? } else { Vec::new() };
    let cx =
        Cx::for_call(def.path(), app.states.clone(), parts, app.on_invalidate.clone(), app.cache.clone());
    let args = std::mem::take(&mut payload.args);
    let payload = Arc::new(payload);
    let mut call = Call::new(cx.clone(), payload.clone(), app.config.mode);
    call.args = args.into();
    call.bound = bound;
    call.prev_state = prev_state;
    Ok(Prepared::Ready(Ready {
        def,
        call,
        max_duration,
        idempotency_key: key,
        exchange: Exchange { cx, payload, id, js, stateful, wants_html, always_html, queries },
    }))
}

/// The definition of a known id. Input of another length is refused before
/// it is hashed; any other string of the right length simply is not a key.
pub(super) fn lookup(app: &App, id: &str) -> Option<&'static ActionDef> {
    (id.len() == ID_LEN).then(|| app.registry.get(id)).flatten()
}

/// Which action the call names, with which sealed values (the table in the
/// module's documentation).
fn named<'a>(header: Option<&'a str>, payload: &'a Payload) -> Result<Named<'a>, Rejection> {
    let button = payload.single(fields::BUTTON)?.filter(|b| !b.is_empty());
    let form_action = payload.single(fields::ACTION)?.filter(|a| !a.is_empty());
    if let Some(button) = button {
        let mut pieces = button.splitn(3, '.');
        let id = pieces.next().unwrap_or_default();
        let bound = pieces.next().filter(|b| !b.is_empty());
        let in_form = pieces.next();
        if header.is_some_and(|h| h != id) {
            return Err(Rejection::BadPayload(
                "the serac-action header and the pressed button name different actions".into(),
            ));
        }
        let state = payload.single(fields::STATE)?;
        return Ok(Named { id, bound, state, state_owner: form_action.unwrap_or(""), in_form });
    }
    let form = |id| -> Result<Named<'a>, Rejection> {
        let (bound, state) = (payload.single(fields::BOUND)?, payload.single(fields::STATE)?);
        Ok(Named { id, bound, state, state_owner: id, in_form: None })
    };
    match (header, form_action) {
        (Some(id), Some(action)) if action == id => form(id),
        (Some(id), _) => Ok(Named {
            id,
            bound: payload.json_bound.as_deref(),
            state: payload.json_state.as_deref(),
            state_owner: id,
            in_form: None,
        }),
        (None, Some(id)) => form(id),
        (None, None) => Err(Rejection::MissingAction),
    }
}

/// The action's bound values: exactly as many as it has `Bound` parameters,
/// sealed for it by this server.
fn open_bound(
    keys: &KeyRing,
    def: &ActionDef,
    id: &str,
    sealed: Option<&str>,
) -> Result<VecDeque<Value>, Rejection> {
    let Some(sealed) = sealed else {
        return if def.bound_count() == 0 { Ok(VecDeque::new()) } else { Err(Rejection::MissingBound) };
    };
    let values: Vec<Value> = keys
        .open(id, sealed)
        .ok()
        .and_then(|plain| serde_json::from_slice(&plain).ok())
        .ok_or(Rejection::BadSeal)?;
    if values.len() != def.bound_count() {
        return Err(Rejection::BadSeal);
    }
    Ok(values.into())
}

/// `413` at once for a body declared larger than `limit`: nothing of it is
/// read.
fn refuse_declared_over(parts: &Parts, limit: usize) -> Result<(), Rejection> {
    match payload::content_length(&parts.headers) {
        Some(len) if len > limit as u64 => Err(Rejection::PayloadTooLarge { limit: human_bytes(limit) }),
        _ => Ok(()),
    }
}

/// A multipart body streamed for an action that spools its uploads, under
/// `limit`, its text under the app's limit and its files within the app's
/// disk budget.
async fn spool(
    app: &App,
    boundary: &str,
    body: axum::body::Body,
    limit: usize,
) -> Result<(Payload, usize, [u8; 32]), Rejection> {
    payload::spool_multipart(boundary, body, limit, app.config.body_limit, &app.config.uploads_on_disk).await
}

/// A state sealed for one form reaches another action only through a button
/// that was rendered in that form: its sealed proof names the form's action
/// (R1's rule for state: moving a `$state` next to another button, or
/// another form's `$action`, is refused).
fn check_in_form(keys: &KeyRing, named: &Named<'_>) -> Result<(), Rejection> {
    let has_state = named.state.is_some_and(|s| !s.is_empty());
    if !has_state || named.id == named.state_owner {
        return Ok(());
    }
    let proof = named.in_form.ok_or(Rejection::BadSeal)?;
    match keys.open(&seal::in_form_purpose(named.id), proof) {
        Ok(owner) if owner == named.state_owner.as_bytes() => Ok(()),
        _ => Err(Rejection::BadSeal),
    }
}

/// The form's previous state: none for an empty `$state` (a form that shows
/// its result but has no state yet), else sealed for this action.
fn open_state(keys: &KeyRing, id: &str, sealed: Option<&str>) -> Result<Option<Value>, Rejection> {
    match sealed {
        None | Some("") => Ok(None),
        Some(sealed) => keys
            .open(&seal::state_purpose(id), sealed)
            .ok()
            .and_then(|plain| serde_json::from_slice::<Value>(&plain).ok())
            .map(Some)
            .ok_or(Rejection::BadSeal),
    }
}
