//! Configuration of the action layer: secrets, origins, proxies, limits.
//!
//! Everything has a safe default: 1 MB bodies, no extra origins, no trusted
//! proxies, no time limit, production behaviour in release builds. Settings
//! apply from the most specific to the least: an action's own
//! `#[action(...)]` limits, then the route's [`RouteConfig`], then the app's.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::seal::{KeyError, KeyRing};

/// Default action body limit: 1 MB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// Whether internal error messages are shown to users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Full error text in responses, hints in 403s.
    Development,
    /// Internal errors shown only as a digest (the full text is logged).
    Production,
}

impl Mode {
    /// `SERAC_ENV=production` / `development`, else production in release
    /// builds and development in debug builds.
    pub fn from_env() -> Self {
        match std::env::var("SERAC_ENV").as_deref() {
            Ok("production") => Self::Production,
            Ok("development") => Self::Development,
            _ if cfg!(debug_assertions) => Self::Development,
            _ => Self::Production,
        }
    }
}

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

/// A host pattern allowed to post actions besides the request's own host:
/// `example.com`, `example.com:8443`, or `*.example.com` (any subdomain, at
/// any depth, but neither `example.com` itself nor `evil-example.com`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OriginPattern {
    wildcard: bool,
    host: String,
    port: Option<u16>,
}

impl OriginPattern {
    fn parse(pattern: &str) -> Self {
        let p = pattern.trim().to_ascii_lowercase();
        let p = p
            .strip_prefix("https://")
            .or_else(|| p.strip_prefix("http://"))
            .unwrap_or(&p)
            .trim_end_matches('/')
            .to_string();
        let (wildcard, rest) = match p.strip_prefix("*.") {
            Some(rest) => (true, rest.to_string()),
            None => (false, p),
        };
        let (host, port) = split_host_port(&rest);
        Self { wildcard, host: host.to_string(), port }
    }

    pub(crate) fn matches(&self, host: &str, port: Option<u16>) -> bool {
        if self.port.is_some() && self.port != port {
            return false;
        }
        if self.wildcard {
            host.len() > self.host.len() + 1
                && host.ends_with(&self.host)
                && host.as_bytes()[host.len() - self.host.len() - 1] == b'.'
        } else {
            host == self.host
        }
    }
}

/// Splits `host[:port]` (IPv6 in brackets) into its parts.
pub(crate) fn split_host_port(s: &str) -> (&str, Option<u16>) {
    if let Some(rest) = s.strip_prefix('[') {
        if let Some(end) = rest.find(']') {
            let host = &s[..end + 2];
            let port = rest[end + 1..].strip_prefix(':').and_then(|p| p.parse().ok());
            return (host, port);
        }
        return (s, None);
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => match p.parse() {
            Ok(port) => (h, Some(port)),
            Err(_) => (s, None),
        },
        _ => (s, None),
    }
}

/// An address or CIDR range of reverse proxies whose `X-Forwarded-*` headers
/// are believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IpRange {
    net: IpAddr,
    prefix: u8,
}

impl IpRange {
    fn parse(s: &str) -> Option<Self> {
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (s.trim().parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Self { net: addr, prefix })
    }

    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        fn bits(ip: IpAddr) -> (u128, u8) {
            match ip {
                IpAddr::V4(v4) => (u128::from(u32::from(v4)) << 96, 32),
                IpAddr::V6(v6) => (u128::from(v6), 128),
            }
        }
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        let (net, net_len) = bits(self.net);
        let (addr, addr_len) = bits(ip);
        if net_len != addr_len {
            return false;
        }
        if self.prefix == 0 {
            return true;
        }
        let mask = u128::MAX << (128 - u32::from(self.prefix));
        net & mask == addr & mask
    }
}

/// How the layer behaves. Build with [`Config::new`] or [`Config::from_env`].
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) keys: KeyRing,
    pub(crate) mode: Mode,
    pub(crate) allowed_origins: Vec<OriginPattern>,
    pub(crate) trusted_proxies: Vec<IpRange>,
    pub(crate) scheme: &'static str,
    pub(crate) body_limit: usize,
    pub(crate) max_duration: Option<Duration>,
    pub(crate) routes: Arc<matchit::Router<RouteConfig>>,
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
            allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            scheme: "http",
            body_limit: DEFAULT_BODY_LIMIT,
            max_duration: None,
            routes: Arc::new(matchit::Router::new()),
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

    /// Keys from `SERAC_SECRET` (random with a warning when unset) and mode
    /// from `SERAC_ENV`.
    pub fn from_env() -> Result<Self, KeyError> {
        Ok(Self::new(KeyRing::from_env()?))
    }

    /// Development or production behaviour.
    #[must_use]
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Also accept actions posted from these hosts (`example.com`,
    /// `*.example.com`, `host:port`). The request's own host is always allowed.
    #[must_use]
    pub fn allowed_origins<I, S>(mut self, patterns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.allowed_origins.extend(patterns.into_iter().map(|p| OriginPattern::parse(p.as_ref())));
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
            match IpRange::parse(p) {
                Some(range) => self.trusted_proxies.push(range),
                None => panic!("serac: trusted proxy {p:?} is not an IP address or CIDR range"),
            }
        }
        self
    }

    /// The scheme the server is reached with when no trusted proxy says
    /// otherwise: `http` (default) or `https` when the app terminates TLS itself.
    #[must_use]
    pub fn https(mut self, https: bool) -> Self {
        self.scheme = if https { "https" } else { "http" };
        self
    }

    /// The app-wide action body limit (default 1 MB).
    #[must_use]
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The app-wide maximum duration of an action (default: none).
    #[must_use]
    pub fn max_duration(mut self, d: Duration) -> Self {
        self.max_duration = Some(d);
        self
    }

    /// Limits for actions posted to pages matching `path` (axum syntax:
    /// `/posts/{id}`, `/files/{*rest}`).
    ///
    /// # Panics
    /// When the pattern is invalid or conflicts with one already given.
    #[must_use]
    pub fn route(mut self, path: &str, route: RouteConfig) -> Self {
        let routes = Arc::make_mut(&mut self.routes);
        if let Err(e) = routes.insert(path, route) {
            panic!("serac: route pattern {path:?}: {e}");
        }
        self
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_subdomains_only() {
        let p = OriginPattern::parse("*.example.com");
        assert!(p.matches("a.example.com", None));
        assert!(p.matches("a.b.example.com", Some(8080)));
        assert!(!p.matches("example.com", None));
        assert!(!p.matches("evil-example.com", None));
        assert!(!p.matches("example.com.evil.org", None));
        let exact = OriginPattern::parse("https://proxy.example.com:8443/");
        assert!(exact.matches("proxy.example.com", Some(8443)));
        assert!(!exact.matches("proxy.example.com", Some(443)));
    }

    #[test]
    fn host_port_splitting() {
        assert_eq!(split_host_port("a.com:80"), ("a.com", Some(80)));
        assert_eq!(split_host_port("a.com"), ("a.com", None));
        assert_eq!(split_host_port("[::1]:3000"), ("[::1]", Some(3000)));
        assert_eq!(split_host_port("[::1]"), ("[::1]", None));
    }

    #[test]
    fn ranges() {
        let r = IpRange::parse("10.0.0.0/8").expect("range");
        assert!(r.contains("10.1.2.3".parse().expect("ip")));
        assert!(!r.contains("11.0.0.1".parse().expect("ip")));
        assert!(r.contains("::ffff:10.0.0.1".parse().expect("ip")));
        let one = IpRange::parse("127.0.0.1").expect("addr");
        assert!(one.contains("127.0.0.1".parse().expect("ip")));
        assert!(!one.contains("127.0.0.2".parse().expect("ip")));
        assert!(IpRange::parse("nope").is_none());
        assert!(IpRange::parse("10.0.0.0/33").is_none());
    }
}
