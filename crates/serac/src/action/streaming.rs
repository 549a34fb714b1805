//! Actions that stream their result (B18): [`Streaming<T>`], what such an
//! action returns, and [`Parts<T>`], what its producer sends parts through.
//!
//! A streaming action is an ordinary action whose `Ok` value is a
//! `Streaming<T>`. The action's body runs first, as for any action (its
//! parameters decoded, its checks made, cookies set); the stream it returns
//! is then read part by part while the answer is being sent. The producer
//! is polled inside the response body, never on a task of its own: when the
//! client reads slowly the producer waits at `send` (one part in flight),
//! and when the client goes away the body, the stream and the producer's
//! future are dropped at their current `.await`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::error::ActionError;

/// The parts of a streamed result as JSON, in order; an error ends it.
pub(crate) type PartStream = Pin<Box<dyn Stream<Item = Result<Value, ActionError>> + Send + 'static>>;

/// What an action gave back: a value, or a stream of parts.
#[doc(hidden)]
pub enum Returned {
    /// The result as JSON.
    Value(Value),
    /// The parts of a [`Streaming`] result.
    Stream(StreamOfParts),
}

/// A [`Streaming`] result with its item type erased.
#[doc(hidden)]
pub struct StreamOfParts(pub(crate) PartStream);

impl std::fmt::Debug for StreamOfParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StreamOfParts(..)")
    }
}

impl std::fmt::Debug for Returned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Value(v) => f.debug_tuple("Value").field(v).finish(),
            Self::Stream(_) => f.write_str("Stream(..)"),
        }
    }
}

/// The result of an action that streams it: parts of type `T` sent to the
/// browser as they are produced (tokens of a model, the progress of a long
/// job).
///
/// With JavaScript each part reaches the page as soon as it is ready (see
/// `docs/protocol.md` for the framing); without JavaScript the parts are
/// collected and the action's result is the list of them
/// (`page.state::<Vec<T>, _>(action)`), so the page comes back whole.
///
/// ```rust
/// use std::time::Duration;
/// use serac::prelude::*;
/// use serac::Streaming;
///
/// #[serac::action]
/// async fn count_down(from: u32) -> Result<Streaming<u32>, ActionError> {
///     Ok(Streaming::from_fn(move |parts| async move {
///         for n in (0..=from).rev() {
///             parts.send(n).await;
///             tokio::time::sleep(Duration::from_millis(100)).await;
///         }
///         Ok(())
///     }))
/// }
/// # fn main() {}
/// ```
///
/// The action's maximum duration (`#[action(max_duration_ms = …)]`, else the
/// route's or the default) covers the whole stream: past it, the stream
/// ends with a timeout error. A producer's error ends the stream with that
/// error, after the parts sent before it.
#[must_use = "an action returns its Streaming result"]
pub struct Streaming<T> {
    parts: Pin<Box<dyn Stream<Item = Result<T, ActionError>> + Send + 'static>>,
}

impl<T> std::fmt::Debug for Streaming<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Streaming(..)")
    }
}

impl<T: Serialize + Send + 'static> Streaming<T> {
    /// A result made of the items of `parts`; an `Err` item ends it.
    pub fn new(parts: impl Stream<Item = Result<T, ActionError>> + Send + 'static) -> Self {
        Self { parts: Box::pin(parts) }
    }

    /// A result whose parts `produce` sends through [`Parts::send`]. The
    /// stream ends when the future does; its error, if any, ends the stream
    /// with that error.
    pub fn from_fn<F, Fut>(produce: F) -> Self
    where
        F: FnOnce(Parts<T>) -> Fut,
        Fut: Future<Output = Result<(), ActionError>> + Send + 'static,
    {
        // One part in flight: a producer never runs ahead of its reader.
        let (tx, rx) = mpsc::channel(1);
        let producer = Box::pin(produce(Parts { tx }));
        Self::new(Produced { rx, producer: Some(producer), error: None })
    }

    /// The parts as JSON, for the layer.
    pub(crate) fn into_parts(self) -> PartStream {
        use futures_util::StreamExt as _;
        Box::pin(self.parts.map(|part| {
            part.and_then(|value| {
                serde_json::to_value(value).map_err(|e| {
                    ActionError::internal(format!(
                        "a part of the action's result could not be serialized: {e}"
                    ))
                })
            })
        }))
    }
}

/// Where a [`Streaming::from_fn`] producer sends its parts.
#[derive(Debug)]
pub struct Parts<T> {
    tx: mpsc::Sender<T>,
}

impl<T> Parts<T> {
    /// Sends one part, waiting while the previous one has not been taken
    /// by the response yet (a slow client slows the producer down).
    pub async fn send(&self, part: T) {
        // The reader lives as long as the producer (both are dropped
        // together when the client goes away): sending cannot fail while
        // this runs.
        let _ = self.tx.send(part).await;
    }
}

type Producer = Pin<Box<dyn Future<Output = Result<(), ActionError>> + Send + 'static>>;

/// The stream of [`Streaming::from_fn`]: the channel's parts, with the
/// producer polled whenever the channel is empty.
struct Produced<T> {
    rx: mpsc::Receiver<T>,
    producer: Option<Producer>,
    /// The producer's error, given after the parts it sent before it.
    error: Option<ActionError>,
}

impl<T> Stream for Produced<T> {
    type Item = Result<T, ActionError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Poll::Ready(Some(part)) = this.rx.poll_recv(cx) {
            return Poll::Ready(Some(Ok(part)));
        }
        if let Some(producer) = this.producer.as_mut() {
            match producer.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => {
                    // Dropping the producer drops its sender: the channel
                    // now ends once drained.
                    this.producer = None;
                    this.error = result.err();
                }
            }
        }
        match this.rx.poll_recv(cx) {
            Poll::Ready(Some(part)) => Poll::Ready(Some(Ok(part))),
            Poll::Ready(None) => Poll::Ready(this.error.take().map(Err)),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt as _;

    use super::*;

    #[tokio::test]
    async fn parts_come_in_order_and_an_error_after_the_parts_before_it() {
        let parts: Vec<_> = Streaming::from_fn(|p| async move {
            p.send(1).await;
            p.send(2).await;
            Err(ActionError::conflict("stop"))
        })
        .into_parts()
        .collect()
        .await;
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].as_ref().ok(), Some(&Value::from(1)));
        assert_eq!(parts[1].as_ref().ok(), Some(&Value::from(2)));
        assert!(matches!(parts[2], Err(ActionError::Conflict(_))));
    }

    #[tokio::test]
    async fn the_producer_waits_for_its_reader() {
        let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = sent.clone();
        let mut parts = Streaming::from_fn(move |p| async move {
            for n in 0..100 {
                p.send(n).await;
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            Ok(())
        })
        .into_parts();
        assert!(parts.next().await.is_some());
        assert!(parts.next().await.is_some());
        let at = sent.load(std::sync::atomic::Ordering::SeqCst);
        assert!(at <= 3, "the producer ran {at} parts ahead of two reads");
        drop(parts);
    }
}
