//! `Cx`, the context an action receives: app state, the request's headers and
//! extensions, the cookie jar, and the revalidation calls whose effects the
//! layer reports back to the client.
//!
//! `Cx` is cheap to clone (one `Arc`) and can be built by hand with
//! [`Cx::builder`], so an action stays an ordinary function that tests and
//! other Rust code call directly.

use std::sync::{Arc, Mutex};

use http::{Extensions, HeaderMap, Uri};

use crate::cache::{Invalidated, Invalidation, InvalidationHook};
pub use crate::cookies::{Cookies, RequestCookies};
use crate::error::ActionError;

struct Inner {
    action: &'static str,
    states: Arc<Extensions>,
    headers: HeaderMap,
    uri: Uri,
    extensions: Extensions,
    /// Read from the headers the first time an action asks.
    cookies: std::sync::OnceLock<Cookies>,
    invalidated: Mutex<Invalidated>,
    on_invalidate: Option<InvalidationHook>,
    cache: crate::cache::Cache,
}

/// The context of one action call.
#[derive(Clone)]
pub struct Cx {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Cx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cx")
            .field("action", &self.inner.action)
            .field("uri", &self.inner.uri)
            .finish_non_exhaustive()
    }
}

impl Cx {
    /// Builds a context by hand, for calling actions from tests or other Rust
    /// code.
    pub fn builder() -> CxBuilder {
        CxBuilder::default()
    }

    /// The app state of type `T` given to the layer (an action can also take
    /// it as a parameter: `db: State<Db>`).
    ///
    /// An error (500) when the layer was given no state of that type: a
    /// programming mistake, reported clearly rather than by a panic.
    pub fn state<T: Clone + Send + Sync + 'static>(&self) -> Result<T, ActionError> {
        self.inner.states.get::<T>().cloned().ok_or_else(|| {
            ActionError::internal(format!(
                "no app state of type {} was given to ActionLayer::with_state",
                std::any::type_name::<T>()
            ))
        })
    }

    /// The request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    /// The URI the action was posted to (the page's URL).
    pub fn uri(&self) -> &Uri {
        &self.inner.uri
    }

    /// The request extensions (what your middleware inserted).
    pub fn extensions(&self) -> &Extensions {
        &self.inner.extensions
    }

    /// The cookie jar.
    pub fn cookies(&self) -> &Cookies {
        self.inner.cookies.get_or_init(|| Cookies::from_headers(&self.inner.headers))
    }

    /// The cookie jar, if the action used it.
    pub(crate) fn cookies_if_used(&self) -> Option<&Cookies> {
        self.inner.cookies.get()
    }

    /// The context of one call, made from the request's parts (moved, not
    /// copied).
    pub(crate) fn for_call(
        action: &'static str,
        states: Arc<Extensions>,
        parts: http::request::Parts,
        on_invalidate: Option<InvalidationHook>,
        cache: crate::cache::Cache,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                action,
                states,
                headers: parts.headers,
                uri: parts.uri,
                extensions: parts.extensions,
                cookies: std::sync::OnceLock::new(),
                invalidated: Mutex::new(Invalidated::default()),
                on_invalidate,
                cache,
            }),
        }
    }

    /// The path of the running action (`crate::module::function`).
    pub fn action_path(&self) -> &'static str {
        self.inner.action
    }

    fn invalidate(&self, what: Invalidation<'_>) {
        self.inner.invalidated.lock().unwrap_or_else(std::sync::PoisonError::into_inner).add(what);
        if let Some(hook) = &self.inner.on_invalidate {
            hook(&what);
        }
    }

    /// Invalidates the cached page at `path` (any query) and the data read
    /// while rendering it (loaded through `page.cache()`): the next render
    /// is fresh. Data is shared by key: an entry that other pages read too
    /// is reloaded for them as well.
    pub fn revalidate_path(&self, path: impl AsRef<str>) {
        self.invalidate(Invalidation::Path(path.as_ref()));
    }

    /// Invalidates every cached page at or below `prefix`, and the data read
    /// while rendering any of them (`revalidate_layout("/posts")` drops what
    /// `/posts/1` loaded through `page.cache()`; `revalidate_layout("/")`
    /// drops every page and everything pages read).
    pub fn revalidate_layout(&self, prefix: impl AsRef<str>) {
        self.invalidate(Invalidation::Layout(prefix.as_ref()));
    }

    /// Invalidates cached data and pages tagged `tag`.
    pub fn revalidate_tag(&self, tag: impl AsRef<str>) {
        self.invalidate(Invalidation::Tag(tag.as_ref()));
    }

    /// The app's cache: `cx.cache().load(..)`. Invalidate through
    /// `revalidate_*`, which the layer applies before it answers.
    pub fn cache(&self) -> &crate::cache::Cache {
        &self.inner.cache
    }

    /// What this call has invalidated so far.
    pub fn invalidated(&self) -> Invalidated {
        self.inner.invalidated.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

/// Builds a [`Cx`]; see [`Cx::builder`].
#[derive(Default)]
#[must_use]
pub struct CxBuilder {
    states: Extensions,
    headers: HeaderMap,
    uri: Uri,
    extensions: Extensions,
    on_invalidate: Option<InvalidationHook>,
    cache: Option<crate::cache::Cache>,
}

impl std::fmt::Debug for CxBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CxBuilder").finish_non_exhaustive()
    }
}

impl CxBuilder {
    /// App state, read with [`Cx::state`] or a `State<T>` parameter (one
    /// value per type).
    pub fn state<T: Clone + Send + Sync + 'static>(mut self, state: T) -> Self {
        self.states.insert(state);
        self
    }
    /// Request headers (cookies are read from them).
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        self.headers = headers;
        self
    }
    /// The page URI.
    pub fn uri(mut self, uri: Uri) -> Self {
        self.uri = uri;
        self
    }
    /// Request extensions.
    pub fn extensions(mut self, extensions: Extensions) -> Self {
        self.extensions = extensions;
        self
    }
    /// Called on every `revalidate_*`.
    pub fn on_invalidate(mut self, hook: Option<InvalidationHook>) -> Self {
        self.on_invalidate = hook;
        self
    }
    /// The cache `cx.cache()` returns (default: one that keeps nothing).
    pub fn cache(mut self, cache: crate::cache::Cache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// The context.
    pub fn build(self) -> Cx {
        Cx {
            inner: Arc::new(Inner {
                action: "(direct call)",
                states: Arc::new(self.states),
                cookies: std::sync::OnceLock::new(),
                headers: self.headers,
                uri: self.uri,
                extensions: self.extensions,
                invalidated: Mutex::new(Invalidated::default()),
                on_invalidate: self.on_invalidate,
                cache: self.cache.unwrap_or_else(crate::cache::Cache::disabled),
            }),
        }
    }
}
