//! [`serve`]: serving an app on a TCP listener with the limits a public
//! server needs, where `axum::serve` has none.
//!
//! A server that waits forever is easy to stop: open connections and never
//! finish their headers, or send a body one byte at a time, and every
//! connection stays open until the process runs out of them. `serve` closes
//!
//! - a connection that does not send a complete request head within
//!   [`Serve::header_timeout`] (also the longest a kept-alive connection may
//!   sit idle between requests);
//! - a request whose body goes quiet for [`Serve::body_timeout`], or is not
//!   complete within [`Serve::body_deadline`];
//!
//! and accepts at most [`Serve::max_connections`] at once (the rest wait in
//! the kernel's backlog). Each request carries `ConnectInfo<SocketAddr>`, the
//! peer address that trusted proxies are checked against. It speaks
//! HTTP/1.1 (put a proxy in front for HTTP/2 and TLS) without connection
//! upgrades.
//!
//! ```rust,no_run
//! # async fn f(app: serac::ActionService<axum::Router>) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! serac::serve(listener, app).await
//! # }
//! ```

use std::convert::Infallible;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::response::Response;
use bytes::Bytes;
use http::Request;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use pin_project_lite::pin_project;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};
use tower::{Service, ServiceExt as _};

/// How long a client may take to send a request's head (and a kept-alive
/// connection may stay idle) by default.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request body may go without sending anything, by default.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole request body may take, by default.
pub const DEFAULT_BODY_DEADLINE: Duration = Duration::from_secs(60);
/// How many connections are served at once by default.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// Serves `app` on `listener` until the returned future is dropped or its
/// shutdown signal fires; see the [module](self) for the limits.
pub fn serve<S>(listener: TcpListener, app: S) -> Serve<S> {
    Serve {
        listener,
        app,
        header_timeout: DEFAULT_HEADER_TIMEOUT,
        body_timeout: DEFAULT_BODY_TIMEOUT,
        body_deadline: DEFAULT_BODY_DEADLINE,
        max_connections: DEFAULT_MAX_CONNECTIONS,
        shutdown: None,
    }
}

type Signal = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A server being configured; `.await` it to run. Made by [`serve`].
#[must_use = "a server does nothing until awaited"]
pub struct Serve<S> {
    listener: TcpListener,
    app: S,
    header_timeout: Duration,
    body_timeout: Duration,
    body_deadline: Duration,
    max_connections: usize,
    shutdown: Option<Signal>,
}

impl<S> std::fmt::Debug for Serve<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Serve")
            .field("header_timeout", &self.header_timeout)
            .field("body_timeout", &self.body_timeout)
            .field("body_deadline", &self.body_deadline)
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

impl<S> Serve<S> {
    /// The longest a client may take to send a request's head, and a
    /// kept-alive connection may stay idle between requests (default 10 s).
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.header_timeout = timeout;
        self
    }

    /// The longest a request body may go without sending anything
    /// (default 10 s).
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// The longest a whole request body may take (default 60 s): give
    /// large uploads on slow links more.
    pub fn body_deadline(mut self, deadline: Duration) -> Self {
        self.body_deadline = deadline;
        self
    }

    /// How many connections are served at once (default 1024); further
    /// clients wait to be accepted.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Stops accepting when `signal` completes, then waits for the
    /// connections being served to finish their requests.
    pub fn with_graceful_shutdown(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Self {
        self.shutdown = Some(Box::pin(signal));
        self
    }
}

impl<S> IntoFuture for Serve<S>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Output = std::io::Result<()>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(run(self))
    }
}

async fn run<S>(serve: Serve<S>) -> std::io::Result<()>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let Serve { listener, app, header_timeout, body_timeout, body_deadline, max_connections, shutdown } =
        serve;
    let permits = Arc::new(Semaphore::new(max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = shutdown.unwrap_or_else(|| Box::pin(std::future::pending()));
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: wait, do not spin.
                Err(e) => {
                    tracing::warn!(error = %e, "serac::serve: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |req: Request<Incoming>| {
            let (mut parts, body) = req.into_parts();
            parts.extensions.insert(ConnectInfo(peer));
            let body = Body::new(ReadTimeoutBody::new(body, body_timeout, body_deadline));
            app.clone().oneshot(Request::from_parts(parts, body))
        });
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new()).header_read_timeout(header_timeout);
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Why a request body was cut off.
#[derive(Debug, thiserror::Error)]
enum BodyTimeout {
    #[error("the request body sent nothing for {0:?}")]
    Quiet(Duration),
    #[error("the request body took longer than {0:?}")]
    Late(Duration),
}

pin_project! {
    /// A request body that fails when it goes quiet for too long or takes
    /// too long in all; the action then answers as for any unreadable body.
    struct ReadTimeoutBody {
        #[pin]
        inner: Incoming,
        #[pin]
        quiet: Sleep,
        #[pin]
        deadline: Sleep,
        timeout: Duration,
        total: Duration,
    }
}

impl ReadTimeoutBody {
    fn new(inner: Incoming, timeout: Duration, total: Duration) -> Self {
        let now = Instant::now();
        Self {
            inner,
            quiet: tokio::time::sleep_until(now + timeout),
            deadline: tokio::time::sleep_until(now + total),
            timeout,
            total,
        }
    }
}

impl http_body::Body for ReadTimeoutBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let mut this = self.project();
        if let Poll::Ready(frame) = this.inner.as_mut().poll_frame(cx) {
            let next = Instant::now() + *this.timeout;
            this.quiet.as_mut().reset(next);
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(BodyTimeout::Late(*this.total).into())));
        }
        ready!(this.quiet.as_mut().poll(cx));
        Poll::Ready(Some(Err(BodyTimeout::Quiet(*this.timeout).into())))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
