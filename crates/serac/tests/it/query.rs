//! Server queries (B19), over real HTTP: `GET` with the arguments in the
//! URL, the answer cached by the browser (`ETag`, `304`) until the data
//! changes, never posted, arguments that do not decode refused with nothing
//! run, other sites and hosts refused, and the function called directly by a
//! page handler.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};
use serac::prelude::*;

use crate::support::{SECRET, client, hidden};

/// The data, and the reads the query made.
#[derive(Clone, Default)]
struct Db {
    customers: Arc<Mutex<Vec<String>>>,
    reads: Arc<Mutex<Vec<String>>>,
}

/// The customers whose name contains `q`, at most `limit`.
#[serac::query]
async fn search(State(db): State<Db>, q: String, limit: u32) -> Result<Vec<String>, ActionError> {
    db.reads.lock().expect("reads").push(q.clone());
    let all = db.customers.lock().expect("customers").clone();
    Ok(all.into_iter().filter(|c| c.contains(&q)).take(limit as usize).collect())
}

/// How many customers there are, through the cache (tag `customers`).
#[serac::query]
async fn count(cx: Cx, State(db): State<Db>) -> Result<usize, ActionError> {
    let ttl = std::time::Duration::from_secs(60);
    cx.cache()
        .load("customers:count", &["customers"], ttl, || async {
            Ok::<_, ActionError>(db.customers.lock().expect("customers").len())
        })
        .await
}

/// The same for everyone, for a minute: shared caches may keep it.
#[serac::query(cache_control = "public, max-age=60")]
async fn plans() -> Result<Vec<&'static str>, ActionError> {
    Ok(vec!["free", "team"])
}

/// Adds a customer, and revalidates what reads them.
#[serac::action]
async fn add(cx: Cx, State(db): State<Db>, name: String) -> Result<(), ActionError> {
    db.customers.lock().expect("customers").push(name);
    cx.revalidate_tag("customers");
    Ok(())
}

async fn page(page: Page, state: State<Db>) -> Markup {
    // A plain call: the first render has the data, no request.
    let first = search(state, String::new(), 10).await.unwrap_or_default();
    html! {
        p #url data-url=(page.query_url(search::query(), &("ac", 10))) data-add=(page.id(add::action()))
            data-count=(page.query_url(count::query(), &())) data-plans=(page.query_url(plans::query(), &())) {}
        ul #first { @for c in &first { li { (c) } } }
        (page.form(add::action()).id("add").body(html! { button { "Add" } }))
    }
}

struct App {
    url: String,
    db: Db,
    _task: serac_testkit::AbortOnDrop,
}

async fn start_with(config: Config) -> App {
    let db = Db::default();
    db.customers.lock().expect("customers").extend(["acme".to_string(), "globex".to_string()]);
    let app = ActionLayer::new(config).with_state(db.clone()).wrap(Router::new().route("/", get(page)));
    let (url, task) = serac_testkit::serve(app).await;
    App { url, db, _task: serac_testkit::AbortOnDrop(task) }
}

async fn start() -> App {
    start_with(Config::new(serac::KeyRing::from_secrets(&[SECRET]).expect("secret"))).await
}

impl App {
    async fn home(&self) -> String {
        client().get(format!("{}/", self.url)).send().await.expect("GET").text().await.expect("body")
    }

    async fn query_url(&self) -> String {
        serac_testkit::attr_of(&self.home().await, "#url", "data-url").expect("url")
    }

    /// `GET path`, with the given headers.
    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut req = client().get(format!("{}{path}", self.url));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        req.send().await.expect("GET")
    }

    fn reads(&self) -> Vec<String> {
        self.db.reads.lock().expect("reads").clone()
    }
}

#[tokio::test]
async fn a_query_is_read_with_get_and_revalidated_by_etag_b19() {
    let app = start().await;
    let home = app.home().await;
    assert_eq!(serac_testkit::text_of(&home, "#first").as_deref(), Some("acmeglobex"), "{home}");
    let url = app.query_url().await;
    assert!(url.starts_with("/_serac/q/") && url.contains("?a="), "{url}");

    let res = app.get(&url, &[]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "private, no-cache");
    let etag = res.headers()["etag"].to_str().expect("etag").to_string();
    assert!(etag.starts_with('"') && etag.len() > 10, "a strong ETag: {etag}");
    assert_eq!(res.json::<Vec<String>>().await.expect("json"), ["acme"]);

    let res = app.get(&url, &[("if-none-match", &etag)]).await;
    assert_eq!(res.status(), 304, "unchanged: not sent again");
    assert_eq!(res.headers()["etag"], etag.as_str());
    assert!(res.bytes().await.expect("body").is_empty());

    // The data changes: the same request gets the new answer and ETag.
    app.db.customers.lock().expect("customers").push("acme two".to_string());
    let res = app.get(&url, &[("if-none-match", &etag)]).await;
    assert_eq!(res.status(), 200);
    assert_ne!(res.headers()["etag"], etag.as_str());
    assert_eq!(res.json::<Vec<String>>().await.expect("json"), ["acme", "acme two"]);
}

#[tokio::test]
async fn a_query_is_never_posted_b19() {
    let app = start().await;
    let url = app.query_url().await;
    let id = url.trim_start_matches("/_serac/q/").split('?').next().expect("id").to_string();
    // The page calls the query itself while rendering: read it first.
    let mut fields = hidden(&app.home().await, "add");
    fields.retain(|(k, _)| k != "$action");
    fields.push(("$action".to_string(), id.clone()));
    let reads = app.reads().len();
    // As the runtime calls an action, as JSON.
    let res = client()
        .post(format!("{}/", app.url))
        .header("origin", &app.url)
        .header(serac::protocol::ACTION_HEADER, &id)
        .header("content-type", "application/json")
        .body(r#"["ac", 10]"#)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 405);
    // As a native form naming it.
    let res = client()
        .post(format!("{}/", app.url))
        .header("origin", &app.url)
        .form(&fields)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 405);
    // To the query's own URL.
    let res = client()
        .post(format!("{}{url}", app.url))
        .header("origin", &app.url)
        .header(serac::protocol::ACTION_HEADER, &id)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 405);
    assert_eq!(app.reads().len(), reads, "the query never ran");
}

#[tokio::test]
async fn arguments_that_do_not_decode_are_refused_and_nothing_runs_b19() {
    let app = start().await;
    let url = app.query_url().await;
    let base = url.split('?').next().expect("path").to_string();
    let reads = app.reads().len();
    for (query, why) in [
        ("?a=not-json", "not JSON"),
        ("?a=%7B%7D", "an object"),
        ("?a=%5B%22ac%22%2C%22ten%22%5D", "a text for a number"),
        ("?a=%5B%22ac%22%5D", "an argument missing"),
        ("", "no arguments for a query that takes two"),
    ] {
        let res = app.get(&format!("{base}{query}"), &[]).await;
        assert_eq!(res.status(), 400, "{why}");
        let envelope: serac::protocol::Envelope = res.json().await.expect("envelope");
        assert!(!envelope.error.expect("error").message.is_empty(), "{why}");
    }
    assert_eq!(app.reads().len(), reads, "the query never ran");
    let res = app.get(&format!("/_serac/q/{}", "0".repeat(40)), &[]).await;
    assert_eq!(res.status(), 404, "an unknown query");
    // An action's id is no query.
    let add = serac_testkit::attr_of(&app.home().await, "#url", "data-add").expect("id");
    let res = app.get(&format!("/_serac/q/{add}?a=%5B%22x%22%5D"), &[]).await;
    assert_eq!(res.status(), 404);
    assert_eq!(app.db.customers.lock().expect("customers").len(), 2, "the action never ran");
}

#[tokio::test]
async fn other_sites_and_unknown_hosts_cannot_read_a_query_b19_r6() {
    let config =
        Config::new(serac::KeyRing::from_secrets(&[SECRET]).expect("secret")).allowed_hosts(["127.0.0.1"]);
    let app = start_with(config).await;
    let url = app.query_url().await;
    let reads = app.reads().len();
    let res = app.get(&url, &[("sec-fetch-site", "cross-site")]).await;
    assert_eq!(res.status(), 403);
    let res = app.get(&url, &[("host", "rebind.evil.example")]).await;
    assert_eq!(res.status(), 403);
    let res = app.get(&url, &[("sec-fetch-site", "same-origin")]).await;
    assert_eq!(res.status(), 200, "the page's own scripts read it");
    assert_eq!(app.reads().len(), reads + 1);
}

/// A query that reads cached data answers the same (`304`) until an action
/// revalidates the data's tag; then its next answer is fresh.
#[tokio::test]
async fn revalidating_a_tag_makes_the_next_answer_fresh_b19() {
    let app = start().await;
    let home = app.home().await;
    let url = serac_testkit::attr_of(&home, "#url", "data-count").expect("url");
    let add = serac_testkit::attr_of(&home, "#url", "data-add").expect("id");
    let first = app.get(&url, &[]).await;
    let etag = first.headers()["etag"].to_str().expect("etag").to_string();
    assert_eq!(first.json::<usize>().await.expect("json"), 2);

    // Changed behind the cache's back: the cached count stands.
    app.db.customers.lock().expect("customers").push("initech".to_string());
    assert_eq!(app.get(&url, &[("if-none-match", &etag)]).await.status(), 304);

    let res = client()
        .post(format!("{}/", app.url))
        .header("origin", &app.url)
        .header(serac::protocol::ACTION_HEADER, add)
        .header("content-type", "application/json")
        .body(r#"["umbrella"]"#)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 200);
    let fresh = app.get(&url, &[("if-none-match", &etag)]).await;
    assert_eq!(fresh.status(), 200, "revalidated: a new answer");
    assert_ne!(fresh.headers()["etag"], etag.as_str());
    assert_eq!(fresh.json::<usize>().await.expect("json"), 4);
}

/// A query may say how its answer is kept; the default is private.
#[tokio::test]
async fn a_query_chooses_its_cache_control_b19() {
    let app = start().await;
    let url = serac_testkit::attr_of(&app.home().await, "#url", "data-plans").expect("url");
    let res = app.get(&url, &[]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "public, max-age=60");
    assert_eq!(res.json::<Vec<String>>().await.expect("json"), ["free", "team"]);
}
