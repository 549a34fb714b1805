//! Starting the test app on a loopback port and talking to it like a browser.

use std::time::Duration;

use serac::cache::PageCache;
use serac::config::{Mode, RouteConfig};
use serac::{ActionLayer, Config, KeyRing};

use crate::app::{self, AppState};

pub const SECRET: [u8; 32] = [7; 32];

pub struct Server {
    pub url: String,
    pub state: AppState,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub fn log(&self) -> Vec<String> {
        self.state.log.events()
    }
    pub fn count(&self, prefix: &str) -> usize {
        self.state.log.count(prefix)
    }
    pub fn origin(&self) -> String {
        self.url.clone()
    }
}

pub fn config() -> Config {
    Config::new(KeyRing::from_secrets(&[SECRET]).expect("secret"))
        .mode(Mode::Development)
        .route("/slow", serac::config::RouteConfig::new().max_duration(std::time::Duration::from_millis(300)))
        .route("/limited", serac::config::RouteConfig::new().body_limit(1024))
        .route("/cached", RouteConfig::new().cache(PageCache::new(Duration::from_secs(60)).tags(["notes"])))
        .route("/docs/{*rest}", RouteConfig::new().cache(PageCache::new(Duration::from_secs(60))))
        .route("/blog", RouteConfig::new().cache(PageCache::new(Duration::from_secs(60))))
        .route("/cached-slow", RouteConfig::new().cache(PageCache::new(Duration::from_secs(60))))
        .route("/cookie-page", RouteConfig::new().cache(PageCache::new(Duration::from_secs(60))))
}

pub async fn start() -> Server {
    start_with(config()).await
}

pub async fn start_with(config: Config) -> Server {
    start_serving(config, |serve| serve).await
}

type App = serac::ActionService<axum::Router>;

/// The test app with its layer set up by `tune`.
pub async fn start_with_layer(config: Config, tune: impl FnOnce(ActionLayer) -> ActionLayer) -> Server {
    let state = AppState::default();
    let app = tune(ActionLayer::new(config).with_state(state.clone())).wrap(app::router(state.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        serac::serve(listener, app).await.expect("server");
    });
    Server { url: format!("http://{addr}"), state, task }
}

/// The test app served by `serac::serve` as `tune` sets it up.
pub async fn start_serving(
    config: Config,
    tune: impl FnOnce(serac::serve::Serve<App>) -> serac::serve::Serve<App>,
) -> Server {
    let state = AppState::default();
    let app = ActionLayer::new(config).with_state(state.clone()).wrap(app::router(state.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    let serve = tune(serac::serve(listener, app));
    let task = tokio::spawn(async move {
        serve.await.expect("server");
    });
    Server { url: format!("http://{addr}"), state, task }
}

pub async fn get(server: &Server, path: &str) -> String {
    let res = client().get(format!("{}{path}", server.url)).send().await.expect("GET");
    assert!(res.status().is_success(), "GET {path}: {}", res.status());
    res.text().await.expect("body")
}

pub use serac_testkit::{client, hidden};

/// The `$action` id of form `form_id` on `path`.
pub async fn action_id(server: &Server, path: &str, form_id: &str) -> String {
    let html = get(server, path).await;
    hidden(&html, form_id).into_iter().find(|(k, _)| k == "$action").map(|(_, v)| v).expect("$action")
}

/// Posts a form as a browser with JavaScript off would: urlencoded, with
/// `Origin` and `Sec-Fetch-Site: same-origin`.
pub async fn post_form(server: &Server, path: &str, fields: &[(String, String)]) -> reqwest::Response {
    client()
        .post(format!("{}{path}", server.url))
        .header("origin", server.origin())
        .header("sec-fetch-site", "same-origin")
        .form(fields)
        .send()
        .await
        .expect("POST")
}

/// Submits form `form_id` of page `path` with extra fields, as a no-JS browser.
pub async fn submit(server: &Server, path: &str, form_id: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let html = get(server, path).await;
    // Button values are only sent for the button that was pressed; tests that
    // press one add it in `extra`.
    let mut fields = hidden(&html, form_id);
    fields.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    post_form(server, path, &fields).await
}

/// Submits a form to action `id` as the runtime does: the fields urlencoded,
/// with the `serac-action` header (so the answer is an envelope).
pub async fn call_form(server: &Server, path: &str, id: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    client()
        .post(format!("{}{path}", server.url))
        .header("origin", server.origin())
        .header(serac::protocol::ACTION_HEADER, id)
        .form(fields)
        .send()
        .await
        .expect("POST")
}

/// Calls action `id` as the runtime does: JSON arguments, `serac-action` header.
pub async fn call_json(
    server: &Server,
    path: &str,
    id: &str,
    body: serde_json::Value,
) -> (u16, serac::protocol::Envelope) {
    let res = client()
        .post(format!("{}{path}", server.url))
        .header("origin", server.origin())
        .header("sec-fetch-site", "same-origin")
        .header(serac::protocol::ACTION_HEADER, id)
        .json(&body)
        .send()
        .await
        .expect("POST");
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    let envelope = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not an envelope ({e}): {text}"));
    (status, envelope)
}

/// Status and body text.
pub async fn read(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    (status, res.text().await.expect("body"))
}
