//! Values that must never reach the browser.
//!
//! `Secret<T>` implements neither `Serialize` nor maud's `Render`, and its
//! `Debug` is redacted: it cannot be bound to an action, returned from one,
//! or written into a page. Each of those is a compile error, not a runtime
//! check; `tests/ui/bind_secret.rs` keeps it that way.

use std::fmt;

/// A value kept on the server. Read it with [`Secret::expose`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a sensitive value.
    pub const fn new(value: T) -> Self {
        Self(value)
    }
    /// The value, for server-side use.
    pub fn expose(&self) -> &T {
        &self.0
    }
    /// Unwraps the value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}
