//! The apps Serac's benchmarks measure (`cargo bench -p serac-bench`, `bench/run`).
//!
//! The benchmarks print figures; nothing here asserts a speed.

#![forbid(unsafe_code)]

pub mod apps;
