//! Two stores on one real Redis (started by `scripts/test`, given as
//! `SERAC_TEST_REDIS_URL`), each with its own keys prefix per test.

use std::time::{Duration, Instant};

use bytes::Bytes;
use serac::cache::{Cache, Store};
use serac_redis::RedisStore;

fn redis_url() -> Option<String> {
    let url = std::env::var("SERAC_TEST_REDIS_URL").ok();
    if url.is_none() {
        serac_testkit::missing("Redis (SERAC_TEST_REDIS_URL)");
    }
    url
}

async fn pair(prefix: &str) -> Option<(RedisStore, RedisStore)> {
    let url = redis_url()?;
    // Unique per run: a Redis kept between runs must not answer from the last one.
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_nanos();
    let prefix = format!("{prefix}{}-{nanos}:", std::process::id());
    let a = RedisStore::with_prefix(&url, &prefix).expect("store a");
    let b = RedisStore::with_prefix(&url, &prefix).expect("store b");
    let start = Instant::now();
    while !(a.is_subscribed() && b.is_subscribed()) {
        assert!(start.elapsed() < Duration::from_secs(5), "the stores never subscribed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Some((a, b))
}

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
