//! `bench-server serac|axum`: one of the benchmark apps on `BENCH_ADDR`
//! (default 127.0.0.1:4000), for `bench/run`.

use std::net::SocketAddr;

use axum::ServiceExt as _;
use serac::KeyRing;
use serac_bench::apps;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let which = std::env::args().nth(1).unwrap_or_default();
    if which == "js-size" {
        println!("{}", serac::client::runtime_gzip_len());
        return Ok(());
    }
    let addr: SocketAddr = std::env::var("BENCH_ADDR").unwrap_or_else(|_| "127.0.0.1:4000".into()).parse()?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    match which.as_str() {
        "serac" => {
            let app = apps::serac_app(KeyRing::from_secrets(&[[7; 32]])?);
            // Served exactly like the axum app (no ConnectInfo: Serac needs
            // it only to recognise trusted proxies).
            axum::serve(listener, app.into_make_service()).await?;
        }
        "axum" => axum::serve(listener, apps::axum_app()).await?,
        other => return Err(format!("usage: bench-server serac|axum (got {other:?})").into()),
    }
    Ok(())
}
