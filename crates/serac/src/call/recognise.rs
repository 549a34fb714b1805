//! Is this request an action call? A JavaScript call says so in its header.
//! A native form post (JavaScript off) says so only in its fields: a text
//! field `$action` (the form's action) or `$button` (a submit button's), at
//! any position, never in a file's contents. So its body is read, within
//! the largest limit an action call may have, and parsed; a form that names
//! no action is handed to the app with its body as it came.

use axum::body::Body;
use http::request::Parts;
use http::{HeaderValue, Request};

use crate::action::ActionDef;
use crate::app::App;
use crate::error::{Rejection, human_bytes};
use crate::payload::{self, Encoding, Payload, Read};

/// A request known to be an action call, its body read or not yet.
pub(super) struct CallRequest {
    pub(super) parts: Parts,
    /// The `serac-action` header.
    pub(super) header_id: Option<HeaderValue>,
    pub(super) body: CallBody,
}

pub(super) enum CallBody {
    /// A JavaScript call: read once its action's limit is known.
    Unread(Body),
    /// A native form too large to read into memory, whose first fields
    /// name an action that spools its uploads: read as a stream.
    Spool { body: Body, def: &'static ActionDef },
    /// A native form: read and decoded to recognise it.
    Decoded { payload: Payload, len: usize },
}

pub(super) enum Recognised {
    Call(CallRequest),
    NotACall(Request<Body>),
}

/// The body limit of a call to `def` posted to `path`: the action's own
/// wherever it is posted, else the route's, else the app's.
pub(super) fn limit_for(app: &App, path: &str, def: Option<&ActionDef>) -> usize {
    def.and_then(ActionDef::body_limit).unwrap_or_else(|| {
        app.config.route_for(path).and_then(|r| r.body_limit).unwrap_or(app.config.body_limit)
    })
}

/// A JavaScript call: its header names the action, its body is read later
/// under that action's limit.
pub(super) fn javascript(req: Request<Body>, id: HeaderValue) -> CallRequest {
    let (parts, body) = req.into_parts();
    CallRequest { parts, header_id: Some(id), body: CallBody::Unread(body) }
}

/// A form post without the header: an action call when its fields say so.
pub(super) async fn native_form(
    app: &App,
    req: Request<Body>,
    encoding: Encoding,
) -> Result<Recognised, Rejection> {
    let (parts, body) = req.into_parts();
    let header_id = None;
    // Before the action is known: the largest limit it may have here.
    let route_limit = app.config.route_for(parts.uri.path()).and_then(|r| r.body_limit);
    let read_limit = route_limit.unwrap_or(app.config.body_limit).max(app.max_action_limit);
    let declared = payload::content_length(&parts.headers);

    if declared.is_some_and(|len| len > read_limit as u64) {
        // Too large for any action call: an oversized one (refused, read
        // no further), or a large post to the app (handed over).
        return oversized(app, parts, &encoding, body).await;
    }
    let bytes = match payload::read_up_to(body, read_limit).await? {
        Read::Whole(bytes) => bytes,
        Read::Over { read, rest } => {
            return oversized(app, parts, &encoding, payload::replay(read, rest)).await;
        }
    };
    let len = bytes.len();
    match payload::decode(&encoding, bytes.clone()).await {
        Ok(payload) if payload.names_action() => {
            Ok(Recognised::Call(CallRequest { parts, header_id, body: CallBody::Decoded { payload, len } }))
        }
        // A form that cannot be decoded: refused when its readable first
        // fields name an action, else the app's to answer.
        Err(rejection) if payload::action_in_prefix(&encoding, bytes.clone(), true).await.is_some() => {
            Err(rejection)
        }
        _ => Ok(Recognised::NotACall(Request::from_parts(parts, Body::from(bytes)))),
    }
}

/// A form body over every limit: `413` when its first fields name an
/// action, else the app's, replayed from the start.
async fn oversized(
    app: &App,
    parts: Parts,
    encoding: &Encoding,
    body: Body,
) -> Result<Recognised, Rejection> {
    match payload::peek_action(encoding, body).await? {
        (Some(id), read, rest) => {
            let def = app.registry.get(&id);
            if let Some(def) =
                def.filter(|d| d.spools_uploads() && matches!(encoding, Encoding::Multipart(_)))
            {
                let body = payload::replay(read, rest);
                return Ok(Recognised::Call(CallRequest {
                    parts,
                    header_id: None,
                    body: CallBody::Spool { body, def },
                }));
            }
            let limit = limit_for(app, parts.uri.path(), def);
            Err(Rejection::PayloadTooLarge { limit: human_bytes(limit) })
        }
        (None, read, rest) => {
            Ok(Recognised::NotACall(Request::from_parts(parts, payload::replay(read, rest))))
        }
    }
}
