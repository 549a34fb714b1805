//! A streamed result read slowly keeps the server's memory flat (B18): the
//! producer waits for the reader instead of the answer piling up.
//!
//! Its own test binary, so that the process's resident memory is this
//! test's alone: 50 MB are streamed to a client that reads slowly, and the
//! process's peak RSS is sampled meanwhile.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};
use serac::Streaming;
use serac::prelude::*;

const PART: usize = 64 * 1024;
const PARTS: usize = 800; // 50 MiB

/// `PARTS` parts of `PART` bytes each.
#[serac::action]
async fn big() -> Result<Streaming<String>, ActionError> {
    Ok(Streaming::from_fn(|parts| async move {
        for _ in 0..PARTS {
            parts.send("a".repeat(PART)).await;
        }
        Ok(())
    }))
}

async fn page(page: Page) -> Markup {
    html! { p #id data-id=(page.id(big::action())) {} }
}

/// This process's resident memory in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_keeps_the_servers_memory_flat_b18() {
    let config = Config::new(serac::KeyRing::from_secrets(&[[5; 32]]).expect("secret"));
    let app = ActionLayer::new(config).wrap(Router::new().route("/", get(page)));
    let (url, task) = serac_testkit::serve(app).await;
    let client = reqwest::Client::new();
    let html = client.get(format!("{url}/")).send().await.expect("GET").text().await.expect("body");
    let id = serac_testkit::attr_of(&html, "#id", "data-id").expect("id");

    let before = rss_kib();
    let peak = Arc::new(AtomicU64::new(before));
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, sampling) = (peak.clone(), sampling.clone());
        tokio::spawn(async move {
            while sampling.load(Ordering::SeqCst) {
                peak.fetch_max(rss_kib(), Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };

    let started = Instant::now();
    let mut res = client
        .post(format!("{url}/"))
        .header("origin", &url)
        .header(serac::protocol::ACTION_HEADER, id)
        .header("content-type", "application/json")
        .body("[]")
        .send()
        .await
        .expect("POST");
    let mut total = 0usize;
    let mut chunks = 0u32;
    while let Some(chunk) = res.chunk().await.expect("chunk") {
        total += chunk.len();
        chunks += 1;
        // A slow reader: the producer could fill 50 MB in a blink.
        if chunks % 4 == 0 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    sampling.store(false, Ordering::SeqCst);
    sampler.await.expect("sampler");
    task.abort();

    let peak = peak.load(Ordering::SeqCst);
    let grew = peak.saturating_sub(before);
    println!(
        "streamed {} MiB in {:?} ({chunks} chunks): RSS {before} KiB before, peak {peak} KiB (+{grew} KiB)",
        total / (1024 * 1024),
        started.elapsed()
    );
    assert!(total >= PART * PARTS, "the whole stream arrived ({total} bytes)");
    assert!(grew < 16 * 1024, "memory grew by {grew} KiB while 50 MiB streamed");
}
