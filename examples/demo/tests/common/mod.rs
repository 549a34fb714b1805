//! What the demo's test binaries share: an HTTP client that does not follow
//! redirects, the hidden fields of a form (what a browser would send), and
//! the rule for services that are missing.

#![allow(dead_code, unreachable_pub)]

/// A client that, like axum's test client, does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("client")
}

/// The hidden inputs (name, value) of the form with `id` in `html`, in order.
pub fn hidden(html: &str, id: &str) -> Vec<(String, String)> {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no form {id} in the page"));
    let start = html[..at].rfind("<form").expect("form start");
    let end = start + html[start..].find("</form>").expect("form end");
    html[start..end]
        .split('<')
        .filter(|t| t.starts_with("input type=\"hidden\""))
        .filter_map(|t| {
            let attr = |n: &str| {
                let k = format!("{n}=\"");
                t.find(&k).map(|i| t[i + k.len()..].split('"').next().unwrap_or("").to_string())
            };
            Some((attr("name")?, attr("value")?))
        })
        .collect()
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

/// Called when `service` is missing: fails under CI, else says the test is skipped.
pub fn missing(service: &str) {
    assert!(!services_required(), "{service} is missing: run the tests with ./scripts/test");
    eprintln!("skipped: no {service} (run ./scripts/test, which installs and starts it)");
}

/// A loopback port nothing listens on.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port")
}

/// Serves `service` on a free loopback port: its base URL, and the task to
/// abort when done.
pub async fn serve(service: serac::ActionService<axum::Router>) -> (String, tokio::task::JoinHandle<()>) {
    use axum::ServiceExt as _;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let task = tokio::spawn(async move {
        axum::serve(listener, service.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .await
            .expect("serve");
    });
    (url, task)
}
