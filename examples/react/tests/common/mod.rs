//! What the React example's test binaries share: the web app's dependencies
//! and production build, made once per binary, and serving the example on a
//! loopback port.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use serac::config::Mode;
use serac::{Config, KeyRing};
use serac_react::{AppState, app};

/// `examples/react/web`.
pub fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("web")
}

fn npm_available() -> bool {
    Command::new("npm").arg("--version").output().is_ok_and(|o| o.status.success())
}

fn run(mut command: Command, what: &str) {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The web app's `node_modules`, installed from the lock file (`npm ci`) when
/// absent. `None` (after saying why, or failing where services are required)
/// when npm is not installed.
pub fn node_modules() -> Option<PathBuf> {
    static READY: OnceLock<bool> = OnceLock::new();
    let ready = *READY.get_or_init(|| {
        if !npm_available() {
            return false;
        }
        let web = web_dir();
        if !web.join("node_modules/.package-lock.json").is_file() {
            let mut npm = Command::new("npm");
            npm.args(["ci", "--no-audit", "--no-fund"]).current_dir(&web);
            run(npm, "npm ci in examples/react/web");
        }
        true
    });
    if ready {
        Some(web_dir().join("node_modules"))
    } else {
        serac_testkit::missing("npm (Node.js)");
        None
    }
}

/// The app's production build, made by Vite into the target directory once
/// per test binary, from the sources as they are now.
pub fn dist() -> Option<PathBuf> {
    node_modules()?;
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    Some(
        BUILT
            .get_or_init(|| {
                let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("react-dist");
                let vite = web_dir().join("node_modules/.bin/vite");
                let mut build = Command::new(vite);
                build.arg("build").arg("--outDir").arg(&out).arg("--emptyOutDir").current_dir(web_dir());
                run(build, "vite build of examples/react/web");
                out
            })
            .clone(),
    )
}

/// The secret every test server uses, unless a test rotates it.
pub const SECRET: [u8; 32] = [5; 32];

/// Serves the example (build `dist`, changes waiting `delay`) on a loopback
/// port under `secret`: its base URL, and the task to abort when done.
pub async fn serve_with(
    dist: &Path,
    delay: Duration,
    secret: [u8; 32],
    listener: Option<tokio::net::TcpListener>,
) -> (String, tokio::task::JoinHandle<()>) {
    let config = Config::new(KeyRing::from_secrets(&[secret]).expect("key")).mode(Mode::Production);
    let service = app(dist, config, AppState::new(delay));
    match listener {
        Some(listener) => serac_testkit::serve_on(listener, service),
        None => serac_testkit::serve(service).await,
    }
}
