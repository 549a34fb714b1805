//! The [`Store`] trait: where cached entries live.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;

/// A store failed (a network error, for a remote store). The cache treats
/// it as a miss and logs it: users never see it.
#[derive(Debug, thiserror::Error)]
#[error("the cache store failed: {0}")]
pub struct StoreError(pub String);

/// The future a [`Store`] method returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Where cached entries live: bytes under a key, with tags and a lifetime.
///
/// Implementations must give read-your-writes within one process: after
/// `invalidate` returns, `get` does not return an entry with those tags.
pub trait Store: Send + Sync + 'static {
    /// The entry under `key`, if present and not expired.
    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Bytes>>;

    /// Stores `value` under `key` for `ttl`, tagged with `tags`.
    fn put<'a>(
        &'a self,
        key: &'a str,
        value: Bytes,
        tags: &'a [String],
        ttl: Duration,
    ) -> StoreFuture<'a, ()>;

    /// Adds `tags` to the entry under `key`, if there is one, keeping its
    /// value and lifetime: invalidating any of them then drops it too (the
    /// cache does this when another page reads an entry). Does nothing when
    /// there is no entry, and must never bring back an entry that an
    /// invalidation dropped meanwhile. An entry keeps at most
    /// [`MAX_ENTRY_TAGS`](super::MAX_ENTRY_TAGS) tags (or so): past that, it
    /// gets [`ANY_PAGE_TAG`](super::ANY_PAGE_TAG) instead of the new ones,
    /// so that readers requesting ever new paths cannot grow it.
    fn add_tags<'a>(&'a self, key: &'a str, tags: &'a [String]) -> StoreFuture<'a, ()>;

    /// Drops every entry tagged with any of `tags`, here and, for a shared
    /// store, on every instance.
    fn invalidate<'a>(&'a self, tags: &'a [String]) -> StoreFuture<'a, ()>;

    /// Registers a callback for invalidations made by other instances (so
    /// the cache can refuse loads that raced with them). Stores without
    /// other instances ignore it.
    fn on_remote_invalidation(&self, callback: Box<dyn Fn() + Send + Sync>) {
        let _ = callback;
    }
}

/// A store that keeps nothing: every load calls its loader.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoStore;

impl Store for NoStore {
    fn get<'a>(&'a self, _: &'a str) -> StoreFuture<'a, Option<Bytes>> {
        Box::pin(async { Ok(None) })
    }
    fn put<'a>(&'a self, _: &'a str, _: Bytes, _: &'a [String], _: Duration) -> StoreFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }
    fn add_tags<'a>(&'a self, _: &'a str, _: &'a [String]) -> StoreFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }
    fn invalidate<'a>(&'a self, _: &'a [String]) -> StoreFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }
}
