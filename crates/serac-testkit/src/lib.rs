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

pub use serve::{AbortOnDrop, serve, serve_on};

use std::time::Duration;

/// A client that, like axum's test client, does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

/// The hidden inputs (name, value) of the form with `id` in `html`, in
/// order, as a browser would send them. Parsed as HTML, like a browser.
///
/// # Panics
/// When there is no form with that id.
pub fn hidden(html: &str, id: &str) -> Vec<(String, String)> {
    let doc = scraper::Html::parse_document(html);
    let form = select_one(&doc, &format!("form#{id}"))
        .or_else(|| {
            select_one(&doc, &format!("#{id}")).and_then(|el| {
                el.ancestors()
                    .find_map(|n| scraper::ElementRef::wrap(n).filter(|e| e.value().name() == "form"))
            })
        })
        .unwrap_or_else(|| panic!("no form {id} in the page"));
    let inputs = scraper::Selector::parse("input[type=hidden]").expect("selector");
    form.select(&inputs)
        .filter_map(|i| Some((i.value().attr("name")?.to_string(), i.value().attr("value")?.to_string())))
        .collect()
}

/// The `(name, value)` a browser sends for the submit button with `id`.
///
/// # Panics
/// When there is no such button, or it has no name.
pub fn button(html: &str, id: &str) -> (String, String) {
    let doc = scraper::Html::parse_document(html);
    let el =
        select_one(&doc, &format!("button#{id}")).unwrap_or_else(|| panic!("no button {id} in the page"));
    let name = el.value().attr("name").unwrap_or_else(|| panic!("button {id} has no name"));
    (name.to_string(), el.value().attr("value").unwrap_or("").to_string())
}

/// The value of attribute `attr` of the element matching the CSS `selector`.
pub fn attr_of(html: &str, selector: &str, attr: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    select_one(&doc, selector).and_then(|el| el.value().attr(attr).map(str::to_string))
}

/// The text of the element matching the CSS `selector`, whitespace kept.
pub fn text_of(html: &str, selector: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    select_one(&doc, selector).map(|el| el.text().collect())
}

fn select_one<'a>(doc: &'a scraper::Html, selector: &str) -> Option<scraper::ElementRef<'a>> {
    let selector = scraper::Selector::parse(selector).unwrap_or_else(|e| panic!("selector {selector}: {e}"));
    doc.select(&selector).next()
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
/// else says the test is skipped, and adds it to the list `scripts/test`
/// prints at the end (cargo hides what passing tests print).
#[track_caller]
pub fn missing(service: &str) {
    assert!(!services_required(), "{service} is missing: run the tests with ./scripts/test");
    let at = std::panic::Location::caller();
    let line = format!("{}:{}: skipped: no {service}", at.file(), at.line());
    eprintln!("{line} (run ./scripts/test, which installs and starts it)");
    if let Ok(path) = std::env::var("SERAC_TEST_SKIPS") {
        use std::io::Write as _;
        if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            // One write of the whole line: tests append at the same time.
            let _ = file.write_all(format!("{line}\n").as_bytes());
        }
    }
}

/// A loopback port nothing listens on.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port")
}
