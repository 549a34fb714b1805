//! Real Chromium, driven through ChromeDriver, against the test app on a
//! loopback port.
//!
//! `scripts/test` starts ChromeDriver and sets `SERAC_TEST_WEBDRIVER`. Without
//! it the tests say so and pass as skipped, unless `SERAC_TEST_REQUIRE_SERVICES`
//! or `CI` is `true`, where a missing browser is a failure.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::ServiceExt as _;
use axum::body::Body;
use axum::response::Response;
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt as _;
use http::Request;
use serac::{ActionLayer, ActionService, Config, KeyRing, Mode};
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::app::{self, AppState};

/// The flags Chromium runs with: headless, and no traffic of its own.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1024,768",
];

fn required() -> bool {
    ["SERAC_TEST_REQUIRE_SERVICES", "CI"].iter().any(|v| std::env::var(v).is_ok_and(|v| v == "true"))
}

/// The test app behind a switch, so that a test can restart it with another
/// secret (B3) without changing its address.
pub struct Server {
    pub url: String,
    pub state: AppState,
    current: Arc<Mutex<ActionService<axum::Router>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn build(state: &AppState, secret: u8) -> ActionService<axum::Router> {
    let config = Config::new(KeyRing::from_secrets(&[[secret; 32]]).expect("key")).mode(Mode::Development);
    ActionLayer::new(config).with_state(state.clone()).expose(app::exposed()).wrap(app::router(state.clone()))
}

impl Server {
    pub async fn start() -> Self {
        let state = AppState::default();
        let current = Arc::new(Mutex::new(build(&state, 1)));
        let (svc_current, svc_state) = (current.clone(), state.clone());
        let service = tower::service_fn(move |req: Request<Body>| {
            let service = svc_current.lock().expect("service").clone();
            let state = svc_state.clone();
            async move {
                let is_action = req.headers().contains_key(serac::ACTION_HEADER);
                let response = service.oneshot(req).await?;
                if is_action && state.drop_next.swap(false, Ordering::SeqCst) {
                    // The action ran; its answer is lost on the way (B4).
                    let (parts, _) = response.into_parts();
                    let broken = futures_util::stream::once(async {
                        Err::<bytes::Bytes, std::io::Error>(std::io::Error::other(
                            "connection cut by the test",
                        ))
                    });
                    return Ok::<_, Infallible>(Response::from_parts(parts, Body::from_stream(broken)));
                }
                Ok(response)
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let task = tokio::spawn(async move {
            axum::serve(listener, service.into_make_service_with_connect_info::<SocketAddr>())
                .await
                .expect("serve");
        });
        Self { url, state, current, task }
    }

    /// Serves with another secret from now on: every id the browser holds is stale.
    pub fn rotate_secret(&self) {
        *self.current.lock().expect("service") = build(&self.state, 2);
    }
}

/// A Chromium session.
#[derive(Clone)]
pub struct Browser {
    client: Client,
    base: String,
}

/// Starts the app and a browser (JavaScript on or off), runs `test`, and
/// always closes the browser, also when the test fails.
pub async fn run<F, Fut>(js: bool, test: F)
where
    F: FnOnce(Arc<Server>, Browser) -> Fut,
    Fut: Future<Output = ()>,
{
    run_with(js, "normal", test).await;
}

/// [`run`] with a WebDriver page load strategy: `"none"` lets a test act on
/// a page whose scripts are still loading.
pub async fn run_with<F, Fut>(js: bool, page_load: &str, test: F)
where
    F: FnOnce(Arc<Server>, Browser) -> Fut,
    Fut: Future<Output = ()>,
{
    let Ok(webdriver) = std::env::var("SERAC_TEST_WEBDRIVER") else {
        assert!(!required(), "SERAC_TEST_WEBDRIVER is not set: run the tests with ./scripts/test");
        eprintln!("skipped: no ChromeDriver (run ./scripts/test to start one)");
        return;
    };
    let server = Arc::new(Server::start().await);
    let mut options = json!({ "args": CHROMIUM_FLAGS });
    if let Ok(binary) = std::env::var("SERAC_TEST_CHROMIUM") {
        options["binary"] = json!(binary);
    }
    if !js {
        options["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
    }
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert("pageLoadStrategy".into(), json!(page_load));
    caps.insert("goog:chromeOptions".into(), options);
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&webdriver)
        .await
        .expect("a Chromium session from ChromeDriver");
    let browser = Browser { client: client.clone(), base: server.url.clone() };
    // Held here too: a test that does not use the server must not stop it.
    let keep = server.clone();
    let outcome = AssertUnwindSafe(test(server, browser)).catch_unwind().await;
    let _ = client.close().await;
    drop(keep);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

const WAIT: Duration = Duration::from_secs(8);

impl Browser {
    pub async fn goto(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.expect("navigate");
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("url");
        let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
        format!("{}{query}", url.path())
    }

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        self.find(css).await.send_keys(text).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    pub async fn exists(&self, css: &str) -> bool {
        !self.client.find_all(Locator::Css(css)).await.expect("find").is_empty()
    }

    /// Runs `script` in the page (an expression body: use `return`).
    pub async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Runs `script` that calls `arguments[0]` with its answer.
    pub async fn js_async(&self, script: &str) -> Value {
        self.client
            .execute_async(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    pub async fn back(&self) {
        self.client.back().await.expect("back");
    }

    pub async fn key_chord(&self, css: &str, keys: &str) {
        self.find(css).await.send_keys(keys).await.expect("keys");
    }

    /// Waits until the text of `css` contains `want`.
    pub async fn wait_text(&self, css: &str, want: &str) -> String {
        let start = Instant::now();
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(want) {
                return text;
            }
            assert!(start.elapsed() < WAIT, "{css} never showed {want:?}; last text: {text:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `script` returns true.
    pub async fn wait_js(&self, what: &str, script: &str) {
        let start = Instant::now();
        while self.js(script).await != Value::Bool(true) {
            assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Marks the current document; a reload loses the mark.
    pub async fn mark(&self) {
        self.js("window.__mark = 'kept'; return true;").await;
    }

    pub async fn marked(&self) -> bool {
        self.js("return window.__mark === 'kept';").await == Value::Bool(true)
    }

    /// Waits until the runtime has started (the page can be driven).
    pub async fn ready(&self) {
        self.wait_js("the runtime", "return !!window.serac && document.readyState !== 'loading';").await;
    }
}

/// Waits until `check` holds for the server state.
pub async fn eventually(what: &str, check: impl Fn() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
