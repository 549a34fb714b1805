//! Actions that stream their result (B18), over real HTTP: parts arrive
//! while the producer is still producing, a slow reader holds the producer
//! back, a client that goes away drops it, an error or the time limit ends
//! the stream with the usual envelope, and a browser without JavaScript
//! gets every part in the page.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};
use serac::Streaming;
use serac::prelude::*;
use serde_json::{Value, json};

use crate::support::{SECRET, client, hidden};

/// What the producers did: parts produced, and whether a producer was
/// dropped before it finished.
#[derive(Clone, Default)]
struct Produced {
    parts: Arc<AtomicUsize>,
    dropped: Arc<AtomicBool>,
    runs: Arc<AtomicUsize>,
}

/// Sets `dropped` when the producer is dropped before it finished.
struct DropFlag(Arc<AtomicBool>, bool);

impl Drop for DropFlag {
    fn drop(&mut self) {
        if !self.1 {
            self.0.store(true, Ordering::SeqCst);
        }
    }
}

/// `count` parts `"word n"`, `gap_ms` apart; fails after `fail_after` parts
/// when it is given.
#[serac::action]
async fn words(
    State(produced): State<Produced>,
    count: usize,
    gap_ms: u64,
    fail_after: Option<usize>,
) -> Result<Streaming<String>, ActionError> {
    produced.runs.fetch_add(1, Ordering::SeqCst);
    Ok(Streaming::from_fn(move |parts| async move {
        let mut flag = DropFlag(produced.dropped.clone(), false);
        for n in 0..count {
            if fail_after == Some(n) {
                flag.1 = true;
                return Err(ActionError::conflict("The generator stopped."));
            }
            parts.send(format!("word {n}")).await;
            produced.parts.fetch_add(1, Ordering::SeqCst);
            if gap_ms > 0 {
                tokio::time::sleep(Duration::from_millis(gap_ms)).await;
            }
        }
        flag.1 = true;
        Ok(())
    }))
}

/// Streams for longer than it may run.
#[serac::action(max_duration_ms = 300)]
async fn too_long() -> Result<Streaming<u32>, ActionError> {
    Ok(Streaming::new(futures_util::stream::unfold(0u32, |n| async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        Some((Ok(n), n + 1))
    })))
}

/// 64 KiB parts for ever, for half a second at most.
#[serac::action(max_duration_ms = 500)]
async fn flood(State(produced): State<Produced>) -> Result<Streaming<String>, ActionError> {
    Ok(Streaming::from_fn(move |parts| async move {
        let _flag = DropFlag(produced.dropped.clone(), false);
        loop {
            parts.send("f".repeat(64 * 1024)).await;
            produced.parts.fetch_add(1, Ordering::SeqCst);
        }
    }))
}

/// 1 MiB parts for ever, from a form.
#[serac::action]
async fn endless(
    State(produced): State<Produced>,
    _form: Form<Three>,
) -> Result<Streaming<String>, ActionError> {
    Ok(Streaming::from_fn(move |parts| async move {
        let _flag = DropFlag(produced.dropped.clone(), false);
        loop {
            parts.send("e".repeat(1024 * 1024)).await;
        }
    }))
}

/// The form a browser without JavaScript posts.
#[derive(serde::Deserialize)]
struct Three {
    #[allow(dead_code)]
    go: String,
}

/// Three parts, from a form.
#[serac::action]
async fn three(_form: Form<Three>) -> Result<Streaming<String>, ActionError> {
    Ok(Streaming::new(futures_util::stream::iter(["a", "b", "c"].map(|s| Ok(s.to_string())))))
}

async fn page(page: Page) -> Markup {
    let three = three::action();
    let parts = page.state::<Vec<String>, _>(three).unwrap_or_default();
    html! {
        p #ids data-words=(page.id(words::action())) data-too-long=(page.id(too_long::action())) data-flood=(page.id(flood::action())) {}
        (page.form(three).id("three").shows_result().body(html! {
            input type="hidden" name="go" value="1";
            button { "Go" }
        }))
        output #parts { (parts.join(" ")) }
        (page.form(endless::action()).id("endless").shows_result().body(html! {
            input type="hidden" name="go" value="1";
            button { "Endless" }
        }))
    }
}

struct App {
    url: String,
    produced: Produced,
    _task: serac_testkit::AbortOnDrop,
}

async fn start() -> App {
    let produced = Produced::default();
    let config = Config::new(serac::KeyRing::from_secrets(&[SECRET]).expect("secret"))
        .mode(serac::config::Mode::Development);
    let app =
        ActionLayer::new(config).with_state(produced.clone()).wrap(Router::new().route("/s", get(page)));
    let (url, task) = serac_testkit::serve(app).await;
    App { url, produced, _task: serac_testkit::AbortOnDrop(task) }
}

impl App {
    async fn id(&self, which: &str) -> String {
        let html =
            client().get(format!("{}/s", self.url)).send().await.expect("GET").text().await.expect("body");
        serac_testkit::attr_of(&html, "#ids", which).expect("id")
    }

    /// Calls `which` as the runtime does, with `args`.
    async fn call(&self, which: &str, args: Value, key: Option<&str>) -> reqwest::Response {
        let mut req = client()
            .post(format!("{}/s", self.url))
            .header("origin", &self.url)
            .header(serac::protocol::ACTION_HEADER, self.id(which).await)
            .header("content-type", "application/json")
            .body(args.to_string());
        if let Some(key) = key {
            req = req.header(serac::protocol::IDEMPOTENCY_HEADER, key);
        }
        req.send().await.expect("POST")
    }
}

/// Reads the next full line of `res`, keeping what came after it in `buf`.
async fn line(res: &mut reqwest::Response, buf: &mut Vec<u8>) -> Option<Value> {
    loop {
        if let Some(at) = buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buf.drain(..=at).collect();
            return Some(serde_json::from_slice(&line).expect("a line of JSON"));
        }
        match res.chunk().await.expect("chunk") {
            Some(chunk) => buf.extend_from_slice(&chunk),
            None => return None,
        }
    }
}

async fn all_lines(mut res: reqwest::Response) -> Vec<Value> {
    let mut buf = Vec::new();
    let mut lines = Vec::new();
    while let Some(l) = line(&mut res, &mut buf).await {
        lines.push(l);
    }
    assert!(buf.is_empty(), "the answer ends with a full line");
    lines
}

#[tokio::test]
async fn parts_arrive_while_the_producer_is_still_producing_b18() {
    let app = start().await;
    let mut res = app.call("data-words", json!([10, 100, null]), None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/x-ndjson");
    let mut buf = Vec::new();
    let first = line(&mut res, &mut buf).await.expect("a first line");
    assert_eq!(first, json!({"part": "word 0"}));
    let produced = app.produced.parts.load(Ordering::SeqCst);
    assert!(produced < 10, "the first part came before the last was produced ({produced} of 10)");
    let mut rest = Vec::new();
    while let Some(l) = line(&mut res, &mut buf).await {
        rest.push(l);
    }
    assert_eq!(rest.len(), 10, "nine more parts and the envelope: {rest:?}");
    assert_eq!(rest[8], json!({"part": "word 9"}));
    let envelope = &rest[9];
    assert_eq!(envelope["ok"], true, "{envelope}");
    assert_eq!(envelope["error"], Value::Null);
}

#[tokio::test]
async fn a_slow_reader_holds_the_producer_back_b18() {
    let app = start().await;
    // About 1.3 MB if it all went out: more than the socket buffers hold.
    let mut res = app.call("data-words", json!([100_000, 0, null]), None).await;
    let mut buf = Vec::new();
    assert!(line(&mut res, &mut buf).await.is_some());
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Produced at once if nothing held it back; held back, it is as far as
    // the channel, hyper's and the socket's buffers let it run.
    let produced = app.produced.parts.load(Ordering::SeqCst);
    assert!(produced < 100_000, "the producer ran to the end while nobody read ({produced})");
    drop(res);
}

#[tokio::test]
async fn a_client_that_goes_away_drops_the_producer_b14_b18() {
    let app = start().await;
    let mut res = app.call("data-words", json!([50, 50, null]), None).await;
    let mut buf = Vec::new();
    assert!(line(&mut res, &mut buf).await.is_some());
    assert!(line(&mut res, &mut buf).await.is_some());
    drop(res);
    serac_testkit::browser::eventually("the producer is dropped", || {
        app.produced.dropped.load(Ordering::SeqCst)
    })
    .await;
    let at = app.produced.parts.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.produced.parts.load(Ordering::SeqCst), at, "no part produced after the drop");
    assert!(at < 50);
}

#[tokio::test]
async fn an_error_mid_stream_ends_it_with_an_error_envelope_b18() {
    let app = start().await;
    let lines = all_lines(app.call("data-words", json!([5, 0, 2]), None).await).await;
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0], json!({"part": "word 0"}));
    assert_eq!(lines[1], json!({"part": "word 1"}));
    let envelope = &lines[2];
    assert_eq!(envelope["ok"], false);
    assert_eq!(envelope["error"]["kind"], "conflict");
    assert_eq!(envelope["error"]["status"], 409);
    assert_eq!(envelope["error"]["message"], "The generator stopped.");
}

#[tokio::test]
async fn the_time_limit_covers_the_whole_stream_r3_b18() {
    let app = start().await;
    let lines = all_lines(app.call("data-too-long", json!([]), None).await).await;
    let envelope = lines.last().expect("an envelope");
    assert_eq!(envelope["error"]["kind"], "timeout", "{lines:?}");
    assert!(lines.len() >= 2 && lines.len() <= 5, "a few parts within 300 ms: {lines:?}");
}

#[tokio::test]
async fn a_repeated_key_does_not_run_a_streamed_action_again_r2_b18() {
    let app = start().await;
    let first = all_lines(app.call("data-words", json!([3, 0, null]), Some("k-1")).await).await;
    assert_eq!(first.len(), 4);
    let again = app.call("data-words", json!([3, 0, null]), Some("k-1")).await;
    assert_eq!(again.status(), 409, "a streamed answer is not kept, and a repeat is told so");
    assert_eq!(app.produced.runs.load(Ordering::SeqCst), 1, "the action ran once");
}

#[tokio::test]
async fn without_js_the_page_comes_back_with_every_part_b18() {
    let app = start().await;
    let html = client().get(format!("{}/s", app.url)).send().await.expect("GET").text().await.expect("body");
    let fields = hidden(&html, "three");
    let res = client()
        .post(format!("{}/s", app.url))
        .header("origin", &app.url)
        .form(&fields)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 200);
    let html = res.text().await.expect("body");
    assert_eq!(serac_testkit::text_of(&html, "#parts").as_deref(), Some("a b c"), "{html}");
}

/// Regression (found attacking streams): a client that stopped reading left
/// the body unpolled, and the producer lived past its time limit (for as
/// long as the socket stayed open), with whatever it held.
#[tokio::test]
async fn a_reader_that_stops_reading_does_not_keep_the_producer_past_its_limit_r3_b18() {
    let app = start().await;
    let res = app.call("data-flood", json!([]), None).await;
    assert_eq!(res.status(), 200);
    // Holds the answer without reading it: the socket's buffers fill up and
    // the server stops polling the body.
    serac_testkit::browser::eventually("the producer is dropped at its limit", || {
        app.produced.dropped.load(Ordering::SeqCst)
    })
    .await;
    drop(res);
}

/// Regression (found attacking streams): a streaming action's form posted
/// without JavaScript collected its whole stream in memory, bounded only by
/// the time limit. Past 16 MiB the call ends with an error and the producer
/// is dropped.
#[tokio::test]
async fn without_js_a_stream_is_collected_up_to_a_bound_b18() {
    let app = start().await;
    let html = client().get(format!("{}/s", app.url)).send().await.expect("GET").text().await.expect("body");
    let res = client()
        .post(format!("{}/s", app.url))
        .header("origin", &app.url)
        .form(&hidden(&html, "endless"))
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 500);
    assert!(app.produced.dropped.load(Ordering::SeqCst), "the producer was dropped");
}
