//! R7: `serac::serve` over real sockets. Connections that never finish their
//! headers, sit idle, or trickle a body are closed on time, nothing runs,
//! and a flood of them does not stop the server answering.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::support::*;

const SHORT: Duration = Duration::from_millis(300);

async fn server() -> Server {
    start_serving(config(), |serve| {
        serve
            .header_timeout(SHORT)
            .body_timeout(SHORT)
            .body_deadline(Duration::from_secs(1))
            .max_connections(4)
    })
    .await
}

fn addr(s: &Server) -> String {
    s.url.trim_start_matches("http://").to_string()
}

/// Reads until the server closes the connection (or 5 s pass): what it
/// sent, and how long it took.
async fn read_until_closed(stream: &mut TcpStream) -> (String, Duration) {
    let start = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => panic!("the server kept the connection open for 5 s"),
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), start.elapsed())
}

#[tokio::test]
async fn a_connection_that_never_finishes_its_headers_is_closed_r7() {
    let s = server().await;
    let mut stream = TcpStream::connect(addr(&s)).await.expect("connect");
    stream.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: app").await.expect("write");
    let (_, took) = read_until_closed(&mut stream).await;
    assert!(took < Duration::from_secs(2), "closed after {took:?}");
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_r7() {
    let s = server().await;
    let mut stream = TcpStream::connect(addr(&s)).await.expect("connect");
    stream.write_all(b"GET /done HTTP/1.1\r\nHost: x\r\n\r\n").await.expect("write");
    let (answer, took) = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(took < Duration::from_secs(2), "idle for {took:?}");
}

#[tokio::test]
async fn a_body_that_goes_quiet_is_cut_off_and_the_action_does_not_run_r7() {
    let s = server().await;
    let id = action_id(&s, "/", "f-increment").await;
    let body = format!("%24action={id}&x=");
    let mut stream = TcpStream::connect(addr(&s)).await.expect("connect");
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        addr(&s),
        body.len() + 100
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let (answer, took) = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(s.log().is_empty(), "nothing ran: {:?}", s.log());
}

#[tokio::test]
async fn a_body_trickled_past_its_deadline_is_cut_off_and_the_action_does_not_run_r7() {
    let s = server().await;
    let id = action_id(&s, "/", "f-increment").await;
    let body = format!("%24action={id}&x=");
    let mut stream = TcpStream::connect(addr(&s)).await.expect("connect");
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        addr(&s),
        body.len() + 1000
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    // One byte every 100 ms: never quiet for 300 ms, but past the 1 s deadline.
    let (mut read, mut write) = stream.into_split();
    let trickle = tokio::spawn(async move {
        for _ in 0..40 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if write.write_all(b"y").await.is_err() {
                return;
            }
        }
    });
    let start = Instant::now();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), read.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(start.elapsed() < Duration::from_secs(3), "{:?}", start.elapsed());
    trickle.abort();
    assert!(s.log().is_empty(), "nothing ran: {:?}", s.log());
}

#[tokio::test]
async fn a_flood_of_silent_connections_does_not_stop_the_server_r7() {
    let s = server().await;
    // Five times the connection limit, each sending nothing.
    let mut silent = Vec::new();
    for _ in 0..20 {
        silent.push(TcpStream::connect(addr(&s)).await.expect("connect"));
    }
    let start = Instant::now();
    let res = tokio::time::timeout(Duration::from_secs(10), client().get(format!("{}/done", s.url)).send())
        .await
        .expect("answered while the silent connections were open")
        .expect("GET");
    assert_eq!(res.status(), 200);
    assert!(start.elapsed() < Duration::from_secs(5), "{:?}", start.elapsed());
    drop(silent);
}
