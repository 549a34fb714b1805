//! Server queries (B19) on two instances of one app over one real Redis
//! (started by `scripts/test`, given as `SERAC_TEST_REDIS_URL`): a query
//! that reads its data through the shared cache answers `304` to the ETag
//! it gave while the cached data stands, on either instance, even when the
//! data changed behind the cache's back; once an action on the other
//! instance revalidates the data (`revalidate_tag`, or `revalidate_path` of
//! a page that read the same entry), the same request gets `200`, the fresh
//! data and a new ETag.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use common::pair;
use serac::cache::Cache;
use serac::config::Mode;
use serac::prelude::*;
use serac::{Config, KeyRing};
use serac_redis::RedisStore;

/// The "database", shared by both instances, and how many times the cache
/// loaded from it (on either instance).
#[derive(Clone, Default)]
struct Db {
    title: Arc<Mutex<String>>,
    loads: Arc<AtomicUsize>,
}

impl Db {
    fn set(&self, title: &str) {
        *self.title.lock().expect("db") = title.to_string();
    }

    fn load(&self) -> String {
        self.loads.fetch_add(1, Ordering::SeqCst);
        self.title.lock().expect("db").clone()
    }

    fn loads(&self) -> usize {
        self.loads.load(Ordering::SeqCst)
    }
}

const TTL: Duration = Duration::from_secs(600);

/// The cache key of post `post`'s title, tagged `posts`.
fn key(post: u32) -> String {
    format!("post:{post}:title")
}

/// The title of post `post`, through the app's (shared) cache.
#[serac::query]
async fn title(cx: Cx, State(db): State<Db>, post: u32) -> Result<String, ActionError> {
    cx.cache().load(&key(post), &["posts"], TTL, || async { Ok::<_, ActionError>(db.load()) }).await
}

/// The same title through a query with tags of its own: its answers are
/// kept in the shared cache, not the data it reads.
#[serac::query(tags = ["posts"], keep_secs = 600)]
async fn headline(State(db): State<Db>, post: u32) -> Result<String, ActionError> {
    let _ = post;
    Ok(db.load())
}

/// Changes the title and revalidates the tag the query's data carries.
#[serac::action]
async fn retitle_tag(cx: Cx, State(db): State<Db>, title: String) -> Result<(), ActionError> {
    db.set(&title);
    cx.revalidate_tag("posts");
    Ok(())
}

/// Changes the title and revalidates the page at `path`.
#[serac::action]
async fn retitle_path(cx: Cx, State(db): State<Db>, title: String, path: String) -> Result<(), ActionError> {
    db.set(&title);
    cx.revalidate_path(path);
    Ok(())
}

/// A page rendering the same data as the query (the same cache entry), read
/// through `page.cache()`: the entry is recorded as read by this page.
async fn post(State(db): State<Db>, page: Page) -> Html<String> {
    let title: String = page
        .cache()
        .load(&key(1), &["posts"], TTL, || async { Ok::<_, std::convert::Infallible>(db.load()) })
        .await
        .unwrap_or_else(|never| match never {});
    Html(format!("<p id=title>{title}</p>"))
}

/// The query's URL and the actions' ids, on a page that reads no data.
async fn ids(page: Page) -> Html<String> {
    Html(format!(
        "<meta name=query content={}><meta name=tag content={}><meta name=path content={}><meta name=tagged content={}>",
        page.query_url(title::query(), &(1,)),
        page.id(retitle_tag::action()),
        page.id(retitle_path::action()),
        page.query_url(headline::query(), &(1,))
    ))
}

/// What a `GET` of the query answered.
struct Answer {
    status: u16,
    etag: String,
    cache_control: String,
    body: String,
}

struct Instance {
    url: String,
    _task: serac_testkit::AbortOnDrop,
}

impl Instance {
    async fn start(store: RedisStore, db: Db) -> Self {
        let router = Router::new().route("/posts/{id}", get(post)).route("/ids", get(ids));
        let config = Config::new(KeyRing::from_secrets(&[[9; 32]]).expect("secret")).mode(Mode::Development);
        let app = ActionLayer::new(config).with_state(db).cache(Cache::new(store)).wrap(router);
        let (url, task) = serac_testkit::serve(app).await;
        Self { url, _task: serac_testkit::AbortOnDrop(task) }
    }

    async fn get(&self, path: &str) -> String {
        let res = serac_testkit::client().get(format!("{}{path}", self.url)).send().await.expect("GET");
        assert_eq!(res.status(), 200, "GET {path}");
        res.text().await.expect("body")
    }

    fn meta(html: &str, name: &str) -> String {
        serac_testkit::attr_of(html, &format!("meta[name={name}]"), "content").expect("meta")
    }

    /// The query's URL, as this instance's pages give it.
    async fn query_url(&self) -> String {
        let url = Self::meta(&self.get("/ids").await, "query");
        assert!(url.starts_with("/_serac/q/") && url.contains("?a="), "{url}");
        url
    }

    /// `GET` of the query at `url`, with `If-None-Match: etag` if given.
    async fn query(&self, url: &str, etag: Option<&str>) -> Answer {
        let mut req = serac_testkit::client().get(format!("{}{url}", self.url));
        if let Some(etag) = etag {
            req = req.header("if-none-match", etag);
        }
        let res = req.send().await.expect("GET query");
        let header = |name: &str| {
            res.headers()
                .get(name)
                .map(|v| v.to_str().expect("a text header").to_string())
                .unwrap_or_default()
        };
        let (status, etag, cache_control) = (res.status().as_u16(), header("etag"), header("cache-control"));
        Answer { status, etag, cache_control, body: res.text().await.expect("body") }
    }

    /// The answer to a `GET` of the query without `If-None-Match`: its
    /// ETag and body.
    async fn read(&self, url: &str) -> (String, String) {
        let res = self.query(url, None).await;
        assert_eq!(res.status, 200, "{} {url}", self.url);
        assert_eq!(res.cache_control, "private, no-cache");
        assert!(res.etag.starts_with('"') && res.etag.len() > 10, "a strong ETag: {}", res.etag);
        (res.etag, res.body)
    }

    /// Asserts a `GET` with `If-None-Match: etag` is `304`, the same ETag.
    async fn unchanged(&self, url: &str, etag: &str, why: &str) {
        let res = self.query(url, Some(etag)).await;
        assert_eq!(res.status, 304, "{}: {why}", self.url);
        assert_eq!(res.etag, etag, "{why}");
        assert!(res.body.is_empty(), "{why}");
    }

    /// Waits (a second at most: pub/sub) until a `GET` with `If-None-Match:
    /// etag` is no longer `304`; then it must be `200` with `body` and
    /// another ETag, which it returns.
    async fn fresh(&self, url: &str, etag: &str, body: &str) -> String {
        let start = Instant::now();
        loop {
            let res = self.query(url, Some(etag)).await;
            if res.status == 304 {
                assert!(
                    start.elapsed() < Duration::from_secs(1),
                    "{} still answers 304 to the old ETag: the revalidation never reached it",
                    self.url
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
            assert_eq!(res.status, 200, "{}: a fresh answer", self.url);
            assert_eq!(res.cache_control, "private, no-cache");
            assert_ne!(res.etag, etag, "new data, a new ETag");
            assert!(res.etag.starts_with('"') && res.etag.len() > 10, "a strong ETag: {}", res.etag);
            assert_eq!(res.body, body);
            return res.etag;
        }
    }

    /// Posts action `which` (`tag` or `path`) with `args` (a JSON array),
    /// as the runtime does.
    async fn call(&self, which: &str, args: &str) {
        let id = Self::meta(&self.get("/ids").await, which);
        let res = serac_testkit::client()
            .post(format!("{}/ids", self.url))
            .header("origin", &self.url)
            .header("sec-fetch-site", "same-origin")
            .header("content-type", "application/json")
            .header(serac::protocol::ACTION_HEADER, id)
            .body(args.to_string())
            .send()
            .await
            .expect("POST");
        assert_eq!(res.status(), 200, "{which}: {}", res.text().await.unwrap_or_default());
    }
}

async fn two(prefix: &str) -> Option<(Instance, Instance, Db)> {
    let (a, b) = pair(prefix).await?;
    let db = Db::default();
    db.set("first");
    Some((Instance::start(a, db.clone()).await, Instance::start(b, db.clone()).await, db))
}

#[tokio::test]
async fn revalidate_tag_on_one_instance_gives_a_fresh_answer_and_etag_on_the_other_b19() {
    let Some((a, b, db)) = two("test-query-tag:").await else { return };
    let url = a.query_url().await;
    let (etag, title) = a.read(&url).await;
    assert_eq!(title, r#""first""#);
    assert_eq!(db.loads(), 1);
    a.unchanged(&url, &etag, "the same data: not sent again").await;
    b.unchanged(&url, &etag, "B answers from the entry A stored in Redis").await;
    assert_eq!(db.loads(), 1, "neither loaded again");

    // Changed behind the cache's back: the cached title stands, everywhere.
    db.set("unseen");
    a.unchanged(&url, &etag, "no revalidation: the cache answers").await;
    b.unchanged(&url, &etag, "no revalidation: the cache answers").await;
    assert_eq!(db.loads(), 1);

    // An action on B changes the data and revalidates its tag.
    b.call("tag", r#"["second"]"#).await;
    let fresh = a.fresh(&url, &etag, r#""second""#).await;
    a.unchanged(&url, &fresh, "the new answer is kept in turn").await;
    // The same data gives the same ETag on either instance.
    assert_eq!(b.fresh(&url, &etag, r#""second""#).await, fresh);
    b.unchanged(&url, &fresh, "the new ETag").await;
}

#[tokio::test]
async fn revalidate_path_of_a_page_that_read_the_data_gives_a_fresh_answer_on_the_other_instance_b19() {
    let Some((a, b, db)) = two("test-query-path:").await else { return };
    let url = a.query_url().await;
    let (etag, title) = a.read(&url).await;
    assert_eq!(title, r#""first""#);

    // No page has read the entry yet: revalidating a page leaves it.
    // (B's own invalidation is applied before its action answers, so B
    // reading Redis after it sees what the invalidation left.)
    b.call("path", r#"["second","/posts/1"]"#).await;
    b.unchanged(&url, &etag, "no page read the entry: it stands").await;

    // A's page /posts/1 renders the same entry, and is recorded as its reader.
    let html = a.get("/posts/1").await;
    assert_eq!(serac_testkit::text_of(&html, "#title").as_deref(), Some("first"), "{html}");
    assert_eq!(db.loads(), 1, "the page read the query's entry");

    // Another page revalidated: the entry stands.
    b.call("path", r#"["third","/posts/2"]"#).await;
    b.unchanged(&url, &etag, "another page: the entry stands").await;
    a.unchanged(&url, &etag, "another page: the entry stands").await;

    // The page that read it revalidated on B: A's query answer is fresh.
    b.call("path", r#"["fourth","/posts/1"]"#).await;
    let fresh = a.fresh(&url, &etag, r#""fourth""#).await;
    a.unchanged(&url, &fresh, "the new answer is kept in turn").await;
    assert_eq!(b.fresh(&url, &etag, r#""fourth""#).await, fresh);
}

/// A query with tags of its own is kept in the shared cache: one run for
/// both instances, until an action on either revalidates the tag.
#[tokio::test]
async fn a_query_with_tags_is_kept_for_every_instance_until_one_revalidates_b19() {
    let Some((a, b, db)) = two("test-query-tagged:").await else { return };
    let url = Instance::meta(&a.get("/ids").await, "tagged");
    let (etag, title) = a.read(&url).await;
    assert_eq!(title, r#""first""#);
    let (etag_b, _) = b.read(&url).await;
    assert_eq!(etag_b, etag, "B answers with the answer A kept");
    db.set("unseen");
    a.unchanged(&url, &etag, "kept: the function does not run").await;
    assert_eq!(db.loads(), 1, "one run for both instances");

    b.call("tag", r#"["second"]"#).await;
    let fresh = a.fresh(&url, &etag, r#""second""#).await;
    assert_eq!(b.fresh(&url, &etag, r#""second""#).await, fresh);
    assert_eq!(db.loads(), 2, "run again once, for both");
}
