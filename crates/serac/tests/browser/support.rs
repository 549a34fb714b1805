//! The test app on a loopback port, and a Chromium session on it (from
//! `serac-testkit`, which also says what happens without ChromeDriver).

use std::convert::Infallible;
use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::response::Response;
use http::Request;
use serac::config::Mode;
use serac::{ActionLayer, ActionService, Config, KeyRing};
use serac_testkit::browser::with_chromium;
pub use serac_testkit::browser::{Browser, eventually};
use tower::ServiceExt as _;

use crate::app::{self, AppState};

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
    ActionLayer::new(config)
        .with_state(state.clone())
        .expose(app::exposed())
        .expect("exposed names differ")
        .wrap(app::router(state.clone()))
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
                if let Some(kind) = req.uri().path().strip_prefix("/raw/") {
                    return Ok(raw(req.method(), kind));
                }
                let is_action = req.headers().contains_key(serac::protocol::ACTION_HEADER);
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
            serac::serve(listener, service).await.expect("serve");
        });
        Self { url, state, current, task }
    }

    /// Serves with another secret from now on: every id the browser holds is stale.
    pub fn rotate_secret(&self) {
        *self.current.lock().expect("service") = build(&self.state, 2);
    }
}

/// `/raw/<kind>`, outside the layer, as a proxy or a crashed handler in
/// front of the app would answer: `GET` is a page with the runtime and a
/// form posting to itself, `POST` the answer `kind` names.
fn raw(method: &http::Method, kind: &str) -> Response {
    let (status, content_type, body) = match (method, kind) {
        (&http::Method::GET, _) => (
            200,
            "text/html; charset=utf-8",
            format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>raw</title>{}</head><body>\
                 <div id=\"boundary\" data-serac-error-boundary=\"\"></div>\
                 <form id=\"f\" method=\"post\" data-serac-form=\"\">\
                 <input type=\"hidden\" name=\"$action\" value=\"{}\"><button id=\"go\">Go</button></form>\
                 </body></html>",
                serac::client::runtime_tags().into_string(),
                "0".repeat(32),
            ),
        ),
        (_, "json-error") => (500, "application/json", r#"{"error":"The database is down"}"#.to_string()),
        (_, "json-empty") => (500, "application/json", "{}".to_string()),
        (_, "ok-empty") => (200, "application/json", "{}".to_string()),
        (_, "text") => (503, "text/plain; charset=utf-8", "Down for <maintenance> until 14:00".to_string()),
        (_, "long-text") => (503, "text/plain", "x".repeat(5000)),
        _ => (502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>".to_string()),
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = http::StatusCode::from_u16(status).expect("status");
    response.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static(content_type));
    response
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
    let server = Arc::new(Server::start().await);
    let url = server.url.clone();
    // Held here too: a test that does not use the server must not stop it.
    let keep = server.clone();
    with_chromium(&url, js, page_load, |browser| test(server, browser)).await;
    drop(keep);
}
