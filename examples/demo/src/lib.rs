//! The Serac demo: every example of the spec as one small app.
//!
//! [`app`] builds the whole thing (database, router, action layer) so that
//! `main.rs` only reads the environment and the tests can start as many
//! instances as they like on loopback ports.

#![forbid(unsafe_code)]

pub mod db;
pub mod layout;
pub mod routes;
pub mod session;
pub mod throttle;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, header};
use serac::cache::Cache;
use serac::config::RouteConfig;
use serac::{ActionLayer, ActionService, Config};
use serac_redis::RedisStore;
use tower::ServiceBuilder;
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};

pub use db::{DEFAULT_DATABASE_URL, Db, DbError};

/// What every page and action shares.
#[derive(Clone)]
pub struct Demo {
    /// The database.
    pub db: Db,
    /// How session cookies are written.
    pub cookies: session::CookiePolicy,
    /// Failed sign-ins, counted.
    pub sign_ins: throttle::SignInThrottle,
    /// Pieces `/stream`'s generator produced.
    pub produced: routes::stream::Produced,
}

/// How the demo is set up beyond its database and Serac's configuration.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Session cookies only over HTTPS. `main` sets it unless the demo
    /// listens on a loopback address (plain HTTP on this machine).
    pub secure_cookies: bool,
    /// Cache and idempotency keys in this Redis, shared by the instances
    /// that share the database.
    pub redis: Option<RedisStore>,
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Demo").field("db", &self.db).finish_non_exhaustive()
    }
}

/// How long `/slow`'s actions may run (S12).
pub const SLOW_ROUTE_LIMIT: Duration = Duration::from_secs(1);

/// How long the cached lists of `/invoices` and `/posts` are kept at most
/// (actions that change them revalidate them at once).
pub const LIST_TTL: Duration = Duration::from_secs(60);

/// The demo app as served: the action layer around the router, inside the
/// headers every answer carries.
pub type DemoService = SetResponseHeader<
    SetResponseHeader<SetResponseHeader<ActionService<Router>, HeaderValue>, HeaderValue>,
    HeaderValue,
>;

/// The demo app on `db`, with Serac configured by `config`, its cache and
/// idempotency keys in this process.
pub fn app(db: Db, config: Config) -> DemoService {
    app_with(db, config, Settings::default())
}

/// The demo app with its cache and idempotency keys in Redis, shared by the
/// instances that share its database.
pub fn app_with_redis(db: Db, config: Config, redis: RedisStore) -> DemoService {
    app_with(db, config, Settings { redis: Some(redis), ..Settings::default() })
}

/// The demo app as `settings` say.
pub fn app_with(db: Db, config: Config, settings: Settings) -> DemoService {
    let config = config.route("/slow", RouteConfig::new().max_duration(SLOW_ROUTE_LIMIT));
    let demo = Demo {
        db,
        cookies: session::CookiePolicy { secure: settings.secure_cookies },
        sign_ins: throttle::SignInThrottle::default(),
        produced: routes::stream::Produced::default(),
    };
    let layer = match settings.redis {
        Some(redis) => {
            ActionLayer::new(config).idempotency_store(redis.idempotency()).cache(Cache::new(redis))
        }
        None => ActionLayer::new(config),
    };
    let app = layer.with_state(demo).error_page(layout::error_page).wrap(routes::router()); // Every answer, pages and action calls alike: no MIME sniffing, no
    // full URLs to other sites in `Referer`, never inside another site's
    // frame (clickjacking a form).
    ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        ))
        .service(app)
}

/// `HH:MM:SS` (UTC) of now, to show when a cached list was loaded.
pub fn clock() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    format!("{:02}:{:02}:{:02} UTC", secs / 3600 % 24, secs / 60 % 60, secs % 60)
}
