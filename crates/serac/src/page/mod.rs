//! Pages and what they know about the action that was just submitted.
//!
//! Without JavaScript, the answer to a form post is the page itself, rendered
//! again by the app's own handler. The layer does that with an in-process GET
//! through the wrapped router (never an HTTP request to itself), carrying a
//! [`Submission`] in the request extensions: the action's new state, its
//! field errors, the submitted values, or the error to show. Page handlers
//! read it through the [`Page`] extractor, which also turns action references
//! into ids and sealed fields (`form.rs`).
//!
//! A page that does not render an error or notice it was given would hide it
//! from the user; the layer notices (the accessors mark it shown) and answers
//! with a plain built-in page instead (`error_page.rs`).

mod error_page;
mod form;
#[cfg(feature = "garde")]
mod input;
mod submission;
mod view;

use std::sync::Arc;

use axum::extract::FromRequestParts;
use http::request::Parts;
use serde::de::DeserializeOwned;

pub(crate) use error_page::error_page;
pub use form::{ActionButton, ActionForm};
#[cfg(feature = "garde")]
pub use input::Input;
pub use submission::{ErrorView, Submission};
pub(crate) use view::view;

use crate::action::{ActionDef, ActionRef, State};
use crate::app::App;
pub use crate::cookies::RequestCookies;
use crate::error::Rejection;

/// The page being rendered: action ids, sealed fields, and the submission
/// that led to this render, if any. An axum extractor; needs the
/// [`crate::ActionLayer`] around the router.
///
/// # Showing what went wrong
///
/// Without JavaScript, a failed action is answered with the page itself,
/// rendered again with the error. So that an error is never lost, the page
/// must show it: asking for it is what counts. A page that calls any of
/// [`Page::error`], [`Page::error_for`], [`Page::notice`], or
/// [`Page::field_error`] (for a field that has a message) has shown it;
/// otherwise the layer answers with a plain built-in error page instead of
/// the app's. A form that shows its fields' messages next to them needs
/// nothing more.
#[derive(Clone, Debug)]
pub struct Page {
    pub(crate) app: Arc<App>,
    pub(crate) submission: Option<Arc<Submission>>,
    /// The URI of the page, as the layer received it (before any nesting
    /// stripped a prefix): what `cache()` records data reads under.
    pub(crate) uri: http::Uri,
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Page>().cloned().ok_or(Rejection::LayerMissing)
    }
}

/// App state in page handlers: the same [`State<T>`] actions take, given
/// once to `ActionLayer::with_state` for both (no `Router::with_state`
/// needed). Without a state of that type, the page answers `500` with a
/// message naming the type.
impl<T, S> FromRequestParts<S> for State<T>
where
    T: Clone + Send + Sync + 'static,
    S: Send + Sync,
{
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let page = parts.extensions.get::<Page>().ok_or(Rejection::LayerMissing)?;
        page.app
            .states
            .get::<T>()
            .cloned()
            .map(State)
            .ok_or_else(|| Rejection::MissingState { type_name: std::any::type_name::<T>() })
    }
}

/// The request's cookies in a page handler. Never fails; needs no layer.
impl<S: Send + Sync> FromRequestParts<S> for RequestCookies {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestCookies::from_headers(&parts.headers))
    }
}

impl Page {
    /// The public id of an action on this server.
    pub fn id<B>(&self, action: ActionRef<B>) -> &str {
        self.id_of(action.def())
    }

    pub(crate) fn id_of(&self, def: &ActionDef) -> &str {
        self.app.registry.id_of(def)
    }

    /// The URL a script reads query `q` at, with `args` (a tuple: a JSON
    /// array; `&()` for none): `page.query_url(search::query(), &("acme",))`. See
    /// [`crate::query`](mod@crate::query).
    ///
    /// # Panics
    /// When `args` does not serialize to a JSON array (a programming error).
    pub fn query_url<A: serde::Serialize + ?Sized>(&self, q: crate::query::QueryRef, args: &A) -> String {
        crate::query::url_of(self.id_of(q.def()), args)
    }

    /// The submission that led to this render, whatever the action.
    pub fn submission(&self) -> Option<&Submission> {
        self.submission.as_deref()
    }

    /// The submission, if it was of `action`.
    pub fn submitted<B>(&self, action: ActionRef<B>) -> Option<&Submission> {
        let id = self.id(action);
        self.submission().filter(|s| s.action_id == id)
    }

    /// The submitted value of `field` for `action`, or `""`: for `value=(...)`.
    pub fn value<B>(&self, action: ActionRef<B>, field: &str) -> &str {
        self.submitted(action).and_then(|s| s.value(field)).unwrap_or("")
    }

    /// The first validation message of `field` for `action`.
    pub fn field_error<B>(&self, action: ActionRef<B>, field: &str) -> Option<&str> {
        self.submitted(action).and_then(|s| s.field_error(field))
    }

    /// The state `action` returned, if it just ran and succeeded; `None` when
    /// it did not run (or failed, or returned another type). An action that
    /// returned nothing is told apart by reading an `Option`:
    /// `page.state::<Option<T>, _>(a)` is `None` when `a` did not run,
    /// `Some(None)` when it returned `None`, `Some(Some(v))` when it
    /// returned `v`. (Results reach the page from a form that shows them:
    /// [`ActionForm::state`] or [`ActionForm::shows_result`].)
    pub fn state<T: DeserializeOwned, B>(&self, action: ActionRef<B>) -> Option<T> {
        self.submitted(action).and_then(Submission::state)
    }

    /// The error of the submission, whatever the action (marks it shown).
    pub fn error(&self) -> Option<&ErrorView> {
        self.submission().and_then(Submission::error)
    }

    /// The error of `action`'s submission (marks it shown).
    pub fn error_for<B>(&self, action: ActionRef<B>) -> Option<&ErrorView> {
        self.submitted(action).and_then(Submission::error)
    }

    /// A notice for the user (marks it shown).
    pub fn notice(&self) -> Option<&str> {
        self.submission().and_then(Submission::notice)
    }

    pub(crate) fn keys(&self) -> &crate::seal::KeyRing {
        &self.app.config.keys
    }

    /// The app's cache as this page reads it: `page.cache().load(..)`.
    /// Data loaded while rendering the page is dropped by its tags, and also
    /// when an action revalidates this page's path (`revalidate_path`) or a
    /// layout above it (`revalidate_layout`), as well as any other page that
    /// read the same key. [`crate::cache::ForPath::cache`] is the whole
    /// cache.
    pub fn cache(&self) -> crate::cache::ForPath<'_> {
        self.app.cache.for_path(self.uri.path())
    }

    /// The URL of the ES module of exposed actions (see
    /// [`crate::ActionLayer::expose`]), for `import { name } from "…"`.
    pub fn actions_module_url(&self) -> Option<&str> {
        self.app.actions_module.as_ref().map(|a| a.path.as_str())
    }
}
