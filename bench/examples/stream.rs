//! Streamed results (B18): time to the first part and parts per second of a
//! Serac action returning `Streaming<String>`, against a plain axum handler
//! streaming the same newline-delimited JSON lines (the floor). Both are
//! served on loopback in this process and read by one client, one stream at
//! a time; the figures are printed side by side, nothing is asserted.
//!
//!   cargo run --release -p serac-bench --example stream
//!   STREAMS=500 PARTS=200 cargo run --release -p serac-bench --example stream

use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::routing::{get, post};
use bytes::Bytes;
use maud::{Markup, html};
use serac::Streaming;
use serac::prelude::*;

fn parts() -> usize {
    std::env::var("PARTS").ok().and_then(|v| v.parse().ok()).unwrap_or(100)
}

fn streams() -> usize {
    std::env::var("STREAMS").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
}

/// `n` parts, `"token <i>"`, as fast as the reader takes them.
#[serac::action]
async fn tokens(n: usize) -> Result<Streaming<String>, ActionError> {
    Ok(Streaming::from_fn(move |parts| async move {
        for i in 0..n {
            parts.send(format!("token {i}")).await;
        }
        Ok(())
    }))
}

async fn page(page: Page) -> Markup {
    html! { p #id data-id=(page.id(tokens::action())) {} }
}

/// The floor: the same lines from a plain axum handler.
async fn plain(body: String) -> Body {
    let n: usize = body.trim_matches(|c| c == '[' || c == ']').parse().unwrap_or(0);
    let lines = (0..n)
        .map(|i| Ok::<_, Infallible>(Bytes::from(format!("{{\"part\":\"token {i}\"}}\n"))))
        .chain(std::iter::once(Ok(Bytes::from_static(b"{\"ok\":true}\n"))));
    Body::from_stream(futures_util::stream::iter(lines))
}

struct Figures {
    first: Vec<Duration>,
    whole: Vec<Duration>,
}

async fn measure(url: &str, id: Option<&str>, n: usize, count: usize) -> Figures {
    let client = serac_testkit::client();
    let mut figures = Figures { first: Vec::new(), whole: Vec::new() };
    for round in 0..count + count / 10 {
        let mut req = client
            .post(url)
            .header("origin", url.trim_end_matches("/plain").trim_end_matches('/'))
            .header("content-type", "application/json")
            .body(format!("[{n}]"));
        if let Some(id) = id {
            req = req.header(serac::protocol::ACTION_HEADER, id);
        }
        let started = Instant::now();
        let mut res = req.send().await.expect("POST");
        let mut first = None;
        let mut lines = 0;
        while let Some(chunk) = res.chunk().await.expect("chunk") {
            if first.is_none() && chunk.contains(&b'\n') {
                first = Some(started.elapsed());
            }
            lines += chunk.iter().filter(|b| **b == b'\n').count();
        }
        assert_eq!(lines, n + 1, "every part and the envelope");
        // The first tenth warms up.
        if round >= count / 10 {
            figures.first.push(first.expect("a first part"));
            figures.whole.push(started.elapsed());
        }
    }
    figures
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let (n, count) = (parts(), streams());
    let config = Config::new(serac::KeyRing::from_secrets(&[[3; 32]]).expect("secret"));
    let serac_app = ActionLayer::new(config).wrap(Router::new().route("/", get(page)));
    let (serac_url, serac_task) = serac_testkit::serve(serac_app).await;
    let axum_app = Router::new().route("/plain", post(plain));
    let (axum_url, axum_task) = serac_testkit::serve(axum_app).await;

    let html = serac_testkit::client().get(format!("{serac_url}/")).send().await.expect("GET");
    let html = html.text().await.expect("body");
    let id = serac_testkit::attr_of(&html, "#id", "data-id").expect("id");

    // Interleaved in batches, so that neither gets the warmer machine.
    let mut floor = Figures { first: Vec::new(), whole: Vec::new() };
    let mut ours = Figures { first: Vec::new(), whole: Vec::new() };
    let batch = (count / 10).max(1);
    for _ in 0..count.div_ceil(batch) {
        let f = measure(&format!("{axum_url}/plain"), None, n, batch).await;
        let o = measure(&format!("{serac_url}/"), Some(&id), n, batch).await;
        floor.first.extend(f.first);
        floor.whole.extend(f.whole);
        ours.first.extend(o.first);
        ours.whole.extend(o.whole);
    }

    let (f_first, o_first) = (median(floor.first), median(ours.first));
    let (f_whole, o_whole) = (median(floor.whole), median(ours.whole));
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!("{count} streams of {n} parts each, one at a time, medians (loopback, this process):\n");
    println!("| | axum | Serac | Serac/axum |");
    println!("|---|---|---|---|");
    println!(
        "| time to the first part | {:.1} µs | {:.1} µs | {:.2} |",
        f_first.as_secs_f64() * 1e6,
        o_first.as_secs_f64() * 1e6,
        o_first.as_secs_f64() / f_first.as_secs_f64()
    );
    println!(
        "| whole stream | {:.1} µs | {:.1} µs | {:.2} |",
        f_whole.as_secs_f64() * 1e6,
        o_whole.as_secs_f64() * 1e6,
        o_whole.as_secs_f64() / f_whole.as_secs_f64()
    );
    println!(
        "| parts per second | {:.0} | {:.0} | {:.2} |",
        rate(f_whole),
        rate(o_whole),
        rate(o_whole) / rate(f_whole)
    );
    serac_task.abort();
    axum_task.abort();
}
