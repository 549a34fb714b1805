//! Helpers shared by Serac's benchmarks (`cargo bench -p serac-bench`).
//!
//! The benchmarks print figures; nothing here asserts a speed.

#![forbid(unsafe_code)]

pub mod apps;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` started for a benchmark on a free loopback port, with
/// persistence off; stopped when dropped.
#[derive(Debug)]
pub struct BenchRedis {
    /// `redis://127.0.0.1:PORT/`.
    pub url: String,
    child: Child,
}

impl BenchRedis {
    /// Starts one, or `None` when `redis-server` is not installed.
    pub fn start() -> Option<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).ok()?.port();
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if start.elapsed() > Duration::from_secs(5) {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(Self { url: format!("redis://127.0.0.1:{port}/"), child })
    }
}

impl Drop for BenchRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
