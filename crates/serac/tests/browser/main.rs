//! Browser tests of the client runtime in real Chromium (issue 3): every flow
//! with JavaScript on (`runtime.rs`) and the same flows with JavaScript off
//! (`nojs.rs`), against the app in `app.rs` on a loopback port.

// A test binary exports nothing: `pub` here only shares items between modules.
#![allow(unreachable_pub)]

mod app;
mod nojs;
mod parity;
mod queries;
mod runtime;
mod support;
