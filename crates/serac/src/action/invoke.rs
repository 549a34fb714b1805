//! Running one action: a tracing span, the time limit, panic isolation.
//!
//! The action's future runs inside the request's own future, never on a
//! spawned task. That is what makes cancellation simple and predictable:
//! when the client disconnects, hyper drops the request future, the
//! action future is dropped at its current `.await`, and work not yet
//! committed is undone by the usual Rust means (a transaction that was not
//! committed rolls back when dropped). The time limit uses the same
//! mechanism: the future is dropped when the limit passes.

use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use futures_util::FutureExt as _;
use rand::RngCore as _;
use serde_json::Value;
use tracing::Instrument as _;

use crate::action::streaming::{PartStream, Returned, StreamOfParts};
use crate::action::{ActionDef, Call};
use crate::error::ActionError;

/// What running an action gave.
pub(crate) struct Finished {
    /// For a streamed result, `Ok(null)` until the stream has ended.
    pub(crate) result: Result<Value, ActionError>,
    /// The parts of a streamed result, under the rest of the action's time
    /// limit and with its panics caught.
    pub(crate) stream: Option<PartStream>,
    /// Set for internal errors: the reference users see and the log carries.
    pub(crate) digest: Option<String>,
}

impl std::fmt::Debug for Finished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Finished")
            .field("result", &self.result)
            .field("stream", &self.stream.as_ref().map(|_| ".."))
            .field("digest", &self.digest)
            .finish()
    }
}

/// Records "cancelled" if the action is dropped before it finishes.
struct Watch {
    span: tracing::Span,
    started: Instant,
    finished: bool,
}

impl Drop for Watch {
    fn drop(&mut self) {
        if !self.finished {
            let ms = self.started.elapsed().as_millis() as u64;
            self.span.record("outcome", "cancelled");
            self.span.record("duration_ms", ms);
            tracing::info!(parent: &self.span, outcome = "cancelled", duration_ms = ms, "action cancelled: the client went away");
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with a non-text payload".to_string())
}

pub(crate) fn digest() -> String {
    let mut bytes = [0u8; 6];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub(crate) async fn run(def: &'static ActionDef, call: Call, max_duration: Duration) -> Finished {
    let span = tracing::info_span!(
        "serac.action",
        action = def.path(),
        outcome = tracing::field::Empty,
        status = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    );
    let mut watch = Watch { span: span.clone(), started: Instant::now(), finished: false };

    let action = AssertUnwindSafe(def.invoke(call)).catch_unwind();
    let limited = async {
        match tokio::time::timeout(max_duration, action).await {
            Ok(done) => done,
            Err(_elapsed) => Ok(Err(ActionError::Timeout(max_duration))),
        }
    };
    let returned = match limited.instrument(span.clone()).await {
        Ok(result) => result,
        Err(panic) => {
            Err(ActionError::internal(format!("the action panicked: {}", panic_message(panic.as_ref()))))
        }
    };
    watch.finished = true;
    let (result, stream) = match returned {
        Ok(Returned::Value(value)) => (Ok(value), None),
        Ok(Returned::Stream(StreamOfParts(parts))) => {
            let deadline = tokio::time::Instant::from_std(watch.started + max_duration);
            (Ok(Value::Null), Some(guarded(parts, deadline, max_duration, span.clone())))
        }
        Err(error) => (Err(error), None),
    };

    let ms = watch.started.elapsed().as_millis() as u64;
    let (outcome, status) = match &result {
        Ok(_) => ("ok", 200),
        Err(e) => (e.kind(), e.status().as_u16()),
    };
    span.record("outcome", outcome);
    span.record("status", status);
    span.record("duration_ms", ms);

    let digest = match &result {
        Err(ActionError::Internal(error)) => {
            let digest = digest();
            tracing::error!(parent: &span, action = def.path(), outcome, status, duration_ms = ms, digest = %digest, error = %error, "action failed");
            Some(digest)
        }
        _ => {
            tracing::info!(parent: &span, action = def.path(), outcome, status, duration_ms = ms, "action finished");
            None
        }
    };
    Finished { result, stream, digest }
}

/// `parts` ended by a timeout error at `deadline`, a panic as an internal
/// error (the stream ends there), in the action's span.
///
/// The deadline must hold even while nobody polls the stream: a client that
/// stops reading leaves the response body unpolled (hyper waits for the
/// socket), and with it the producer and whatever it holds (a transaction, a
/// temporary file). So a timer task of its own drops the stream at the
/// deadline. It holds the stream weakly: a client that goes away earlier
/// drops it at once, as before.
fn guarded(
    parts: PartStream,
    deadline: tokio::time::Instant,
    max_duration: Duration,
    span: tracing::Span,
) -> PartStream {
    let shared = std::sync::Arc::new(std::sync::Mutex::new(Slot { parts: Some(parts), waker: None }));
    let weak = std::sync::Arc::downgrade(&shared);
    let timer = tokio::spawn(async move {
        tokio::time::sleep_until(deadline).await;
        if let Some(shared) = weak.upgrade() {
            let (stream, waker) = {
                let mut slot = shared.lock().unwrap_or_else(|e| e.into_inner());
                (slot.parts.take(), slot.waker.take())
            };
            // Dropped outside the lock; the body, if it waits, is told.
            drop(stream);
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    });
    Box::pin(Guarded { shared, timer, max_duration, span, ended: false })
}

/// The stream [`guarded`] shares with its timer, and who to wake when the
/// timer takes it.
struct Slot {
    parts: Option<PartStream>,
    waker: Option<std::task::Waker>,
}

/// The stream of [`guarded`].
struct Guarded {
    shared: std::sync::Arc<std::sync::Mutex<Slot>>,
    timer: tokio::task::JoinHandle<()>,
    max_duration: Duration,
    span: tracing::Span,
    ended: bool,
}

impl Drop for Guarded {
    fn drop(&mut self) {
        self.timer.abort();
    }
}

impl futures_util::Stream for Guarded {
    type Item = Result<Value, ActionError>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        let _entered = this.span.enter();
        let mut slot = this.shared.lock().unwrap_or_else(|e| e.into_inner());
        let Some(parts) = slot.parts.as_mut() else {
            // The timer took it: the deadline passed.
            this.ended = true;
            return Poll::Ready(Some(Err(ActionError::Timeout(this.max_duration))));
        };
        let polled = std::panic::catch_unwind(AssertUnwindSafe(|| parts.as_mut().poll_next(cx)));
        let item = match polled {
            Ok(Poll::Pending) => {
                slot.waker = Some(cx.waker().clone());
                return Poll::Pending;
            }
            Ok(Poll::Ready(item)) => item,
            Err(panic) => Some(Err(ActionError::internal(format!(
                "the action's stream panicked: {}",
                panic_message(panic.as_ref())
            )))),
        };
        // An error, or the end, is the stream's last item.
        if !matches!(item, Some(Ok(_))) {
            this.ended = true;
            let done = slot.parts.take();
            drop(slot);
            drop(done);
        }
        Poll::Ready(item)
    }
}
