//! What the demo's test binaries share beyond `serac-testkit`: serving the
//! app on a loopback port.

#![allow(dead_code, unreachable_pub)]

/// Serves `service` on a free loopback port: its base URL, and the task to
/// abort when done.
pub async fn serve(service: serac::ActionService<axum::Router>) -> (String, tokio::task::JoinHandle<()>) {
    use axum::ServiceExt as _;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let task = tokio::spawn(async move {
        axum::serve(listener, service.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .await
            .expect("serve");
    });
    (url, task)
}
