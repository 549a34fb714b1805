//! What the Redis test binaries share: the Redis `scripts/test` started
//! (`SERAC_TEST_REDIS_URL`), and two stores on it as two instances would
//! have.

use std::time::{Duration, Instant};

use serac_redis::RedisStore;

/// The test Redis; `None` (a skip, or a failure under `CI=true`) without it.
pub(crate) fn redis_url() -> Option<String> {
    let url = std::env::var("SERAC_TEST_REDIS_URL").ok();
    if url.is_none() {
        serac_testkit::missing("Redis (SERAC_TEST_REDIS_URL)");
    }
    url
}

/// Two stores with one keys prefix, `prefix` made unique per run, both
/// subscribed to invalidations.
pub(crate) async fn pair(prefix: &str) -> Option<(RedisStore, RedisStore)> {
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
