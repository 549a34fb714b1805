//! `serac-react`: serves the React app's build and its actions.
//!
//! - `cargo run --release -p serac-react` serves `web/dist` on
//!   http://127.0.0.1:3001 (`SERAC_ADDR` overrides; `SERAC_REACT_DIST` names
//!   another build; `SERAC_REACT_DELAY_MS`, default 300, is how long each
//!   change waits so pending states can be seen).
//! - `cargo run -p serac-react -- typescript` writes the generated client to
//!   `web/src/serac.gen.ts` (or prints it with `-` as second argument).
//!
//! `examples/react/run` does both and builds the app in between.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serac::seal::KeyError;
use serac::{Config, KeyRing};
use serac_react::{AppState, app};

/// Where the generated client goes, from this crate's directory.
const GENERATED: &str = "web/src/serac.gen.ts";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    match args.first().map(String::as_str) {
        Some("typescript") => {
            let module = serac::typescript::module();
            if args.get(1).is_some_and(|a| a == "-") {
                print!("{module}");
            } else {
                let path = here.join(GENERATED);
                std::fs::write(&path, module).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                eprintln!("wrote {}", path.display());
            }
            return Ok(());
        }
        Some(other) => {
            return Err(format!("unknown command {other:?}: use no argument, or `typescript`").into());
        }
        None => {}
    }

    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let addr: SocketAddr = match std::env::var("SERAC_ADDR") {
        Ok(addr) => addr.parse().map_err(|e| format!("SERAC_ADDR {addr:?} is not an address: {e}"))?,
        Err(_) => SocketAddr::from(([127, 0, 0, 1], 3001)),
    };
    let dist = std::env::var_os("SERAC_REACT_DIST").map_or_else(|| here.join("web/dist"), PathBuf::from);
    if !dist.join("index.html").is_file() {
        return Err(format!(
            "no build in {}: run examples/react/run, or `npm ci && npm run build` in examples/react/web",
            dist.display()
        )
        .into());
    }
    let delay = match std::env::var("SERAC_REACT_DELAY_MS") {
        Ok(ms) => Duration::from_millis(ms.parse().map_err(|e| format!("SERAC_REACT_DELAY_MS {ms:?}: {e}"))?),
        Err(_) => Duration::from_millis(300),
    };

    // An example that must start with no set-up: a random secret when none
    // is given (ids change at every restart; the client fetches them again).
    let keys = match KeyRing::from_env() {
        Err(KeyError::NotSet) => KeyRing::generate(),
        keys => keys?,
    };
    let service = app(&dist, Config::from_env_with(keys)?, AppState::new(delay));
    let listener =
        tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("Serac + React example on http://{addr} (build in {})", dist.display());
    serac::serve(listener, service)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
