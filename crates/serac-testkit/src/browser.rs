//! Real Chromium, driven through ChromeDriver.
//!
//! `scripts/test` starts ChromeDriver and sets `SERAC_TEST_WEBDRIVER` (and
//! `SERAC_TEST_CHROMIUM`, the browser binary). Without it a browser test says
//! so and passes as skipped, unless services are required
//! ([`crate::services_required`]), where it fails.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt as _;
use serde_json::{Value, json};

/// The flags Chromium runs with: headless, and no traffic of its own.
pub const CHROMIUM_FLAGS: &[&str] = &[
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

/// How long a `wait_*` waits before failing the test.
pub const WAIT: Duration = Duration::from_secs(10);

/// Runs `test` with a fresh Chromium session whose paths are relative to
/// `base`, JavaScript on or off, and the WebDriver page load strategy
/// `page_load` (`"normal"`, or `"none"` to act on a page whose scripts are
/// still loading). The session is closed also when the test fails. Without
/// ChromeDriver, see the module documentation.
pub async fn with_chromium<F, Fut>(base: &str, js: bool, page_load: &str, test: F)
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = ()>,
{
    let Ok(webdriver) = std::env::var("SERAC_TEST_WEBDRIVER") else {
        crate::missing("ChromeDriver (SERAC_TEST_WEBDRIVER)");
        return;
    };
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
    let browser = Browser { client: client.clone(), base: base.to_string() };
    let outcome = AssertUnwindSafe(test(browser)).catch_unwind().await;
    let _ = client.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// A Chromium session on one site.
#[derive(Clone)]
pub struct Browser {
    client: Client,
    base: String,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser").field("base", &self.base).finish_non_exhaustive()
    }
}

impl Browser {
    /// Opens `path` of the site.
    pub async fn goto(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.expect("navigate");
    }

    /// The current path and query.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("url");
        let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
        format!("{}{query}", url.path())
    }

    /// The element `css`; fails the test when there is none.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => panic!("no element {css}: {e}\n{}", self.whereabouts().await),
        }
    }

    /// The text of `css`, empty when there is no such element.
    pub async fn text(&self, css: &str) -> String {
        match self.client.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// The page's whole text.
    pub async fn body(&self) -> String {
        self.text("body").await
    }

    /// Clicks `css`.
    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Types `text` into `css` (WebDriver key codes allowed, e.g. Control).
    pub async fn type_into(&self, css: &str, text: &str) {
        self.find(css).await.send_keys(text).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Sets the value of field `css` from a script (no key events).
    pub async fn set(&self, css: &str, value: &str) {
        let script = format!(
            "document.querySelector({}).value = {}; return true;",
            serde_json::to_string(css).expect("css"),
            serde_json::to_string(value).expect("value")
        );
        self.js(&script).await;
    }

    /// Whether `css` matches anything.
    pub async fn exists(&self, css: &str) -> bool {
        !self.client.find_all(Locator::Css(css)).await.expect("find").is_empty()
    }

    /// Runs `script` in the page (an expression body: use `return`).
    pub async fn js(&self, script: &str) -> Value {
        match self.client.execute(script, vec![]).await {
            Ok(value) => value,
            Err(e) => panic!("script failed: {e}\n{script}\n{}", self.whereabouts().await),
        }
    }

    /// Where the browser is and the start of what it shows, for failures
    /// seen only under load.
    async fn whereabouts(&self) -> String {
        let url = self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
        let shown: String = self.client.source().await.unwrap_or_default().chars().take(600).collect();
        format!("at {url}, showing: {shown}")
    }

    /// Runs `script` that calls `arguments[0]` with its answer.
    pub async fn js_async(&self, script: &str) -> Value {
        self.client
            .execute_async(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// The browser's Back button.
    pub async fn back(&self) {
        self.client.back().await.expect("back");
    }

    /// Waits until the text of `css` contains `want`; returns that text.
    pub async fn wait_text(&self, css: &str, want: &str) -> String {
        let start = Instant::now();
        loop {
            let text = self.text(css).await;
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

    /// Whether the document marked by [`Browser::mark`] is still the one shown.
    pub async fn marked(&self) -> bool {
        self.js("return window.__mark === 'kept';").await == Value::Bool(true)
    }

    /// Waits until the Serac runtime has started.
    pub async fn ready(&self) {
        self.wait_js("the runtime", "return !!window.serac && document.readyState !== 'loading';").await;
    }
}

/// Waits until `check` holds (server-side state, say).
pub async fn eventually(what: &str, check: impl Fn() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
