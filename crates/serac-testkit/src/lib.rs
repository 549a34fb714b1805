//! What Serac's test suites share, so that each suite keeps only its own
//! app and assertions: a Chromium session driven through ChromeDriver
//! ([`browser`]), a throw-away `redis-server` ([`redis`]), the hidden fields
//! of a rendered form ([`hidden`]), an HTTP client that does not follow
//! redirects ([`client`]), serving an app on a loopback port ([`serve()`]),
//! and the rule for services that are missing ([`missing`]).
//!
//! Not published; used only as a dev-dependency.

#![forbid(unsafe_code)]

pub mod browser;
pub mod redis;
mod serve;

pub use serve::{serve, serve_on};

use std::time::Duration;

/// A client that, like axum's test client, does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

/// The hidden inputs (name, value) of the form with `id` in `html`, in order,
/// as a browser would send them (`&amp;` decoded).
pub fn hidden(html: &str, id: &str) -> Vec<(String, String)> {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no form {id} in the page"));
    let start = html[..at].rfind("<form").expect("form start");
    let end = start + html[start..].find("</form>").expect("form end");
    html[start..end]
        .split('<')
        .filter(|t| t.starts_with("input type=\"hidden\""))
        .filter_map(|t| Some((attr(t, "name")?, attr(t, "value")?)))
        .collect()
}

/// The value of attribute `name` in the tag text `tag`, `&amp;` decoded.
pub fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    tag.find(&key).map(|i| {
        let rest = &tag[i + key.len()..];
        rest[..rest.find('"').unwrap_or(rest.len())].replace("&amp;", "&")
    })
}

/// `fields` followed by `extra`, as form pairs.
pub fn with(mut fields: Vec<(String, String)>, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    fields.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    fields
}

/// Whether missing services are failures (`CI` or
/// `SERAC_TEST_REQUIRE_SERVICES` is `true`) rather than skips.
pub fn services_required() -> bool {
    ["SERAC_TEST_REQUIRE_SERVICES", "CI"].iter().any(|v| std::env::var(v).is_ok_and(|v| v == "true"))
}

/// Called when `service` is missing: fails where services are required,
/// else says the test is skipped.
pub fn missing(service: &str) {
    assert!(!services_required(), "{service} is missing: run the tests with ./scripts/test");
    eprintln!("skipped: no {service} (run ./scripts/test, which installs and starts it)");
}

/// A loopback port nothing listens on.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port")
}
