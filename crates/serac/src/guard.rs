//! The checks every action call passes before its body is read: fetch
//! metadata and origin (CSRF). The method and size checks live in the layer,
//! which knows whether a request is an action call at all.
//!
//! The origin rule: a browser always sends `Origin` on a POST, so the request
//! must come from the page's own origin (scheme, host and port), or from a
//! host in the configured allow-list. `X-Forwarded-Host` / `-Proto` replace
//! `Host` and the server's scheme only when the peer is a configured trusted
//! proxy: otherwise anyone could send them. Non-browser clients (curl, server
//! to server) send neither `Origin` nor `Sec-Fetch-Site` and are allowed,
//! since CSRF needs a browser carrying the victim's cookies.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use http::HeaderName;
use http::header::{HOST, ORIGIN};
use http::request::Parts;

use crate::config::{Config, Mode, split_host_port};
use crate::outcome::Rejection;

// Pre-parsed names: a lookup by `&str` parses the name on every call.
static SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");
static X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

fn header<'a>(parts: &'a Parts, name: &HeaderName) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// Checks `Sec-Fetch-Site` and `Origin` against the request's host.
///
/// Every action call passes here, so an accepted request allocates nothing:
/// comparisons ignore ASCII case instead of lower-casing copies, and the
/// texts of a refusal are only built for a refusal.
pub(crate) fn check_origin(parts: &Parts, config: &Config) -> Result<(), Rejection> {
    let fetch_site = header(parts, &SEC_FETCH_SITE);
    if fetch_site.is_some_and(|v| v.eq_ignore_ascii_case("cross-site")) {
        return Err(Rejection::CrossSite);
    }

    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
    let trusted = peer.is_some_and(|ip| config.trusted_proxies.iter().any(|r| r.contains(ip)));
    // Forwarded headers count only from a trusted proxy; otherwise they are
    // read only to explain a refusal.
    let first = |name: &HeaderName| header(parts, name).map(|v| v.split(',').next().unwrap_or("").trim());
    let forwarded_host = if trusted { first(&X_FORWARDED_HOST) } else { None };
    let forwarded_proto = if trusted { first(&X_FORWARDED_PROTO) } else { None };

    let (expected_host, host_source) = match (trusted, forwarded_host) {
        (true, Some(h)) if !h.is_empty() => (Some(h), "X-Forwarded-Host from a trusted proxy"),
        _ => (header(parts, &HOST).or_else(|| parts.uri.authority().map(|a| a.as_str())), "the Host header"),
    };
    let expected_scheme = match (trusted, forwarded_proto) {
        (true, Some(p)) if p == "http" || p == "https" => p,
        _ => config.scheme,
    };

    let mismatch = |origin: &str| {
        let mut hint = String::new();
        if config.mode != Mode::Production {
            hint = format!(" (expected value taken from {host_source}");
            if !trusted && parts.headers.contains_key(&X_FORWARDED_HOST) {
                match peer {
                    Some(ip) => hint.push_str(&format!(
                        "; X-Forwarded-Host was ignored because {ip} is not a trusted proxy"
                    )),
                    None => hint.push_str(
                        "; X-Forwarded-Host was ignored because the peer address is unknown \
                         (serve with into_make_service_with_connect_info)",
                    ),
                }
            }
            hint.push(')');
        }
        let expected = match expected_host {
            Some(h) => format!("{expected_scheme}://{}", h.to_ascii_lowercase()),
            None => "the server's host (no Host header was sent)".to_string(),
        };
        Rejection::OriginMismatch { origin: origin.to_string(), expected, hint }
    };

    let Some(origin) = header(parts, &ORIGIN) else {
        // No Origin: a browser would have sent one with a POST. Allow only
        // clients that also send no fetch metadata, i.e. not browsers.
        return match fetch_site {
            None => Ok(()),
            Some(_) => Err(mismatch("none")),
        };
    };
    let Some((scheme, rest)) = origin.find("://").map(|i| (&origin[..i], &origin[i + 3..])) else {
        return Err(mismatch(origin)); // includes the opaque origin "null"
    };
    let scheme = if scheme.eq_ignore_ascii_case("https") {
        "https"
    } else if scheme.eq_ignore_ascii_case("http") {
        "http"
    } else {
        return Err(mismatch(origin));
    };
    let (host, explicit_port) = split_host_port(rest.trim_end_matches('/'));
    let port = explicit_port.or_else(|| default_port(scheme));

    if let Some(expected) = expected_host {
        let (exp_host, exp_port) = split_host_port(expected);
        let exp_port = exp_port.or_else(|| default_port(expected_scheme));
        if scheme == expected_scheme && host.eq_ignore_ascii_case(exp_host) && port == exp_port {
            return Ok(());
        }
    }
    if !config.allowed_origins.is_empty() {
        let host = host.to_ascii_lowercase();
        if config.allowed_origins.iter().any(|p| p.matches(&host, explicit_port.or(port))) {
            return Ok(());
        }
    }
    Err(mismatch(origin))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal::KeyRing;

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

    fn config() -> Config {
        Config::new(KeyRing::generate()).mode(Mode::Development)
    }

    #[test]
    fn same_origin_passes_and_others_do_not() {
        let c = config();
        let ok = |h: &[(&str, &str)]| check_origin(&parts(h, None), &c).is_ok();
        assert!(ok(&[("host", "a.com:3000"), ("origin", "http://a.com:3000")]));
        assert!(ok(&[("host", "a.com"), ("origin", "http://a.com")]));
        assert!(ok(&[("host", "a.com"), ("origin", "http://a.com:80")]));
        assert!(!ok(&[("host", "a.com:3000"), ("origin", "http://a.com:3001")]));
        assert!(!ok(&[("host", "a.com:3000"), ("origin", "https://a.com:3000")]));
        assert!(!ok(&[("host", "a.com"), ("origin", "http://b.com")]));
        assert!(!ok(&[("host", "a.com"), ("origin", "null")]));
        assert!(ok(&[("host", "a.com")]), "non-browser clients");
        assert!(!ok(&[("host", "a.com"), ("sec-fetch-site", "same-origin")]));
        assert!(!ok(&[("host", "a.com"), ("origin", "http://a.com"), ("sec-fetch-site", "cross-site")]));
    }

    #[test]
    fn forwarded_host_counts_only_from_trusted_proxies() {
        let h = [
            ("host", "internal:8080"),
            ("x-forwarded-host", "shop.com"),
            ("x-forwarded-proto", "https"),
            ("origin", "https://shop.com"),
        ];
        let untrusted = check_origin(&parts(&h, Some("10.0.0.5:999")), &config());
        let Err(Rejection::OriginMismatch { hint, .. }) = untrusted else {
            panic!("spoofed X-Forwarded-Host accepted: {untrusted:?}");
        };
        assert!(hint.contains("10.0.0.5 is not a trusted proxy"), "{hint}");
        let c = config().trusted_proxies(["10.0.0.0/8"]);
        assert!(check_origin(&parts(&h, Some("10.0.0.5:999")), &c).is_ok());
    }

    #[test]
    fn allow_list_extends_the_host() {
        let c = config().allowed_origins(["*.example.com"]);
        let ok = |o: &str| check_origin(&parts(&[("host", "app.com"), ("origin", o)], None), &c).is_ok();
        assert!(ok("https://a.example.com"));
        assert!(!ok("https://evil-example.com"));
        assert!(!ok("https://example.com"));
    }
}
