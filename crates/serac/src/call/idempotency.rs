//! Idempotency keys (B4): a JavaScript submission carries a fresh key in the
//! `serac-idempotency-key` header; a repeat of that key for the same action
//! (a retry after a network error, a double submit) does not run the action
//! again but gets the first answer.
//!
//! The first request runs; a repeat that arrives while it runs waits for it.
//! If the first request is cancelled (its client went away), the key is
//! released and the next repeat runs the action: a cancelled action did not
//! complete, so running it is what the user asked for. Answers are kept in
//! memory for [`KEEP_FOR`], at most [`MAX_KEYS`] of them, oldest dropped
//! first.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use tokio::sync::watch;

/// How long an answer is replayed.
pub(crate) const KEEP_FOR: Duration = Duration::from_secs(10 * 60);
/// How many answers are kept at most.
pub(crate) const MAX_KEYS: usize = 10_000;
/// The longest key accepted.
pub(crate) const MAX_KEY_LEN: usize = 128;

/// A stored answer.
#[derive(Clone, Debug)]
pub(crate) struct Stored {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Stored {
    pub(crate) fn response(&self) -> Response {
        let mut response = Response::new(Body::from(self.body.clone()));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers.clone();
        response
    }
}

#[derive(Debug)]
enum Slot {
    Running(watch::Receiver<Option<Stored>>),
    Done(Stored, Instant),
}

/// The keys seen recently.
#[derive(Debug, Default)]
pub(crate) struct Keys {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    slots: HashMap<String, Slot>,
    order: VecDeque<(String, Instant)>,
}

/// What to do with a request carrying a key.
pub(crate) enum Begin<'a> {
    /// Run the action, then [`Running::finish`].
    Run(Running<'a>),
    /// Wait for the first request.
    Wait(watch::Receiver<Option<Stored>>),
    /// Answer with the first answer.
    Replay(Stored),
}

/// The right (and duty) to run the action for a key. Dropped without
/// `finish`, it releases the key.
pub(crate) struct Running<'a> {
    keys: &'a Keys,
    key: String,
    tx: Option<watch::Sender<Option<Stored>>>,
}

impl Keys {
    pub(crate) fn begin(&self, key: String) -> Begin<'_> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.expire(Instant::now());
        match inner.slots.get(&key) {
            Some(Slot::Done(stored, _)) => return Begin::Replay(stored.clone()),
            Some(Slot::Running(rx)) if rx.has_changed().is_ok() => return Begin::Wait(rx.clone()),
            _ => {}
        }
        let (tx, rx) = watch::channel(None);
        inner.slots.insert(key.clone(), Slot::Running(rx));
        Begin::Run(Running { keys: self, key, tx: Some(tx) })
    }
}

impl Inner {
    fn expire(&mut self, now: Instant) {
        while let Some((key, at)) = self.order.front() {
            if now.duration_since(*at) < KEEP_FOR && self.order.len() <= MAX_KEYS {
                break;
            }
            if matches!(self.slots.get(key), Some(Slot::Done(_, done)) if done == at) {
                self.slots.remove(key);
            }
            self.order.pop_front();
        }
    }
}

impl Running<'_> {
    /// Stores `response` for repeats and gives back an equal response.
    pub(crate) async fn finish(mut self, response: Response) -> Response {
        use http_body_util::BodyExt as _;
        let (parts, body) = response.into_parts();
        // Envelopes are small JSON documents built in memory: collecting
        // cannot fail or grow without bound.
        let body = body.collect().await.map(|c| c.to_bytes()).unwrap_or_default();
        let stored = Stored { status: parts.status, headers: parts.headers, body };
        let now = Instant::now();
        {
            let mut inner = self.keys.inner.lock().unwrap_or_else(|e| e.into_inner());
            inner.slots.insert(self.key.clone(), Slot::Done(stored.clone(), now));
            inner.order.push_back((self.key.clone(), now));
            inner.expire(now);
        }
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(Some(stored.clone()));
        }
        stored.response()
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if self.tx.is_some() {
            // Cancelled before finishing: release the key so a retry runs.
            let mut inner = self.keys.inner.lock().unwrap_or_else(|e| e.into_inner());
            if matches!(inner.slots.get(&self.key), Some(Slot::Running(_))) {
                inner.slots.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(n: u8) -> Response {
        let mut r = Response::new(Body::from(vec![n]));
        *r.status_mut() = StatusCode::OK;
        r
    }

    async fn body(r: Response) -> Vec<u8> {
        use http_body_util::BodyExt as _;
        r.into_body().collect().await.expect("body").to_bytes().to_vec()
    }

    #[tokio::test]
    async fn a_repeat_gets_the_first_answer() {
        let keys = Keys::default();
        let Begin::Run(run) = keys.begin("a".into()) else { panic!("first must run") };
        assert_eq!(body(run.finish(answer(1)).await).await, [1]);
        let Begin::Replay(stored) = keys.begin("a".into()) else { panic!("repeat must replay") };
        assert_eq!(body(stored.response()).await, [1]);
    }

    #[tokio::test]
    async fn a_repeat_during_the_first_waits_for_it() {
        let keys = Keys::default();
        let Begin::Run(run) = keys.begin("a".into()) else { panic!("first must run") };
        let Begin::Wait(mut rx) = keys.begin("a".into()) else { panic!("repeat must wait") };
        let _ = run.finish(answer(2)).await;
        let stored = rx.wait_for(Option::is_some).await.expect("sent").clone().expect("some");
        assert_eq!(body(stored.response()).await, [2]);
    }

    #[tokio::test]
    async fn a_cancelled_first_run_releases_the_key() {
        let keys = Keys::default();
        let Begin::Run(run) = keys.begin("a".into()) else { panic!("first must run") };
        let Begin::Wait(mut rx) = keys.begin("a".into()) else { panic!("repeat must wait") };
        drop(run);
        assert!(rx.wait_for(Option::is_some).await.is_err(), "the waiter learns the run is gone");
        assert!(matches!(keys.begin("a".into()), Begin::Run(_)));
    }
}
