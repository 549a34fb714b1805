//! A tracing span and event per action: name, outcome, duration (B10).

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::support::*;

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
    let _guard = tracing::subscriber::set_default(subscriber);

    let s = start().await;
    submit(&s, "/", "note", &[("text", "x")]).await;
    submit(&s, "/", "f-add_item", &[]).await;

    let out = String::from_utf8(capture.0.lock().expect("capture").clone()).expect("utf8");
    let finished: Vec<&str> = out.lines().filter(|l| l.contains("action finished")).collect();
    assert_eq!(finished.len(), 2, "{out}");
    assert!(finished[0].contains("serac.action{action=\"it::app::add_note\""), "{}", finished[0]);
    assert!(finished[0].contains("outcome=\"ok\""), "{}", finished[0]);
    assert!(finished[0].contains("duration_ms="), "{}", finished[0]);
    assert!(finished[1].contains("outcome=\"unauthorized\" status=401"), "{}", finished[1]);
}
