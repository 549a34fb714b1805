//! The checks every action call passes before anything of it is decoded:
//! the method, the host (DNS rebinding) and the origin (CSRF), with the
//! parsing of hosts, origins and proxy addresses they need.
//!
//! The origin rule: a browser always sends `Origin` on a POST, so the request
//! must come from the page's own origin (scheme, host and port), or from a
//! host in the configured allow-list. `X-Forwarded-Host` / `-Proto` replace
//! `Host` and the server's scheme only when the peer is a configured trusted
//! proxy: otherwise anyone could send them. Non-browser clients (curl, server
//! to server) send neither `Origin` nor `Sec-Fetch-Site` and are allowed,
//! since CSRF needs a browser carrying the victim's cookies.
//!
//! The host rule: with an allow-list of host names, an action call whose
//! host is not on it is refused, whatever its `Origin` says. That is what
//! stops DNS rebinding, where an attacker's name resolves to this server and
//! the attacker's page is, to the browser, same-origin with it.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use http::header::{HOST, ORIGIN};
use http::request::Parts;
use http::{Extensions, HeaderMap, HeaderName, Method, Uri};
use ipnet::IpNet;

use crate::error::{Mode, Rejection};

// Pre-parsed names: a lookup by `&str` parses the name on every call.
static SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");
static X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

/// A host pattern: `example.com`, `example.com:8443`, or `*.example.com`
/// (any subdomain, at any depth, but neither `example.com` itself nor
/// `evil-example.com`). A scheme and a trailing slash are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostPattern {
    wildcard: bool,
    host: String,
    port: Option<u16>,
}

impl HostPattern {
    /// `None` when what is left after the scheme is not a host.
    pub(crate) fn parse(pattern: &str) -> Option<Self> {
        let p = pattern.trim().to_ascii_lowercase();
        let p = p.strip_prefix("https://").or_else(|| p.strip_prefix("http://")).unwrap_or(&p);
        let p = p.trim_end_matches('/');
        let (wildcard, rest) = match p.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, p),
        };
        // Checked as a URI authority once, at start-up; requests are then
        // compared with `split_host_port`.
        let _: http::uri::Authority = rest.parse().ok()?;
        let (host, port) = split_host_port(rest);
        Some(Self { wildcard, host: host.to_string(), port })
    }

    /// Whether `host` (lower case) with `port` matches.
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
///
/// Written by hand rather than parsed as an `http::uri::Authority`, which
/// copies its input: every action call parses its `Host` and `Origin`, and
/// the copies cost about 2 000 instructions per call in
/// `bench/instructions` (scenario a).
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

/// An address or CIDR range (`10.0.0.0/8`, `::1`); a plain address is a
/// range of one.
pub(crate) fn parse_range(s: &str) -> Option<IpNet> {
    let s = s.trim();
    s.parse::<IpNet>().ok().or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
}

/// What the checks compare requests with: part of [`crate::Config`].
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    pub(crate) mode: Mode,
    pub(crate) allowed_origins: Vec<HostPattern>,
    pub(crate) allowed_hosts: Vec<HostPattern>,
    pub(crate) trusted_proxies: Vec<IpNet>,
    pub(crate) scheme: &'static str,
}

impl Policy {
    pub(crate) fn new(mode: Mode) -> Self {
        Self {
            mode,
            allowed_origins: Vec::new(),
            allowed_hosts: Vec::new(),
            trusted_proxies: Vec::new(),
            scheme: "http",
        }
    }
}

fn header<'a>(parts: &'a Parts, name: &HeaderName) -> Option<&'a str> {
    value(&parts.headers, name)
}

fn value<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim_ascii)
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// Every check of an action call, cheapest first: method, fetch metadata,
/// host, origin.
pub(crate) fn check(parts: &Parts, policy: &Policy) -> Result<(), Rejection> {
    if parts.method != Method::POST {
        return Err(Rejection::MethodNotAllowed { method: parts.method.to_string() });
    }
    check_origin(parts, policy)
}

/// The host the request was sent to, and where that was read from.
struct Target<'a> {
    host: Option<&'a str>,
    source: &'static str,
    scheme: &'static str,
    trusted: bool,
    peer: Option<IpAddr>,
}

fn target<'a>(
    (headers, uri, extensions): (&'a HeaderMap, &'a Uri, &Extensions),
    policy: &Policy,
) -> Target<'a> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
    // An IPv4 client of a dual-stack socket arrives as `::ffff:a.b.c.d`.
    let peer = peer.map(|ip| match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    });
    let trusted = peer.is_some_and(|ip| policy.trusted_proxies.iter().any(|r| r.contains(&ip)));
    // Forwarded headers count only from a trusted proxy.
    let first = |name: &HeaderName| value(headers, name).map(|v| v.split(',').next().unwrap_or("").trim());
    let forwarded_host = if trusted { first(&X_FORWARDED_HOST).filter(|h| !h.is_empty()) } else { None };
    let forwarded_proto = if trusted { first(&X_FORWARDED_PROTO) } else { None };
    let (host, source) = match forwarded_host {
        Some(h) => (Some(h), "X-Forwarded-Host from a trusted proxy"),
        None => {
            let host = value(headers, &HOST).or_else(|| uri.authority().map(http::uri::Authority::as_str));
            (host, "the Host header")
        }
    };
    let scheme = match forwarded_proto {
        Some("https") => "https",
        Some("http") => "http",
        _ => policy.scheme,
    };
    Target { host, source, scheme, trusted, peer }
}

/// The host a request was sent to, against the allow-list (R6).
fn check_host(target: &Target<'_>, policy: &Policy) -> Result<(), Rejection> {
    if policy.allowed_hosts.is_empty() {
        return Ok(());
    }
    let allowed = target.host.map(split_host_port).is_some_and(|(host, port)| {
        let host = host.to_ascii_lowercase();
        // A `Host` without a port is on the scheme's default one, which
        // the layer cannot see (TLS may end before it): `app.com:443`
        // and `app.com:80` both allow `Host: app.com`.
        let ports: &[Option<u16>] = if port.is_some() { &[port] } else { &[None, Some(80), Some(443)] };
        policy.allowed_hosts.iter().any(|p| ports.iter().any(|&port| p.matches(&host, port)))
    });
    if allowed {
        Ok(())
    } else {
        let host = target.host.unwrap_or("(none)").chars().take(100).collect();
        Err(Rejection::HostNotAllowed { host })
    }
}

/// The checks of a query (a `GET` that reads): the host against the
/// allow-list, and no reading from another site (`Sec-Fetch-Site:
/// cross-site`). No `Origin` check: browsers send none with a same-origin
/// `GET`, and a query changes nothing.
pub(crate) fn check_read(parts: &Parts, policy: &Policy) -> Result<(), Rejection> {
    if header(parts, &SEC_FETCH_SITE).is_some_and(|v| v.eq_ignore_ascii_case("cross-site")) {
        return Err(Rejection::CrossSite);
    }
    check_host(&target((&parts.headers, &parts.uri, &parts.extensions), policy), policy)
}

/// Checks the host against the allow-list, then `Sec-Fetch-Site` and
/// `Origin` against the host.
///
/// Every action call passes here, so an accepted request allocates nothing:
/// comparisons ignore ASCII case instead of lower-casing copies, and the
/// texts of a refusal are only built for a refusal.
pub(crate) fn check_origin(parts: &Parts, policy: &Policy) -> Result<(), Rejection> {
    let fetch_site = header(parts, &SEC_FETCH_SITE);
    if fetch_site.is_some_and(|v| v.eq_ignore_ascii_case("cross-site")) {
        return Err(Rejection::CrossSite);
    }
    let target = target((&parts.headers, &parts.uri, &parts.extensions), policy);
    check_host(&target, policy)?;
    let expected = target.host.map(split_host_port);

    let mismatch = |origin: &str| {
        let mut hint = String::new();
        if policy.mode != Mode::Production {
            hint = format!(" (expected value taken from {}", target.source);
            if !target.trusted && parts.headers.contains_key(&X_FORWARDED_HOST) {
                match target.peer {
                    Some(ip) => hint.push_str(&format!(
                        "; X-Forwarded-Host was ignored because {ip} is not a trusted proxy"
                    )),
                    None => hint.push_str(
                        "; X-Forwarded-Host was ignored because the peer address is unknown \
                         (serve with serac::serve or into_make_service_with_connect_info)",
                    ),
                }
            }
            hint.push(')');
        }
        let expected = match target.host {
            Some(h) => format!("{}://{}", target.scheme, h.to_ascii_lowercase()),
            None => "the server's host (no Host header was sent)".to_string(),
        };
        let origin: String = origin.chars().take(200).collect();
        Rejection::OriginMismatch { origin, expected, hint }
    };

    let Some(origin) = header(parts, &ORIGIN) else {
        // No Origin: a browser would have sent one with a POST. Allow only
        // clients that also send no fetch metadata, i.e. not browsers.
        return match fetch_site {
            None => Ok(()),
            Some(_) => Err(mismatch("none")),
        };
    };
    // An origin is `scheme://host[:port]`: `null` (an opaque origin), a
    // path, or `user@host` are not sent by browsers and are refused.
    let Some((scheme, authority)) =
        origin.find(':').and_then(|i| Some((&origin[..i], origin[i + 1..].strip_prefix("//")?)))
    else {
        return Err(mismatch(origin));
    };
    let authority = authority.strip_suffix('/').unwrap_or(authority);
    if authority.is_empty() || authority.contains(['/', '@', '?', '#', ' ']) {
        return Err(mismatch(origin));
    }
    let scheme = if scheme.eq_ignore_ascii_case("https") {
        "https"
    } else if scheme.eq_ignore_ascii_case("http") {
        "http"
    } else {
        return Err(mismatch(origin));
    };
    let (host, explicit_port) = split_host_port(authority);
    let port = explicit_port.or_else(|| default_port(scheme));

    if let Some((exp_host, exp_port)) = expected {
        let exp_port = exp_port.or_else(|| default_port(target.scheme));
        if scheme == target.scheme && host.eq_ignore_ascii_case(exp_host) && port == exp_port {
            return Ok(());
        }
    }
    if !policy.allowed_origins.is_empty() {
        let host = host.to_ascii_lowercase();
        if policy.allowed_origins.iter().any(|p| p.matches(&host, port)) {
            return Ok(());
        }
    }
    Err(mismatch(origin))
}

/// Whether the absolute `http(s)` URL `url` is on the origin the request
/// was sent to, read as the origin check reads it (the `Host`, or a trusted
/// proxy's `X-Forwarded-Host` and `X-Forwarded-Proto`): same scheme, host
/// and port. A URL with user information is never this site.
pub(crate) fn is_own_origin(url: &str, request: (&HeaderMap, &Uri, &Extensions), policy: &Policy) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else { return false };
    let scheme = if scheme.eq_ignore_ascii_case("https") {
        "https"
    } else if scheme.eq_ignore_ascii_case("http") {
        "http"
    } else {
        return false;
    };
    // Browsers end the authority of an http(s) URL at `\` too.
    let authority = &rest[..rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len())];
    if authority.is_empty() || authority.contains('@') {
        return false;
    }
    let target = target(request, policy);
    let Some((own_host, own_port)) = target.host.map(split_host_port) else { return false };
    let (host, port) = split_host_port(authority);
    scheme == target.scheme
        && host.eq_ignore_ascii_case(own_host)
        && port.or_else(|| default_port(scheme)) == own_port.or_else(|| default_port(target.scheme))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)], peer: Option<&str>) -> Parts {
        let mut req = http::Request::post("/page");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let (mut parts, ()) = req.body(()).expect("request").into_parts();
        if let Some(p) = peer {
            parts.extensions.insert(ConnectInfo(p.parse::<SocketAddr>().expect("addr")));
        }
        parts
    }

    fn policy() -> Policy {
        Policy::new(Mode::Development)
    }

    #[test]
    fn own_origin_is_scheme_host_and_port_of_the_request() {
        let own = |host: &str, url: &str| {
            let p = parts(&[("host", host)], None);
            is_own_origin(url, (&p.headers, &p.uri, &p.extensions), &policy())
        };
        assert!(own("app.example:8080", "http://app.example:8080/x"));
        assert!(own("app.example:8080", "HTTP://APP.example:8080"));
        assert!(own("app.example:8080", "http://app.example:8080\\x"));
        assert!(own("app.example", "http://app.example:80/x?q#f"));
        assert!(!own("app.example:8080", "https://app.example:8080/x"));
        assert!(!own("app.example:8080", "http://app.example/x"));
        assert!(!own("app.example:8080", "http://user@app.example:8080/x"));
        assert!(!own("app.example:8080", "http://app.example:8080.evil.example/x"));
        assert!(!own("app.example", "http://evil.example/app.example"));
        assert!(!own("app.example", "//app.example/x"));
    }

    #[test]
    fn same_origin_passes_and_others_do_not() {
        let c = policy();
        let ok = |h: &[(&str, &str)]| check_origin(&parts(h, None), &c).is_ok();
        assert!(ok(&[("host", "a.com:3000"), ("origin", "http://a.com:3000")]));
        assert!(ok(&[("host", "a.com"), ("origin", "http://a.com")]));
        assert!(ok(&[("host", "a.com"), ("origin", "http://a.com:80")]));
        assert!(ok(&[("host", "A.com"), ("origin", "http://a.COM")]));
        assert!(!ok(&[("host", "a.com:3000"), ("origin", "http://a.com:3001")]));
        assert!(!ok(&[("host", "a.com:3000"), ("origin", "https://a.com:3000")]));
        assert!(!ok(&[("host", "a.com"), ("origin", "http://b.com")]));
        assert!(!ok(&[("host", "a.com"), ("origin", "http://a.com@b.com")]));
        assert!(!ok(&[("host", "a.com"), ("origin", "null")]));
        assert!(!ok(&[("host", "a.com"), ("origin", "a.com")]));
        assert!(ok(&[("host", "a.com")]), "non-browser clients");
        assert!(!ok(&[("host", "a.com"), ("sec-fetch-site", "same-origin")]));
        assert!(!ok(&[("host", "a.com"), ("origin", "http://a.com"), ("sec-fetch-site", "cross-site")]));
        assert!(ok(&[("host", "[::1]:3000"), ("origin", "http://[::1]:3000")]));
    }

    #[test]
    fn forwarded_host_counts_only_from_trusted_proxies() {
        let h = [
            ("host", "internal:8080"),
            ("x-forwarded-host", "shop.com"),
            ("x-forwarded-proto", "https"),
            ("origin", "https://shop.com"),
        ];
        let untrusted = check_origin(&parts(&h, Some("10.0.0.5:999")), &policy());
        let Err(Rejection::OriginMismatch { hint, .. }) = untrusted else {
            panic!("spoofed X-Forwarded-Host accepted: {untrusted:?}");
        };
        assert!(hint.contains("10.0.0.5 is not a trusted proxy"), "{hint}");
        let mut c = policy();
        c.trusted_proxies.push(parse_range("10.0.0.0/8").expect("range"));
        assert!(check_origin(&parts(&h, Some("10.0.0.5:999")), &c).is_ok());
        assert!(check_origin(&parts(&h, Some("[::ffff:10.0.0.5]:999")), &c).is_ok(), "mapped IPv4");
    }

    #[test]
    fn allow_list_extends_the_host() {
        let mut c = policy();
        c.allowed_origins.push(HostPattern::parse("*.example.com").expect("pattern"));
        let ok = |o: &str| check_origin(&parts(&[("host", "app.com"), ("origin", o)], None), &c).is_ok();
        assert!(ok("https://a.example.com"));
        assert!(!ok("https://evil-example.com"));
        assert!(!ok("https://example.com"));
    }

    #[test]
    fn hosts_outside_the_allow_list_are_refused_whatever_the_origin() {
        let mut c = policy();
        c.allowed_hosts.push(HostPattern::parse("app.com").expect("pattern"));
        let check = |host: &str| {
            check_origin(&parts(&[("host", host), ("origin", &format!("http://{host}"))], None), &c)
        };
        assert!(check("app.com").is_ok());
        assert!(check("APP.com").is_ok());
        assert!(matches!(check("rebind.evil.example"), Err(Rejection::HostNotAllowed { .. })));
    }

    // Regression: `127.0.0.1:80` allowed, and a browser's `Host: 127.0.0.1`
    // (no port: the default one) was refused.
    #[test]
    fn a_host_without_a_port_is_on_the_default_port() {
        let mut c = policy();
        c.allowed_hosts.push(HostPattern::parse("127.0.0.1:80").expect("pattern"));
        c.allowed_hosts.push(HostPattern::parse("app.com:443").expect("pattern"));
        let check = |host: &str| check_origin(&parts(&[("host", host)], None), &c).is_ok();
        assert!(check("127.0.0.1") && check("127.0.0.1:80") && check("app.com") && check("app.com:443"));
        assert!(!check("127.0.0.1:8080") && !check("app.com:8443") && !check("evil.example"));
    }

    #[test]
    fn patterns() {
        let p = HostPattern::parse("*.example.com").expect("pattern");
        assert!(p.matches("a.example.com", None));
        assert!(p.matches("a.b.example.com", Some(8080)));
        assert!(!p.matches("example.com", None));
        assert!(!p.matches("evil-example.com", None));
        assert!(!p.matches("example.com.evil.org", None));
        let exact = HostPattern::parse("https://proxy.example.com:8443/").expect("pattern");
        assert!(exact.matches("proxy.example.com", Some(8443)));
        assert!(!exact.matches("proxy.example.com", Some(443)));
        assert!(HostPattern::parse("not a host").is_none());
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
        let r = parse_range("10.0.0.0/8").expect("range");
        assert!(r.contains(&"10.1.2.3".parse::<IpAddr>().expect("ip")));
        assert!(!r.contains(&"11.0.0.1".parse::<IpAddr>().expect("ip")));
        let one = parse_range("127.0.0.1").expect("addr");
        assert!(one.contains(&"127.0.0.1".parse::<IpAddr>().expect("ip")));
        assert!(!one.contains(&"127.0.0.2".parse::<IpAddr>().expect("ip")));
        assert!(parse_range("nope").is_none());
        assert!(parse_range("10.0.0.0/33").is_none());
    }
}
