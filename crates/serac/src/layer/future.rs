//! [`ResponseFuture`], the future of [`super::ActionService`].
//!
//! Three shapes, so that each kind of request pays only for itself: an
//! answer the layer already has (its own files), the app's own future for a
//! plain page view (not boxed: most requests are these), and a boxed future
//! for action calls and cached pages, whose state is large and awaited in
//! several steps.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::response::Response;
use pin_project_lite::pin_project;

pub(crate) type BoxedResponse = Pin<Box<dyn Future<Output = Response> + Send + 'static>>;

pin_project! {
    /// The future returned by [`super::ActionService`].
    #[must_use = "futures do nothing unless polled"]
    pub struct ResponseFuture<F> {
        #[pin]
        kind: Kind<F>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<F> {
        Ready { response: Option<Response> },
        App { #[pin] future: F },
        Boxed { future: BoxedResponse },
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn ready(response: Response) -> Self {
        Self { kind: Kind::Ready { response: Some(response) } }
    }

    pub(crate) fn app(future: F) -> Self {
        Self { kind: Kind::App { future } }
    }

    pub(crate) fn boxed(future: BoxedResponse) -> Self {
        Self { kind: Kind::Boxed { future } }
    }
}

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Ready { response } => {
                Poll::Ready(Ok(response.take().expect("ResponseFuture polled after completion")))
            }
            KindProj::App { future } => future.poll(cx),
            KindProj::Boxed { future } => future.as_mut().poll(cx).map(Ok),
        }
    }
}
