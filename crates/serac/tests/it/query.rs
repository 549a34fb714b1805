//! Server queries (B19), over real HTTP: `GET` with the arguments in the
//! URL, the answer cached by the browser (`ETag`, `304`) until the data
//! changes, never posted, arguments that do not decode refused with nothing
//! run, other sites and hosts refused, and the function called directly by a
//! page handler. Batches (several queries in one request, the calls of a
//! batch query in one run) and single flight (an action's answer carrying
//! the fresh results of the queries the client names).

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

/// The names of the customers at `ids`, in one read however many ids: the
/// calls of one batch run together.
#[serac::query(batch)]
async fn name_of(State(db): State<Db>, ids: Vec<u32>) -> Result<Vec<Option<String>>, ActionError> {
    db.reads.lock().expect("reads").push(format!("names {ids:?}"));
    let all = db.customers.lock().expect("customers").clone();
    Ok(ids.iter().map(|&i| all.get(i as usize).cloned()).collect())
}

/// A batch query with a bug: one result for any number of items.
#[serac::query(batch)]
async fn broken(ids: Vec<u32>) -> Result<Vec<u32>, ActionError> {
    Ok(ids.into_iter().take(1).collect())
}

/// A read that takes longer than anything read along with an action may.
#[serac::query(max_duration_ms = 60000)]
async fn glacial() -> Result<u32, ActionError> {
    tokio::time::sleep(std::time::Duration::from_secs(12)).await;
    Ok(1)
}

/// Every customer, the same for every caller: kept on the server under the
/// tag `customers`.
#[serac::query(tags = ["customers"], keep_secs = 600)]
async fn roster(State(db): State<Db>) -> Result<Vec<String>, ActionError> {
    db.reads.lock().expect("reads").push("roster".to_string());
    Ok(db.customers.lock().expect("customers").clone())
}

/// A tagged batch query with a bug: it drops item 13.
#[serac::query(batch, tags = ["customers"])]
async fn lossy(State(db): State<Db>, items: Vec<u32>) -> Result<Vec<u32>, ActionError> {
    db.reads.lock().expect("reads").push("lossy".to_string());
    Ok(items.into_iter().filter(|i| *i != 13).collect())
}

/// A slow read whose answer is kept: readers of one key wait for each other.
#[serac::query(tags = ["customers"], max_duration_ms = 60000)]
async fn slow_kept() -> Result<u32, ActionError> {
    tokio::time::sleep(std::time::Duration::from_secs(12)).await;
    Ok(1)
}

/// Who the `user` cookie says the caller is.
#[serac::query]
async fn whoami(cx: Cx) -> Result<Option<String>, ActionError> {
    Ok(cx.cookies().get("user"))
}

/// Signs in as `name`: sets the `user` cookie.
#[serac::action]
async fn sign_in(cx: Cx, name: String) -> Result<(), ActionError> {
    cx.cookies().set(serac::Cookie::new("user", name));
    Ok(())
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
            data-count=(page.query_url(count::query(), &())) data-plans=(page.query_url(plans::query(), &()))
            data-name0=(page.query_url(name_of::query(), &(0,))) data-name1=(page.query_url(name_of::query(), &(1,)))
            data-name5=(page.query_url(name_of::query(), &(5,))) data-broken=(page.query_url(broken::query(), &(1,)))
            data-broken2=(page.query_url(broken::query(), &(2,))) data-whoami=(page.query_url(whoami::query(), &()))
            data-sign-in=(page.id(sign_in::action())) data-glacial=(page.query_url(glacial::query(), &()))
            data-roster=(page.query_url(roster::query(), &()))
            data-lossy=(page.query_url(lossy::query(), &(13,))) data-slow-kept=(page.query_url(slow_kept::query(), &())) {}
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

/// The URL attribute `name` of the home page's `#url`.
async fn url_of(app: &App, name: &str) -> String {
    serac_testkit::attr_of(&app.home().await, "#url", name).expect("url")
}

/// `/_serac/qb` naming `urls`.
fn batch_of(urls: &[&str]) -> String {
    let mut out = String::from("/_serac/qb?");
    out.push_str(
        &form_urlencoded::Serializer::new(String::new())
            .extend_pairs(urls.iter().map(|u| ("u", *u)))
            .finish(),
    );
    out
}

#[tokio::test]
async fn a_batch_reads_several_queries_in_one_request_b19() {
    let app = start().await;
    let (search, count) = (app.query_url().await, url_of(&app, "data-count").await);
    let names = [
        url_of(&app, "data-name0").await,
        url_of(&app, "data-name1").await,
        url_of(&app, "data-name5").await,
    ];
    let add = url_of(&app, "data-add").await;
    let unknown = format!("/_serac/q/{}", "0".repeat(40));
    let an_action = format!("/_serac/q/{add}?a=%5B%22x%22%5D");
    let urls = [&search, &names[0], &count, &names[1], &unknown, &names[2], &an_action];
    let url = batch_of(&urls.map(String::as_str));
    let reads = app.reads().len();
    let res = app.get(&url, &[]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "private, no-cache");
    let etag = res.headers()["etag"].to_str().expect("etag").to_string();
    let answers: Vec<serac::protocol::QueryResult> = res.json().await.expect("json");
    assert_eq!(answers.len(), urls.len(), "one answer per query, in order");
    for (answer, url) in answers.iter().zip(urls) {
        assert_eq!(&answer.url, url);
    }
    let results: Vec<_> = answers.iter().map(|a| a.result.clone()).collect();
    assert_eq!(results[0], serde_json::json!(["acme"]));
    assert_eq!(results[1], serde_json::json!("acme"));
    assert_eq!(results[2], serde_json::json!(2));
    assert_eq!(results[3], serde_json::json!("globex"));
    assert_eq!(results[5], serde_json::json!(null), "no customer 5");
    for refused in [4, 6] {
        let error = answers[refused].error.as_ref().expect("refused");
        assert!(!answers[refused].ok);
        assert_eq!(
            (error.kind.as_str(), error.status),
            ("unknown_action", 404),
            "an unknown id, an action's id"
        );
    }
    // Each result's ETag is the one a GET of its URL answers.
    let single = app.get(&names[1], &[]).await;
    assert_eq!(single.headers()["etag"].to_str().ok(), answers[3].etag.as_deref());
    assert_eq!(single.json::<Option<String>>().await.expect("json").as_deref(), Some("globex"));
    // The batch query ran once for its three calls of the batch.
    let new_reads: Vec<String> = app.reads()[reads..].to_vec();
    assert!(new_reads.contains(&"names [0, 1, 5]".to_string()), "{new_reads:?}");
    assert_eq!(
        new_reads.iter().filter(|r| r.starts_with("names")).count(),
        2,
        "the batch, then the GET: {new_reads:?}"
    );
    assert_eq!(app.db.customers.lock().expect("customers").len(), 2, "the action never ran");

    let res = app.get(&url, &[("if-none-match", &etag)]).await;
    assert_eq!(res.status(), 304, "the same answers: not sent again");
}

#[tokio::test]
async fn batches_are_refused_with_nothing_run_when_malformed_b19() {
    let app = start().await;
    let search = app.query_url().await;
    let reads = app.reads().len();
    let res = app.get("/_serac/qb", &[]).await;
    assert_eq!(res.status(), 400, "no query named");
    let envelope: serac::protocol::Envelope = res.json().await.expect("envelope");
    assert!(envelope.error.expect("error").message.contains("u=<query URL>"));
    let many = vec![search.as_str(); serac::protocol::MAX_QUERIES + 1];
    assert_eq!(app.get(&batch_of(&many), &[]).await.status(), 400, "too many");
    let res = app.get(&batch_of(&[&search]), &[("sec-fetch-site", "cross-site")]).await;
    assert_eq!(res.status(), 403, "another site");
    assert_eq!(app.reads().len(), reads, "nothing ran");

    // A batch query's URL with two items, or none: that entry is refused.
    let name0 = url_of(&app, "data-name0").await;
    let two = name0.replace("%5B0%5D", "%5B0%2C1%5D");
    assert_ne!(two, name0);
    let none = name0.split('?').next().expect("path").to_string();
    // The home page read `search` while rendering.
    let reads = app.reads().len();
    let answers: Vec<serac::protocol::QueryResult> =
        app.get(&batch_of(&[&two, &none]), &[]).await.json().await.expect("json");
    for answer in &answers {
        assert_eq!(answer.error.as_ref().map(|e| e.status), Some(400), "{answer:?}");
    }
    assert_eq!(app.get(&two, &[]).await.status(), 400, "the same read alone");
    assert_eq!(app.reads().len(), reads, "nothing ran");
}

#[tokio::test]
async fn a_batch_query_answering_the_wrong_count_is_an_error_for_each_call_b19() {
    let app = start().await;
    let (one, two) = (url_of(&app, "data-broken").await, url_of(&app, "data-broken2").await);
    // Alone, one item gets its one result.
    assert_eq!(app.get(&one, &[]).await.json::<u32>().await.expect("json"), 1);
    let answers: Vec<serac::protocol::QueryResult> =
        app.get(&batch_of(&[&one, &two]), &[]).await.json().await.expect("json");
    for answer in &answers {
        let error = answer.error.as_ref().expect("error");
        assert_eq!((error.kind.as_str(), error.status), ("internal", 500), "{answer:?}");
    }
}

impl App {
    /// Posts action `id` as the runtime does, with JSON `args` and `headers`.
    async fn call(&self, id: &str, args: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut req = client()
            .post(format!("{}/", self.url))
            .header("origin", &self.url)
            .header(serac::protocol::ACTION_HEADER, id)
            .header("content-type", "application/json")
            .body(args.to_string());
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        req.send().await.expect("POST")
    }
}

#[tokio::test]
async fn an_action_answers_with_the_fresh_results_of_the_queries_named_b19() {
    let app = start().await;
    let (search, count, add) =
        (app.query_url().await, url_of(&app, "data-count").await, url_of(&app, "data-add").await);
    let before = app.get(&count, &[]).await;
    let etag = before.headers()["etag"].to_str().expect("etag").to_string();
    assert_eq!(before.json::<usize>().await.expect("json"), 2);

    let named = format!("{count} {search}");
    let res = app.call(&add, r#"["acme three"]"#, &[(serac::protocol::QUERIES_HEADER, &named)]).await;
    assert_eq!(res.status(), 200);
    let envelope: serac::protocol::Envelope = res.json().await.expect("envelope");
    let queries = envelope.queries.expect("the queries named");
    assert_eq!(queries.len(), 2);
    assert_eq!(
        (queries[0].url.as_str(), &queries[0].result),
        (count.as_str(), &serde_json::json!(3)),
        "fresh: read after the revalidation"
    );
    assert_eq!(queries[1].result, serde_json::json!(["acme", "acme three"]));
    // The ETag is the one a GET now answers: the client can revalidate with it.
    let after = app.get(&count, &[("if-none-match", queries[0].etag.as_deref().expect("etag"))]).await;
    assert_eq!(after.status(), 304);
    assert_ne!(queries[0].etag.as_deref(), Some(etag.as_str()));

    // Not named, not sent.
    let res = app.call(&add, r#"["initech"]"#, &[]).await;
    let body = res.text().await.expect("body");
    assert!(!body.contains("\"queries\""), "{body}");
}

#[tokio::test]
async fn what_a_call_names_in_serac_queries_runs_only_queries_b19() {
    let app = start().await;
    let (search, add) = (app.query_url().await, url_of(&app, "data-add").await);
    let customers = || app.db.customers.lock().expect("customers").len();

    // An action's id where a query's belongs: an error entry, never run.
    let as_query = format!("/_serac/q/{add}?a=%5B%22from%20the%20header%22%5D");
    let res = app.call(&add, r#"["acme three"]"#, &[(serac::protocol::QUERIES_HEADER, &as_query)]).await;
    let envelope: serac::protocol::Envelope = res.json().await.expect("envelope");
    let entry = &envelope.queries.expect("entries")[0];
    assert_eq!(entry.error.as_ref().map(|e| e.status), Some(404), "{entry:?}");
    assert_eq!(customers(), 3, "the call ran once, the header's action never");

    // Not a query URL, or too many: the call is refused and nothing runs.
    let many = vec![search.as_str(); serac::protocol::MAX_QUERIES + 1].join(" ");
    for (named, why) in [("/admin/delete-everything", "another URL"), (many.as_str(), "too many")] {
        let res = app.call(&add, r#"["globex two"]"#, &[(serac::protocol::QUERIES_HEADER, named)]).await;
        assert_eq!(res.status(), 400, "{why}");
        let envelope: serac::protocol::Envelope = res.json().await.expect("envelope");
        assert!(envelope.error.expect("error").message.contains("serac-queries"), "{why}");
    }
    assert_eq!(customers(), 3, "refused calls ran nothing");

    // A failed call carries no query results.
    let res = app.call(&add, r#"[42, 43]"#, &[(serac::protocol::QUERIES_HEADER, &search)]).await;
    assert_eq!(res.status(), 400);
    let body = res.text().await.expect("body");
    assert!(!body.contains("\"queries\""), "{body}");
}

/// The queries read along with an action see the cookies as the action
/// left them, as the page rendered next does.
#[tokio::test]
async fn queries_read_along_see_the_cookies_the_action_set_b19() {
    let app = start().await;
    let (whoami, sign_in) = (url_of(&app, "data-whoami").await, url_of(&app, "data-sign-in").await);
    assert_eq!(app.get(&whoami, &[]).await.json::<Option<String>>().await.expect("json"), None);
    let res = app.call(&sign_in, r#"["ada"]"#, &[(serac::protocol::QUERIES_HEADER, &whoami)]).await;
    assert!(res.headers().get("set-cookie").is_some());
    let envelope: serac::protocol::Envelope = res.json().await.expect("envelope");
    assert_eq!(envelope.queries.expect("queries")[0].result, serde_json::json!("ada"));
}

/// One URL named many times is read once: a batch or an action's
/// `serac-queries` cannot multiply the work of one request.
#[tokio::test]
async fn a_query_named_many_times_in_one_request_is_read_once_b19() {
    let app = start().await;
    let (search, add) = (app.query_url().await, url_of(&app, "data-add").await);
    let many = vec![search.as_str(); serac::protocol::MAX_QUERIES];
    let reads = app.reads().len();
    let answers: Vec<serac::protocol::QueryResult> =
        app.get(&batch_of(&many), &[]).await.json().await.expect("json");
    assert_eq!(answers.len(), serac::protocol::MAX_QUERIES);
    assert!(answers.iter().all(|a| a.result == serde_json::json!(["acme"])), "{answers:?}");
    assert_eq!(app.reads().len(), reads + 1, "read once");

    let named = many.join(" ");
    // `none`: the page rendered again would read `search` itself.
    let headers =
        [(serac::protocol::QUERIES_HEADER, named.as_str()), (serac::protocol::RENDER_HEADER, "none")];
    let res = app.call(&add, r#"["acme two"]"#, &headers).await;
    let envelope: serac::protocol::Envelope = res.json().await.expect("envelope");
    assert_eq!(envelope.queries.expect("queries").len(), serac::protocol::MAX_QUERIES);
    assert_eq!(app.reads().len(), reads + 2, "read once along with the action");
}

/// One item of a batch query that does not decode fails its own call only:
/// the others are still answered.
#[tokio::test]
async fn a_bad_item_fails_only_its_own_call_of_a_batch_query_b19() {
    let app = start().await;
    let name0 = url_of(&app, "data-name0").await;
    let name1 = url_of(&app, "data-name1").await;
    let bad = name0.replace("%5B0%5D", "%5B%22x%22%5D");
    assert_ne!(bad, name0);
    let unparsable = format!("{} b", name0.replace("%5B0%5D", "%5B0%5D&x=a"));
    let answers: Vec<serac::protocol::QueryResult> =
        app.get(&batch_of(&[&name0, &bad, &name1, &unparsable]), &[]).await.json().await.expect("json");
    assert_eq!(answers[0].result, serde_json::json!("acme"), "{answers:?}");
    assert_eq!(answers[2].result, serde_json::json!("globex"), "{answers:?}");
    for refused in [1, 3] {
        assert_eq!(answers[refused].error.as_ref().map(|e| e.status), Some(400), "{answers:?}");
    }
}

/// A query read along with an action stops at 10 s whatever its own limit:
/// the answer must be written while the call's idempotency claim holds.
#[tokio::test]
async fn a_query_read_along_with_an_action_stops_at_ten_seconds_b19() {
    let app = start().await;
    let (glacial, add) = (url_of(&app, "data-glacial").await, url_of(&app, "data-add").await);
    let started = std::time::Instant::now();
    let headers =
        [(serac::protocol::QUERIES_HEADER, glacial.as_str()), (serac::protocol::RENDER_HEADER, "none")];
    let res = app.call(&add, r#"["umbrella"]"#, &headers).await;
    let took = started.elapsed();
    assert_eq!(res.status(), 200, "the action's own answer stands");
    let envelope: serac::protocol::Envelope = res.json().await.expect("envelope");
    let entry = &envelope.queries.expect("queries")[0];
    assert_eq!(entry.error.as_ref().map(|e| e.kind.as_str()), Some("timeout"), "{entry:?}");
    assert!(took < std::time::Duration::from_secs(12), "stopped before the query's end: {took:?}");
}

/// A query with tags of its own is kept on the server: the function runs
/// once for every caller until an action revalidates one of its tags.
#[tokio::test]
async fn a_query_with_tags_is_kept_until_an_action_revalidates_them_b19() {
    let app = start().await;
    let (roster, add) = (url_of(&app, "data-roster").await, url_of(&app, "data-add").await);
    let runs = || app.reads().iter().filter(|r| *r == "roster").count();
    let first = app.get(&roster, &[]).await;
    let etag = first.headers()["etag"].to_str().expect("etag").to_string();
    assert_eq!(first.json::<Vec<String>>().await.expect("json"), ["acme", "globex"]);
    // Another caller, and data changed behind the cache's back: the kept answer.
    app.db.customers.lock().expect("customers").push("initech".to_string());
    let again = app.get(&roster, &[("cookie", "user=someone-else")]).await;
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert_eq!(app.get(&roster, &[("if-none-match", &etag)]).await.status(), 304);
    assert_eq!(runs(), 1, "run once for every read");

    let res = app.call(&add, r#"["umbrella"]"#, &[(serac::protocol::RENDER_HEADER, "none")]).await;
    assert_eq!(res.status(), 200);
    let fresh = app.get(&roster, &[("if-none-match", &etag)]).await;
    assert_eq!(fresh.status(), 200, "revalidated by the action's tag");
    assert_eq!(fresh.json::<Vec<String>>().await.expect("json"), ["acme", "globex", "initech", "umbrella"]);
    assert_eq!(runs(), 2);
}

/// A batch query's wrong count is an error, and an error is never kept:
/// the next read runs the query again.
#[tokio::test]
async fn a_tagged_batch_querys_wrong_count_is_not_kept_b19() {
    let app = start().await;
    let lossy = url_of(&app, "data-lossy").await;
    for _ in 0..2 {
        let res = app.get(&lossy, &[]).await;
        assert_eq!(res.status(), 500);
    }
    assert_eq!(app.reads().iter().filter(|r| *r == "lossy").count(), 2, "run for each read");
}

/// The 10 s of a query read along with an action count the wait for
/// another reader of the same kept answer.
#[tokio::test]
async fn waiting_for_another_reader_counts_in_the_ten_seconds_b19() {
    let app = start().await;
    let (slow, add) = (url_of(&app, "data-slow-kept").await, url_of(&app, "data-add").await);
    let reader = {
        let (base, slow) = (app.url.clone(), slow.clone());
        tokio::spawn(async move { client().get(format!("{base}{slow}")).send().await.map(|r| r.status()) })
    };
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let started = std::time::Instant::now();
    let headers =
        [(serac::protocol::QUERIES_HEADER, slow.as_str()), (serac::protocol::RENDER_HEADER, "none")];
    let res = app.call(&add, r#"["umbrella"]"#, &headers).await;
    let took = started.elapsed();
    let envelope: serac::protocol::Envelope = res.json().await.expect("envelope");
    let entry = &envelope.queries.expect("queries")[0];
    assert_eq!(entry.error.as_ref().map(|e| e.kind.as_str()), Some("timeout"), "{entry:?}");
    assert!(took < std::time::Duration::from_millis(11_000), "stopped at 10 s: {took:?}");
    reader.abort();
}
