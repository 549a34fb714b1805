//! Two stores on one real Redis (started by `scripts/test`, given as
//! `SERAC_TEST_REDIS_URL`), each with its own keys prefix per test.

mod common;

use std::time::{Duration, Instant};

use bytes::Bytes;
use common::pair;
use serac::cache::{Cache, Store};
use serac_redis::RedisStore;

fn tags(t: &[&str]) -> Vec<String> {
    t.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn an_entry_written_by_one_instance_is_read_by_the_other() {
    let Some((a, b)) = pair("test-shared-1:").await else { return };
    a.put("k", Bytes::from_static(b"v"), &tags(&["tag:x"]), Duration::from_secs(30)).await.expect("put");
    assert_eq!(b.get("k").await.expect("get").as_deref(), Some(&b"v"[..]));
    assert_eq!(b.get("missing").await.expect("get"), None);
}

#[tokio::test]
async fn an_invalidation_on_one_instance_drops_the_entry_everywhere() {
    let Some((a, b)) = pair("test-shared-2:").await else { return };
    a.put("k", Bytes::from_static(b"v"), &tags(&["tag:x"]), Duration::from_secs(30)).await.expect("put");
    a.put("other", Bytes::from_static(b"w"), &tags(&["tag:y"]), Duration::from_secs(30)).await.expect("put");
    // B now holds a local copy of both.
    assert!(b.get("k").await.expect("get").is_some());
    assert!(b.get("other").await.expect("get").is_some());
    a.invalidate(&tags(&["tag:x"])).await.expect("invalidate");
    let start = Instant::now();
    while b.get("k").await.expect("get").is_some() {
        assert!(start.elapsed() < Duration::from_secs(1), "B still serves the invalidated entry");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(b.get("other").await.expect("get").is_some(), "other tags are untouched");
}

#[tokio::test]
async fn a_cache_over_redis_loads_once_for_both_instances() {
    let Some((a, b)) = pair("test-shared-3:").await else { return };
    let (a, b) = (Cache::new(a), Cache::new(b));
    let first: u32 =
        a.load("n", &["nums"], Duration::from_secs(30), || async { Ok::<_, ()>(1) }).await.expect("a");
    let second: u32 =
        b.load("n", &["nums"], Duration::from_secs(30), || async { Ok::<_, ()>(2) }).await.expect("b");
    assert_eq!((first, second), (1, 1), "B read A's entry");
    b.revalidate_tag("nums").await;
    // Another instance hears of it through Redis pub/sub: within a second.
    let start = Instant::now();
    loop {
        let third: u32 =
            a.load("n", &["nums"], Duration::from_secs(30), || async { Ok::<_, ()>(3) }).await.expect("a");
        if third == 3 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(1), "A never saw B's invalidation");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn an_unreachable_redis_is_a_miss_not_an_error_for_the_cache() {
    // Nothing listens on port 1.
    let store = RedisStore::new("redis://127.0.0.1:1/").expect("store");
    assert!(store.get("k").await.is_err(), "the store reports the failure");
    let cache = Cache::new(store);
    let v: u32 =
        cache.load("k", &[], Duration::from_secs(30), || async { Ok::<_, ()>(9) }).await.expect("loaded");
    assert_eq!(v, 9, "the loader answered");
}

/// Regression: an invalidation read a tag's keys, then deleted them, in two
/// steps; an entry written in between stayed in Redis with no tag set
/// naming it, so no later invalidation of the tag could drop it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn regression_an_entry_written_during_an_invalidation_is_never_left_without_its_tag() {
    let Some((a, b)) = pair("test-shared-race:").await else { return };
    let tag = tags(&["tag:race"]);
    let races = (0..300).map(|i| {
        let (a, b, tag) = (a.clone(), b.clone(), tag.clone());
        tokio::spawn(async move {
            let key = format!("k{i}");
            let put = a.put(&key, Bytes::from_static(b"v"), &tag, Duration::from_secs(30));
            let invalidate = b.invalidate(&tag);
            let (put, invalidate) = tokio::join!(put, invalidate);
            put.expect("put");
            invalidate.expect("invalidate");
        })
    });
    for race in futures_util::future::join_all(races).await {
        race.expect("task");
    }
    a.invalidate(&tag).await.expect("the last invalidation");
    for i in 0..300 {
        // `b` holds no copy of these: it reads Redis itself.
        assert_eq!(b.get(&format!("k{i}")).await.expect("get"), None, "k{i} outlived its tag");
    }
}

/// Regression guard for data read by several pages: tags added to an entry
/// by one instance (another page read it) live in Redis only, yet every
/// instance's copy of it goes when one of them is invalidated, the copy of
/// the instance that invalidates included.
#[tokio::test]
async fn tags_added_on_one_instance_drop_the_copies_of_every_instance() {
    let Some((a, b)) = pair("test-shared-added:").await else { return };
    // A key that needs escaping in the invalidation message.
    let key = "data:odd%key\nwith\r\nbreaks%0A";
    a.put(key, Bytes::from_static(b"v"), &tags(&["path:/a"]), Duration::from_secs(30)).await.expect("put");
    assert!(b.get(key).await.expect("get").is_some(), "B holds a copy tagged /a only");
    a.add_tags(key, &tags(&["path:/b"])).await.expect("add");
    a.add_tags("data:missing", &tags(&["path:/b"])).await.expect("adding to no entry is fine");
    b.invalidate(&tags(&["path:/b"])).await.expect("invalidate");
    assert_eq!(b.get(key).await.expect("get"), None, "the invalidating instance's own copy went");
    let start = Instant::now();
    while a.get(key).await.expect("get").is_some() {
        assert!(start.elapsed() < Duration::from_secs(1), "A still serves the entry");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    a.put(key, Bytes::from_static(b"w"), &tags(&["path:/a"]), Duration::from_secs(30)).await.expect("put");
    assert!(b.get(key).await.expect("get").is_some());
    b.add_tags(key, &tags(&["path:/c"])).await.expect("add");
    a.invalidate(&tags(&["path:/c"])).await.expect("invalidate");
    assert_eq!(a.get(key).await.expect("get"), None, "A's copy (tagged /a only) went");
    let start = Instant::now();
    while b.get(key).await.expect("get").is_some() {
        assert!(start.elapsed() < Duration::from_secs(1), "B still serves the entry");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Regression guard: readers requesting ever new paths cannot grow an entry
/// in Redis; past the limit it joins the "any page" tag, which any path
/// revalidation drops, and stays until then.
#[tokio::test]
async fn an_entry_read_by_very_many_pages_stops_growing() {
    let Some((a, b)) = pair("test-shared-many:").await else { return };
    let key = "data:nav";
    a.put(key, Bytes::from_static(b"v"), &tags(&["tag:nav"]), Duration::from_secs(30)).await.expect("put");
    for i in 0..200 {
        b.add_tags(key, &tags(&[&format!("path:/p{i}")])).await.expect("add");
    }
    assert!(a.get(key).await.expect("get").is_some(), "kept: readers do not drop it");
    a.invalidate(&tags(&["tag:other"])).await.expect("invalidate");
    assert!(a.get(key).await.expect("get").is_some());
    // A tag past the limit was never added; the "any page" tag stands for it.
    a.invalidate(&tags(&[serac::cache::ANY_PAGE_TAG])).await.expect("invalidate");
    let start = Instant::now();
    while a.get(key).await.expect("get").is_some() || b.get(key).await.expect("get").is_some() {
        assert!(start.elapsed() < Duration::from_secs(1), "the entry outlived the any-page tag");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Two instances of one app over one Redis, served on loopback ports: data
/// pages read through `page.cache()` is refreshed on both by
/// `revalidate_path` / `revalidate_layout` on either (S23, B7).
mod pages {
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use axum::Router;
    use axum::response::Html;
    use axum::routing::get;
    use serac::cache::Cache;
    use serac::config::Mode;
    use serac::prelude::*;
    use serac::{Config, KeyRing};
    use serac_redis::RedisStore;

    #[derive(Clone, Default)]
    struct Db(Arc<Mutex<String>>);

    #[serac::action]
    async fn retitle_path(cx: Cx, title: String, path: String) -> Result<(), ActionError> {
        *cx.state::<Db>()?.0.lock().expect("db") = title;
        cx.revalidate_path(path);
        Ok(())
    }

    #[serac::action]
    async fn retitle_layout(cx: Cx, title: String, prefix: String) -> Result<(), ActionError> {
        *cx.state::<Db>()?.0.lock().expect("db") = title;
        cx.revalidate_layout(prefix);
        Ok(())
    }

    async fn show(State(db): State<Db>, page: Page) -> Html<String> {
        let title: String = page
            .cache()
            .load("title", &[], Duration::from_secs(600), || async {
                Ok::<_, std::convert::Infallible>(db.0.lock().expect("db").clone())
            })
            .await
            .unwrap_or_else(|never| match never {});
        Html(format!("<p id=title>{title}</p>"))
    }

    /// Action ids, on a page that reads no data.
    async fn ids(page: Page) -> Html<String> {
        Html(format!(
            "<meta name=path content={}><meta name=layout content={}>",
            page.id(retitle_path::action()),
            page.id(retitle_layout::action())
        ))
    }

    struct Instance {
        url: String,
        task: tokio::task::JoinHandle<()>,
    }

    impl Drop for Instance {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    impl Instance {
        async fn start(store: RedisStore, db: Db) -> Self {
            let router = Router::new()
                .route("/posts/{id}", get(show))
                .route("/about", get(show))
                .route("/ids", get(ids));
            let config =
                Config::new(KeyRing::from_secrets(&[[9; 32]]).expect("secret")).mode(Mode::Development);
            let app = ActionLayer::new(config).with_state(db).cache(Cache::new(store)).wrap(router);
            let (url, task) = serac_testkit::serve(app).await;
            Self { url, task }
        }

        async fn get(&self, path: &str) -> String {
            let res = serac_testkit::client().get(format!("{}{path}", self.url)).send().await.expect("GET");
            assert_eq!(res.status(), 200, "GET {path}");
            res.text().await.expect("body")
        }

        async fn title(&self, path: &str) -> String {
            serac_testkit::text_of(&self.get(path).await, "#title").expect("a title")
        }

        /// Calls `which` (`path` or `layout`) with a new title and its path.
        async fn call(&self, which: &str, title: &str, path: &str) {
            let html = self.get("/ids").await;
            let id = serac_testkit::attr_of(&html, &format!("meta[name={which}]"), "content").expect("id");
            let res = serac_testkit::client()
                .post(format!("{}/ids", self.url))
                .header("origin", &self.url)
                .header("sec-fetch-site", "same-origin")
                .header("content-type", "application/json")
                .header(serac::protocol::ACTION_HEADER, id)
                .body(format!(r#"["{title}","{path}"]"#))
                .send()
                .await
                .expect("POST");
            assert_eq!(res.status(), 200, "{which}: {}", res.text().await.unwrap_or_default());
        }

        /// Waits (a second at most: pub/sub) until `path` shows `title`.
        async fn sees(&self, path: &str, title: &str) {
            let start = Instant::now();
            loop {
                let shown = self.title(path).await;
                if shown == title {
                    return;
                }
                assert!(
                    start.elapsed() < Duration::from_secs(1),
                    "{} {path} still shows {shown:?}",
                    self.url
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }

    async fn two(prefix: &str) -> Option<(Instance, Instance, Db)> {
        let (a, b) = super::pair(prefix).await?;
        let db = Db::default();
        *db.0.lock().expect("db") = "first".into();
        Some((Instance::start(a, db.clone()).await, Instance::start(b, db.clone()).await, db))
    }

    #[tokio::test]
    async fn revalidate_path_on_one_instance_refreshes_the_data_on_both_s23_b7() {
        let Some((a, b, db)) = two("test-pages-path:").await else { return };
        assert_eq!(a.title("/posts/1").await, "first");
        assert_eq!(b.title("/posts/1").await, "first", "B holds a copy");
        *db.0.lock().expect("db") = "unseen".into();
        assert_eq!(b.title("/posts/1").await, "first", "the data is cached");

        a.call("path", "second", "/posts/1").await;
        assert_eq!(a.title("/posts/1").await, "second", "read-your-writes on A");
        b.sees("/posts/1", "second").await;
    }

    #[tokio::test]
    async fn revalidate_layout_on_one_instance_refreshes_the_data_below_it_on_both_s23_b7() {
        let Some((a, b, _db)) = two("test-pages-layout:").await else { return };
        assert_eq!(a.title("/posts/1").await, "first");
        assert_eq!(b.title("/posts/1").await, "first");
        b.call("layout", "second", "/admin").await;
        assert_eq!(a.title("/posts/1").await, "first", "another subtree: still cached");
        b.call("layout", "third", "/posts").await;
        assert_eq!(b.title("/posts/1").await, "third");
        a.sees("/posts/1", "third").await;
    }

    #[tokio::test]
    async fn another_page_on_another_instance_reading_the_same_key_is_fresh_s23_b7() {
        let Some((a, b, _db)) = two("test-pages-shared:").await else { return };
        // A stores the entry for /posts/1; B reads it for /about.
        assert_eq!(a.title("/posts/1").await, "first");
        assert_eq!(b.title("/about").await, "first");
        a.call("path", "second", "/posts/1").await;
        b.sees("/about", "second").await;

        // A stores it for /posts/1 again and B holds a copy tagged /posts/1;
        // then A reads it for /about too. Revalidating /about on A drops it
        // on A and on B.
        assert_eq!(a.title("/posts/1").await, "second");
        assert_eq!(b.title("/posts/1").await, "second");
        assert_eq!(a.title("/about").await, "second");
        a.call("path", "third", "/about").await;
        assert_eq!(a.title("/posts/1").await, "third", "A's own copy went");
        b.sees("/posts/1", "third").await;
    }
}
