//! [`RedisIdempotency`]: idempotency keys and their answers in Redis.
//!
//! `{prefix}idem:{key}` holds one byte of state (`R` running, `D` done, `N`
//! done but not kept), the request's 32-byte fingerprint, and for `D` the
//! answer. A claim is one `SET … NX GET PX`: it sets the running marker or
//! returns what is there, atomically, so two instances never both run one
//! key. The running marker expires on its own if its instance dies.

use std::time::Duration;

use bytes::Bytes;
use serac::idempotency::{Claim, Fingerprint, IdempotencyStore, StoreFuture, StoredAnswer};

use crate::RedisStore;

/// A shared [`IdempotencyStore`]; made by [`RedisStore::idempotency`].
#[derive(Clone, Debug)]
pub struct RedisIdempotency {
    store: RedisStore,
}

const RUNNING: u8 = b'R';
const DONE: u8 = b'D';
const NOT_KEPT: u8 = b'N';

fn value(state: u8, fingerprint: &Fingerprint, answer: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + fingerprint.len() + answer.len());
    out.push(state);
    out.extend_from_slice(fingerprint);
    out.extend_from_slice(answer);
    out
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// Deletes the key only while it holds this request's running marker.
static RELEASE: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| {
    redis::Script::new(
        r"
        if redis.call('GET', KEYS[1]) == ARGV[1] then
            return redis.call('DEL', KEYS[1])
        end
        return 0
        ",
    )
});

impl RedisIdempotency {
    pub(crate) fn new(store: RedisStore) -> Self {
        Self { store }
    }

    fn key(&self, key: &str) -> String {
        format!("{}idem:{key}", self.store.prefix())
    }
}

/// What another request left under the key, as a claim.
fn read(existing: &[u8], fingerprint: &Fingerprint) -> Claim {
    let Some((&state, rest)) = existing.split_first() else { return Claim::Conflict };
    if rest.len() < fingerprint.len() || &rest[..fingerprint.len()] != fingerprint {
        return Claim::Conflict;
    }
    let answer = &rest[fingerprint.len()..];
    match state {
        RUNNING => Claim::Running,
        DONE => StoredAnswer::decode(Bytes::copy_from_slice(answer)).map_or(Claim::NotKept, Claim::Done),
        _ => Claim::NotKept,
    }
}

impl IdempotencyStore for RedisIdempotency {
    fn claim<'a>(
        &'a self,
        key: &'a str,
        fingerprint: &'a Fingerprint,
        running_for: Duration,
    ) -> StoreFuture<'a, Claim> {
        Box::pin(async move {
            let key = self.key(key);
            let marker = value(RUNNING, fingerprint, &[]);
            let ms = millis(running_for);
            let existing: Option<Vec<u8>> = self
                .store
                .run(|mut c| async move {
                    redis::cmd("SET")
                        .arg(&key)
                        .arg(marker)
                        .arg("NX")
                        .arg("GET")
                        .arg("PX")
                        .arg(ms)
                        .query_async(&mut c)
                        .await
                })
                .await?;
            Ok(match existing {
                None => Claim::Run,
                Some(existing) => read(&existing, fingerprint),
            })
        })
    }

    fn finish<'a>(
        &'a self,
        key: &'a str,
        fingerprint: &'a Fingerprint,
        answer: Option<&'a StoredAnswer>,
        keep_for: Duration,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let key = self.key(key);
            let stored = match answer {
                Some(answer) => value(DONE, fingerprint, &answer.encode()),
                None => value(NOT_KEPT, fingerprint, &[]),
            };
            let ms = millis(keep_for);
            self.store
                .run(|mut c| async move {
                    redis::cmd("SET").arg(&key).arg(stored).arg("PX").arg(ms).query_async::<()>(&mut c).await
                })
                .await
        })
    }

    fn release<'a>(&'a self, key: &'a str, fingerprint: &'a Fingerprint) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let key = self.key(key);
            let marker = value(RUNNING, fingerprint, &[]);
            self.store
                .run(|mut c| async move {
                    RELEASE.key(&key).arg(marker).invoke_async::<i64>(&mut c).await.map(|_| ())
                })
                .await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_another_request_left_reads_as_a_claim() {
        let me = [1; 32];
        assert_eq!(read(&value(RUNNING, &me, &[]), &me), Claim::Running);
        assert_eq!(read(&value(RUNNING, &[2; 32], &[]), &me), Claim::Conflict);
        assert_eq!(read(&value(NOT_KEPT, &me, &[]), &me), Claim::NotKept);
        let answer = StoredAnswer {
            status: http::StatusCode::OK,
            headers: http::HeaderMap::new(),
            body: Bytes::from_static(b"{}"),
        };
        assert_eq!(read(&value(DONE, &me, &answer.encode()), &me), Claim::Done(answer));
        assert_eq!(read(b"", &me), Claim::Conflict);
    }
}
