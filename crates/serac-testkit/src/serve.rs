//! Serving an app on a loopback port for a test, with `serac::serve`, as in
//! production (with the peer address, which Serac's trusted-proxy rule reads).

use std::convert::Infallible;

use axum::body::Body;
use axum::response::Response;
use http::Request;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Serves `service` on a free loopback port: its base URL, and the task to
/// abort when done.
pub async fn serve<S>(service: S) -> (String, JoinHandle<()>)
where
    S: tower::Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    serve_on(listener, service)
}

/// [`serve`] on a listener the test already holds (to serve again on the
/// same port after a restart, say).
pub fn serve_on<S>(listener: TcpListener, service: S) -> (String, JoinHandle<()>)
where
    S: tower::Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
{
    let url = format!("http://{}", listener.local_addr().expect("a bound listener has an address"));
    let task = tokio::spawn(async move {
        serac::serve(listener, service).await.expect("serve");
    });
    (url, task)
}

/// The task of a served app, aborted when this is dropped: hold it in the
/// test's own server struct (`_task: AbortOnDrop(task)`) so that the server
/// stops with the test.
#[derive(Debug)]
pub struct AbortOnDrop(pub JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
