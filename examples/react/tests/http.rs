//! The server side of the typed client over real HTTP: the manifest of ids,
//! and calls as the generated client makes them.

#![allow(unreachable_pub)]

mod common;

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

async fn start(secret: [u8; 32]) -> (String, tokio::task::JoinHandle<()>) {
    // The manifest and the calls do not need the app's build.
    let dist = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-build");
    common::serve_with(&dist, Duration::ZERO, secret, None).await
}

async fn manifest(url: &str) -> (reqwest::header::HeaderMap, serde_json::Map<String, Value>) {
    let res = serac_testkit::client().get(format!("{url}/_serac/actions.json")).send().await.expect("GET");
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    let ids: Value = res.json().await.expect("json");
    (headers, ids.as_object().expect("an object").clone())
}

async fn call(url: &str, id: &str, body: Value) -> (u16, Value) {
    let res = serac_testkit::client()
        .post(format!("{url}/"))
        .header("origin", url)
        .header(serac::protocol::ACTION_HEADER, id)
        .header(serac::protocol::RENDER_HEADER, "none")
        .json(&body)
        .send()
        .await
        .expect("POST");
    (res.status().as_u16(), res.json().await.expect("an envelope"))
}

/// `GET`s a query as the generated client does.
async fn read(url: &str, path: &str) -> Value {
    let res = serac_testkit::client().get(format!("{url}{path}")).send().await.expect("GET");
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.expect("json")
}

/// B19: the queries are read with GET, refused as POSTs, and an action's
/// answer carries the fresh results of the queries the client names.
#[tokio::test]
async fn queries_are_read_with_get_and_come_back_fresh_with_an_action_b19() {
    let (url, task) = start(common::SECRET).await;
    let (_, ids) = manifest(&url).await;
    let list = format!("/_serac/q/{}", ids["list_todos"].as_str().expect("id"));
    assert_eq!(read(&url, &list).await, json!([]));
    let (status, _) = call(&url, ids["list_todos"].as_str().expect("id"), json!([])).await;
    assert_eq!(status, 405, "a query is never posted");
    let res = serac_testkit::client()
        .post(format!("{url}/"))
        .header("origin", &url)
        .header(serac::protocol::ACTION_HEADER, ids["add_todo"].as_str().expect("id"))
        .header(serac::protocol::RENDER_HEADER, "none")
        .header(serac::protocol::QUERIES_HEADER, &list)
        .form(&[("title", "Buy milk")])
        .send()
        .await
        .expect("POST");
    let envelope: Value = res.json().await.expect("envelope");
    assert_eq!(envelope["queries"][0]["url"], json!(list));
    assert_eq!(envelope["queries"][0]["result"][0]["title"], "Buy milk", "{envelope}");
    task.abort();
}

#[tokio::test]
async fn the_manifest_lists_each_exported_action_with_its_id() {
    let (url, task) = start(common::SECRET).await;
    let (headers, ids) = manifest(&url).await;
    assert_eq!(headers["cache-control"], "no-cache", "ids change with the secret: always revalidated");
    assert_eq!(headers["content-type"], "application/json");
    let names: Vec<&str> = ids.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["add_todo", "archive_done", "archived", "list_todos", "set_done", "suggest", "times_done"]
    );
    for id in ids.values() {
        let id = id.as_str().expect("a string");
        assert!(id.len() == 40 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    }

    // Another secret, other ids; the old ones are unknown there.
    let (other_url, other) = start([6; 32]).await;
    let (_, other_ids) = manifest(&other_url).await;
    assert_ne!(ids["add_todo"], other_ids["add_todo"]);
    let old = ids["add_todo"].as_str().expect("id");
    let (status, envelope) = call(&other_url, old, json!({"title": "x"})).await;
    assert_eq!(status, 404);
    assert_eq!(envelope["error"]["kind"], "unknown_action");
    task.abort();
    other.abort();
}

#[tokio::test]
async fn typed_arguments_are_checked_before_the_action_runs() {
    let (url, task) = start(common::SECRET).await;
    let (_, ids) = manifest(&url).await;
    let id = |name: &str| ids[name].as_str().expect("id").to_string();
    let (status, envelope) = call(&url, &id("set_done"), json!(["1", true])).await;
    assert_eq!(status, 400);
    // In production the message names the argument's position only: the
    // parameter's name and Rust type are the code's (R10).
    let message = envelope["error"]["message"].as_str().expect("message");
    assert_eq!(message, "Argument 1 of the action is invalid.", "{envelope}");
    let (status, envelope) = call(&url, &id("set_done"), json!([1])).await;
    assert_eq!(status, 400, "{envelope}");
    let (status, envelope) = call(&url, &id("set_done"), json!([1, true])).await;
    assert_eq!(status, 404, "no todo 1 yet: {envelope}");
    assert_eq!(envelope["error"]["kind"], "not_found");
    let list = read(&url, &format!("/_serac/q/{}", id("list_todos"))).await;
    assert_eq!(list, json!([]), "nothing was changed");
    task.abort();
}
