//! `bench-server serac|axum`: one of the benchmark apps on `BENCH_ADDR`
//! (default 127.0.0.1:4000), for `bench/run`. `bench-server query-url
//! serac|axum` prints where that app answers the search, and `bench-server
//! js-size` the gzipped size of Serac's page script.

use std::net::SocketAddr;

use axum::ServiceExt as _;
use serac::KeyRing;
use serac_bench::apps;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let which = std::env::args().nth(1).unwrap_or_default();
    // The same secret as the served app, so the query's id is the one it answers.
    let keys = || KeyRing::from_secrets(&[[7; 32]]);
    match which.as_str() {
        "js-size" => {
            println!("{}", serac::client::runtime_gzip_len());
            return Ok(());
        }
        "query-url" => {
            match std::env::args().nth(2).as_deref() {
                Some("serac") => println!("{}", apps::serac_query_url(&keys()?)),
                Some("axum") => println!("{}", apps::axum_query_url()),
                other => {
                    return Err(format!("usage: bench-server query-url serac|axum (got {other:?})").into());
                }
            }
            return Ok(());
        }
        _ => {}
    }
    let addr: SocketAddr = std::env::var("BENCH_ADDR").unwrap_or_else(|_| "127.0.0.1:4000".into()).parse()?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    match which.as_str() {
        "serac" => {
            let app = apps::serac_app(keys()?);
            // Served exactly like the axum app (no ConnectInfo: Serac needs
            // it only to recognise trusted proxies).
            axum::serve(listener, app.into_make_service()).await?;
        }
        "axum" => axum::serve(listener, apps::axum_app()).await?,
        other => return Err(format!("usage: bench-server serac|axum (got {other:?})").into()),
    }
    Ok(())
}
