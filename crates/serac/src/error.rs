//! What an action call can end in, besides its result.
//!
//! Two error types with two audiences:
//!
//! - [`ActionError`] is returned by actions. It is a value that `?` propagates:
//!   any `std::error::Error` converts into [`ActionError::Internal`], whose text
//!   is logged in full and shown to users only as an opaque digest in
//!   production. Every other variant is an *expected* outcome (validation,
//!   authorization, a redirect, a domain conflict) whose message is meant for
//!   the user.
//! - [`Rejection`] is produced by the framework before an action runs: the
//!   request was not a well-formed, allowed action call. Its messages are
//!   always public and say what did not match.
//!
//! Both know their HTTP status; neither knows HTML (the built-in error page
//! is in `page`). [`Mode`] decides how much of an internal error people see.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use http::StatusCode;
use serde::Serialize;

/// Whether internal error messages are shown to users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Full error text in responses, hints in 403s.
    Development,
    /// Internal errors shown only as a digest (the full text is logged).
    Production,
}

impl Mode {
    /// `SERAC_ENV=production` / `development`, else production in release
    /// builds and development in debug builds.
    pub fn from_env() -> Self {
        match std::env::var("SERAC_ENV").as_deref() {
            Ok("production") => Self::Production,
            Ok("development") => Self::Development,
            _ if cfg!(debug_assertions) => Self::Development,
            _ => Self::Production,
        }
    }
}

/// Per-field validation messages, in field order of insertion.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    /// No errors yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a message for `field` (a field may have several).
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) -> &mut Self {
        self.0.entry(field.into()).or_default().push(message.into());
        self
    }

    /// Builder form of [`FieldErrors::add`].
    #[must_use]
    pub fn with(mut self, field: impl Into<String>, message: impl Into<String>) -> Self {
        self.add(field, message);
        self
    }

    /// The first message for `field`.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).and_then(|m| m.first()).map(String::as_str)
    }

    /// All messages for `field`.
    pub fn all(&self, field: &str) -> &[String] {
        self.0.get(field).map(Vec::as_slice).unwrap_or_default()
    }

    /// Whether there are no messages at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Err(ActionError::Validation(self))` when there are messages: lets an
    /// action collect errors, then `errors.check()?`.
    pub fn check(self) -> Result<(), ActionError> {
        if self.is_empty() { Ok(()) } else { Err(ActionError::Validation(self)) }
    }

    /// Iterates over `(field, messages)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }
}

/// Where a redirect goes. Paths of this site (and absolute URLs of its own
/// origin) are followed on the server, so the answer carries the new page;
/// other absolute URLs are passed to the browser as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    location: String,
    replace: bool,
}

impl Redirect {
    /// The `Location` of the redirect.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Whether the new page replaces the current history entry (see
    /// [`redirect_replace`]).
    pub fn replaces_history(&self) -> bool {
        self.replace
    }
}

/// An error returned by an action. Construct with the helpers ([`redirect`],
/// [`ActionError::unauthorized`], …) or with `?` on any error type, which
/// becomes [`ActionError::Internal`].
///
/// It deliberately does not implement `std::error::Error`: that is what lets
/// every other error convert into it with `?` (the same trick as `anyhow`).
#[must_use]
#[non_exhaustive]
pub enum ActionError {
    /// Some fields are invalid: `422`, messages shown next to the fields, the
    /// submitted values kept in the form.
    Validation(FieldErrors),
    /// The user must sign in: `401`.
    Unauthorized(String),
    /// The user may not do this: `403`.
    Forbidden(String),
    /// What the action works on does not exist: `404`.
    NotFound(String),
    /// The request is understood but conflicts with the current state of the
    /// data (a stale version, a duplicate): `409`. The message is for the user.
    Conflict(String),
    /// The input is not acceptable for a reason that is not a single field: `400`.
    BadRequest(String),
    /// Too many attempts (sign-ins, say): `429`, with `Retry-After`.
    RateLimited {
        /// For the user.
        message: String,
        /// When to try again.
        retry_after: Duration,
    },
    /// Go elsewhere: `303 See Other` for forms, a `redirect` in the JSON envelope.
    Redirect(Redirect),
    /// The action ran past its maximum duration and was cancelled: `504`.
    Timeout(Duration),
    /// Anything unexpected: `500`. The text is logged with a digest; in
    /// production users see only the digest.
    Internal(Box<dyn std::error::Error + Send + Sync + 'static>),
}

/// A `303 See Other` to `location`, as an error value so that `?` and
/// `return Err(..)` stop the action there: `return Err(redirect("/posts"))`.
///
/// A relative target resolves against the page posted to, as a browser
/// resolves a link (`./x` and `x` from `/a/b` are `/a/x`, `../x` is `/x`,
/// `?q=1` is `/a/b?q=1`). An absolute URL of the site's own origin is
/// treated as its path. With JavaScript, the runtime adds the new page to
/// the history (`pushState`), as following a link does.
pub fn redirect(location: impl Into<String>) -> ActionError {
    ActionError::Redirect(Redirect { location: location.into(), replace: false })
}

/// A redirect that replaces the current history entry instead of adding
/// one, so Back skips the page the action was called from (a wizard's
/// finished step, a sign-in form). With JavaScript the runtime uses
/// `history.replaceState` (or `location.replace` for another site); without
/// it, this is the same `303 See Other` as [`redirect`], since a browser
/// never keeps a POST's page in its history.
pub fn redirect_replace(location: impl Into<String>) -> ActionError {
    ActionError::Redirect(Redirect { location: location.into(), replace: true })
}

impl ActionError {
    /// `401` with a message for the user.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::Unauthorized(message.into())
    }
    /// `403` with a message for the user.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }
    /// `404` with a message for the user.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::NotFound(message.into())
    }
    /// `409` with a message for the user.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(message.into())
    }
    /// `400` with a message for the user.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest(message.into())
    }
    /// `429` with a message for the user and `Retry-After`.
    pub fn rate_limited(message: impl Into<String>, retry_after: Duration) -> Self {
        Self::RateLimited { message: message.into(), retry_after }
    }
    /// A single-field validation failure.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(FieldErrors::new().with(field, message))
    }
    /// An internal error from a message (for conditions that are not errors
    /// of another type).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::Internal(message.into().into())
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Redirect(_) => StatusCode::SEE_OTHER,
            Self::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable machine-readable name, used in the JSON envelope.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Validation(_) => "validation",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) => "conflict",
            Self::BadRequest(_) => "bad_request",
            Self::RateLimited { .. } => "rate_limited",
            Self::Redirect(_) => "redirect",
            Self::Timeout(_) => "timeout",
            Self::Internal(_) => "internal",
        }
    }
}

impl fmt::Debug for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Validation(e) => f.debug_tuple("Validation").field(e).finish(),
            Self::Unauthorized(m) => f.debug_tuple("Unauthorized").field(m).finish(),
            Self::Forbidden(m) => f.debug_tuple("Forbidden").field(m).finish(),
            Self::NotFound(m) => f.debug_tuple("NotFound").field(m).finish(),
            Self::Conflict(m) => f.debug_tuple("Conflict").field(m).finish(),
            Self::BadRequest(m) => f.debug_tuple("BadRequest").field(m).finish(),
            Self::RateLimited { message, retry_after } => f
                .debug_struct("RateLimited")
                .field("message", message)
                .field("retry_after", retry_after)
                .finish(),
            Self::Redirect(r) => f.debug_tuple("Redirect").field(&r.location).finish(),
            Self::Timeout(d) => f.debug_tuple("Timeout").field(d).finish(),
            Self::Internal(e) => f.debug_tuple("Internal").field(e).finish(),
        }
    }
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Validation(e) => {
                f.write_str("some fields are invalid")?;
                for (field, messages) in e.iter() {
                    write!(f, "; {field}: {}", messages.join(", "))?;
                }
                Ok(())
            }
            Self::Unauthorized(m)
            | Self::Forbidden(m)
            | Self::NotFound(m)
            | Self::Conflict(m)
            | Self::BadRequest(m)
            | Self::RateLimited { message: m, .. } => f.write_str(m),
            Self::Redirect(r) => write!(f, "redirect to {}", r.location),
            Self::Timeout(d) => write!(
                f,
                "The action took longer than its maximum duration ({}) and was cancelled.",
                human_duration(*d)
            ),
            Self::Internal(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl<E> From<E> for ActionError
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn from(error: E) -> Self {
        Self::Internal(Box::new(error))
    }
}

pub(crate) fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms % 1000 == 0 { format!("{} s", ms / 1000) } else { format!("{ms} ms") }
}

/// Why the framework refused a request before running any action. Every
/// message is public: it says what did not match, never a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// Actions are only called with POST.
    #[error("Server actions must be called with POST, not {method}.")]
    MethodNotAllowed {
        /// The method that was used.
        method: String,
    },
    /// The `Origin` header does not match the host and is not allowed.
    #[error("Forbidden: the request's origin {origin} does not match {expected}.{hint}")]
    OriginMismatch {
        /// The `Origin` as sent (or `none`).
        origin: String,
        /// What it had to match.
        expected: String,
        /// In development, which header decided the expected value.
        hint: String,
    },
    /// The request's host is not on the configured allow-list of hosts: the
    /// name a browser used is not this site's (DNS rebinding).
    #[error("Forbidden: this server does not accept actions sent to the host {host}.")]
    HostNotAllowed {
        /// The host as sent.
        host: String,
    },
    /// `Sec-Fetch-Site: cross-site`.
    #[error("Forbidden: cross-site requests cannot call server actions (Sec-Fetch-Site: cross-site).")]
    CrossSite,
    /// The body is larger than the limit.
    #[error("The request body is larger than the limit of {limit} for this action.")]
    PayloadTooLarge {
        /// The limit, human-readable.
        limit: String,
    },
    /// The body could not be decoded.
    #[error("The request could not be read: {0}")]
    BadPayload(String),
    /// No action id in the request.
    #[error("The request does not say which action to run (no $action field or serac-action header).")]
    MissingAction,
    /// The id is not one of this server's actions.
    #[error(
        "This action is not known to the server; it may have been changed by a new deployment. Reload the page and submit again."
    )]
    UnknownAction,
    /// An idempotency key came back with another request (another body,
    /// page or caller) than the one it was first used for.
    #[error(
        "This idempotency key was already used for another request; nothing was done. Send a new key with a new request."
    )]
    IdempotencyConflict,
    /// A repeat of a request that already ran, whose answer was not kept.
    #[error(
        "This request was already done, and its answer is no longer available; it was not run again. Reload the page to see the result."
    )]
    AnswerNotKept,
    /// The action has `Bound` parameters and the call brought no sealed
    /// values for them.
    #[error(
        "This action takes values sealed into its page, and the request brought none; nothing was done. Reload the page and try again."
    )]
    MissingBound,
    /// `$bound` or `$state` failed to open.
    #[error(
        "The form's sealed data was modified or belongs to another action; nothing was done. Reload the page and try again."
    )]
    BadSeal,
    /// A page asked for app state of a type the layer was not given.
    #[error("No app state of type {type_name} was given to ActionLayer::with_state.")]
    MissingState {
        /// The type asked for.
        type_name: &'static str,
    },
    /// The layer is not installed around the router that handled a page.
    #[error("serac::ActionLayer is not installed around this router")]
    LayerMissing,
    /// An upload could not be written to a temporary file (the disk is
    /// full, say); the cause is logged.
    #[error("The upload could not be stored on the server; nothing was done. Try again later.")]
    UploadNotStored,
    /// The uploads on disk, all calls together, are at their budget
    /// ([`Config::uploads_on_disk`](crate::Config::uploads_on_disk)).
    #[error("The server is receiving too many uploads at once; nothing was done. Try again in a moment.")]
    UploadsBusy,
    /// A query's id in a `POST`: queries are read with `GET`.
    #[error("This is a query: it is read with GET and changes nothing, so it cannot be posted.")]
    QueryPosted,
}

impl Rejection {
    /// The HTTP status of this rejection.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MethodNotAllowed { .. } | Self::QueryPosted => StatusCode::METHOD_NOT_ALLOWED,
            Self::OriginMismatch { .. } | Self::HostNotAllowed { .. } | Self::CrossSite => {
                StatusCode::FORBIDDEN
            }
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadPayload(_) | Self::MissingAction | Self::MissingBound | Self::BadSeal => {
                StatusCode::BAD_REQUEST
            }
            Self::UnknownAction => StatusCode::NOT_FOUND,
            Self::IdempotencyConflict | Self::AnswerNotKept => StatusCode::CONFLICT,
            Self::MissingState { .. } | Self::LayerMissing | Self::UploadNotStored => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            Self::UploadsBusy => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// A stable machine-readable name, used in the JSON envelope.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::MethodNotAllowed { .. } | Self::QueryPosted => "method_not_allowed",
            Self::OriginMismatch { .. } => "origin_mismatch",
            Self::HostNotAllowed { .. } => "host_not_allowed",
            Self::CrossSite => "cross_site",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::BadPayload(_) => "bad_payload",
            Self::MissingAction => "missing_action",
            Self::UnknownAction => "unknown_action",
            Self::MissingBound => "missing_bound",
            Self::IdempotencyConflict => "idempotency_conflict",
            Self::AnswerNotKept => "already_done",
            Self::BadSeal => "bad_seal",
            Self::MissingState { .. } => "missing_state",
            Self::LayerMissing => "layer_missing",
            Self::UploadNotStored => "upload_not_stored",
            Self::UploadsBusy => "uploads_busy",
        }
    }
}

pub(crate) fn human_bytes(n: usize) -> String {
    const MB: usize = 1024 * 1024;
    const KB: usize = 1024;
    if n >= MB && n % MB == 0 {
        format!("{} MB", n / MB)
    } else if n >= KB && n % KB == 0 {
        format!("{} KB", n / KB)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_mark_turns_any_error_into_internal() {
        fn parse(s: &str) -> Result<i32, ActionError> {
            Ok(s.parse::<i32>()?)
        }
        let err = parse("x").expect_err("not a number");
        assert_eq!(err.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(err.kind(), "internal");
    }

    #[test]
    fn statuses_match_the_spec() {
        assert_eq!(redirect("/a").status(), StatusCode::SEE_OTHER);
        assert_eq!(ActionError::invalid("email", "bad").status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(ActionError::Timeout(Duration::from_secs(1)).status(), StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(
            ActionError::Timeout(Duration::from_secs(1)).to_string(),
            "The action took longer than its maximum duration (1 s) and was cancelled."
        );
    }

    /// Every kind the server sends, one per variant (the matches make adding
    /// a variant without listing it here a compile error).
    fn every_kind() -> Vec<&'static str> {
        let actions = [
            ActionError::Validation(FieldErrors::new()),
            ActionError::Unauthorized(String::new()),
            ActionError::Forbidden(String::new()),
            ActionError::NotFound(String::new()),
            ActionError::Conflict(String::new()),
            ActionError::BadRequest(String::new()),
            ActionError::RateLimited { message: String::new(), retry_after: Duration::ZERO },
            ActionError::Timeout(Duration::ZERO),
            ActionError::internal(""),
        ];
        for a in &actions {
            match a {
                ActionError::Validation(_)
                | ActionError::Unauthorized(_)
                | ActionError::Forbidden(_)
                | ActionError::NotFound(_)
                | ActionError::Conflict(_)
                | ActionError::BadRequest(_)
                | ActionError::RateLimited { .. }
                | ActionError::Redirect(_)
                | ActionError::Timeout(_)
                | ActionError::Internal(_) => {}
            }
        }
        let rejections = [
            Rejection::MethodNotAllowed { method: String::new() },
            Rejection::OriginMismatch { origin: String::new(), expected: String::new(), hint: String::new() },
            Rejection::HostNotAllowed { host: String::new() },
            Rejection::CrossSite,
            Rejection::PayloadTooLarge { limit: String::new() },
            Rejection::BadPayload(String::new()),
            Rejection::MissingAction,
            Rejection::UnknownAction,
            Rejection::IdempotencyConflict,
            Rejection::AnswerNotKept,
            Rejection::MissingBound,
            Rejection::BadSeal,
            Rejection::MissingState { type_name: "" },
            Rejection::LayerMissing,
            Rejection::UploadNotStored,
            Rejection::UploadsBusy,
            Rejection::QueryPosted,
        ];
        for r in &rejections {
            match r {
                Rejection::MethodNotAllowed { .. }
                | Rejection::OriginMismatch { .. }
                | Rejection::HostNotAllowed { .. }
                | Rejection::CrossSite
                | Rejection::PayloadTooLarge { .. }
                | Rejection::BadPayload(_)
                | Rejection::MissingAction
                | Rejection::UnknownAction
                | Rejection::IdempotencyConflict
                | Rejection::AnswerNotKept
                | Rejection::MissingBound
                | Rejection::BadSeal
                | Rejection::MissingState { .. }
                | Rejection::LayerMissing
                | Rejection::UploadNotStored
                | Rejection::UploadsBusy
                | Rejection::QueryPosted => {}
            }
        }
        actions.iter().map(ActionError::kind).chain(rejections.iter().map(Rejection::kind)).collect()
    }

    /// The typed TypeScript client names the same kinds as the server, and
    /// only those (and `network`, its own).
    #[test]
    fn the_typescript_client_knows_every_error_kind() {
        let typed = include_str!("../client/typed.ts");
        let union = typed.split("export type ActionErrorKind =").nth(1).expect("the union");
        let union = &union[..union.find(';').expect("its end")];
        let in_typescript: Vec<&str> =
            union.split('|').map(|k| k.trim().trim_matches('"')).filter(|k| !k.is_empty()).collect();
        let kinds = every_kind();
        for kind in &kinds {
            assert!(in_typescript.contains(kind), "typed.ts does not know the kind {kind:?}");
        }
        for kind in in_typescript.iter().filter(|k| **k != "network") {
            assert!(kinds.contains(kind), "typed.ts names a kind the server never sends: {kind:?}");
        }
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_bytes(1024 * 1024), "1 MB");
        assert_eq!(human_bytes(2048), "2 KB");
        assert_eq!(human_bytes(1000), "1000 bytes");
    }
}
