//! `cargo run --release -p serac-demo`: the demo on http://127.0.0.1:3000.
//!
//! Environment: `SERAC_ADDR` (listen address), `DATABASE_URL` (default: a
//! SQLite file in the working directory), `SERAC_SECRET` (see the README; a
//! random one is made when unset), `SERAC_ALLOWED_HOSTS` (the host names
//! actions may be called at; on loopback, the address and `localhost` when
//! unset), `SERAC_DEMO_SAMPLE_DATA=1` (a few sample
//! invoices and messages in empty tables), `RUST_LOG`.

use std::net::SocketAddr;

use serac::seal::KeyError;
use serac::{Config, KeyRing};
use serac_demo::{DEFAULT_DATABASE_URL, Db, Settings, app_with};
use serac_redis::RedisStore;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();

    let addr: SocketAddr = match std::env::var("SERAC_ADDR") {
        Ok(addr) => addr.parse().map_err(|e| format!("SERAC_ADDR {addr:?} is not an address: {e}"))?,
        Err(_) => SocketAddr::from(([127, 0, 0, 1], 3000)),
    };
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_string());
    let db = Db::open(&url).await?;
    if std::env::var("SERAC_DEMO_SAMPLE_DATA").is_ok_and(|v| v == "1") {
        db.add_sample_data().await?;
    }
    // The demo must start with no set-up: without SERAC_SECRET it uses a
    // random one (ids change at every restart), and says so.
    let keys = match KeyRing::from_env() {
        Err(KeyError::NotSet) => {
            tracing::warn!(
                "SERAC_SECRET is not set: the demo uses a random secret (forms open before a restart will need a reload)"
            );
            KeyRing::generate()
        }
        keys => keys?,
    };
    let listener =
        tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    // The address bound (port 0 becomes the port given).
    let addr = listener.local_addr()?;
    let mut config = Config::from_env_with(keys)?;
    // On loopback the demo knows every name it is reached by: a page from
    // another site that rebinds its own name to 127.0.0.1 (DNS rebinding)
    // gets 403 on actions. Elsewhere SERAC_ALLOWED_HOSTS says which names.
    let hosts_given = std::env::var(serac::config::ALLOWED_HOSTS_ENV).is_ok_and(|v| !v.trim().is_empty());
    if !hosts_given && addr.ip().is_loopback() {
        let port = addr.port();
        config = config.allowed_hosts([addr.to_string(), format!("localhost:{port}")]);
    }
    let redis = match std::env::var(serac_redis::REDIS_URL_ENV) {
        Ok(url) => {
            tracing::info!("cache and idempotency keys in Redis at {url}");
            Some(RedisStore::new(&url)?)
        }
        Err(_) => None,
    };
    // Plain HTTP on this machine is what loopback means; anywhere else the
    // demo is expected behind HTTPS, and session cookies say so.
    let settings = Settings { secure_cookies: !addr.ip().is_loopback(), redis };
    let service = app_with(db, config, settings);

    tracing::info!("Serac demo on http://{addr} (data in {url})");
    // Timeouts for slow or silent clients and a connection limit.
    serac::serve(listener, service)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
