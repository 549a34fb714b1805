//! [`MemoryStore`]: entries in this process's memory (moka), with a tag
//! index. The default store: no set-up, nothing shared between instances.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::store::{Store, StoreFuture};
use super::{ANY_PAGE_TAG, MAX_ENTRY_TAGS};

#[derive(Clone)]
struct Entry {
    value: Bytes,
    expires: Instant,
    tags: Arc<[String]>,
    /// Which write made this entry: the index names it, so that removing
    /// an old entry never unindexes the one that replaced it.
    generation: u64,
}

/// tag → key → the generation of the entry indexed there.
type Index = HashMap<String, HashMap<String, u64>>;

/// An in-memory store, bounded by entry count; least recently used entries
/// go first when full.
#[derive(Clone)]
pub struct MemoryStore {
    entries: moka::sync::Cache<String, Entry>,
    /// Kept in step by the eviction listener.
    index: Arc<Mutex<Index>>,
    generations: Arc<AtomicU64>,
    /// Writes hold it shared, invalidations exclusively: an entry is indexed
    /// and stored wholly before an invalidation or wholly after it, never
    /// stored after the invalidation removed its index.
    writes: Arc<RwLock<()>>,
    /// Writers of one key take turns (by a stripe of its hash), so that the
    /// index and the entries see its writes in the same order.
    turns: Arc<[Mutex<()>; TURNS]>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore").field("entries", &self.entries.entry_count()).finish()
    }
}

/// Stripes of the writers' turns.
const TURNS: usize = 64;

/// How many entries [`MemoryStore::default`] keeps.
pub const DEFAULT_CAPACITY: u64 = 10_000;

impl Default for MemoryStore {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

fn unindex(index: &mut Index, tag: &str, key: &str, generation: u64) {
    if let Some(keys) = index.get_mut(tag) {
        if keys.get(key) == Some(&generation) {
            keys.remove(key);
            if keys.is_empty() {
                index.remove(tag);
            }
        }
    }
}

impl MemoryStore {
    /// A store keeping at most `capacity` entries.
    pub fn with_capacity(capacity: u64) -> Self {
        let index: Arc<Mutex<Index>> = Arc::default();
        let listener_index = index.clone();
        let entries = moka::sync::Cache::builder()
            .max_capacity(capacity)
            .eviction_listener(move |key: Arc<String>, entry: Entry, _cause| {
                // Also called for an entry replaced by a newer write of its
                // key (after that write indexed itself): only the old
                // entry's own generation is unindexed, never the new one.
                let mut index = listener_index.lock().unwrap_or_else(|e| e.into_inner());
                for tag in entry.tags.iter() {
                    unindex(&mut index, tag, &key, entry.generation);
                }
            })
            .build();
        let turns = Arc::new(std::array::from_fn(|_| Mutex::new(())));
        Self { entries, index, generations: Arc::default(), writes: Arc::default(), turns }
    }

    fn writing(&self) -> std::sync::RwLockReadGuard<'_, ()> {
        self.writes.read().unwrap_or_else(|e| e.into_inner())
    }

    fn invalidating(&self) -> std::sync::RwLockWriteGuard<'_, ()> {
        self.writes.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Entries currently held (after pending evictions run).
    pub fn len(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entry under `key`, synchronously.
    pub fn get_now(&self, key: &str) -> Option<Bytes> {
        let entry = self.entries.get(key)?;
        if entry.expires <= Instant::now() {
            self.entries.invalidate(key);
            return None;
        }
        Some(entry.value)
    }

    /// Stores an entry, synchronously.
    pub fn put_now(&self, key: &str, value: Bytes, tags: &[String], ttl: Duration) {
        let _writing = self.writing();
        self.insert(key, value, tags.into(), Instant::now() + ttl);
    }

    /// Whether the entry under `key` exists and is dropped by each of
    /// `tags` already: it has them, or it has [`ANY_PAGE_TAG`] (which stands
    /// for every page's tags).
    pub fn has_tags(&self, key: &str, tags: &[String]) -> bool {
        self.entries.get(key).is_some_and(|e| {
            e.expires > Instant::now()
                && (e.tags.iter().any(|t| t == ANY_PAGE_TAG) || tags.iter().all(|t| e.tags.contains(t)))
        })
    }

    /// Adds `tags` to the entry under `key`, if there is one, synchronously;
    /// its value and lifetime stay. An entry that would carry more than
    /// [`MAX_ENTRY_TAGS`] gets [`ANY_PAGE_TAG`] instead of the new ones.
    pub fn add_tags_now(&self, key: &str, tags: &[String]) {
        // The common case, a page reading again what it read before.
        if self.has_tags(key, tags) {
            return;
        }
        // Exclusive: two readers adding at once would each write back the
        // tags they read, and one's would be lost.
        let _exclusive = self.invalidating();
        let Some(entry) = self.entries.get(key) else { return };
        if entry.expires <= Instant::now() {
            return;
        }
        let mut all = entry.tags.to_vec();
        for tag in tags {
            if !all.contains(tag) {
                all.push(tag.clone());
            }
        }
        if all.len() == entry.tags.len() {
            return;
        }
        if all.len() > MAX_ENTRY_TAGS {
            all.truncate(entry.tags.len());
            if all.iter().any(|t| t == ANY_PAGE_TAG) {
                return;
            }
            all.push(ANY_PAGE_TAG.to_string());
        }
        self.insert(key, entry.value, all.into(), entry.expires);
    }

    /// Drops the entry under `key`, synchronously.
    pub fn remove_now(&self, key: &str) {
        let _invalidating = self.invalidating();
        self.entries.invalidate(key);
    }

    /// Indexes and stores an entry (the caller holds `writing`).
    fn insert(&self, key: &str, value: Bytes, tags: Arc<[String]>, expires: Instant) {
        // Two writers of one key could otherwise index in one order and
        // store in the other: the replaced entry's listener would then
        // unindex the one that stays (a lost tag, a stale entry).
        let turn = {
            use std::hash::BuildHasher as _;
            let hash = foldhash::fast::FixedState::default().hash_one(key);
            &self.turns[(hash % TURNS as u64) as usize]
        };
        let _turn = turn.lock().unwrap_or_else(|e| e.into_inner());
        let generation = self.generations.fetch_add(1, Ordering::Relaxed);
        {
            // Not held while moka runs: its eviction listener takes it.
            let mut index = self.index.lock().unwrap_or_else(|e| e.into_inner());
            for tag in tags.iter() {
                index.entry(tag.clone()).or_default().insert(key.to_string(), generation);
            }
        }
        self.entries.insert(key.to_string(), Entry { value, expires, tags, generation });
    }

    /// Drops every entry with any of `tags`, synchronously.
    pub fn invalidate_now(&self, tags: &[String]) {
        let _invalidating = self.invalidating();
        let keys: Vec<String> = {
            let mut index = self.index.lock().unwrap_or_else(|e| e.into_inner());
            tags.iter().filter_map(|t| index.remove(t)).flat_map(HashMap::into_keys).collect()
        };
        for key in keys {
            self.entries.invalidate(&key);
        }
    }
}

impl MemoryStore {
    /// Drops every entry.
    pub fn invalidate_all(&self) {
        let _invalidating = self.invalidating();
        self.index.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.entries.invalidate_all();
    }
}

impl Store for MemoryStore {
    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Bytes>> {
        Box::pin(async move { Ok(self.get_now(key)) })
    }

    fn put<'a>(
        &'a self,
        key: &'a str,
        value: Bytes,
        tags: &'a [String],
        ttl: Duration,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.put_now(key, value, tags, ttl);
            Ok(())
        })
    }

    fn add_tags<'a>(&'a self, key: &'a str, tags: &'a [String]) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.add_tags_now(key, tags);
            Ok(())
        })
    }

    fn invalidate<'a>(&'a self, tags: &'a [String]) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.invalidate_now(tags);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    /// Regression: moka reports the replaced entry to the eviction listener
    /// after the new one was indexed, and the listener unindexed the key, so
    /// a tag no longer dropped an entry written twice.
    #[test]
    fn regression_an_entry_written_twice_is_still_dropped_by_its_tag() {
        let store = MemoryStore::default();
        store.put_now("k", Bytes::from_static(b"1"), &tags(&["t"]), Duration::from_secs(60));
        store.put_now("k", Bytes::from_static(b"2"), &tags(&["t"]), Duration::from_secs(60));
        store.entries.run_pending_tasks();
        store.invalidate_now(&tags(&["t"]));
        assert_eq!(store.get_now("k"), None);
    }

    #[test]
    fn a_rewritten_entry_leaves_the_tags_it_no_longer_has() {
        let store = MemoryStore::default();
        store.put_now("k", Bytes::from_static(b"1"), &tags(&["a", "b"]), Duration::from_secs(60));
        store.put_now("k", Bytes::from_static(b"2"), &tags(&["b"]), Duration::from_secs(60));
        store.entries.run_pending_tasks();
        store.invalidate_now(&tags(&["a"]));
        assert_eq!(store.get_now("k").as_deref(), Some(&b"2"[..]), "no longer tagged `a`");
        store.invalidate_now(&tags(&["b"]));
        assert_eq!(store.get_now("k"), None);
    }

    /// Many writers of one key at once, as concurrent page-cache misses do.
    /// (Regression: two of them could index in one order and store in the
    /// other, leaving the entry unindexed.)
    #[test]
    fn concurrent_writers_of_one_key_keep_it_indexed() {
        for round in 0..50 {
            let store = MemoryStore::default();
            std::thread::scope(|scope| {
                for i in 0..8u8 {
                    let store = &store;
                    scope.spawn(move || {
                        for _ in 0..200 {
                            store.put_now("k", Bytes::from(vec![i]), &tags(&["t"]), Duration::from_secs(60));
                        }
                    });
                }
            });
            store.entries.run_pending_tasks();
            store.invalidate_now(&tags(&["t"]));
            assert_eq!(store.get_now("k"), None, "round {round}");
        }
    }

    #[test]
    fn entries_are_dropped_by_any_of_their_tags() {
        let store = MemoryStore::default();
        store.put_now("a", Bytes::from_static(b"1"), &tags(&["x", "y"]), Duration::from_secs(60));
        store.put_now("b", Bytes::from_static(b"2"), &tags(&["y"]), Duration::from_secs(60));
        store.put_now("c", Bytes::from_static(b"3"), &tags(&["z"]), Duration::from_secs(60));
        store.invalidate_now(&tags(&["x"]));
        assert_eq!(store.get_now("a"), None);
        assert_eq!(store.get_now("b").as_deref(), Some(&b"2"[..]));
        store.invalidate_now(&tags(&["y"]));
        assert_eq!(store.get_now("b"), None);
        assert_eq!(store.get_now("c").as_deref(), Some(&b"3"[..]));
    }

    #[test]
    fn added_tags_drop_the_entry_and_keep_its_value_and_lifetime() {
        let store = MemoryStore::default();
        store.put_now("k", Bytes::from_static(b"1"), &tags(&["a"]), Duration::from_millis(40));
        store.add_tags_now("k", &tags(&["a", "b"]));
        assert!(store.has_tags("k", &tags(&["a", "b"])));
        assert_eq!(store.get_now("k").as_deref(), Some(&b"1"[..]));
        store.add_tags_now("missing", &tags(&["b"]));
        assert_eq!(store.get_now("missing"), None, "no entry is made");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(store.get_now("k"), None, "the lifetime was kept");

        store.put_now("k", Bytes::from_static(b"2"), &tags(&["a"]), Duration::from_secs(60));
        store.add_tags_now("k", &tags(&["b"]));
        store.entries.run_pending_tasks();
        store.invalidate_now(&tags(&["b"]));
        assert_eq!(store.get_now("k"), None, "dropped by the added tag");
        store.invalidate_now(&tags(&["a"]));
        store.entries.run_pending_tasks();
        assert!(store.index.lock().expect("index").is_empty(), "nothing left indexed");
    }

    /// Regression: past its tag limit an entry was dropped, so readers
    /// requesting ever new paths emptied the cache (the loader ran again
    /// every few hundred requests).
    #[test]
    fn an_entry_past_its_tag_limit_is_kept_and_dropped_by_any_page() {
        let store = MemoryStore::default();
        store.put_now("k", Bytes::from_static(b"1"), &tags(&["tag:t"]), Duration::from_secs(60));
        for i in 0..1000 {
            store.add_tags_now("k", &[format!("path:/{i}")]);
        }
        store.entries.run_pending_tasks();
        let entry = store.entries.get("k").expect("kept");
        assert!(entry.tags.len() <= MAX_ENTRY_TAGS + 1, "{} tags", entry.tags.len());
        assert!(entry.tags.iter().any(|t| t == ANY_PAGE_TAG));
        assert!(store.has_tags("k", &tags(&["path:/new"])), "a new reader adds nothing");
        store.invalidate_now(&tags(&["tag:other"]));
        assert!(store.get_now("k").is_some(), "other tags keep it");
        store.invalidate_now(&tags(&[ANY_PAGE_TAG]));
        assert_eq!(store.get_now("k"), None, "any page's revalidation drops it");
    }

    /// Regression: two readers adding tags at once could each write back
    /// what they had read, and one tag was lost.
    #[test]
    fn readers_adding_tags_at_once_lose_none() {
        let store = MemoryStore::default();
        for round in 0..500 {
            store.put_now("k", Bytes::from_static(b"v"), &tags(&["a"]), Duration::from_secs(60));
            let (x, y) = (format!("path:/x{round}"), format!("path:/y{round}"));
            std::thread::scope(|scope| {
                scope.spawn(|| store.add_tags_now("k", std::slice::from_ref(&x)));
                scope.spawn(|| store.add_tags_now("k", std::slice::from_ref(&y)));
            });
            assert!(store.has_tags("k", &[x, y]), "round {round}");
        }
    }

    #[test]
    fn adding_tags_races_invalidations_without_resurrecting_entries() {
        let store = MemoryStore::default();
        for round in 0..200 {
            store.put_now("k", Bytes::from_static(b"v"), &tags(&["a"]), Duration::from_secs(60));
            std::thread::scope(|scope| {
                scope.spawn(|| store.add_tags_now("k", &tags(&[&format!("b{round}")])));
                scope.spawn(|| store.invalidate_now(&tags(&["a"])));
            });
            assert_eq!(store.get_now("k"), None, "round {round}");
        }
    }

    #[test]
    fn entries_expire_after_their_ttl() {
        let store = MemoryStore::default();
        store.put_now("a", Bytes::from_static(b"1"), &[], Duration::from_millis(30));
        assert!(store.get_now("a").is_some());
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(store.get_now("a"), None);
    }

    #[test]
    fn the_store_stays_within_its_capacity() {
        let store = MemoryStore::with_capacity(10);
        for i in 0..100 {
            store.put_now(&format!("k{i}"), Bytes::from_static(b"v"), &tags(&["t"]), Duration::from_secs(60));
        }
        assert!(store.len() <= 10, "{} entries", store.len());
    }
}
