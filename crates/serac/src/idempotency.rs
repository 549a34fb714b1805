//! Where idempotency keys and the answers they replay are kept.
//!
//! A JavaScript call may carry a key (`serac-idempotency-key`); a repeat of
//! that call (a retry after a network error, a double submit) gets the first
//! answer instead of running the action again. The layer decides what a
//! repeat is; a [`IdempotencyStore`] only keeps, per key:
//!
//! - the *fingerprint* of the request that claimed it (a hash of the action,
//!   the page, the host, the cookies and `Authorization` header it sent
//!   and its body), so that a key reused by
//!   another request, or another caller, is refused instead of answered with
//!   someone else's answer;
//! - whether that request is still running, or its answer.
//!
//! [`MemoryIdempotency`] (the default) keeps answers in this process within a
//! byte budget; `serac-redis` keeps them in Redis, shared by every instance,
//! so a retry that lands on another instance is still a repeat.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Buf as _, BufMut as _, Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

pub use crate::cache::{StoreError, StoreFuture};

/// How long an answer is replayed by default.
pub const DEFAULT_KEEP_FOR: Duration = Duration::from_secs(10 * 60);
/// How many bytes of answers [`MemoryIdempotency::default`] keeps at most.
pub const DEFAULT_BUDGET: u64 = 16 * 1024 * 1024;
/// The largest answer kept for repeats by default; a repeat of a call whose
/// answer was larger is refused (`409`), never run again.
pub const DEFAULT_MAX_ANSWER: usize = 256 * 1024;

/// A hash of everything that makes two requests the same request.
pub type Fingerprint = [u8; 32];

/// An answer kept for repeats: status, headers and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    /// The status.
    pub status: StatusCode,
    /// The headers, `Set-Cookie` included (a repeat comes from the same
    /// caller: the fingerprint holds its cookies and credentials).
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl StoredAnswer {
    /// Its size as kept, for budgets.
    pub fn weight(&self) -> usize {
        self.body.len() + self.headers.iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum::<usize>() + 16
    }

    /// As bytes, for stores that keep bytes (`decode` reads them back).
    pub fn encode(&self) -> Bytes {
        let mut out = BytesMut::with_capacity(self.weight());
        out.put_u16(self.status.as_u16());
        out.put_u16(u16::try_from(self.headers.len()).unwrap_or(u16::MAX));
        for (name, value) in self.headers.iter().take(usize::from(u16::MAX)) {
            let (name, value) = (name.as_str().as_bytes(), value.as_bytes());
            out.put_u16(u16::try_from(name.len()).unwrap_or(u16::MAX));
            out.put_slice(&name[..name.len().min(usize::from(u16::MAX))]);
            out.put_u32(u32::try_from(value.len()).unwrap_or(u32::MAX));
            out.put_slice(value);
        }
        out.put_slice(&self.body);
        out.freeze()
    }

    /// Reads what [`StoredAnswer::encode`] wrote; `None` for anything else.
    pub fn decode(mut raw: Bytes) -> Option<Self> {
        if raw.remaining() < 4 {
            return None;
        }
        let status = StatusCode::from_u16(raw.get_u16()).ok()?;
        let count = raw.get_u16();
        let mut headers = HeaderMap::with_capacity(usize::from(count));
        for _ in 0..count {
            if raw.remaining() < 2 {
                return None;
            }
            let len = usize::from(raw.get_u16());
            if raw.remaining() < len + 4 {
                return None;
            }
            let name = HeaderName::from_bytes(&raw.split_to(len)).ok()?;
            let len = usize::try_from(raw.get_u32()).ok()?;
            if raw.remaining() < len {
                return None;
            }
            let value = HeaderValue::from_maybe_shared(raw.split_to(len)).ok()?;
            headers.append(name, value);
        }
        Some(Self { status, headers, body: raw })
    }
}

/// What a store says of a key a request wants to run under.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Claim {
    /// Nobody had the key: the caller runs the action, then finishes.
    Run,
    /// The same request is running now: wait and ask again.
    Running,
    /// The same request finished: its answer.
    Done(StoredAnswer),
    /// The same request finished, but its answer was too large to keep.
    NotKept,
    /// Another request (other body, page or caller) holds the key.
    Conflict,
}

/// Where keys and answers are kept. Implement it for a shared store (the
/// Redis one is in `serac-redis`).
pub trait IdempotencyStore: Send + Sync + 'static {
    /// Claims `key` for a request with `fingerprint`, or says who has it.
    /// A claim not finished within `running_for` is forgotten (its
    /// instance died).
    fn claim<'a>(
        &'a self,
        key: &'a str,
        fingerprint: &'a Fingerprint,
        running_for: Duration,
    ) -> StoreFuture<'a, Claim>;

    /// Records how the claimed request ended: its answer, or `None` when
    /// the answer is too large to keep. Kept for `keep_for`.
    fn finish<'a>(
        &'a self,
        key: &'a str,
        fingerprint: &'a Fingerprint,
        answer: Option<&'a StoredAnswer>,
        keep_for: Duration,
    ) -> StoreFuture<'a, ()>;

    /// Gives up a claim whose request was cancelled (its client went away
    /// before the action finished), so that a retry runs it.
    fn release<'a>(&'a self, key: &'a str, fingerprint: &'a Fingerprint) -> StoreFuture<'a, ()>;
}

/// How many finished keys [`MemoryIdempotency`] remembers at most (their
/// fingerprints, answers or not).
pub const DEFAULT_MAX_KEYS: u64 = 100_000;

/// Keys and answers in this process's memory. Finished keys are remembered
/// (up to [`DEFAULT_MAX_KEYS`]) apart from their answers, which share a byte
/// budget: an answer the budget has no room for (or evicts) leaves its key
/// remembered, and a repeat of its request is refused as not kept, never
/// run again.
#[derive(Clone)]
pub struct MemoryIdempotency {
    running: Arc<Mutex<HashMap<String, Fingerprint>>>,
    finished: moka::sync::Cache<String, Fingerprint>,
    answers: moka::sync::Cache<String, StoredAnswer>,
}

impl std::fmt::Debug for MemoryIdempotency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryIdempotency")
            .field("finished", &self.finished.entry_count())
            .field("answers", &self.answers.entry_count())
            .finish_non_exhaustive()
    }
}

impl Default for MemoryIdempotency {
    fn default() -> Self {
        Self::with_budget(DEFAULT_BUDGET, DEFAULT_KEEP_FOR)
    }
}

impl MemoryIdempotency {
    /// A store keeping at most `budget` bytes of answers, each for `keep_for`.
    pub fn with_budget(budget: u64, keep_for: Duration) -> Self {
        let finished =
            moka::sync::Cache::builder().max_capacity(DEFAULT_MAX_KEYS).time_to_live(keep_for).build();
        let answers = moka::sync::Cache::builder()
            .max_capacity(budget)
            .weigher(|key: &String, answer: &StoredAnswer| {
                u32::try_from(key.len() + answer.weight()).unwrap_or(u32::MAX)
            })
            .time_to_live(keep_for)
            .build();
        Self { running: Arc::default(), finished, answers }
    }

    /// Bytes of answers held now (after pending evictions).
    pub fn weight(&self) -> u64 {
        self.answers.run_pending_tasks();
        self.answers.weighted_size()
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<String, Fingerprint>> {
        self.running.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn claim_now(&self, key: &str, fingerprint: &Fingerprint) -> Claim {
        let mut running = self.running();
        if let Some(finished) = self.finished.get(key) {
            if &finished != fingerprint {
                return Claim::Conflict;
            }
            return self.answers.get(key).map_or(Claim::NotKept, Claim::Done);
        }
        match running.get(key) {
            Some(held) if held == fingerprint => Claim::Running,
            Some(_) => Claim::Conflict,
            None => {
                running.insert(key.to_string(), *fingerprint);
                Claim::Run
            }
        }
    }
}

impl IdempotencyStore for MemoryIdempotency {
    fn claim<'a>(
        &'a self,
        key: &'a str,
        fingerprint: &'a Fingerprint,
        _: Duration,
    ) -> StoreFuture<'a, Claim> {
        Box::pin(std::future::ready(Ok(self.claim_now(key, fingerprint))))
    }

    fn finish<'a>(
        &'a self,
        key: &'a str,
        fingerprint: &'a Fingerprint,
        answer: Option<&'a StoredAnswer>,
        _: Duration,
    ) -> StoreFuture<'a, ()> {
        // Kept first, then no longer running: a repeat never finds neither.
        if let Some(answer) = answer {
            self.answers.insert(key.to_string(), answer.clone());
        }
        self.finished.insert(key.to_string(), *fingerprint);
        self.running().remove(key);
        Box::pin(std::future::ready(Ok(())))
    }

    fn release<'a>(&'a self, key: &'a str, fingerprint: &'a Fingerprint) -> StoreFuture<'a, ()> {
        let mut running = self.running();
        if running.get(key) == Some(fingerprint) {
            running.remove(key);
        }
        Box::pin(std::future::ready(Ok(())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &'static [u8]) -> StoredAnswer {
        let mut headers = HeaderMap::new();
        headers.insert("set-cookie", HeaderValue::from_static("session=abc; Path=/"));
        StoredAnswer { status: StatusCode::OK, headers, body: Bytes::from_static(body) }
    }

    #[test]
    fn answers_encode_and_decode() {
        let a = answer(b"{\"ok\":true}");
        assert_eq!(StoredAnswer::decode(a.encode()), Some(a));
        assert_eq!(StoredAnswer::decode(Bytes::from_static(b"\x00\xc8\x00\x05")), None);
    }

    #[test]
    fn a_key_is_run_once_replayed_to_the_same_request_and_refused_to_another() {
        let store = MemoryIdempotency::default();
        let (me, other) = ([1; 32], [2; 32]);
        assert_eq!(store.claim_now("k", &me), Claim::Run);
        assert_eq!(store.claim_now("k", &me), Claim::Running);
        assert_eq!(store.claim_now("k", &other), Claim::Conflict);
        drop(store.finish("k", &me, Some(&answer(b"1")), DEFAULT_KEEP_FOR));
        assert_eq!(store.claim_now("k", &me), Claim::Done(answer(b"1")));
        assert_eq!(store.claim_now("k", &other), Claim::Conflict);
    }

    #[test]
    fn a_released_claim_runs_again() {
        let store = MemoryIdempotency::default();
        assert_eq!(store.claim_now("k", &[1; 32]), Claim::Run);
        drop(store.release("k", &[1; 32]));
        assert_eq!(store.claim_now("k", &[1; 32]), Claim::Run);
    }

    #[test]
    fn answers_stay_within_the_budget() {
        let store = MemoryIdempotency::with_budget(64 * 1024, DEFAULT_KEEP_FOR);
        static BODY: [u8; 10_000] = [b'x'; 10_000];
        for i in 0..100 {
            let key = format!("k{i}");
            assert_eq!(store.claim_now(&key, &[1; 32]), Claim::Run);
            drop(store.finish(&key, &[1; 32], Some(&answer(&BODY)), DEFAULT_KEEP_FOR));
        }
        assert!(store.weight() <= 64 * 1024, "{}", store.weight());
        // The requests whose answers did not fit are not run again.
        let claims: Vec<Claim> = (0..100).map(|i| store.claim_now(&format!("k{i}"), &[1; 32])).collect();
        assert!(claims.iter().all(|c| matches!(c, Claim::Done(_) | Claim::NotKept)));
        assert!(claims.contains(&Claim::NotKept));
        assert_eq!(store.claim_now("k0", &[2; 32]), Claim::Conflict);
    }
}
