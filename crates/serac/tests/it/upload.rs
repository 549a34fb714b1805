//! Uploads streamed to temporary files (B18): an `Upload` parameter gets its
//! file from disk, with JavaScript (the runtime's header) and without (a
//! native form, small or large), under the action's own limit; a missing
//! file is a field error; the temporary file is gone after the call unless
//! the action kept it.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};
use serac::prelude::*;
use serac::upload::Upload;

use crate::support::{SECRET, client, hidden};

/// What the actions saw: the file's name and size, and its temporary path.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(String, u64, std::path::PathBuf)>>>);

/// Up to 4 MiB, streamed to disk.
#[serac::action(body_limit = 4194304)]
async fn receive(State(seen): State<Seen>, file: Upload) -> Result<u64, ActionError> {
    let on_disk = tokio::fs::metadata(file.path()).await.map(|m| m.len()).unwrap_or(0);
    assert_eq!(on_disk, file.len(), "the temporary file holds the upload");
    seen.0.lock().expect("seen").push((file.file_name().to_string(), file.len(), file.path().to_path_buf()));
    Ok(file.len())
}

/// Keeps the file where the test says.
#[serac::action(body_limit = 4194304)]
async fn keep(file: Upload, to: Form<Keep>) -> Result<(), ActionError> {
    file.persist(&to.to).await?;
    Ok(())
}

#[derive(serde::Deserialize)]
struct Keep {
    to: String,
}

/// A small action: 1 KiB at most.
#[serac::action(body_limit = 1024)]
async fn small(State(seen): State<Seen>, form: Form<Note>) -> Result<(), ActionError> {
    seen.0.lock().expect("seen").push((form.x.clone(), form.x.len() as u64, std::path::PathBuf::new()));
    Ok(())
}

#[derive(serde::Deserialize)]
struct Note {
    x: String,
}

async fn page(page: Page) -> Markup {
    html! {
        (page.form(receive::action()).multipart().id("receive").body(html! { input type="file" name="file"; button { "Send" } }))
        (page.form(receive::action()).multipart().id("mixed").body(html! {
            input name="x"; input type="file" name="file";
            (page.button(small::action()).id("small-btn").label("Small"))
        }))
        (page.form(keep::action()).multipart().id("keep").body(html! { input name="to"; input type="file" name="file"; button { "Keep" } }))
    }
}

struct App {
    url: String,
    seen: Seen,
    _task: serac_testkit::AbortOnDrop,
}

async fn start() -> App {
    start_with(Config::new(serac::KeyRing::from_secrets(&[SECRET]).expect("secret"))).await
}

async fn start_with(config: Config) -> App {
    let seen = Seen::default();
    let app = ActionLayer::new(config).with_state(seen.clone()).wrap(Router::new().route("/u", get(page)));
    let (url, task) = serac_testkit::serve(app).await;
    App { url, seen, _task: serac_testkit::AbortOnDrop(task) }
}

impl App {
    /// Posts form `form` of the page with a file of `size` bytes, with or
    /// without the runtime's header.
    async fn send(&self, form: &str, size: usize, extra: &[(&str, &str)], js: bool) -> reqwest::Response {
        let html =
            client().get(format!("{}/u", self.url)).send().await.expect("GET").text().await.expect("body");
        let fields = hidden(&html, form);
        let id = fields.iter().find(|(k, _)| k == "$action").map(|(_, v)| v.clone()).expect("$action");
        let mut multipart = reqwest::multipart::Form::new();
        for (k, v) in fields.iter().map(|(k, v)| (k.clone(), v.clone())) {
            multipart = multipart.text(k, v);
        }
        for (k, v) in extra {
            multipart = multipart.text(k.to_string(), v.to_string());
        }
        if size > 0 {
            multipart = multipart
                .part("file", reqwest::multipart::Part::bytes(vec![b'u'; size]).file_name("../../up.bin"));
        }
        let mut req = client().post(format!("{}/u", self.url)).header("origin", &self.url);
        if js {
            req = req.header(serac::protocol::ACTION_HEADER, id);
        }
        req.multipart(multipart).send().await.expect("POST")
    }

    fn seen(&self) -> Vec<(String, u64, std::path::PathBuf)> {
        self.seen.0.lock().expect("seen").clone()
    }
}

#[tokio::test]
async fn an_upload_reaches_the_action_from_disk_and_is_removed_after_b18() {
    let app = start().await;
    // 3 MiB: more than the app's 1 MiB in-memory limit, within the action's.
    for (js, size) in [(true, 3 * 1024 * 1024), (false, 3 * 1024 * 1024), (false, 10)] {
        let res = app.send("receive", size, &[], js).await;
        assert!(res.status().is_success() || res.status() == 303, "js={js} size={size}: {}", res.status());
        let (name, len, path) = app.seen().pop().expect("the action ran");
        assert_eq!((name.as_str(), len), ("up.bin", size as u64), "js={js} size={size}");
        assert!(!path.exists(), "js={js} size={size}: the temporary file is removed after the call");
    }
}

#[tokio::test]
async fn a_form_without_a_file_is_a_field_error_and_runs_nothing_b18() {
    let app = start().await;
    let res = app.send("receive", 0, &[], true).await;
    assert_eq!(res.status(), 422);
    let envelope: serac::protocol::Envelope = res.json().await.expect("envelope");
    let error = envelope.error.expect("an error");
    assert_eq!(error.fields.expect("fields").get("file"), Some("Choose a file first."));
    assert!(app.seen().is_empty());
}

#[tokio::test]
async fn over_the_actions_limit_is_refused_and_runs_nothing_b18() {
    let app = start().await;
    for js in [true, false] {
        let res = app.send("receive", 5 * 1024 * 1024, &[], js).await;
        assert_eq!(res.status(), 413, "js={js}");
    }
    assert!(app.seen().is_empty());
}

#[tokio::test]
async fn an_action_can_keep_its_upload_b18() {
    let app = start().await;
    let to = std::env::temp_dir().join(format!("serac-kept-{}", std::process::id()));
    let res = app.send("keep", 2 * 1024 * 1024, &[("to", to.to_str().expect("path"))], true).await;
    assert_eq!(res.status(), 200);
    assert_eq!(std::fs::metadata(&to).expect("kept").len(), 2 * 1024 * 1024);
    let _ = std::fs::remove_file(&to);
}

/// Regression (found attacking uploads): a large native form was streamed
/// under the limit of its `$action` (an upload action), then ran the
/// `$button`'s action, whose own limit was never checked.
#[tokio::test]
async fn a_button_of_another_action_does_not_escape_its_limit_b18() {
    let app = start().await;
    let html = client().get(format!("{}/u", app.url)).send().await.expect("GET").text().await.expect("body");
    let mut multipart = reqwest::multipart::Form::new();
    for (k, v) in hidden(&html, "mixed") {
        multipart = multipart.text(k, v);
    }
    let (name, value) = serac_testkit::button(&html, "small-btn");
    multipart = multipart.text(name, value).text("x", "x".repeat(900_000));
    multipart =
        multipart.part("file", reqwest::multipart::Part::bytes(vec![b'u'; 500_000]).file_name("f.bin"));
    let res = client()
        .post(format!("{}/u", app.url))
        .header("origin", &app.url)
        .multipart(multipart)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 413);
    assert!(app.seen().is_empty(), "neither action ran");
}

/// Regression (found attacking uploads): a JSON or urlencoded body to an
/// upload action was read into memory under the action's large limit.
#[tokio::test]
async fn a_body_that_is_not_multipart_keeps_the_apps_limit_b18() {
    let app = start().await;
    let html = client().get(format!("{}/u", app.url)).send().await.expect("GET").text().await.expect("body");
    let id = hidden(&html, "receive").into_iter().find(|(k, _)| k == "$action").expect("$action").1;
    let body = format!("[{}0]", "0,".repeat(1_000_000)); // 2 MB: under 4 MiB, over the app's 1 MiB
    let res = client()
        .post(format!("{}/u", app.url))
        .header("origin", &app.url)
        .header(serac::protocol::ACTION_HEADER, id)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 413);
    assert!(app.seen().is_empty());
}

/// Uploads on disk, all calls together, stay within their budget: past it,
/// `503` with nothing run and nothing left on disk.
#[tokio::test]
async fn uploads_past_the_disk_budget_are_refused_b18() {
    let config =
        Config::new(serac::KeyRing::from_secrets(&[SECRET]).expect("secret")).uploads_on_disk(1024 * 1024);
    let app = start_with(config).await;
    for js in [true, false] {
        let res = app.send("receive", 2 * 1024 * 1024, &[], js).await;
        assert_eq!(res.status(), 503, "js={js}");
    }
    assert!(app.seen().is_empty());
    let res = app.send("receive", 512 * 1024, &[], true).await;
    assert_eq!(res.status(), 200, "the budget was given back");
}
