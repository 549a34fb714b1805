//! A `redis-server` of the test's own, on a free loopback port with
//! persistence off, for tests that stop and restart it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `redis-server`; stopped when dropped.
#[derive(Debug)]
pub struct RedisServer {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one with its files in `dir`, or `None` when `redis-server` is
    /// not installed or does not start within 5 s.
    pub fn start(dir: &Path) -> Option<Self> {
        let mut server = Self { port: crate::free_port(), dir: dir.to_path_buf(), child: None };
        server.child = Some(server.spawn()?);
        Some(server)
    }

    fn spawn(&self) -> Option<Child> {
        let mut child = Command::new("redis-server")
            .args([
                "--bind",
                "127.0.0.1",
                "--port",
                &self.port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if start.elapsed() > Duration::from_secs(5) {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(child)
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills it (as a crash would: nothing saved).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops it and starts it again, empty, on the same port.
    ///
    /// # Panics
    /// When it does not come back.
    pub fn restart(&mut self) {
        self.stop();
        self.child = Some(self.spawn().expect("redis-server restarts"));
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
