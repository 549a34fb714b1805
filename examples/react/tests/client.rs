//! The generated client's query logic (B19) in Node, against a fake `fetch`
//! that records every request and answers when `client_probe.mjs` says:
//! the reads of one tick are one batch request, the promise of a read is
//! kept, an action names the list before the rows' items and stays within
//! 32 names and 4 KB of header, an action's older answer never replaces a
//! read sent after it, and a read on its way is named. The browser tests
//! show the same client in a real page; these pin what timing there cannot.

#![allow(unreachable_pub)]

mod common;

use std::process::Command;

use serde_json::{Value, json};

/// Compiles the committed client to JavaScript and runs the probe on it.
fn probe() -> Option<Value> {
    let modules = common::node_modules()?;
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("typed-client");
    std::fs::create_dir_all(&dir).expect("probe dir");
    let output = Command::new(modules.join(".bin/tsc"))
        .arg(common::web_dir().join("src/serac.gen.ts"))
        .args(["--outDir"])
        .arg(&dir)
        .args(["--target", "es2022", "--module", "es2022", "--lib", "es2022,dom", "--skipLibCheck"])
        .output()
        .expect("run tsc");
    assert!(output.status.success(), "tsc: {}", String::from_utf8_lossy(&output.stdout));
    let probe = dir.join("client_probe.mjs");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/client_probe.mjs"), &probe)
        .expect("copy the probe");
    let output = Command::new("node").arg(&probe).current_dir(&dir).output().expect("run node");
    assert!(output.status.success(), "node: {}", String::from_utf8_lossy(&output.stderr));
    Some(serde_json::from_slice(&output.stdout).expect("the probe's JSON"))
}

#[test]
fn the_typed_clients_queries_batch_name_and_order_as_documented_b19() {
    let Some(seen) = probe() else { return };
    // One batch request for the three reads of one tick, in order.
    let batch = seen["batch"].as_array().expect("requests");
    assert_eq!(batch.len(), 1, "{seen}");
    assert_eq!(batch[0].as_str().map(|u| u.matches("u=").count()), Some(3), "{seen}");
    assert_eq!(seen["results"], json!([["first"], 1, 2]));
    assert_eq!(seen["same_promise"], json!(true), "one promise per arguments, for use()");
    // The list first, then the items, most recently read first.
    assert_eq!(
        seen["named"],
        json!(["/_serac/q/L", "/_serac/q/T?a=%5B%22b%22%5D", "/_serac/q/T?a=%5B%22a%22%5D"])
    );
    assert_eq!(seen["after_action"], json!(["fresh"]), "the action's answer replaced the list");
    // Forty long items: two batches (32 + 8); the names stay within 4 KB.
    assert_eq!(seen["long_batches"], json!(2));
    let header = &seen["long_header"];
    assert!(header["bytes"].as_u64().is_some_and(|b| b <= 4096), "{header}");
    assert!(header["names"].as_u64().is_some_and(|n| n <= 32), "{header}");
    assert_eq!(header["first"], json!("/_serac/q/L"), "the list stays named");
    // An older answer never replaces a newer read; a read on its way is named.
    assert_eq!(seen["not_replaced"], json!(["newer"]));
    assert_eq!(seen["pending_named"], json!(["/_serac/q/L"]));
    assert_eq!(seen["pending_result"], json!(["from the action"]), "sent after the read: the newer data");
}
