//! The demo's tests, in one binary (one link instead of six), grouped by
//! area: pages over HTTP with JavaScript off, every route in Chromium with
//! JavaScript on and off, accounts and sessions, two instances on one Redis,
//! PostgreSQL, and load against the demo as its own process.

// A test binary exports nothing: `pub` here only shares items between modules.
#![allow(unreachable_pub)]

mod accounts;
mod browser;
mod http;
mod instances;
mod load;
mod support;
// The PostgreSQL driver is the demo's `postgres` feature (scripts/test
// turns it on).
#[cfg(feature = "postgres")]
mod postgres;
