//! A tracing span and event per action: name, outcome, duration (B10).
//!
//! This test has its own binary because it installs a process-wide tracing
//! subscriber before anything logs. A thread-scoped subscriber (`set_default`)
//! inside the shared `it` binary raced with the other tests: tracing caches
//! each callsite's interest process-wide, and a test on another thread could
//! cache "nobody listens" for the action's callsites at the moment this test
//! registered its subscriber, so the events were silently dropped (seen once in
//! CI as zero captured lines).

// A test binary exports nothing: `pub` in the shared modules only shares items.
#![allow(unreachable_pub, dead_code)]

use std::io::Write;
use std::sync::{Arc, Mutex};

#[path = "it/app.rs"]
mod app;
#[path = "it/support.rs"]
mod support;

use support::*;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("capture").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn each_action_logs_its_name_outcome_and_duration_b10() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber of this binary");

    let s = start().await;
    submit(&s, "/", "note", &[("text", "x")]).await;
    submit(&s, "/", "f-add_item", &[]).await;

    let out = String::from_utf8(capture.0.lock().expect("capture").clone()).expect("utf8");
    let finished: Vec<&str> = out.lines().filter(|l| l.contains("action finished")).collect();
    assert_eq!(finished.len(), 2, "{out}");
    assert!(finished[0].contains("serac.action{action=\"observability::app::add_note\""), "{}", finished[0]);
    assert!(finished[0].contains("outcome=\"ok\""), "{}", finished[0]);
    assert!(finished[0].contains("duration_ms="), "{}", finished[0]);
    assert!(finished[1].contains("outcome=\"unauthorized\" status=401"), "{}", finished[1]);
}
