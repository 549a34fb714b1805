//! Configuration of the action layer: secrets, origins, proxies, limits.
//!
//! Everything has a safe default: 1 MB bodies, no extra origins, no trusted
//! proxies, no time limit, production behaviour in release builds. Settings
//! apply from the most specific to the least: an action's own
//! `#[action(...)]` limits, then the route's [`RouteConfig`], then the app's.

use std::sync::Arc;
use std::time::Duration;

pub use crate::error::Mode;
use crate::guard::{self, HostPattern, Policy};
use crate::idempotency;
pub use crate::payload::MAX_FIELDS;
use crate::seal::{KeyError, KeyRing};

/// The environment variable [`Config::from_env`] reads the allowed hosts
/// from.
pub const ALLOWED_HOSTS_ENV: &str = "SERAC_ALLOWED_HOSTS";

/// A configuration read from the environment could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `SERAC_SECRET` is malformed.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// An entry of `SERAC_ALLOWED_HOSTS` is not a host name.
    #[error("{ALLOWED_HOSTS_ENV}: {pattern:?} is not a host name (example.com, *.example.com, host:port)")]
    AllowedHost {
        /// The entry as given.
        pattern: String,
    },
}

/// Default action body limit: 1 MB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// Default maximum duration of an action: past it, the action is cancelled
/// and the answer is `504`. Every action has one, wherever it is posted.
pub const DEFAULT_MAX_DURATION: Duration = Duration::from_secs(30);

/// Limits for the actions posted to one route (a page path pattern).
#[derive(Debug, Clone, Default)]
pub struct RouteConfig {
    pub(crate) max_duration: Option<Duration>,
    pub(crate) body_limit: Option<usize>,
    pub(crate) cache: Option<crate::cache::PageCache>,
}

impl RouteConfig {
    /// No limits beyond the app's.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
    /// Actions posted to this route are cancelled after `d` (→ 504).
    #[must_use]
    pub fn max_duration(mut self, d: Duration) -> Self {
        self.max_duration = Some(d);
        self
    }
    /// Action bodies posted to this route are limited to `bytes` (→ 413).
    #[must_use]
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = Some(bytes);
        self
    }
    /// Caches this GET route's pages (see [`crate::cache::PageCache`]).
    #[must_use]
    pub fn cache(mut self, policy: crate::cache::PageCache) -> Self {
        self.cache = Some(policy);
        self
    }
}

/// How the layer behaves. Build with [`Config::new`] or [`Config::from_env`].
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) keys: KeyRing,
    pub(crate) mode: Mode,
    pub(crate) guard: Policy,
    pub(crate) body_limit: usize,
    pub(crate) max_duration: Duration,
    pub(crate) idempotency_budget: u64,
    pub(crate) idempotency_keep_for: Duration,
    pub(crate) idempotency_max_answer: usize,
    pub(crate) uploads_on_disk: crate::spool::DiskBudget,
    pub(crate) routes: Arc<matchit::Router<RouteConfig>>,
    caches_pages: bool,
    pub(crate) session_cookies: Option<Vec<String>>,
}

impl Config {
    /// A configuration with the given key ring and every other setting at its
    /// default.
    #[must_use]
    pub fn new(keys: KeyRing) -> Self {
        Self {
            keys,
            mode: Mode::from_env(),
            guard: Policy::new(Mode::from_env()),
            body_limit: DEFAULT_BODY_LIMIT,
            max_duration: DEFAULT_MAX_DURATION,
            idempotency_budget: idempotency::DEFAULT_BUDGET,
            idempotency_keep_for: idempotency::DEFAULT_KEEP_FOR,
            idempotency_max_answer: idempotency::DEFAULT_MAX_ANSWER,
            uploads_on_disk: crate::spool::DiskBudget::new(crate::spool::DEFAULT_DISK_BUDGET),
            routes: Arc::new(matchit::Router::new()),
            caches_pages: false,
            session_cookies: None,
        }
    }

    /// The cookies that identify a user. A request carrying one of them never
    /// gets a cached page (unless the route allows it). Without this setting
    /// any cookie counts, which is safe but caches less.
    #[must_use]
    pub fn session_cookies<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.session_cookies = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Keys from `SERAC_SECRET` (random with a warning when unset), mode
    /// from `SERAC_ENV`, and the allowed hosts from `SERAC_ALLOWED_HOSTS`
    /// (comma-separated patterns, see [`Config::allowed_hosts`]).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_env_with(KeyRing::from_env()?)
    }

    /// [`Config::from_env`] with `keys` instead of `SERAC_SECRET`'s: for an
    /// app that decides itself what to do without a secret (a demo that must
    /// start with no set-up, say).
    pub fn from_env_with(keys: KeyRing) -> Result<Self, ConfigError> {
        let mut config = Self::new(keys);
        if let Ok(hosts) = std::env::var(ALLOWED_HOSTS_ENV) {
            for pattern in hosts.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let host = HostPattern::parse(pattern)
                    .ok_or_else(|| ConfigError::AllowedHost { pattern: pattern.to_string() })?;
                config.guard.allowed_hosts.push(host);
            }
        }
        Ok(config)
    }

    /// Development or production behaviour.
    #[must_use]
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self.guard.mode = mode;
        self
    }

    /// Also accept actions posted from these hosts (`example.com`,
    /// `*.example.com`, `host:port`). The request's own host is always allowed.
    ///
    /// # Panics
    /// When a pattern is not a host name: a configuration mistake that must
    /// stop start-up, not be ignored.
    #[must_use]
    pub fn allowed_origins<I, S>(mut self, patterns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for p in patterns {
            self.guard.allowed_origins.push(host_pattern(p.as_ref(), "allowed origin"));
        }
        self
    }

    /// Answer actions only when the request was sent to one of these hosts
    /// (`example.com`, `*.example.com`, `host:port`); any other host gets
    /// `403`. This is what stops DNS rebinding: an attacker's host name
    /// pointed at this server, whose pages the browser then treats as
    /// same-origin with the attacker's. Default: every host (set it in
    /// production).
    ///
    /// # Panics
    /// When a pattern is not a host name.
    #[must_use]
    pub fn allowed_hosts<I, S>(mut self, patterns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for p in patterns {
            self.guard.allowed_hosts.push(host_pattern(p.as_ref(), "allowed host"));
        }
        self
    }

    /// Believe `X-Forwarded-Host` and `X-Forwarded-Proto` only from these
    /// peers (addresses or CIDR ranges such as `10.0.0.0/8`). Needs the peer
    /// address: serve with `into_make_service_with_connect_info::<SocketAddr>()`.
    ///
    /// # Panics
    /// When an entry is neither an IP address nor a CIDR range: a
    /// configuration mistake that must stop start-up, not be ignored.
    #[must_use]
    pub fn trusted_proxies<I, S>(mut self, proxies: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for p in proxies {
            let p = p.as_ref();
            match guard::parse_range(p) {
                Some(range) => self.guard.trusted_proxies.push(range),
                None => panic!("serac: trusted proxy {p:?} is not an IP address or CIDR range"),
            }
        }
        self
    }

    /// The scheme the server is reached with when no trusted proxy says
    /// otherwise: `http` (default) or `https` when the app terminates TLS itself.
    #[must_use]
    pub fn https(mut self, https: bool) -> Self {
        self.guard.scheme = if https { "https" } else { "http" };
        self
    }

    /// How many bytes of uploads (`Upload` parameters) may be on disk at
    /// once, all calls together (default 1 GiB): past it, a call is refused
    /// with `503` and its files removed, so that uploads cannot fill the
    /// disk.
    #[must_use]
    pub fn uploads_on_disk(mut self, bytes: u64) -> Self {
        self.uploads_on_disk = crate::spool::DiskBudget::new(bytes);
        self
    }

    /// The app-wide action body limit (default 1 MB).
    #[must_use]
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The app-wide maximum duration of an action (default 30 s): an action
    /// without a limit of its own (`#[action(max_duration_ms = …)]`) and
    /// posted to a route without one is cancelled after `d` (`504`).
    #[must_use]
    pub fn max_duration(mut self, d: Duration) -> Self {
        self.max_duration = d;
        self
    }

    /// How repeats of a call with an idempotency key are answered: the
    /// first answer is replayed for `keep_for` (default 10 minutes), answers
    /// of at most `max_answer` bytes are kept (default 256 KiB; a repeat of a
    /// larger one is refused, never run again), and the in-memory store
    /// keeps at most `budget` bytes of answers (default 16 MiB).
    #[must_use]
    pub fn idempotency(mut self, budget: u64, keep_for: Duration, max_answer: usize) -> Self {
        self.idempotency_budget = budget;
        self.idempotency_keep_for = keep_for;
        self.idempotency_max_answer = max_answer;
        self
    }

    /// Limits for actions posted to pages matching `path` (axum syntax:
    /// `/posts/{id}`, `/files/{*rest}`).
    ///
    /// # Panics
    /// When the pattern is invalid or conflicts with one already given.
    #[must_use]
    pub fn route(mut self, path: &str, route: RouteConfig) -> Self {
        self.caches_pages |= route.cache.is_some();
        let routes = Arc::make_mut(&mut self.routes);
        if let Err(e) = routes.insert(path, route) {
            panic!("serac: route pattern {path:?}: {e}");
        }
        self
    }

    /// Whether any route caches its pages.
    pub(crate) fn caches_pages(&self) -> bool {
        self.caches_pages
    }

    /// The route settings for a request path.
    pub(crate) fn route_for(&self, path: &str) -> Option<&RouteConfig> {
        self.routes.at(path).ok().map(|m| m.value)
    }

    /// The key ring.
    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }
}

fn host_pattern(pattern: &str, what: &str) -> HostPattern {
    HostPattern::parse(pattern).unwrap_or_else(|| {
        panic!("serac: {what} {pattern:?} is not a host name (`example.com`, `*.example.com`, `host:port`)")
    })
}
