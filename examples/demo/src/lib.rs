//! The Serac demo: every example of the spec as one small app.
//!
//! [`app`] builds the whole thing (database, router, action layer) so that
//! `main.rs` only reads the environment and the tests can start as many
//! instances as they like on loopback ports.

#![forbid(unsafe_code)]

pub mod db;
pub mod layout;
pub mod routes;

use axum::Router;
use serac::{ActionLayer, ActionService, Config};

pub use db::{DEFAULT_DATABASE_URL, Db, DbError};

/// What every page and action shares.
#[derive(Debug, Clone)]
pub struct Demo {
    /// The database.
    pub db: Db,
}

/// The demo app on `db`, with Serac configured by `config`.
pub fn app(db: Db, config: Config) -> ActionService<Router> {
    let demo = Demo { db };
    ActionLayer::new(config).with_state(demo.clone()).wrap(routes::router(demo))
}
