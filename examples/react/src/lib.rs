//! A todo list whose front end is a React 19 app (in `web/`, built by Vite)
//! and whose back end is Serac actions, called through the TypeScript module
//! that `serac::typescript::module()` generates from the actions below
//! (`web/src/serac.gen.ts`).
//!
//! The server is an axum router that serves the app's production build (every
//! path that is not a file gets `index.html`, so the app routes itself),
//! wrapped in Serac's layer, which answers the actions' calls.
//!
//! Each change waits [`AppState::delay`] before answering, so that pending
//! states are visible in a browser on a fast machine (`SERAC_REACT_DELAY_MS`).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use serac::{ActionLayer, ActionService, Config};
use tower_http::services::{ServeDir, ServeFile};

pub mod actions;

/// The todos, kept in memory: the example is about the client.
#[derive(Clone, Debug, Default)]
pub struct AppState {
    todos: Arc<Mutex<Todos>>,
    /// How long each change waits before answering.
    pub delay: Duration,
}

#[derive(Debug, Default)]
struct Todos {
    next_id: u32,
    open: Vec<actions::Todo>,
    archived: Vec<actions::Todo>,
}

impl AppState {
    /// An empty list whose changes wait `delay`.
    #[must_use]
    pub fn new(delay: Duration) -> Self {
        Self { todos: Arc::default(), delay }
    }

    fn with<R>(&self, f: impl FnOnce(&mut Todos) -> R) -> R {
        // A panic while holding the lock leaves the list as it was before the
        // change (every change is one push or one field), so go on with it.
        let mut todos = self.todos.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut todos)
    }
}

/// The app: the build in `dist` (Vite's output) and the actions.
pub fn app(dist: &Path, config: Config, state: AppState) -> ActionService<Router> {
    let index = ServeFile::new(dist.join("index.html"));
    let files = ServeDir::new(dist).fallback(index);
    ActionLayer::new(config).with_state(state).wrap(Router::new().fallback_service(files))
}
