//! [`Submission`]: what a page knows about the action submitted just before
//! it is rendered again: the new state, field errors, the values as typed,
//! or the error to show.

use std::sync::atomic::{AtomicBool, Ordering};

use http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::FieldErrors;

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

    /// The state the action returned, decoded as `T`: `None` when it failed
    /// (read an `Option<_>` to tell "returned `None`" from that).
    pub fn state<T: DeserializeOwned>(&self) -> Option<T> {
        self.state.clone().and_then(|v| serde_json::from_value(v).ok())
    }

    /// The first validation message for a field. A page that shows one has
    /// shown the validation error (see [`Submission::error`]).
    pub fn field_error(&self, name: &str) -> Option<&str> {
        let message = self.field_errors.get(name);
        if message.is_some() {
            self.shown.store(true, Ordering::Relaxed);
        }
        message
    }

    /// All validation messages (marks them shown when there are any).
    pub fn field_errors(&self) -> &FieldErrors {
        if !self.field_errors.is_empty() {
            self.shown.store(true, Ordering::Relaxed);
        }
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
