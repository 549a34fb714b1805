//! Integration tests of the serac core over real HTTP: a real server on a
//! loopback port, a real HTTP client. Grouped by area; every rejection test
//! also checks that the action did not run.

// A test binary exports nothing: `pub` here only shares items between modules.
#![allow(unreachable_pub)]

mod app;
mod attack;
mod bound;
mod cache;
mod cancel;
mod cookies;
mod errors;
mod expose;
mod forms;
mod guard;
mod idempotency;
mod json;
mod limits;
mod page_data;
mod parity;
mod query;
mod recognise;
mod redirects;
mod runtime;
mod serve;
mod streaming;
mod upload;
mod sealed;
mod support;
mod validation;
