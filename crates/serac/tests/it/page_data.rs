//! Data a page reads through `page.cache()` is refreshed by `revalidate_path`
//! and `revalidate_layout` of that page, as Next.js's `revalidatePath` does
//! (S23): not only the cached page goes, but the data read while rendering
//! it, for every page that reads the same key.
//!
//! Its own small app: a "database" of one title, pages that show it through
//! the cache, and actions that change it and revalidate a path or a layout
//! (or nothing, to show the data really is cached).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};
use serac::config::Mode;
use serac::prelude::*;
use serac::{Config, KeyRing};

/// The data source, and how often the pages' loader read it.
#[derive(Clone, Default)]
struct Db {
    title: Arc<Mutex<String>>,
    reads: Arc<Mutex<u32>>,
}

impl Db {
    fn set(&self, title: &str) {
        *self.title.lock().expect("title") = title.to_string();
    }
    fn reads(&self) -> u32 {
        *self.reads.lock().expect("reads")
    }
}

fn db(cx: &Cx) -> Result<Db, ActionError> {
    cx.state::<Db>()
}

#[serac::action]
async fn retitle_quietly(cx: Cx, title: String) -> Result<(), ActionError> {
    db(&cx)?.set(&title);
    Ok(())
}

#[serac::action]
async fn retitle_path(cx: Cx, title: String, path: String) -> Result<(), ActionError> {
    db(&cx)?.set(&title);
    cx.revalidate_path(path);
    Ok(())
}

#[serac::action]
async fn retitle_layout(cx: Cx, title: String, prefix: String) -> Result<(), ActionError> {
    db(&cx)?.set(&title);
    cx.revalidate_layout(prefix);
    Ok(())
}

/// Every page: the title, read through the page's cache under one key, and
/// the ids of the actions.
async fn show(State(db): State<Db>, page: Page) -> Markup {
    let title: String = page
        .cache()
        .load("title", &["titles"], Duration::from_secs(600), || async {
            *db.reads.lock().expect("reads") += 1;
            Ok::<_, std::convert::Infallible>(db.title.lock().expect("title").clone())
        })
        .await
        .unwrap_or_else(|never| match never {});
    html! {
        meta name="quietly" content=(page.id(retitle_quietly::action()));
        meta name="path" content=(page.id(retitle_path::action()));
        meta name="layout" content=(page.id(retitle_layout::action()));
        p #title { (title) }
    }
}

struct App {
    url: String,
    db: Db,
    _task: serac_testkit::AbortOnDrop,
}

async fn start() -> App {
    let db = Db::default();
    db.set("first");
    let router = Router::new()
        .route("/posts/{id}", get(show))
        .route("/posts/{id}/comments", get(show))
        .route("/about", get(show));
    let config = Config::new(KeyRing::from_secrets(&[crate::support::SECRET]).expect("secret"))
        .mode(Mode::Development);
    let app = ActionLayer::new(config).with_state(db.clone()).wrap(router);
    let (url, task) = serac_testkit::serve(app).await;
    App { url, db, _task: serac_testkit::AbortOnDrop(task) }
}

impl App {
    async fn page(&self, path: &str) -> String {
        let res = serac_testkit::client().get(format!("{}{path}", self.url)).send().await.expect("GET");
        assert_eq!(res.status(), 200, "GET {path}");
        res.text().await.expect("body")
    }

    async fn title(&self, path: &str) -> String {
        serac_testkit::text_of(&self.page(path).await, "#title").expect("a title")
    }

    /// Calls the action named `which` (its `meta` on `page`) as the runtime
    /// does, from `page`; the envelope.
    async fn call(&self, page: &str, which: &str, args: serde_json::Value) -> serac::protocol::Envelope {
        let html = self.page(page).await;
        let id = serac_testkit::attr_of(&html, &format!("meta[name={which}]"), "content").expect("an id");
        let res = serac_testkit::client()
            .post(format!("{}{page}", self.url))
            .header("origin", &self.url)
            .header("sec-fetch-site", "same-origin")
            .header(serac::protocol::ACTION_HEADER, id)
            .json(&args)
            .send()
            .await
            .expect("POST");
        assert_eq!(res.status(), 200, "{which}");
        res.json().await.expect("an envelope")
    }
}

fn title_in(envelope: &serac::protocol::Envelope) -> Option<String> {
    serac_testkit::text_of(envelope.html.as_deref()?, "#title")
}

#[tokio::test]
async fn revalidate_path_refreshes_the_data_the_page_read_s23() {
    let app = start().await;
    assert_eq!(app.title("/posts/1").await, "first");
    app.call("/posts/1", "quietly", serde_json::json!(["second"])).await;
    assert_eq!(app.title("/posts/1").await, "first", "the data is cached");

    let envelope = app.call("/posts/1", "path", serde_json::json!(["third", "/posts/1"])).await;
    assert_eq!(envelope.invalidated.paths, ["/posts/1"]);
    assert_eq!(title_in(&envelope).as_deref(), Some("third"), "the page in the answer is fresh");
    assert_eq!(app.title("/posts/1").await, "third", "and so is the next view");
    assert_eq!(app.db.reads(), 2, "read again once, then cached again");
    assert_eq!(app.title("/posts/1").await, "third");
    assert_eq!(app.db.reads(), 2);
}

#[tokio::test]
async fn revalidating_another_path_keeps_the_data_s23() {
    let app = start().await;
    assert_eq!(app.title("/posts/1").await, "first");
    app.call("/posts/1", "path", serde_json::json!(["second", "/posts/2"])).await;
    app.call("/posts/1", "path", serde_json::json!(["third", "/posts/1/comments"])).await;
    assert_eq!(app.title("/posts/1").await, "first", "no page that read it was revalidated");
    assert_eq!(app.db.reads(), 1);
}

#[tokio::test]
async fn revalidate_layout_refreshes_the_data_of_every_page_below_s23() {
    let app = start().await;
    assert_eq!(app.title("/posts/1").await, "first");
    app.call("/posts/1", "layout", serde_json::json!(["second", "/admin"])).await;
    assert_eq!(app.title("/posts/1").await, "first", "another subtree: still cached");

    let envelope = app.call("/posts/1", "layout", serde_json::json!(["third", "/posts"])).await;
    assert_eq!(envelope.invalidated.layouts, ["/posts"]);
    assert_eq!(title_in(&envelope).as_deref(), Some("third"));
    assert_eq!(app.title("/posts/1").await, "third");

    app.call("/about", "layout", serde_json::json!(["fourth", "/"])).await;
    assert_eq!(app.title("/posts/1").await, "fourth", "the root layout holds every page");
}

#[tokio::test]
async fn another_page_reading_the_same_key_sees_the_fresh_data_s23() {
    let app = start().await;
    assert_eq!(app.title("/posts/1").await, "first");
    assert_eq!(app.title("/about").await, "first");
    assert_eq!(app.db.reads(), 1, "one entry for both pages");

    // The page that stored the entry is revalidated: the other page that
    // reads the same key is fresh too.
    app.call("/posts/1", "path", serde_json::json!(["second", "/posts/1"])).await;
    assert_eq!(app.title("/about").await, "second");
    assert_eq!(app.title("/posts/1").await, "second");

    // The answer's page (/posts/1) stored it again and /about read it:
    // revalidating the reader drops it for both.
    app.call("/about", "path", serde_json::json!(["third", "/about"])).await;
    assert_eq!(app.title("/posts/1").await, "third");
    assert_eq!(app.title("/about").await, "third");
}
