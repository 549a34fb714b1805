//! Pages and what they know about the action that was just submitted.
//!
//! Without JavaScript, the answer to a form post is the page itself, rendered
//! again by the app's own handler. The layer does that with an in-process GET
//! through the wrapped router (never an HTTP request to itself), carrying a
//! [`Submission`] in the request extensions: the action's new state, its
//! field errors, the submitted values, or the error to show. Page handlers
//! read it through the [`Page`] extractor, which also turns action references
//! into ids and sealed fields (see `html.rs`).
//!
//! A page that does not render an error or notice it was given would hide it
//! from the user; the layer notices (the accessors mark it shown) and answers
//! with a plain built-in page instead.

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use maud::{DOCTYPE, html};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::action::{ActionRef, Registry};
use crate::config::Config;
use crate::cx::InvalidationHook;
use crate::outcome::{FieldErrors, Rejection};

/// What the layer shares with every request: configuration, keys, registry.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) registry: Registry,
    pub(crate) state: Option<Arc<dyn Any + Send + Sync>>,
    pub(crate) on_invalidate: Option<InvalidationHook>,
    /// The largest body limit of any action, used before the id is known.
    pub(crate) max_action_limit: usize,
    /// Idempotency keys seen recently (B4).
    pub(crate) idempotency: crate::layer::Keys,
    /// The module of actions exposed to client code (S3), when any are.
    pub(crate) actions_module: Option<crate::client::Asset>,
    /// Cached data and pages.
    pub(crate) cache: crate::cache::Cache,
    /// The ids of the actions exported to TypeScript, as served at
    /// `/_serac/actions.json` (B6), when any are.
    pub(crate) manifest: Option<bytes::Bytes>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("config", &self.config)
            .field("actions", &self.registry.len())
            .finish_non_exhaustive()
    }
}

/// An error to show in the page's error boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorView {
    /// The HTTP status the page is answered with.
    pub status: StatusCode,
    /// Machine-readable kind (`unauthorized`, `internal`, …).
    pub kind: &'static str,
    /// The message for the user (in production, internal errors only carry
    /// a digest).
    pub message: String,
}

/// The outcome of the action submitted just before this render.
#[derive(Debug)]
pub struct Submission {
    pub(crate) action_id: String,
    pub(crate) values: Vec<(String, String)>,
    pub(crate) state: Option<Value>,
    pub(crate) field_errors: FieldErrors,
    pub(crate) error: Option<ErrorView>,
    pub(crate) notice: Option<String>,
    pub(crate) shown: AtomicBool,
}

impl Submission {
    pub(crate) fn new(action_id: String, values: Vec<(String, String)>) -> Self {
        Self {
            action_id,
            values,
            state: None,
            field_errors: FieldErrors::new(),
            error: None,
            notice: None,
            shown: AtomicBool::new(false),
        }
    }

    /// The id of the action that ran.
    pub fn action_id(&self) -> &str {
        &self.action_id
    }

    /// The submitted value of a field (so inputs keep what the user typed).
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every submitted value of a field.
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.values.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    /// The state the action returned, decoded as `T`.
    pub fn state<T: DeserializeOwned>(&self) -> Option<T> {
        self.state.clone().and_then(|v| serde_json::from_value(v).ok())
    }

    /// The first validation message for a field.
    pub fn field_error(&self, name: &str) -> Option<&str> {
        self.field_errors.get(name)
    }

    /// All validation messages.
    pub fn field_errors(&self) -> &FieldErrors {
        &self.field_errors
    }

    /// The error the action ended with (marks it as shown).
    pub fn error(&self) -> Option<&ErrorView> {
        if self.error.is_some() {
            self.shown.store(true, Ordering::Relaxed);
        }
        self.error.as_ref()
    }

    /// A notice for the user, such as "this form was out of date" (marks it
    /// as shown).
    pub fn notice(&self) -> Option<&str> {
        if self.notice.is_some() {
            self.shown.store(true, Ordering::Relaxed);
        }
        self.notice.as_deref()
    }

    pub(crate) fn needs_fallback(&self) -> bool {
        (self.error.is_some() || self.notice.is_some()) && !self.shown.load(Ordering::Relaxed)
    }
}

/// The page being rendered: action ids, sealed fields, and the submission
/// that led to this render, if any. An axum extractor; needs the
/// [`crate::ActionLayer`] around the router.
#[derive(Clone, Debug)]
pub struct Page {
    pub(crate) shared: Arc<Shared>,
    pub(crate) submission: Option<Arc<Submission>>,
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Page>().cloned().ok_or(Rejection::LayerMissing)
    }
}

impl Page {
    /// The public id of an action on this server.
    pub fn id(&self, action: ActionRef) -> &str {
        self.shared.registry.id_of(action.def())
    }

    /// The submission that led to this render, whatever the action.
    pub fn submission(&self) -> Option<&Submission> {
        self.submission.as_deref()
    }

    /// The submission, if it was of `action`.
    pub fn submitted(&self, action: ActionRef) -> Option<&Submission> {
        let id = self.id(action);
        self.submission().filter(|s| s.action_id == id)
    }

    /// The submitted value of `field` for `action`, or `""`: for `value=(...)`.
    pub fn value(&self, action: ActionRef, field: &str) -> &str {
        self.submitted(action).and_then(|s| s.value(field)).unwrap_or("")
    }

    /// The first validation message of `field` for `action`.
    pub fn field_error(&self, action: ActionRef, field: &str) -> Option<&str> {
        self.submitted(action).and_then(|s| s.field_error(field))
    }

    /// The state `action` returned, if it just ran.
    pub fn state<T: DeserializeOwned>(&self, action: ActionRef) -> Option<T> {
        self.submitted(action).and_then(Submission::state)
    }

    /// The error of the submission, whatever the action (marks it shown).
    pub fn error(&self) -> Option<&ErrorView> {
        self.submission().and_then(Submission::error)
    }

    /// The error of `action`'s submission (marks it shown).
    pub fn error_for(&self, action: ActionRef) -> Option<&ErrorView> {
        self.submitted(action).and_then(Submission::error)
    }

    /// A notice for the user (marks it shown).
    pub fn notice(&self) -> Option<&str> {
        self.submission().and_then(Submission::notice)
    }

    pub(crate) fn keys(&self) -> &crate::seal::KeyRing {
        &self.shared.config.keys
    }

    /// The app's cache, for `page.cache().load(..)` in page handlers.
    pub fn cache(&self) -> &crate::cache::Cache {
        &self.shared.cache
    }

    /// The URL of the ES module of exposed actions (see
    /// [`crate::ActionLayer::expose`]), for `import { name } from "…"`.
    pub fn actions_module_url(&self) -> Option<&str> {
        self.shared.actions_module.as_ref().map(|a| a.path.as_str())
    }
}

/// The built-in page for errors that no app page renders: rejections before
/// any action ran, and errors a page did not show.
#[must_use]
pub(crate) fn error_page(status: StatusCode, message: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (status.as_u16()) " " (title) }
            }
            body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5" {
                h1 { (status.as_u16()) " " (title) }
                p role="alert" data-serac-error="" { (message) }
                p { "Use your browser's Back button to return to the page." }
            }
        }
    };
    let mut response = (status, markup).into_response();
    response.headers_mut().insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    response
}
