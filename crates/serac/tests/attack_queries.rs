//! Attacker's probes of queries, batches and single flight (B19).
//!
//! Each test prints `PROBE <name>: <status> <body>` lines (run with
//! `--nocapture` to see them) and asserts what was observed. Tests named
//! `holds_*` assert that a guarantee held; tests named `finding_*` assert
//! the behaviour that contradicts a documented guarantee (they pass while
//! the bug is there).
//!
//! Run: `CARGO_TARGET_DIR=/work/target-attack cargo test -p serac --test attack_queries -- --nocapture`

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};
use serac::config::Mode;
use serac::idempotency::{Claim, Fingerprint, IdempotencyStore, StoreError, StoreFuture, StoredAnswer};
use serac::prelude::*;
use serac::protocol::{ACTION_HEADER, Envelope, MAX_QUERIES, QUERIES_HEADER, QueryResult};
use serde_json::{Value, json};

const SECRET: [u8; 32] = [9; 32];
const IDEMPOTENCY: &str = "serac-idempotency-key";

fn client() -> reqwest::Client {
    serac_testkit::client()
}

// ---------------------------------------------------------------- the app

#[derive(Clone, Default)]
struct Db {
    customers: Arc<Mutex<Vec<String>>>,
    search_runs: Arc<AtomicUsize>,
    name_runs: Arc<Mutex<Vec<Vec<Value>>>>,
    seen_runs: Arc<AtomicUsize>,
    expensive_runs: Arc<AtomicUsize>,
    bumps: Arc<AtomicUsize>,
    admin_hits: Arc<AtomicUsize>,
}

#[serac::query]
async fn search(State(db): State<Db>, q: String, limit: u32) -> Result<Vec<String>, ActionError> {
    db.search_runs.fetch_add(1, SeqCst);
    let all = db.customers.lock().expect("customers").clone();
    Ok(all.into_iter().filter(|c| c.contains(&q)).take(limit as usize).collect())
}

#[serac::query]
async fn count(cx: Cx, State(db): State<Db>) -> Result<usize, ActionError> {
    cx.cache()
        .load("customers:count", &["customers"], Duration::from_secs(60), || async {
            Ok::<_, ActionError>(db.customers.lock().expect("customers").len())
        })
        .await
}

/// A batch query: the names at `ids`.
#[serac::query(batch)]
async fn name_of(State(db): State<Db>, ids: Vec<u32>) -> Result<Vec<Option<String>>, ActionError> {
    db.name_runs.lock().expect("runs").push(ids.iter().map(|i| json!(i)).collect());
    let all = db.customers.lock().expect("customers").clone();
    Ok(ids.iter().map(|&i| all.get(i as usize).cloned()).collect())
}

/// What the query's `Cx` sees of the request.
#[serac::query]
async fn seen(cx: Cx, State(db): State<Db>) -> Result<Value, ActionError> {
    db.seen_runs.fetch_add(1, SeqCst);
    let headers: HashMap<String, String> = cx
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    Ok(json!({ "uri": cx.uri().to_string(), "headers": headers }))
}

/// Stands for a costly read: counts its runs.
#[serac::query]
async fn expensive(State(db): State<Db>) -> Result<usize, ActionError> {
    Ok(db.expensive_runs.fetch_add(1, SeqCst))
}

/// An internal error with a secret in its message.
#[serac::query]
async fn boom() -> Result<u32, ActionError> {
    Err(ActionError::internal("db password=hunter2 at 10.0.0.5"))
}

/// A query over its time limit.
#[serac::query(max_duration_ms = 300)]
async fn slow() -> Result<u32, ActionError> {
    tokio::time::sleep(Duration::from_secs(5)).await;
    Ok(1)
}

/// A batch query that answers one result for any number of items.
#[serac::query(batch)]
async fn broken(ids: Vec<u32>) -> Result<Vec<u32>, ActionError> {
    Ok(ids.into_iter().take(1).collect())
}

#[serac::action]
async fn add(cx: Cx, State(db): State<Db>, name: String) -> Result<(), ActionError> {
    db.customers.lock().expect("customers").push(name);
    cx.revalidate_tag("customers");
    Ok(())
}

#[serac::action]
async fn sign_in(cx: Cx, name: String) -> Result<(), ActionError> {
    cx.cookies().set(serac::Cookie::new("user", name));
    Ok(())
}

#[serac::action]
async fn fails(_name: String) -> Result<(), ActionError> {
    Err(ActionError::invalid("name", "bad name"))
}

#[serac::action]
async fn goes_home() -> Result<(), ActionError> {
    Err(redirect("/"))
}

#[serac::action]
async fn bump(State(db): State<Db>) -> Result<usize, ActionError> {
    Ok(db.bumps.fetch_add(1, SeqCst) + 1)
}

/// An action with a short limit of its own (for the idempotency claim).
#[serac::action(max_duration_ms = 100)]
async fn quick(State(db): State<Db>) -> Result<usize, ActionError> {
    Ok(db.bumps.fetch_add(1, SeqCst) + 1)
}

/// A query allowed to run long (its own limit), sleeping past the 30 s
/// slack an idempotency claim gets beyond the action's limit.
#[serac::query(max_duration_ms = 40000)]
async fn very_slow() -> Result<u32, ActionError> {
    tokio::time::sleep(Duration::from_secs(31)).await;
    Ok(7)
}

async fn home(page: Page) -> Markup {
    html! {
        (page.form(bump::action()).id("bump").body(html! { button { "Bump" } }))
    }
}

/// Every id and URL a probe needs, as JSON.
async fn ids(page: Page) -> axum::Json<Value> {
    axum::Json(json!({
        "search": page.query_url(search::query(), &("ac", 10)),
        "count": page.query_url(count::query(), &()),
        "name0": page.query_url(name_of::query(), &(0,)),
        "name1": page.query_url(name_of::query(), &(1,)),
        "name_x": page.query_url(name_of::query(), &("x",)),
        "name_pair": page.query_url(name_of::query(), &([1, 2],)),
        "name_null": page.query_url(name_of::query(), &(Option::<u32>::None,)),
        "name_neg": page.query_url(name_of::query(), &(-1,)),
        "seen": page.query_url(seen::query(), &()),
        "expensive": page.query_url(expensive::query(), &()),
        "boom": page.query_url(boom::query(), &()),
        "slow": page.query_url(slow::query(), &()),
        "very_slow": page.query_url(very_slow::query(), &()),
        "broken1": page.query_url(broken::query(), &(1,)),
        "broken2": page.query_url(broken::query(), &(2,)),
        "add": page.id(add::action()),
        "sign_in": page.id(sign_in::action()),
        "fails": page.id(fails::action()),
        "goes_home": page.id(goes_home::action()),
        "bump": page.id(bump::action()),
        "quick": page.id(quick::action()),
    }))
}

struct App {
    url: String,
    db: Db,
    ids: Value,
    _task: serac_testkit::AbortOnDrop,
}

fn config(mode: Mode) -> Config {
    Config::new(serac::KeyRing::from_secrets(&[SECRET]).expect("secret")).mode(mode)
}

async fn start_layer(config: Config, tune: impl FnOnce(ActionLayer) -> ActionLayer) -> App {
    let db = Db::default();
    db.customers.lock().expect("customers").extend(["acme".to_string(), "globex".to_string()]);
    let admin = db.admin_hits.clone();
    let router = Router::new().route("/", get(home)).route("/ids", get(ids)).route(
        "/admin",
        get(move || {
            let admin = admin.clone();
            async move {
                admin.fetch_add(1, SeqCst);
                "admin"
            }
        }),
    );
    let app = tune(ActionLayer::new(config).with_state(db.clone())).wrap(router);
    let (url, task) = serac_testkit::serve(app).await;
    let ids: Value =
        client().get(format!("{url}/ids")).send().await.expect("ids").json().await.expect("json");
    App { url, db, ids, _task: serac_testkit::AbortOnDrop(task) }
}

async fn start_with(config: Config) -> App {
    start_layer(config, |l| l).await
}

async fn start() -> App {
    start_with(config(Mode::Development)).await
}

fn batch_of(urls: &[&str]) -> String {
    let mut out = String::from("/_serac/qb?");
    out.push_str(
        &form_urlencoded::Serializer::new(String::new())
            .extend_pairs(urls.iter().map(|u| ("u", *u)))
            .finish(),
    );
    out
}

fn id_of(url: &str) -> String {
    url.trim_start_matches("/_serac/q/").split('?').next().expect("id").to_string()
}

impl App {
    fn s(&self, name: &str) -> String {
        self.ids[name].as_str().unwrap_or_else(|| panic!("no {name}")).to_string()
    }

    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut req = client().get(format!("{}{path}", self.url));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.expect("GET")
    }

    /// A JavaScript call of action `id`, JSON `args`, extra `headers`.
    async fn call(&self, id: &str, args: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut req = client()
            .post(format!("{}/", self.url))
            .header("origin", &self.url)
            .header(ACTION_HEADER, id)
            .header("content-type", "application/json")
            .body(args.to_string());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.expect("POST")
    }

    fn customers(&self) -> usize {
        self.db.customers.lock().expect("customers").len()
    }
}

async fn show(name: &str, res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let body = res.text().await.expect("body");
    let shown: String = body.chars().take(600).collect();
    println!("PROBE {name}: {status} {shown}");
    (status, body)
}

fn entries(body: &str) -> Vec<QueryResult> {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not a batch ({e}): {body}"))
}

fn envelope(body: &str) -> Envelope {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not an envelope ({e}): {body}"))
}

fn statuses(entries: &[QueryResult]) -> Vec<Option<u16>> {
    entries.iter().map(|e| e.error.as_ref().map(|e| e.status)).collect()
}

// ---------------------------------------------------------------- batches

/// Odd URLs in a batch: nested batch, absolute URL, traversal, fragments,
/// an action's id, an upper-cased or percent-encoded id. All are error
/// entries; nothing but queries runs, no app route is reached.
#[tokio::test]
async fn holds_odd_urls_in_a_batch_run_nothing() {
    let app = start().await;
    let (search, count, add) = (app.s("search"), app.s("count"), app.s("add"));
    let sid = id_of(&search);
    let args = search.split_once('?').expect("args").1.to_string();
    let nested = batch_of(&[&search]);
    let urls = [
        nested.clone(),                                                      // 0 a batch inside a batch
        format!("http://evil.example/_serac/q/{sid}?{args}"),                // 1 absolute
        format!("//evil.example/_serac/q/{sid}?{args}"),                     // 2 scheme-relative
        format!("/_serac/q/../../admin"),                                    // 3 traversal
        format!("/_serac/q/{sid}/../{sid}?{args}"),                          // 4 traversal keeping the id
        format!("{search}#frag"),                                            // 5 fragment after the args
        format!("{count}#frag"),                                             // 6 fragment on the id
        format!("/_serac/q/{add}?a=%5B%22from-batch%22%5D"),                 // 7 an action's id
        format!("/_serac/q/{}?{args}", sid.to_uppercase()),                  // 8 upper-cased id
        format!("/_serac/q/%{:02x}{}?{args}", sid.as_bytes()[0], &sid[1..]), // 9 percent-encoded id
        format!("/_serac/q/{sid}?{args}&a=%5B%22zz%22%2C1%5D"),              // 10 two `a`: the first wins
        format!("/_serac/q/{sid}?{args}&%24action={add}"),                   // 11 `$action` in a query URL
    ];
    let runs = app.db.search_runs.load(SeqCst);
    let (status, body) =
        show("batch/odd-urls", app.get(&batch_of(&urls.each_ref().map(String::as_str)), &[]).await).await;
    assert_eq!(status, 200);
    let got = entries(&body);
    println!("PROBE batch/odd-urls statuses: {:?}", statuses(&got));
    for i in 0..=9 {
        assert!(!got[i].ok, "entry {i} {}: {:?}", urls[i], got[i]);
    }
    assert!(got[10].ok && got[11].ok, "plain search URLs with extra params read the search");
    assert_eq!(got[10].result, json!(["acme"]), "the first `a` wins, as in a GET");
    assert_eq!(app.db.search_runs.load(SeqCst), runs + 2, "only the two real search URLs ran");
    assert_eq!(app.customers(), 2, "the action never ran");
    assert_eq!(app.db.admin_hits.load(SeqCst), 0, "no app route was reached");

    // The same URL with `$action` read alone: a query, the action ignored.
    let (status, _) = show("get/query-with-$action", app.get(&urls[11], &[]).await).await;
    assert_eq!(status, 200);
    assert_eq!(app.customers(), 2);
}

/// Methods and headers a batch URL should not answer to.
#[tokio::test]
async fn holds_batch_methods_sites_and_headers() {
    let config = config(Mode::Development).allowed_hosts(["127.0.0.1"]);
    let app = start_with(config).await;
    let (search, add) = (app.s("search"), app.s("add"));
    let qb = batch_of(&[&search]);
    let runs = || app.db.search_runs.load(SeqCst);
    let before = runs();

    let (s, _) = show("qb/cross-site", app.get(&qb, &[("sec-fetch-site", "cross-site")]).await).await;
    assert_eq!(s, 403);
    let (s, _) = show("qb/cross-site-upper", app.get(&qb, &[("sec-fetch-site", "CROSS-SITE")]).await).await;
    assert_eq!(s, 403);
    let (s, _) = show("qb/foreign-host", app.get(&qb, &[("host", "evil.example")]).await).await;
    assert_eq!(s, 403);
    let (s, _) =
        show("qb/foreign-host-port", app.get(&qb, &[("host", "127.0.0.1.evil.example")]).await).await;
    assert_eq!(s, 403);
    let (s, _) = show("qb/GET-with-serac-action", app.get(&qb, &[(ACTION_HEADER, &add)]).await).await;
    assert_eq!(s, 405);
    assert_eq!(runs(), before, "nothing ran");

    // Same-site (a sibling subdomain) and no Sec-Fetch-Site at all: read.
    // (A browser still keeps the body from another origin: no CORS header.)
    let res = app.get(&qb, &[("sec-fetch-site", "same-site"), ("origin", "http://evil.127.0.0.1")]).await;
    let acao = res.headers().get("access-control-allow-origin").cloned();
    let (s, _) = show("qb/same-site+foreign-origin", res).await;
    assert_eq!(s, 200);
    assert!(acao.is_none());
    assert_eq!(runs(), before + 1);

    // HEAD runs the queries like GET (a read), the body dropped.
    let res = client().head(format!("{}{qb}", app.url)).send().await.expect("HEAD");
    let (s, _) = show("qb/HEAD", res).await;
    assert_eq!(s, 200);
    assert_eq!(runs(), before + 2);

    // POST to /_serac/qb: no query runs.
    for (name, ct, body) in [
        ("qb/POST-json", "application/json", "[]".to_string()),
        ("qb/POST-form", "application/x-www-form-urlencoded", format!("u={}", urlenc(&search))),
    ] {
        let res = client()
            .post(format!("{}{qb}", app.url))
            .header("origin", &app.url)
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .expect("POST");
        let (s, _) = show(name, res).await;
        assert_ne!(s, 200);
    }
    // POST to /_serac/qb naming the query in serac-action: refused.
    let res = client()
        .post(format!("{}{qb}", app.url))
        .header("origin", &app.url)
        .header(ACTION_HEADER, id_of(&search))
        .header("content-type", "application/json")
        .body(r#"["ac",10]"#)
        .send()
        .await
        .expect("POST");
    let (s, _) = show("qb/POST-serac-action=query", res).await;
    assert_eq!(s, 405);
    assert_eq!(runs(), before + 2, "no POST ran a query");

    // PUT/DELETE to a query URL: not a query read.
    for method in [reqwest::Method::PUT, reqwest::Method::DELETE, reqwest::Method::OPTIONS] {
        let res = client().request(method.clone(), format!("{}{search}", app.url)).send().await.expect("req");
        let (s, _) = show(&format!("q/{method}"), res).await;
        assert_ne!(s, 200);
    }
    assert_eq!(runs(), before + 2);

    // An action posted (same origin) to /_serac/qb runs: actions run
    // wherever they are posted. Its envelope carries no page (the app has
    // no /_serac/qb page).
    let res = client()
        .post(format!("{}{qb}", app.url))
        .header("origin", &app.url)
        .header(ACTION_HEADER, &add)
        .header("content-type", "application/json")
        .body(r#"["posted-to-qb"]"#)
        .send()
        .await
        .expect("POST");
    let (s, body) = show("qb/POST-serac-action=action", res).await;
    assert_eq!(s, 200);
    assert!(envelope(&body).html.is_none());
    assert_eq!(app.customers(), 3, "the action ran (as on any path)");
    assert_eq!(runs(), before + 2, "and no query of the URL ran");
}

fn urlenc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The documented guarantee: "An entry that cannot be read (… arguments
/// that do not decode) is an error entry and runs nothing; the others still
/// run". For a batch query, one call whose item does not decode fails every
/// call of that query in the batch.
#[tokio::test]
async fn finding_one_bad_batch_query_item_fails_the_other_calls() {
    let app = start().await;
    let (name0, name1) = (app.s("name0"), app.s("name1"));
    // Alone: name0 reads, name_x is a 400.
    let (s, _) = show("q/name_of[0]", app.get(&name0, &[]).await).await;
    assert_eq!(s, 200);
    for bad in ["name_x", "name_pair", "name_null", "name_neg"] {
        let (s, _) = show(&format!("q/{bad}"), app.get(&app.s(bad), &[]).await).await;
        assert_eq!(s, 400, "{bad} alone is refused");
    }

    for bad in ["name_x", "name_pair", "name_null", "name_neg"] {
        let bad_url = app.s(bad);
        let (s, body) = show(
            &format!("qb/name0+name1+{bad}"),
            app.get(&batch_of(&[&name0, &name1, &bad_url]), &[]).await,
        )
        .await;
        assert_eq!(s, 200);
        let got = entries(&body);
        println!("PROBE qb/name0+name1+{bad} statuses: {:?}", statuses(&got));
        assert!(!got[0].ok && !got[1].ok, "FINDING: the good calls fail with the bad one: {got:?}");
    }

    // The same through single flight: one bad URL in serac-queries and the
    // good call of the same batch query comes back an error.
    let named = format!("{name0} {}", app.s("name_x"));
    let res = app.call(&app.s("add"), r#"["x"]"#, &[(QUERIES_HEADER, &named)]).await;
    let (s, body) = show("sf/name0+name_x", res).await;
    assert_eq!(s, 200);
    let queries = envelope(&body).queries.expect("queries");
    assert!(!queries[0].ok, "FINDING (single flight): {queries:?}");
}

/// A batch query that breaks its contract is reported per call; in
/// production neither it nor a query's internal error leaks its message.
#[tokio::test]
async fn holds_production_hides_query_internals() {
    let app = start_with(config(Mode::Production)).await;
    let (boom, b1, b2) = (app.s("boom"), app.s("broken1"), app.s("broken2"));
    let (s, body) = show("prod/q/boom", app.get(&boom, &[]).await).await;
    assert_eq!(s, 500);
    assert!(!body.contains("hunter2"), "{body}");
    let (s, body) = show("prod/qb/boom+broken", app.get(&batch_of(&[&boom, &b1, &b2]), &[]).await).await;
    assert_eq!(s, 200);
    assert!(
        !body.contains("hunter2") && !body.contains("broken") && !body.contains("attack_queries"),
        "{body}"
    );
    let res = app.call(&app.s("add"), r#"["p"]"#, &[(QUERIES_HEADER, &format!("{boom} {b1} {b2}"))]).await;
    let (s, body) = show("prod/sf/boom+broken", res).await;
    assert_eq!(s, 200);
    assert!(!body.contains("hunter2") && !body.contains("attack_queries"), "{body}");
    // Refusals of URLs say what is wrong with the URL, nothing internal.
    let (_, body) =
        show("prod/qb/refusals", app.get(&batch_of(&["/_serac/q/x", &app.s("name_x")]), &[]).await).await;
    assert!(!body.contains("attack_queries"), "{body}");

    // In development the message is there (for comparison).
    let dev = start().await;
    let (_, body) = show("dev/q/boom", dev.get(&dev.s("boom"), &[]).await).await;
    assert!(body.contains("hunter2"));
}

/// Sends `target` as the request line of a raw HTTP/1.1 GET (for URLs
/// longer than `http::Uri` lets a client build): the status line.
async fn raw_get(app: &App, target: &str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let addr = app.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let req = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).lines().next().unwrap_or("(nothing)").to_string()
}

/// 1000 `u`, huge and deeply nested arguments.
#[tokio::test]
async fn holds_huge_inputs() {
    let app = start().await;
    let (search, count) = (app.s("search"), app.s("count"));
    let runs = app.db.search_runs.load(SeqCst);
    // 1000 `u` (raw slashes keep the URL under 64 KB).
    let thousand = format!("/_serac/qb?{}", vec![format!("u={count}"); 1000].join("&"));
    println!("PROBE qb/1000-u: URL of {} bytes", thousand.len());
    let (s, body) = show("qb/1000-u", app.get(&thousand, &[]).await).await;
    assert_eq!(s, 400, "{body}");
    let (s, _) =
        show("qb/33-u", app.get(&batch_of(&vec![search.as_str(); MAX_QUERIES + 1]), &[]).await).await;
    assert_eq!(s, 400);
    let (s, _) = show("qb/no-u", app.get("/_serac/qb?x=1", &[]).await).await;
    assert_eq!(s, 400);
    let (s, body) = show("qb/empty-u", app.get("/_serac/qb?u=", &[]).await).await;
    assert_eq!(s, 200, "one empty URL: one error entry {body}");
    assert_eq!(app.db.search_runs.load(SeqCst), runs, "nothing ran");

    // Over 64 KB: refused by the HTTP layer before Serac.
    let huge = format!("/_serac/qb?{}", vec![format!("u={search}"); 2000].join("&"));
    let line = raw_get(&app, &huge).await;
    println!("PROBE qb/2000-u raw ({} bytes): {line}", huge.len());
    let long =
        format!("/_serac/q/{}?a={}", id_of(&search), urlenc(&format!("[\"{}\",1]", "a".repeat(300_000))));
    let line = raw_get(&app, &long).await;
    println!("PROBE q/300KB-arg raw ({} bytes): {line}", long.len());
    assert_eq!(app.db.search_runs.load(SeqCst), runs, "nothing ran");

    // Deeply nested arguments: refused, no stack overflow.
    let deep = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
    let url = format!("/_serac/q/{}?a={}", id_of(&search), deep);
    let (s, _) = show("q/deep-json-20k", app.get(&url, &[]).await).await;
    assert_eq!(s, 400);
    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let inner = format!("/_serac/q/{}?a={}", id_of(&search), urlenc(&deep));
    let (s, body) = show("qb/deep-json-5k", app.get(&batch_of(&[&inner]), &[]).await).await;
    assert_eq!(s, 200);
    assert_eq!(entries(&body)[0].error.as_ref().map(|e| e.status), Some(400));

    // 32 distinct ~1.5 KB arguments in one batch (~60 KB URL): all read.
    let urls: Vec<String> = (0..32)
        .map(|i| {
            format!("/_serac/q/{}?a={}", id_of(&search), urlenc(&format!("[\"{i}{}\",1]", "a".repeat(600))))
        })
        .collect();
    let url = batch_of(&urls.iter().map(String::as_str).collect::<Vec<_>>());
    let (s, _) = show("qb/32x-distinct-long", app.get(&url, &[]).await).await;
    println!(
        "PROBE qb/32x-distinct-long: URL {} bytes, status {s}, runs {}",
        url.len(),
        app.db.search_runs.load(SeqCst) - runs
    );
}

/// A batch is bounded by its queries' own limits: one slow query does not
/// hold the others, and the answer comes at its limit.
#[tokio::test]
async fn holds_time_limit_in_batches_and_single_flight() {
    let app = start().await;
    let (slow, search) = (app.s("slow"), app.s("search"));
    let t = Instant::now();
    let (s, body) = show("qb/slow+search", app.get(&batch_of(&[&slow, &search]), &[]).await).await;
    let took = t.elapsed();
    println!("PROBE qb/slow+search took {took:?}");
    assert_eq!(s, 200);
    let got = entries(&body);
    assert_eq!(got[0].error.as_ref().map(|e| e.status), Some(504));
    assert!(got[1].ok);
    assert!(took < Duration::from_secs(2));

    let t = Instant::now();
    let res = app.call(&app.s("add"), r#"["t"]"#, &[(QUERIES_HEADER, &slow)]).await;
    let (s, _) = show("sf/slow", res).await;
    println!("PROBE sf/slow took {:?}", t.elapsed());
    assert_eq!(s, 200);
    assert!(t.elapsed() < Duration::from_secs(2));
}

/// Amplification. security.md: "a URL named twice is read once". The
/// URL is compared as a string: the same query and arguments spelled 32
/// ways (a junk parameter, JSON whitespace) runs 32 times, in a batch and
/// in `serac-queries`; and 32 different arguments are 32 reads anyway.
#[tokio::test]
async fn finding_a_url_named_twice_is_read_once_only_if_spelled_the_same() {
    let app = start().await;
    let expensive = app.s("expensive");
    let runs = || app.db.expensive_runs.load(SeqCst);
    // Spelled the same: read once (holds).
    let (s, _) =
        show("qb/32x-same-expensive", app.get(&batch_of(&vec![expensive.as_str(); 32]), &[]).await).await;
    assert_eq!(s, 200);
    assert_eq!(runs(), 1);

    // A junk parameter per copy: `/_serac/q/<id>?_=0`, `?_=1`, …
    let junk: Vec<String> = (0..32).map(|i| format!("{expensive}?_={i}")).collect();
    let (s, body) = show(
        "qb/32x-expensive?_=i",
        app.get(&batch_of(&junk.iter().map(String::as_str).collect::<Vec<_>>()), &[]).await,
    )
    .await;
    assert_eq!(s, 200);
    assert!(entries(&body).iter().all(|e| e.ok));
    println!("PROBE qb/32x-expensive?_=i runs: {}", runs() - 1);
    assert_eq!(runs(), 33, "FINDING: 32 runs of one argument-less query in one GET");

    // The same through serac-queries on one POST.
    let res = app.call(&app.s("bump"), "[]", &[(QUERIES_HEADER, &junk.join(" "))]).await;
    let (s, _) = show("sf/32x-expensive?_=i", res).await;
    assert_eq!(s, 200);
    println!("PROBE sf/32x-expensive?_=i runs: {}", runs() - 33);
    assert_eq!(runs(), 65, "FINDING: one POST, 32 runs");

    // Same arguments, JSON spelled differently: `["ac",10]`, `["ac", 10]`, …
    let sid = id_of(&app.s("search"));
    let spelled: Vec<String> = (0..32)
        .map(|i| format!("/_serac/q/{sid}?a={}", urlenc(&format!("[\"ac\",{}10]", " ".repeat(i)))))
        .collect();
    let before = app.db.search_runs.load(SeqCst);
    let (s, body) = show(
        "qb/32x-search-json-whitespace",
        app.get(&batch_of(&spelled.iter().map(String::as_str).collect::<Vec<_>>()), &[]).await,
    )
    .await;
    assert_eq!(s, 200);
    assert!(entries(&body).iter().all(|e| e.ok && e.result == json!(["acme"])));
    println!("PROBE qb/32x-search-json-whitespace runs: {}", app.db.search_runs.load(SeqCst) - before);
    assert_eq!(app.db.search_runs.load(SeqCst) - before, 32, "FINDING: same arguments, 32 reads");

    // A batch query's 32 calls: one run with 32 items (holds).
    let name0 = app.s("name0");
    let (s, _) = show("qb/32x-name0", app.get(&batch_of(&vec![name0.as_str(); 32]), &[]).await).await;
    assert_eq!(s, 200);
    let runs = app.db.name_runs.lock().expect("runs").clone();
    println!("PROBE qb/32x-name0 runs: {} with {} items", runs.len(), runs[0].len());
    assert_eq!((runs.len(), runs[0].len()), (1, 1), "same URL: one run of one item");
    let distinct: Vec<String> = (0..32).map(|i| format!("{name0}&_={i}")).collect();
    let (s, _) = show(
        "qb/32x-name0&_=i",
        app.get(&batch_of(&distinct.iter().map(String::as_str).collect::<Vec<_>>()), &[]).await,
    )
    .await;
    assert_eq!(s, 200);
    let runs = app.db.name_runs.lock().expect("runs").clone();
    println!("PROBE qb/32x-name0&_=i runs: {} with {} items", runs.len() - 1, runs[1].len());
}

// ----------------------------------------------------------- single flight

/// What `serac-queries` accepts and refuses, and that refusals run nothing.
#[tokio::test]
async fn holds_serac_queries_header_parsing() {
    let app = start().await;
    let (search, seen, add) = (app.s("search"), app.s("seen"), app.s("add"));
    let customers = app.customers();
    let seen_runs = || app.db.seen_runs.load(SeqCst);

    // Refused with 400, nothing runs.
    let many = vec![search.as_str(); MAX_QUERIES + 1].join(" ");
    for (name, value) in [
        ("absolute", format!("http://evil.example{search}")),
        ("qb-inside", batch_of(&[&seen])),
        ("33", many),
        ("not-a-query", "/admin".to_string()),
        ("leading-text", format!("x{seen}")),
    ] {
        let res = app.call(&add, r#"["r"]"#, &[(QUERIES_HEADER, &value)]).await;
        let (s, _) = show(&format!("sf/{name}"), res).await;
        assert_eq!(s, 400, "{name}");
    }
    // Non-ASCII (obs-text) bytes in the header.
    let raw = reqwest::header::HeaderValue::from_bytes(format!("{seen} /_serac/q/\u{e9}").as_bytes())
        .expect("value");
    let res = client()
        .post(format!("{}/", app.url))
        .header("origin", &app.url)
        .header(ACTION_HEADER, &add)
        .header("content-type", "application/json")
        .header(QUERIES_HEADER, raw)
        .body(r#"["r"]"#)
        .send()
        .await
        .expect("POST");
    let (s, _) = show("sf/obs-text", res).await;
    assert_eq!(s, 400);
    assert_eq!(app.customers(), customers, "refused calls ran nothing");
    assert_eq!(seen_runs(), 0);

    // Accepted: exactly 32; tabs; a traversal under the prefix (an error
    // entry, no route reached); an empty header.
    let thirty_two = vec![seen.as_str(); MAX_QUERIES].join(" ");
    let res = app.call(&add, r#"["a"]"#, &[(QUERIES_HEADER, &thirty_two)]).await;
    let (s, body) = show("sf/32", res).await;
    assert_eq!(s, 200);
    assert_eq!(envelope(&body).queries.expect("queries").len(), 32);
    assert_eq!(seen_runs(), 1, "the same URL 32 times: read once");

    let tabs = format!("{seen}\t{search}");
    let res = app.call(&add, r#"["b"]"#, &[(QUERIES_HEADER, &tabs)]).await;
    let (s, body) = show("sf/tab-separated", res).await;
    assert_eq!(s, 200);
    assert_eq!(envelope(&body).queries.expect("queries").len(), 2);

    let res =
        app.call(&add, r#"["c"]"#, &[(QUERIES_HEADER, "/_serac/q/../../admin /_serac/q/../qb?u=x")]).await;
    let (s, body) = show("sf/traversal", res).await;
    assert_eq!(s, 200);
    assert!(envelope(&body).queries.expect("queries").iter().all(|q| !q.ok));
    assert_eq!(app.db.admin_hits.load(SeqCst), 0, "no app route reached");

    let res = app.call(&add, r#"["d"]"#, &[(QUERIES_HEADER, "")]).await;
    let (s, body) = show("sf/empty", res).await;
    assert_eq!(s, 200);
    assert!(envelope(&body).queries.is_none());

    // Two header lines: only the first is read.
    let res = client()
        .post(format!("{}/", app.url))
        .header("origin", &app.url)
        .header(ACTION_HEADER, &add)
        .header("content-type", "application/json")
        .header(QUERIES_HEADER, &seen)
        .header(QUERIES_HEADER, "/admin")
        .body(r#"["e"]"#)
        .send()
        .await
        .expect("POST");
    let (s, body) = show("sf/two-header-lines", res).await;
    println!("PROBE sf/two-header-lines: {s}, queries {:?}", envelope(&body).queries.map(|q| q.len()));
}

/// A native form post (no `serac-action`) with `serac-queries`: nothing
/// runs for the header, nothing leaks into the HTML.
#[tokio::test]
async fn holds_native_form_ignores_serac_queries() {
    let app = start().await;
    let seen = app.s("seen");
    let html = client().get(format!("{}/", app.url)).send().await.expect("GET").text().await.expect("html");
    let fields = serac_testkit::hidden(&html, "bump");
    let res = client()
        .post(format!("{}/", app.url))
        .header("origin", &app.url)
        .header("sec-fetch-site", "same-origin")
        .header(QUERIES_HEADER, &seen)
        .form(&fields)
        .send()
        .await
        .expect("POST");
    let location = res.headers().get("location").cloned();
    let (s, body) = show("native/serac-queries", res).await;
    println!("PROBE native/serac-queries location: {location:?}");
    assert!(s == 303 || s == 200, "{s}");
    assert!(!body.contains("\"queries\"") && !body.contains("headers"), "{body}");
    assert_eq!(app.db.bumps.load(SeqCst), 1, "the action ran");
    assert_eq!(app.db.seen_runs.load(SeqCst), 0, "the named query did not");
    // The same as a JavaScript call with the form's body: results come.
    let res = client()
        .post(format!("{}/", app.url))
        .header("origin", &app.url)
        .header(ACTION_HEADER, app.s("bump"))
        .header(QUERIES_HEADER, &seen)
        .form(&fields)
        .send()
        .await
        .expect("POST");
    let (s, body) = show("js-form/serac-queries", res).await;
    assert_eq!(s, 200);
    assert!(envelope(&body).queries.is_some());
}

/// Failed, validation-failing and redirecting actions bring no results and
/// run no query.
#[tokio::test]
async fn holds_no_results_for_failed_or_redirecting_actions() {
    let app = start().await;
    let seen = app.s("seen");
    for (name, id, args) in [
        ("fails", app.s("fails"), r#"["n"]"#),
        ("bad-args", app.s("add"), r#"[1,2,3]"#),
        ("redirects", app.s("goes_home"), "[]"),
        ("unknown-action", "0".repeat(40), "[]"),
    ] {
        let res = app.call(&id, args, &[(QUERIES_HEADER, &seen)]).await;
        let (s, body) = show(&format!("sf/{name}"), res).await;
        assert!(!body.contains("\"queries\":["), "{name}: {s} {body}");
    }
    assert_eq!(app.db.seen_runs.load(SeqCst), 0, "no query ran");
    // From another site or host: refused before the action.
    let res = app
        .call(&app.s("add"), r#"["x"]"#, &[(QUERIES_HEADER, &seen), ("sec-fetch-site", "cross-site")])
        .await;
    let (s, _) = show("sf/cross-site", res).await;
    assert_eq!(s, 403);
    let res = client()
        .post(format!("{}/", app.url))
        .header("origin", "http://evil.example")
        .header(ACTION_HEADER, app.s("add"))
        .header("content-type", "application/json")
        .header(QUERIES_HEADER, &seen)
        .body(r#"["x"]"#)
        .send()
        .await
        .expect("POST");
    let (s, _) = show("sf/foreign-origin", res).await;
    assert_eq!(s, 403);
    assert_eq!(app.db.seen_runs.load(SeqCst), 0);
    assert_eq!(app.customers(), 2);
}

/// What a single-flight query's `Cx` sees, against a plain `GET` of it.
#[tokio::test]
async fn observed_cx_of_a_single_flight_query() {
    let app = start().await;
    let seen = app.s("seen");
    let res = app
        .call(
            &app.s("sign_in"),
            r#"["ada"]"#,
            &[
                (QUERIES_HEADER, &seen),
                (IDEMPOTENCY, "key-1"),
                ("serac-render", "none"),
                ("cookie", "user=mallory; other=1"),
                ("authorization", "Bearer t"),
                ("x-custom", "1"),
            ],
        )
        .await;
    let (s, body) = show("sf/seen", res).await;
    assert_eq!(s, 200);
    let q = &envelope(&body).queries.expect("queries")[0];
    let headers = &q.result["headers"];
    println!("PROBE sf/seen uri={} headers={headers}", q.result["uri"]);
    for gone in [ACTION_HEADER, QUERIES_HEADER, IDEMPOTENCY, "serac-render", "content-type", "content-length"]
    {
        assert!(headers.get(gone).is_none(), "{gone} reached the query");
    }
    assert_eq!(q.result["uri"], json!(seen));
    let cookie = headers["cookie"].as_str().unwrap_or_default();
    assert!(cookie.contains("user=ada") && cookie.contains("other=1"), "{cookie}");
    assert_eq!(headers["authorization"], json!("Bearer t"));
    assert!(headers.get("origin").is_some(), "the action's Origin is kept");

    // A URL that passes `target` but not `http::Uri` parsing (a raw space):
    // the query's Cx gets another URI than its own.
    let odd = format!("{seen}?x=a b");
    let (s, body) = show("qb/seen-raw-space", app.get(&batch_of(&[&odd]), &[]).await).await;
    assert_eq!(s, 200);
    let got = entries(&body);
    println!("PROBE qb/seen-raw-space: Cx.uri = {}", got[0].result["uri"]);
    let res = app.call(&app.s("bump"), "[]", &[(QUERIES_HEADER, &format!("{seen}?x=\"q\""))]).await;
    let (_, body) = show("sf/seen-quote", res).await;
    println!("PROBE sf/seen-quote: Cx.uri = {}", envelope(&body).queries.expect("q")[0].result["uri"]);
}

/// Replays: the same key and body with another `serac-queries` list gets
/// the first answer (the first list's results); another caller gets 409.
#[tokio::test]
async fn observed_replay_with_another_queries_list() {
    let app = start().await;
    let (count, seen, bump) = (app.s("count"), app.s("seen"), app.s("bump"));
    let h = |q: &'static str, list: &str| {
        vec![(IDEMPOTENCY.to_string(), q.to_string()), (QUERIES_HEADER.to_string(), list.to_string())]
    };
    let call = |headers: Vec<(String, String)>| {
        let app = &app;
        let bump = bump.clone();
        async move {
            let pairs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.call(&bump, "[]", &pairs).await
        }
    };
    let (s, first) = show("replay/1st (count)", call(h("k1", &count)).await).await;
    assert_eq!(s, 200);
    let (s, second) = show("replay/2nd same key, list=seen", call(h("k1", &seen)).await).await;
    assert_eq!(s, 200);
    assert_eq!(first, second, "the first answer, byte for byte");
    assert_eq!(
        envelope(&second).queries.expect("q")[0].url,
        count,
        "the list asked for is not what comes back"
    );
    assert_eq!(app.db.seen_runs.load(SeqCst), 0);
    assert_eq!(app.db.bumps.load(SeqCst), 1);

    // Another caller (other cookie), same key: refused.
    let mut other = h("k1", &count);
    other.push(("cookie".into(), "user=eve".into()));
    let (s, _) = show("replay/other-caller", call(other).await).await;
    assert_eq!(s, 409);
    // Same caller, another Host header: refused.
    let mut host = h("k1", &count);
    host.push(("host".into(), "localhost".into()));
    let (s, _) = show("replay/other-host", call(host).await).await;
    assert_eq!(s, 403, "the origin check comes first");
}

// ---------------------------------------- idempotency claim vs single flight

/// A store that forgets a claim after `running_for`, as its contract says
/// ("A claim not finished within `running_for` is forgotten") and as the
/// Redis store does with `PX`.
#[derive(Clone, Default)]
struct TtlStore {
    inner: Arc<Mutex<HashMap<String, (Fingerprint, Option<StoredAnswer>, Option<Instant>)>>>,
    told: Arc<Mutex<Vec<Duration>>>,
}

impl IdempotencyStore for TtlStore {
    fn claim<'a>(
        &'a self,
        key: &'a str,
        fp: &'a Fingerprint,
        running_for: Duration,
    ) -> StoreFuture<'a, Claim> {
        self.told.lock().expect("told").push(running_for);
        let mut map = self.inner.lock().expect("map");
        let claim = match map.get(key) {
            Some((_, _, Some(expires))) if Instant::now() >= *expires => None,
            Some((held, _, _)) if held != fp => Some(Claim::Conflict),
            Some((_, Some(answer), None)) => Some(Claim::Done(answer.clone())),
            Some((_, None, None)) => Some(Claim::NotKept),
            Some((_, _, Some(_))) => Some(Claim::Running),
            None => None,
        };
        let claim = claim.unwrap_or_else(|| {
            map.insert(key.to_string(), (*fp, None, Some(Instant::now() + running_for)));
            Claim::Run
        });
        Box::pin(std::future::ready(Ok(claim)))
    }

    fn finish<'a>(
        &'a self,
        key: &'a str,
        fp: &'a Fingerprint,
        answer: Option<&'a StoredAnswer>,
        _: Duration,
    ) -> StoreFuture<'a, ()> {
        self.inner.lock().expect("map").insert(key.to_string(), (*fp, answer.cloned(), None));
        Box::pin(std::future::ready(Ok(())))
    }

    fn release<'a>(&'a self, key: &'a str, _: &'a Fingerprint) -> StoreFuture<'a, ()> {
        self.inner.lock().expect("map").remove(key);
        Box::pin(std::future::ready(Ok::<(), StoreError>(())))
    }
}

/// The claim lasts the *action's* limit + 30 s, but the run it guards also
/// reads the single-flight queries, each under its own (longer) limit: a
/// retry after the claim lapsed runs the action a second time. ~31 s.
#[tokio::test]
async fn finding_single_flight_outlives_the_idempotency_claim() {
    let store = TtlStore::default();
    let app = start_layer(config(Mode::Development), {
        let store = store.clone();
        move |l| l.idempotency_store(store)
    })
    .await;
    let (quick, very_slow) = (app.s("quick"), app.s("very_slow"));
    let first = {
        let (url, quick, very_slow) = (app.url.clone(), quick.clone(), very_slow.clone());
        tokio::spawn(async move {
            client()
                .post(format!("{url}/"))
                .header("origin", &url)
                .header(ACTION_HEADER, quick)
                .header("content-type", "application/json")
                .header(IDEMPOTENCY, "once")
                .header(QUERIES_HEADER, very_slow)
                .body("[]")
                .send()
                .await
                .expect("POST")
                .status()
        })
    };
    // The retry of a client whose connection dropped, after the claim lapsed.
    tokio::time::sleep(Duration::from_millis(30_400)).await;
    assert_eq!(app.db.bumps.load(SeqCst), 1);
    let res = app.call(&quick, "[]", &[(IDEMPOTENCY, "once")]).await;
    let (s, _) = show("idem/retry-after-claim-lapsed", res).await;
    println!("PROBE idem: store was told running_for = {:?}", store.told.lock().expect("told")[0]);
    println!("PROBE idem: the action ran {} times", app.db.bumps.load(SeqCst));
    assert_eq!(s, 200);
    assert_eq!(app.db.bumps.load(SeqCst), 2, "FINDING: the action ran twice under one key");
    assert_eq!(first.await.expect("first"), 200);
}
