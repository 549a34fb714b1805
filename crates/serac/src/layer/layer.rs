//! [`ActionLayer`]: configuration in, [`ActionService`] out.

use std::sync::Arc;

use tower::Layer;

use super::service::ActionService;
use crate::action::Registry;
use crate::app::App;
use crate::cache::{Invalidation, InvalidationHook};
use crate::config::Config;
use crate::config::ConfigError;

/// Wraps an `axum::Router` so that it answers server-action calls.
///
/// Wrap the **whole** router (`ActionLayer::wrap(router)` or
/// `ServiceBuilder::new().layer(..).service(router)`), not its routes with
/// `Router::layer`: the layer re-renders pages by calling the router again,
/// which it can only do when it sits outside it.
#[derive(Clone, Debug)]
#[must_use]
pub struct ActionLayer {
    app: Arc<App>,
}

impl ActionLayer {
    /// A layer with the given configuration, serving every action linked into
    /// the binary.
    ///
    /// With the `typescript` feature, two actions marked
    /// `#[action(typescript)]` with one name would be one TypeScript function:
    /// the id manifest then leaves them out and logs an error, and
    /// [`crate::typescript::module`] refuses to generate the client.
    pub fn new(config: Config) -> Self {
        let registry = Registry::collect(&config.keys);
        let max_action_limit = registry.max_body_limit();
        #[cfg(feature = "typescript")]
        let manifest = crate::typescript::manifest(&registry).map(bytes::Bytes::from);
        #[cfg(not(feature = "typescript"))]
        let manifest = None;
        let caches_pages = config.caches_pages();
        let idempotency = Arc::new(crate::idempotency::MemoryIdempotency::with_budget(
            config.idempotency_budget,
            config.idempotency_keep_for,
        ));
        Self {
            app: Arc::new(App {
                config,
                registry,
                states: Arc::default(),
                on_invalidate: None,
                max_action_limit,
                caches_pages,
                actions_module: None,
                cache: crate::cache::Cache::default(),
                idempotency,
                error_page: None,
                manifest,
            }),
        }
    }

    /// [`Config::from_env`], then [`ActionLayer::new`].
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self::new(Config::from_env()?))
    }

    /// The app to change: this layer's own, or a copy when the layer was
    /// cloned (the clones keep what they had).
    fn app_mut(&mut self) -> &mut App {
        Arc::make_mut(&mut self.app)
    }

    /// App state that actions take as a `State<S>` parameter (or read with
    /// `cx.state::<S>()`). One value per type: give several types by calling
    /// this once for each.
    pub fn with_state<S: Clone + Send + Sync + 'static>(mut self, state: S) -> Self {
        Arc::make_mut(&mut self.app_mut().states).insert(state);
        self
    }

    /// Called on every `revalidate_*` of every action (how a cache hears of
    /// invalidations).
    pub fn on_invalidate(mut self, hook: impl Fn(&Invalidation<'_>) + Send + Sync + 'static) -> Self {
        let hook: InvalidationHook = Arc::new(hook);
        self.app_mut().on_invalidate = Some(hook);
        self
    }

    /// Exposes actions to hand-written client code as named exports of an
    /// ES module served by the layer; its URL is
    /// [`crate::Page::actions_module_url`]. Each export is the action's name
    /// (the function's, or `#[action(name = "…")]`):
    ///
    /// ```js
    /// import { add } from "/_serac/actions.1f2e….mjs";
    /// const sum = await add(1, 2); // or throws serac.SeracError
    /// ```
    ///
    /// Only exposed actions are listed; every action stays callable by id.
    ///
    /// # Errors
    /// [`ExposeError::NameClash`](super::ExposeError) when two of them have
    /// the same name: one export would shadow the other.
    pub fn expose(
        mut self,
        actions: impl IntoIterator<Item = crate::ActionRef>,
    ) -> Result<Self, super::ExposeError> {
        let mut named: Vec<(String, crate::ActionRef)> = Vec::new();
        for action in actions {
            let name = action.def().name();
            if let Some((_, first)) = named.iter().find(|(n, _)| n == name) {
                return Err(super::ExposeError::NameClash {
                    name: name.to_string(),
                    first: first.path(),
                    second: action.path(),
                });
            }
            named.push((name.to_string(), action));
        }
        let app = self.app_mut();
        app.actions_module = Some(Arc::new(crate::client::actions_module(&named, &app.config.keys)));
        Ok(self)
    }

    /// Uses `cache` for data and pages instead of the default in-memory one
    /// (a Redis-backed one shared between instances, say).
    pub fn cache(mut self, cache: crate::cache::Cache) -> Self {
        self.app_mut().cache = cache;
        self
    }

    /// Keeps idempotency keys and answers in `store` instead of this
    /// process's memory: a shared one (`serac_redis::RedisIdempotency`) lets
    /// a retry that reaches another instance be recognised as a repeat.
    pub fn idempotency_store(mut self, store: impl crate::idempotency::IdempotencyStore) -> Self {
        self.app_mut().idempotency = Arc::new(store);
        self
    }

    /// Shows the errors the layer answers itself (a request refused before
    /// any action ran, an error a page did not show) in the app's own
    /// layout: `page(status, message)`, where the message is for people.
    /// Without it, a plain page says what went wrong.
    pub fn error_page(
        mut self,
        page: impl Fn(http::StatusCode, &str) -> maud::Markup + Send + Sync + 'static,
    ) -> Self {
        self.app_mut().error_page = Some(Arc::new(page));
        self
    }

    /// The layer's cache (clone it to use it outside requests).
    pub fn cache_handle(&self) -> crate::cache::Cache {
        self.app.cache.clone()
    }

    /// How many actions this layer serves.
    pub fn action_count(&self) -> usize {
        self.app.registry.len()
    }

    /// Wraps `router` (any `Service<Request<Body>>` with `Error = Infallible`).
    pub fn wrap<S>(&self, router: S) -> ActionService<S> {
        self.layer(router)
    }
}

impl<S> Layer<S> for ActionLayer {
    type Service = ActionService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ActionService::new(inner, self.app.clone())
    }
}
