//! [`App`]: what the layer knows about the app it wraps, shared by every
//! request: the configuration, the action registry, the app's state, the
//! cache and the files the layer serves.

use std::sync::Arc;

use bytes::Bytes;

use crate::action::Registry;
use crate::cache::{Cache, InvalidationHook};
use crate::client::Asset;
use crate::config::Config;
use crate::idempotency::IdempotencyStore;

/// How an app shows an error in its own layout (`ActionLayer::error_page`).
pub(crate) type ErrorPage = Arc<dyn Fn(http::StatusCode, &str) -> maud::Markup + Send + Sync>;

/// Built once by `ActionLayer`, then read by every request.
#[derive(Clone)]
pub(crate) struct App {
    pub(crate) config: Config,
    pub(crate) registry: Registry,
    /// App state by type (`ActionLayer::with_state`, `State<T>`).
    pub(crate) states: Arc<http::Extensions>,
    pub(crate) on_invalidate: Option<InvalidationHook>,
    /// The largest body limit any action call may have, used before the
    /// action is known.
    pub(crate) max_action_limit: usize,
    /// Whether any route caches its pages: when none does, a page view goes
    /// straight to the app.
    pub(crate) caches_pages: bool,
    /// The module of actions exposed to client code, when any are.
    pub(crate) actions_module: Option<Arc<Asset>>,
    /// Idempotency keys and the answers they replay.
    pub(crate) idempotency: Arc<dyn IdempotencyStore>,
    /// The app's error page, when it has one.
    pub(crate) error_page: Option<ErrorPage>,
    /// Cached data and pages.
    pub(crate) cache: Cache,
    /// The ids of the actions exported to TypeScript, as served at
    /// `/_serac/actions.json`, when any are.
    pub(crate) manifest: Option<Bytes>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("config", &self.config)
            .field("actions", &self.registry.len())
            .finish_non_exhaustive()
    }
}
