//! [`Cache`]: memoised, tagged data over a [`Store`], with single flight.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::memory::MemoryStore;
use super::store::{NoStore, Store};
use super::{Invalidated, data_tag, reader_tags, tags_of};

/// The turn to load one key (see [`Cache::flight`]); the key's lock is
/// forgotten when the last one waiting for it is done.
pub(crate) struct Flight<'a> {
    cache: &'a Cache,
    key: String,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        let Some(guard) = self.guard.take() else { return };
        let lock = tokio::sync::OwnedMutexGuard::mutex(&guard).clone();
        drop(guard);
        let mut flights = self.cache.inner.flights.lock().unwrap_or_else(|e| e.into_inner());
        // Held by the map and by us: nobody else waits.
        if Arc::strong_count(&lock) <= 2 {
            flights.remove(&self.key);
        }
    }
}

/// Cached data and pages. Cheap to clone; clones share everything.
///
/// ```rust,no_run
/// # #[derive(Debug)] struct DbError;
/// # async fn query_posts() -> Result<Vec<String>, DbError> { Ok(vec![]) }
/// # async fn f(cache: serac::cache::Cache) -> Result<(), DbError> {
/// use std::time::Duration;
///
/// let posts: Vec<String> =
///     cache.load("posts:list", &["posts"], Duration::from_secs(60), query_posts).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Cache {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    /// One lock per key being loaded: concurrent misses wait for the first.
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Moves on every invalidation, here or (for shared stores) elsewhere.
    epoch: Arc<AtomicU64>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("epoch", &self.inner.epoch.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Default for Cache {
    /// An in-memory cache ([`MemoryStore`]).
    fn default() -> Self {
        Self::new(MemoryStore::default())
    }
}

impl Cache {
    /// A cache over `store`.
    pub fn new(store: impl Store) -> Self {
        let epoch = Arc::new(AtomicU64::new(0));
        let remote = epoch.clone();
        store.on_remote_invalidation(Box::new(move || {
            remote.fetch_add(1, Ordering::SeqCst);
        }));
        Self { inner: Arc::new(Inner { store: Arc::new(store), flights: Mutex::default(), epoch }) }
    }

    /// A cache that keeps nothing (every load runs its loader).
    pub fn disabled() -> Self {
        Self::new(NoStore)
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        &*self.inner.store
    }

    /// The value under `key`, or `loader`'s, stored for `ttl` with `tags`
    /// (drop them with `cx.revalidate_tag`). Concurrent misses for one key
    /// call the loader once; the others wait and read its result. A loader's
    /// error is returned and nothing is stored. A store failure is logged and
    /// treated as a miss: the loader answers instead.
    ///
    /// In a page handler, load through `page.cache()` instead, so that
    /// revalidating the page's path drops the data too.
    pub async fn load<T, E, F, Fut>(&self, key: &str, tags: &[&str], ttl: Duration, loader: F) -> Result<T, E>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        self.load_for(None, key, tags, ttl, loader).await
    }

    /// The cache as the page at `path` reads it: what it loads is also
    /// dropped by `revalidate_path(path)` and by `revalidate_layout` of
    /// `path` or any prefix of it. `page.cache()` is this for the page being
    /// rendered.
    pub fn for_path<'a>(&'a self, path: &'a str) -> ForPath<'a> {
        ForPath { cache: self, path }
    }

    async fn load_for<T, E, F, Fut>(
        &self,
        reader: Option<&str>,
        key: &str,
        tags: &[&str],
        ttl: Duration,
        loader: F,
    ) -> Result<T, E>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let key = format!("data:{key}");
        if let Some(value) = self.hit(&key, reader).await {
            return Ok(value);
        }
        let _flight = self.flight(&key).await;
        // Whoever held the key before us may have stored it.
        if let Some(value) = self.hit(&key, reader).await {
            return Ok(value);
        }
        let epoch = self.inner.epoch.load(Ordering::SeqCst);
        let result = loader().await;
        if let Ok(value) = &result {
            let mut tags: Vec<String> = tags.iter().map(|t| data_tag(t)).collect();
            if let Some(path) = reader {
                tags.extend(reader_tags(path));
            }
            match serde_json::to_vec(value) {
                Ok(bytes) => self.put_unless_invalidated(&key, Bytes::from(bytes), &tags, ttl, epoch).await,
                Err(e) => {
                    tracing::warn!(key, error = %e, "cache: the value could not be serialized; not cached")
                }
            }
        }
        result
    }

    /// Waits for the turn to load `key`: concurrent misses of one key go
    /// one at a time, so the first loads and the others find its result.
    pub(crate) async fn flight(&self, key: &str) -> Flight<'_> {
        let lock = {
            let mut flights = self.inner.flights.lock().unwrap_or_else(|e| e.into_inner());
            flights.entry(key.to_string()).or_default().clone()
        };
        let guard = lock.lock_owned().await;
        Flight { cache: self, key: key.to_string(), guard: Some(guard) }
    }

    /// The entry under `key`, recorded as read by the page at `reader` (if
    /// any): revalidating that page drops it too, whichever page stored it.
    async fn hit<T: DeserializeOwned>(&self, key: &str, reader: Option<&str>) -> Option<T> {
        let value = self.read(key).await?;
        if let Some(path) = reader {
            // Awaited: once the page is rendered, revalidating it must find
            // the entry.
            if let Err(e) = self.inner.store.add_tags(key, &reader_tags(path)).await {
                tracing::warn!(key, path, error = %e, "cache: could not record the page reading an entry");
            }
        }
        Some(value)
    }

    async fn read<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let bytes = self.get(key).await?;
        match serde_json::from_slice(&bytes) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!(key, error = %e, "cache: stored value no longer matches its type; reloading");
                None
            }
        }
    }

    /// Raw entry, store errors logged and treated as a miss.
    pub(crate) async fn get(&self, key: &str) -> Option<Bytes> {
        match self.inner.store.get(key).await {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(key, error = %e, "cache: read failed; using the loader");
                None
            }
        }
    }

    /// Stores unless an invalidation happened since `epoch` (the value may
    /// predate it).
    pub(crate) async fn put_unless_invalidated(
        &self,
        key: &str,
        value: Bytes,
        tags: &[String],
        ttl: Duration,
        epoch: u64,
    ) {
        if self.inner.epoch.load(Ordering::SeqCst) != epoch {
            return;
        }
        if let Err(e) = self.inner.store.put(key, value, tags, ttl).await {
            tracing::warn!(key, error = %e, "cache: write failed; not cached");
        }
    }

    /// The current invalidation epoch.
    pub(crate) fn epoch(&self) -> u64 {
        self.inner.epoch.load(Ordering::SeqCst)
    }

    /// Drops entries with any of these store tags.
    pub async fn invalidate_tags(&self, tags: &[String]) {
        if tags.is_empty() {
            return;
        }
        self.inner.epoch.fetch_add(1, Ordering::SeqCst);
        if let Err(e) = self.inner.store.invalidate(tags).await {
            tracing::warn!(?tags, error = %e, "cache: invalidation failed");
        }
    }

    /// Applies what an action invalidated.
    pub async fn apply(&self, invalidated: &Invalidated) {
        self.invalidate_tags(&tags_of(invalidated)).await;
    }

    /// Drops data tagged `tag` (outside an action; inside one use
    /// `cx.revalidate_tag`).
    pub async fn revalidate_tag(&self, tag: &str) {
        self.invalidate_tags(&[data_tag(tag)]).await;
    }
}

/// The cache as one page reads it ([`Cache::for_path`], `page.cache()`):
/// data loaded through it is dropped when the page is revalidated, by its
/// path or by a layout above it, as well as by its tags. An entry read by
/// several pages is dropped by revalidating any of them.
#[derive(Clone, Copy, Debug)]
pub struct ForPath<'a> {
    cache: &'a Cache,
    path: &'a str,
}

impl<'a> ForPath<'a> {
    /// [`Cache::load`], the entry also remembering this page: after
    /// `revalidate_path` of this page, or `revalidate_layout` of any prefix
    /// of its path, the next load calls the loader again.
    ///
    /// ```rust,no_run
    /// # #[derive(Debug)] struct DbError;
    /// # async fn query_post(id: u32) -> Result<String, DbError> { Ok(String::new()) }
    /// # async fn f(cache: serac::cache::Cache) -> Result<(), DbError> {
    /// use std::time::Duration;
    ///
    /// // Dropped by revalidate_path("/posts/1"), revalidate_layout("/posts")
    /// // and revalidate_tag("posts").
    /// let post: String = cache
    ///     .for_path("/posts/1")
    ///     .load("post:1", &["posts"], Duration::from_secs(60), || query_post(1))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn load<T, E, F, Fut>(self, key: &str, tags: &[&str], ttl: Duration, loader: F) -> Result<T, E>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        self.cache.load_for(Some(self.path), key, tags, ttl, loader).await
    }

    /// The path of the page.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The whole cache, not tied to the page.
    pub fn cache(&self) -> &'a Cache {
        self.cache
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    #[tokio::test]
    async fn a_hit_does_not_call_the_loader() {
        let cache = Cache::default();
        let calls = AtomicUsize::new(0);
        for _ in 0..3 {
            let v: u32 = cache
                .load("k", &[], Duration::from_secs(60), || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, std::convert::Infallible>(7)
                })
                .await
                .expect("value");
            assert_eq!(v, 7);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn concurrent_misses_call_the_loader_once() {
        let cache = Cache::default();
        let calls = Arc::new(AtomicUsize::new(0));
        let loads = (0..20).map(|_| {
            let cache = cache.clone();
            let calls = calls.clone();
            tokio::spawn(async move {
                cache
                    .load("k", &[], Duration::from_secs(60), || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok::<_, std::convert::Infallible>(1u8)
                    })
                    .await
            })
        });
        for load in futures_util::future::join_all(loads).await {
            assert_eq!(load.expect("task").expect("value"), 1);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(cache.inner.flights.lock().expect("flights").is_empty(), "flight locks are cleaned up");
    }

    #[tokio::test]
    async fn a_tag_drops_the_data_and_errors_are_not_cached() {
        let cache = Cache::default();
        let load = |v: u32| {
            let cache = cache.clone();
            async move {
                cache.load("k", &["posts"], Duration::from_secs(60), || async move { Ok::<_, ()>(v) }).await
            }
        };
        assert_eq!(load(1).await, Ok(1));
        assert_eq!(load(2).await, Ok(1), "cached");
        cache.revalidate_tag("other").await;
        assert_eq!(load(3).await, Ok(1), "another tag changes nothing");
        cache.revalidate_tag("posts").await;
        assert_eq!(load(4).await, Ok(4), "reloaded after the tag");

        let failing = cache.load("e", &[], Duration::from_secs(60), || async { Err::<u32, _>("down") }).await;
        assert_eq!(failing, Err("down"));
        let ok = cache.load("e", &[], Duration::from_secs(60), || async { Ok::<u32, &str>(5) }).await;
        assert_eq!(ok, Ok(5), "the error was not stored");
    }

    #[tokio::test]
    async fn a_load_racing_an_invalidation_is_not_stored() {
        let cache = Cache::default();
        let racing = cache.clone();
        let v: u32 = cache
            .load("k", &["t"], Duration::from_secs(60), || async move {
                racing.revalidate_tag("t").await; // the data changed while we read it
                Ok::<_, ()>(1)
            })
            .await
            .expect("value");
        assert_eq!(v, 1);
        let again: u32 = cache
            .load("k", &["t"], Duration::from_secs(60), || async { Ok::<_, ()>(2) })
            .await
            .expect("value");
        assert_eq!(again, 2, "the stale result was not kept");
    }

    /// What `revalidate_path` / `revalidate_layout` drop.
    async fn drop_page(cache: &Cache, path: Option<&str>, layout: Option<&str>) {
        let invalidated = Invalidated {
            paths: path.into_iter().map(str::to_string).collect(),
            layouts: layout.into_iter().map(str::to_string).collect(),
            tags: Vec::new(),
        };
        cache.apply(&invalidated).await;
    }

    async fn load_at(cache: &Cache, path: &str, v: u32) -> u32 {
        cache
            .for_path(path)
            .load("k", &["t"], Duration::from_secs(60), || async move { Ok::<_, ()>(v) })
            .await
            .expect("value")
    }

    #[tokio::test]
    async fn data_read_by_a_page_is_dropped_with_its_path_or_a_layout_above_it() {
        let cache = Cache::default();
        assert_eq!(load_at(&cache, "/posts/1", 1).await, 1);
        drop_page(&cache, Some("/posts/2"), None).await;
        drop_page(&cache, None, Some("/admin")).await;
        drop_page(&cache, None, Some("/posts/1/edit")).await;
        assert_eq!(load_at(&cache, "/posts/1", 2).await, 1, "other pages and subtrees keep it");
        drop_page(&cache, Some("/posts/1?x=1"), None).await;
        assert_eq!(load_at(&cache, "/posts/1", 3).await, 3, "dropped with its path");
        drop_page(&cache, None, Some("/posts")).await;
        assert_eq!(load_at(&cache, "/posts/1", 4).await, 4, "dropped with a layout above it");
        drop_page(&cache, None, Some("/")).await;
        assert_eq!(load_at(&cache, "/posts/1", 5).await, 5, "dropped with the root layout");
        cache.revalidate_tag("t").await;
        assert_eq!(load_at(&cache, "/posts/1", 6).await, 6, "and with its tags, as before");
    }

    /// Regression: an entry read through ever new paths was dropped every
    /// few hundred reads (the loader ran again), and long paths grew it
    /// without bound.
    #[tokio::test]
    async fn readers_on_ever_new_paths_neither_empty_nor_grow_the_cache() {
        let cache = Cache::default();
        assert_eq!(load_at(&cache, "/posts/1", 1).await, 1);
        for i in 0..3000 {
            assert_eq!(load_at(&cache, &format!("/posts/x{i}"), 2).await, 1, "read {i} reloaded");
        }
        let deep = "/d".repeat(1000);
        let long = format!("/{}", "z".repeat(60_000));
        assert_eq!(load_at(&cache, &deep, 3).await, 1);
        assert_eq!(load_at(&cache, &long, 4).await, 1);
        drop_page(&cache, Some("/unrelated"), None).await;
        assert_eq!(load_at(&cache, "/posts/1", 5).await, 5, "any page's revalidation drops it now");
        assert_eq!(load_at(&cache, "/posts/1", 6).await, 5);
    }

    #[tokio::test]
    async fn data_read_by_two_pages_is_dropped_with_either() {
        let cache = Cache::default();
        assert_eq!(load_at(&cache, "/a", 1).await, 1);
        assert_eq!(load_at(&cache, "/b", 2).await, 1, "a hit for the second page");
        drop_page(&cache, Some("/b"), None).await;
        assert_eq!(load_at(&cache, "/a", 3).await, 3, "the second reader's path dropped it");
        assert_eq!(load_at(&cache, "/b", 4).await, 3);
        drop_page(&cache, Some("/a"), None).await;
        assert_eq!(load_at(&cache, "/b", 5).await, 5, "the first reader's path dropped it");
    }

    #[tokio::test]
    async fn data_loaded_outside_a_page_is_not_tied_to_paths() {
        let cache = Cache::default();
        let plain = |v: u32| {
            let cache = cache.clone();
            async move { cache.load("k", &["t"], Duration::from_secs(60), || async move { Ok::<_, ()>(v) }).await }
        };
        assert_eq!(plain(1).await, Ok(1));
        drop_page(&cache, Some("/"), Some("/")).await;
        assert_eq!(plain(2).await, Ok(1));
    }

    #[tokio::test]
    async fn ttl_expires_entries() {
        let cache = Cache::default();
        let get = |v: u32| {
            let cache = cache.clone();
            async move { cache.load("k", &[], Duration::from_millis(40), || async move { Ok::<_, ()>(v) }).await }
        };
        assert_eq!(get(1).await, Ok(1));
        assert_eq!(get(2).await, Ok(1));
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(get(3).await, Ok(3));
    }
}
