//! # serac-redis: Serac's cache and idempotency keys shared between instances
//!
//! [`RedisStore`] keeps cache entries and their tag sets in Redis, so every
//! instance of an app reads the same entries, and publishes every
//! invalidation so that each instance also drops the copies it holds in
//! memory. [`RedisIdempotency`] keeps idempotency keys and the answers they
//! replay there too, so that a retry reaching another instance is still
//! recognised as a repeat and the action runs once.
//!
//! ```rust,no_run
//! # async fn f(router: axum::Router) -> Result<(), Box<dyn std::error::Error>> {
//! use serac::{ActionLayer, cache::Cache};
//! use serac_redis::RedisStore;
//!
//! let store = RedisStore::from_env()?; // SERAC_REDIS_URL, e.g. redis://127.0.0.1:6379
//! let app = ActionLayer::from_env()?
//!     .idempotency_store(store.idempotency())
//!     .cache(Cache::new(store))
//!     .wrap(router);
//! # let _ = app; Ok(()) }
//! ```
//!
//! ## When Redis is away
//!
//! Nothing fails for users. Reads and writes that cannot reach Redis within
//! [`OP_TIMEOUT`] are misses, so pages and data come from their loaders
//! (slower, never stale); the first failure and the recovery are logged once
//! each. Invalidations that could not be sent are kept and sent when Redis is
//! back. The in-memory copies are used only while this instance is
//! subscribed to the invalidation channel: after any disconnection they are
//! dropped, because invalidations may have been missed meanwhile.
//!
//! ## In Redis
//!
//! `{prefix}e:{key}` holds an entry (the tags it was written with, then its
//! bytes) with the entry's lifetime; `{prefix}t:{tag}` is the set of keys
//! with that tag, the authority on what an invalidation drops (tags added
//! later, when another page reads an entry, go only there, and
//! `{prefix}n:{key}` counts them: past `serac::cache::MAX_ENTRY_TAGS` the
//! entry joins the "any page" tag instead); invalidations
//! are published on `{prefix}invalidate`, with the keys they dropped, so
//! every instance drops its copies of those keys whatever tags its copies
//! know. The prefix defaults to `serac:`. An entry and its tag sets are
//! written in one `MULTI`, and adding tags or invalidating (the tagged
//! entries, the tag sets, the message) is one Lua script each: a write can
//! never slip between reading a tag's keys and deleting them, and be left
//! in Redis without its tag. (The script touches entry keys it does not
//! declare, so a Redis Cluster needs all of an app's keys in one slot: give
//! a prefix with a hash tag, such as `{app}:`.)

#![forbid(unsafe_code)]

mod idempotency;

pub use idempotency::RedisIdempotency;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::{BufMut as _, Bytes, BytesMut};
use futures_util::StreamExt as _;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serac::cache::{MemoryStore, Store, StoreError, StoreFuture};

/// The environment variable [`RedisStore::from_env`] reads.
pub const REDIS_URL_ENV: &str = "SERAC_REDIS_URL";
/// How long one Redis operation may take before it counts as a failure.
pub const OP_TIMEOUT: Duration = Duration::from_millis(300);
/// How long to wait before trying to reconnect after a failure.
pub const RETRY_AFTER: Duration = Duration::from_millis(500);
/// How long an entry read from Redis stays in this instance's memory at most.
pub const LOCAL_TTL: Duration = Duration::from_secs(60);
/// An invalidation that drops more entries than this tells the other
/// instances to drop every copy they hold rather than list the keys.
const MAX_PUBLISHED_KEYS: usize = 1000;

/// Building a store failed.
#[derive(Debug, thiserror::Error)]
pub enum RedisStoreError {
    /// `SERAC_REDIS_URL` is not set.
    #[error("{REDIS_URL_ENV} is not set")]
    NotConfigured,
    /// The URL is not a Redis URL.
    #[error("{REDIS_URL_ENV} is not a usable Redis URL: {0}")]
    BadUrl(#[source] redis::RedisError),
}

/// What the cache asked to hear about remote invalidations.
type RemoteCallback = Box<dyn Fn() + Send + Sync>;

/// A [`Store`] in Redis, with a local in-memory copy kept coherent through
/// published invalidations. Cheap to clone.
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
}

struct Inner {
    client: redis::Client,
    prefix: String,
    /// This instance, so it can skip its own published invalidations.
    instance: String,
    local: MemoryStore,
    /// Made at the first successful connection; it reconnects by itself
    /// after that.
    connection: tokio::sync::Mutex<Option<ConnectionManager>>,
    /// When the first connection last failed (no retry before RETRY_AFTER).
    failed_at: Mutex<Option<Instant>>,
    /// Whether Redis answered the last operation (for logging transitions).
    healthy: AtomicBool,
    /// Whether the subscriber is listening: only then is `local` trusted.
    subscribed: Arc<AtomicBool>,
    /// Moves whenever local copies are dropped: a copy read from Redis
    /// before that is not kept (it may be what was just dropped).
    heard: AtomicU64,
    /// Invalidations that could not reach Redis yet.
    pending: Mutex<Vec<String>>,
    on_remote: Arc<Mutex<Option<RemoteCallback>>>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.inner.prefix)
            .field("subscribed", &self.inner.subscribed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

fn error(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

impl RedisStore {
    /// A store on the Redis at `url` (`redis://host:port/db`). Does not
    /// connect yet: an unreachable Redis is a degraded cache, not a failed
    /// start. Must be called inside a Tokio runtime (it starts the
    /// subscriber task).
    pub fn new(url: &str) -> Result<Self, RedisStoreError> {
        Self::with_prefix(url, "serac:")
    }

    /// [`RedisStore::new`] with keys under `prefix` (apps sharing one Redis).
    pub fn with_prefix(url: &str, prefix: &str) -> Result<Self, RedisStoreError> {
        let client = redis::Client::open(url).map_err(RedisStoreError::BadUrl)?;
        let instance = format!("{:016x}", rand_id());
        let store = Self {
            inner: Arc::new(Inner {
                client,
                prefix: prefix.to_string(),
                instance,
                local: MemoryStore::default(),
                connection: tokio::sync::Mutex::new(None),
                failed_at: Mutex::new(None),
                healthy: AtomicBool::new(true),
                subscribed: Arc::new(AtomicBool::new(false)),
                heard: AtomicU64::new(0),
                pending: Mutex::new(Vec::new()),
                on_remote: Arc::new(Mutex::new(None)),
            }),
        };
        tokio::spawn(subscribe(Arc::downgrade(&store.inner)));
        Ok(store)
    }

    /// A store on `SERAC_REDIS_URL`.
    pub fn from_env() -> Result<Self, RedisStoreError> {
        let url = std::env::var(REDIS_URL_ENV).map_err(|_| RedisStoreError::NotConfigured)?;
        Self::new(&url)
    }

    /// Whether this instance currently hears invalidations from the others.
    pub fn is_subscribed(&self) -> bool {
        self.inner.subscribed.load(Ordering::SeqCst)
    }

    pub(crate) fn prefix(&self) -> &str {
        &self.inner.prefix
    }

    fn entry_key(&self, key: &str) -> String {
        format!("{}e:{key}", self.inner.prefix)
    }

    fn tag_key(&self, tag: &str) -> String {
        format!("{}t:{tag}", self.inner.prefix)
    }

    /// How many tags have been added to the entry under `key` since it was
    /// written.
    fn count_key(&self, key: &str) -> String {
        format!("{}n:{key}", self.inner.prefix)
    }

    /// The point in the stream of invalidations this instance has heard.
    fn heard(&self) -> u64 {
        self.inner.heard.load(Ordering::SeqCst)
    }

    fn hear(&self) {
        self.inner.heard.fetch_add(1, Ordering::SeqCst);
    }

    /// Idempotency keys and answers in the same Redis, under the same
    /// prefix: for `ActionLayer::idempotency_store`.
    pub fn idempotency(&self) -> RedisIdempotency {
        RedisIdempotency::new(self.clone())
    }

    fn channel(&self) -> String {
        format!("{}invalidate", self.inner.prefix)
    }

    /// A connection, or an error without waiting when Redis could not be
    /// reached recently. The first success makes a [`ConnectionManager`],
    /// which reconnects by itself from then on.
    async fn connection(&self) -> Result<ConnectionManager, StoreError> {
        let mut slot = self.inner.connection.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        if let Some(at) = *self.inner.failed_at.lock().unwrap_or_else(|e| e.into_inner()) {
            if at.elapsed() < RETRY_AFTER {
                return Err(StoreError("Redis is unreachable (retrying shortly)".into()));
            }
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(OP_TIMEOUT)
            .set_response_timeout(OP_TIMEOUT)
            .set_number_of_retries(1);
        let connect = ConnectionManager::new_with_config(self.inner.client.clone(), config);
        match tokio::time::timeout(OP_TIMEOUT * 2, connect).await {
            Ok(Ok(c)) => {
                *slot = Some(c.clone());
                Ok(c)
            }
            Ok(Err(e)) => Err(self.failed(error(e))),
            Err(_) => Err(self.failed(StoreError("connecting to Redis timed out".into()))),
        }
    }

    fn failed(&self, e: StoreError) -> StoreError {
        *self.inner.failed_at.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        if self.inner.healthy.swap(false, Ordering::SeqCst) {
            tracing::warn!(error = %e, "serac-redis: Redis is unreachable; serving through the loaders until it returns");
        }
        e
    }

    /// Runs `op` on a connection with a time limit.
    pub(crate) async fn run<T, F, Fut>(&self, op: F) -> Result<T, StoreError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let connection = self.connection().await?;
        let outcome = match tokio::time::timeout(OP_TIMEOUT, op(connection)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(error(e)),
            Err(_) => Err(StoreError("the Redis operation timed out".into())),
        };
        match outcome {
            Ok(v) => {
                if !self.inner.healthy.swap(true, Ordering::SeqCst) {
                    tracing::info!("serac-redis: Redis is back");
                }
                Ok(v)
            }
            Err(e) => Err(self.failed(e)),
        }
    }

    /// Sends invalidations that could not be sent before.
    async fn flush_pending(&self) {
        let pending: Vec<String> =
            std::mem::take(&mut *self.inner.pending.lock().unwrap_or_else(|e| e.into_inner()));
        if !pending.is_empty() && self.invalidate_remote(&pending).await.is_err() {
            self.inner.pending.lock().unwrap_or_else(|e| e.into_inner()).extend(pending);
        }
    }

    /// Drops the tagged entries in Redis, tells the other instances, and
    /// drops this instance's copies of the keys dropped.
    async fn invalidate_remote(&self, tags: &[String]) -> Result<(), StoreError> {
        let tag_keys: Vec<String> = tags.iter().map(|t| self.tag_key(t)).collect();
        let message = format!("{}\n{}", self.inner.instance, tags.join("\n"));
        let channel = self.channel();
        let entries = self.entry_key("");
        let dropped: Vec<String> = self
            .run(|mut c| async move {
                let mut invocation = INVALIDATE.prepare_invoke();
                for tag_key in &tag_keys {
                    invocation.key(tag_key);
                }
                invocation
                    .arg(channel)
                    .arg(message)
                    .arg(entries)
                    .arg(MAX_PUBLISHED_KEYS)
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        // Our copies may lack tags other instances added in Redis.
        self.hear();
        for entry_key in &dropped {
            if let Some(key) = entry_key.strip_prefix(&self.entry_key("")) {
                self.inner.local.remove_now(key);
            }
        }
        Ok(())
    }
}

/// One invalidation, atomically: every entry of every tag set in `KEYS`, the
/// sets themselves, then the message to the other instances: `ARGV[2]` (this
/// instance, the tags), then a line per entry dropped (`\0k` and its key
/// with `%`, LF and CR escaped as `%25`, `%0A`, `%0D`), or `\0all` when
/// there are more than `ARGV[4]`, on channel `ARGV[1]`. `ARGV[3]` is the
/// entry keys' prefix. Returns the entry keys dropped.
static INVALIDATE: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| {
    redis::Script::new(
        r"
        local dropped, seen = {}, {}
        for _, tag in ipairs(KEYS) do
            local keys = redis.call('SMEMBERS', tag)
            for i = 1, #keys, 500 do
                redis.call('DEL', unpack(keys, i, math.min(i + 499, #keys)))
            end
            for _, key in ipairs(keys) do
                if not seen[key] then
                    seen[key] = true
                    table.insert(dropped, key)
                end
            end
            redis.call('DEL', tag)
        end
        local lines = { ARGV[2] }
        if #dropped > tonumber(ARGV[4]) then
            table.insert(lines, '\0all')
        else
            local skip = #ARGV[3]
            for _, key in ipairs(dropped) do
                local name = string.sub(key, skip + 1)
                name = string.gsub(name, '%%', '%%25')
                name = string.gsub(name, '\n', '%%0A')
                name = string.gsub(name, '\r', '%%0D')
                table.insert(lines, '\0k' .. name)
            end
        end
        redis.call('PUBLISH', ARGV[1], table.concat(lines, '\n'))
        return dropped
        ",
    )
});

/// Adds the tag sets in `KEYS[4..]` to the entry `KEYS[1]` if it exists,
/// each living at least as long as the entry. `KEYS[2]` counts the tags
/// added to the entry; once `ARGV[1]` have been, the entry joins the set
/// `KEYS[3]` (the "any page" tag) instead. Returns whether it exists.
static ADD_TAGS: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| {
    redis::Script::new(
        r"
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl <= 0 then
            return 0
        end
        local function join(set)
            local added = redis.call('SADD', set, KEYS[1])
            redis.call('PEXPIRE', set, ttl, 'NX')
            redis.call('PEXPIRE', set, ttl, 'GT')
            return added
        end
        local count = tonumber(redis.call('GET', KEYS[2]) or '0')
        local limit = tonumber(ARGV[1])
        if count + #KEYS - 3 > limit then
            join(KEYS[3])
            return 1
        end
        for i = 4, #KEYS do
            count = count + join(KEYS[i])
        end
        redis.call('SET', KEYS[2], count, 'PX', ttl)
        return 1
        ",
    )
});

/// What another instance's invalidation dropped.
#[derive(Debug, Default, PartialEq, Eq)]
struct Heard {
    instance: String,
    tags: Vec<String>,
    keys: Vec<String>,
    /// Too many keys to list: every copy goes.
    all: bool,
}

/// Reads a message of the invalidation channel (see [`INVALIDATE`]).
fn parse_message(payload: &str) -> Heard {
    let mut lines = payload.split('\n');
    let mut heard = Heard { instance: lines.next().unwrap_or_default().to_string(), ..Heard::default() };
    for line in lines {
        match line.strip_prefix('\0') {
            None => heard.tags.push(line.to_string()),
            Some("all") => heard.all = true,
            Some(other) => {
                if let Some(key) = other.strip_prefix('k') {
                    heard.keys.push(unescape_key(key));
                }
            }
        }
    }
    heard
}

/// Undoes the script's `%25`, `%0A`, `%0D`.
fn unescape_key(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let (char, len) = match rest.get(at..at + 3) {
            Some("%25") => ('%', 3),
            Some("%0A") => ('\n', 3),
            Some("%0D") => ('\r', 3),
            _ => ('%', 1),
        };
        out.push(char);
        rest = &rest[at + len..];
    }
    out.push_str(rest);
    out
}

/// An id for this store instance: random per process (the standard
/// library's hash keys), different per store, mixed with the process id.
fn rand_id() -> u64 {
    use std::hash::{BuildHasher as _, Hasher as _};
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(NEXT.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    h.finish()
}

/// An entry as stored in Redis: the tag count, each tag with its length,
/// then the value.
fn frame(tags: &[String], value: &[u8]) -> Vec<u8> {
    let mut out = BytesMut::new();
    out.put_u16(u16::try_from(tags.len()).unwrap_or(u16::MAX));
    for tag in tags.iter().take(usize::from(u16::MAX)) {
        let bytes = tag.as_bytes();
        let len = bytes.len().min(usize::from(u16::MAX));
        out.put_u16(u16::try_from(len).unwrap_or(u16::MAX));
        out.put_slice(&bytes[..len]);
    }
    out.put_slice(value);
    out.to_vec()
}

fn unframe(raw: &[u8]) -> Option<(Vec<String>, Bytes)> {
    let mut at = 2;
    let count = u16::from_be_bytes([*raw.first()?, *raw.get(1)?]);
    let mut tags = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let len = usize::from(u16::from_be_bytes([*raw.get(at)?, *raw.get(at + 1)?]));
        tags.push(String::from_utf8(raw.get(at + 2..at + 2 + len)?.to_vec()).ok()?);
        at += 2 + len;
    }
    Some((tags, Bytes::copy_from_slice(raw.get(at..)?)))
}

/// Listens for invalidations from other instances until the store is
/// dropped; reconnects after failures, and drops the local copies whenever
/// the subscription was interrupted.
async fn subscribe(inner: std::sync::Weak<Inner>) {
    loop {
        let Some(strong) = inner.upgrade() else { return };
        let store = RedisStore { inner: strong };
        let channel = store.channel();
        let pubsub = match tokio::time::timeout(OP_TIMEOUT, store.inner.client.get_async_pubsub()).await {
            Ok(Ok(mut pubsub)) => match pubsub.subscribe(&channel).await {
                Ok(()) => Some(pubsub),
                Err(_) => None,
            },
            _ => None,
        };
        let Some(pubsub) = pubsub else {
            drop(store);
            tokio::time::sleep(RETRY_AFTER).await;
            continue;
        };
        // Whatever happened while we were not listening is unknown: start
        // from an empty local copy.
        store.hear();
        store.inner.local.invalidate_all();
        notify_remote(&store);
        store.inner.subscribed.store(true, Ordering::SeqCst);
        store.flush_pending().await;
        let own = store.inner.instance.clone();
        let weak = Arc::downgrade(&store.inner);
        drop(store);
        let mut messages = pubsub.into_on_message();
        while let Some(msg) = messages.next().await {
            let Some(inner) = weak.upgrade() else { return };
            let store = RedisStore { inner };
            let Ok(payload) = msg.get_payload::<String>() else { continue };
            let heard = parse_message(&payload);
            if heard.instance == own {
                continue;
            }
            store.hear();
            if heard.all {
                store.inner.local.invalidate_all();
            } else {
                store.inner.local.invalidate_now(&heard.tags);
                for key in &heard.keys {
                    store.inner.local.remove_now(key);
                }
            }
            notify_remote(&store);
        }
        // The connection ended.
        let Some(inner) = weak.upgrade() else { return };
        inner.subscribed.store(false, Ordering::SeqCst);
        inner.heard.fetch_add(1, Ordering::SeqCst);
        inner.local.invalidate_all();
        drop(inner);
        tokio::time::sleep(RETRY_AFTER).await;
    }
}

fn notify_remote(store: &RedisStore) {
    if let Some(callback) = store.inner.on_remote.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
        callback();
    }
}

impl Store for RedisStore {
    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Bytes>> {
        Box::pin(async move {
            let trusted = self.is_subscribed();
            if trusted {
                if let Some(v) = self.inner.local.get_now(key) {
                    return Ok(Some(v));
                }
            }
            let entry_key = self.entry_key(key);
            let heard = self.heard();
            let (raw, ttl_ms): (Option<Vec<u8>>, i64) = self
                .run(|mut c| async move {
                    redis::pipe().get(&entry_key).pttl(&entry_key).query_async(&mut c).await
                })
                .await?;
            let Some((tags, value)) = raw.as_deref().and_then(unframe) else { return Ok(None) };
            // Not kept if an invalidation may have dropped it meanwhile.
            if trusted && self.is_subscribed() && self.heard() == heard && ttl_ms > 0 {
                let ttl = Duration::from_millis(u64::try_from(ttl_ms).unwrap_or(0)).min(LOCAL_TTL);
                self.inner.local.put_now(key, value.clone(), &tags, ttl);
            }
            Ok(Some(value))
        })
    }

    fn put<'a>(
        &'a self,
        key: &'a str,
        value: Bytes,
        tags: &'a [String],
        ttl: Duration,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let entry_key = self.entry_key(key);
            let count_key = self.count_key(key);
            let tag_keys: Vec<String> = tags.iter().map(|t| self.tag_key(t)).collect();
            let framed = frame(tags, &value);
            let ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1);
            let heard = self.heard();
            self.run(|mut c| async move {
                let mut pipe = redis::pipe();
                // One MULTI: an invalidation sees the entry with its tags or
                // not at all.
                pipe.atomic();
                pipe.cmd("SET").arg(&entry_key).arg(framed).arg("PX").arg(ms).ignore();
                // A new entry: no tags added to it yet.
                pipe.del(&count_key).ignore();
                for tag_key in &tag_keys {
                    pipe.sadd(tag_key, &entry_key).ignore();
                    // A tag set lives as long as its longest-lived entry.
                    pipe.cmd("PEXPIRE").arg(tag_key).arg(ms).arg("NX").ignore();
                    pipe.cmd("PEXPIRE").arg(tag_key).arg(ms).arg("GT").ignore();
                }
                pipe.query_async::<()>(&mut c).await
            })
            .await?;
            if self.is_subscribed() && self.heard() == heard {
                self.inner.local.put_now(key, value, tags, ttl.min(LOCAL_TTL));
            }
            Ok(())
        })
    }

    fn add_tags<'a>(&'a self, key: &'a str, tags: &'a [String]) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            // The common case, a page reading again what it read before:
            // this instance's copy already knows.
            if self.is_subscribed() && self.inner.local.has_tags(key, tags) {
                return Ok(());
            }
            let entry_key = self.entry_key(key);
            let count_key = self.count_key(key);
            let any_key = self.tag_key(serac::cache::ANY_PAGE_TAG);
            let tag_keys: Vec<String> = tags.iter().map(|t| self.tag_key(t)).collect();
            let exists: bool = self
                .run(|mut c| async move {
                    let mut invocation = ADD_TAGS.prepare_invoke();
                    invocation.key(&entry_key).key(&count_key).key(&any_key);
                    for tag_key in &tag_keys {
                        invocation.key(tag_key);
                    }
                    invocation.arg(serac::cache::MAX_ENTRY_TAGS).invoke_async(&mut c).await
                })
                .await?;
            if exists {
                self.inner.local.add_tags_now(key, tags);
            } else {
                self.inner.local.remove_now(key);
            }
            Ok(())
        })
    }

    fn invalidate<'a>(&'a self, tags: &'a [String]) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.hear();
            self.inner.local.invalidate_now(tags);
            self.flush_pending().await;
            if let Err(e) = self.invalidate_remote(tags).await {
                // Sent when Redis is back, so no instance keeps stale entries.
                self.inner.pending.lock().unwrap_or_else(|e| e.into_inner()).extend(tags.iter().cloned());
                // Our copies may carry only some of their tags (others were
                // added in Redis): without Redis to say which entries these
                // tags dropped, drop them all.
                self.inner.local.invalidate_all();
                return Err(e);
            }
            Ok(())
        })
    }

    fn on_remote_invalidation(&self, callback: Box<dyn Fn() + Send + Sync>) {
        *self.inner.on_remote.lock().unwrap_or_else(|e| e.into_inner()) = Some(callback);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_frame_and_unframe() {
        let tags = vec!["tag:posts".to_string(), "path:/".to_string()];
        let raw = frame(&tags, b"<p>x</p>");
        let (back, value) = unframe(&raw).expect("unframes");
        assert_eq!(back, tags);
        assert_eq!(&value[..], b"<p>x</p>");
        assert!(unframe(&[0, 1, 0, 9]).is_none(), "a truncated frame is refused");
    }

    #[test]
    fn invalidation_messages_are_read() {
        let heard = parse_message("abc\ntag:x\npath:/a\n\0kdata:one\n\0kdata:a%0Ab%25%0D%2");
        assert_eq!(heard.instance, "abc");
        assert_eq!(heard.tags, ["tag:x", "path:/a"]);
        assert_eq!(heard.keys, ["data:one", "data:a\nb%\r%2"]);
        assert!(!heard.all);
        let heard = parse_message("abc\ntag:x\n\0all");
        assert!(heard.all);
        assert_eq!(heard.tags, ["tag:x"]);
        assert_eq!(parse_message("abc\ntag:x").tags, ["tag:x"], "a message without keys");
    }
}
