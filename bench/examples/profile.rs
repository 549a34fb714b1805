//! Runs one hot-path scenario in a loop, in process, for a profiler:
//! `cargo build --release -p serac-bench --example profile`, then e.g.
//! `valgrind --tool=callgrind target/release/examples/profile a 20000`
//! (scenarios: `a` client call, `b` form post with the page, `d` GET,
//! `q` GET of a query; `axum-a`, `axum-b`, `axum-d`, `axum-q` for the floor;
//! `layer-d`, the floor's own page through Serac's layer).

use http::{Request, header};
use serac::KeyRing;
use serac_bench::{apps, one_request as run};

type Body = axum::body::Body;

fn main() {
    let mut args = std::env::args().skip(1);
    let scenario = args.next().unwrap_or_else(|| "a".into());
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let keys = KeyRing::from_secrets(&[[7; 32]]).expect("keys");
    let serac = apps::serac_app(keys.clone());
    let axum = apps::axum_app();
    // The floor's own app with Serac's layer around it: what the layer alone
    // adds to a page view.
    let layered = serac::ActionLayer::new(serac::Config::new(keys.clone())).wrap(apps::axum_app());
    let id = keys.action_id(apps::increment::action().path());
    let query_url = apps::serac_query_url(&keys);
    // The layer builds its client scripts (compressed and hashed) at the
    // first GET under `/_serac/`, a query's included: once per process, some
    // six million instructions. Built here, outside the counted service, so
    // that (q) is a request's own cost and not a share of start-up. For (q)
    // and its floor alike, as the heap these scripts leave behind moves a
    // count by up to a few hundred instructions; the other scenarios never
    // build them, and keep the heap their earlier figures were counted with.
    if matches!(scenario.as_str(), "q" | "axum-q") {
        let _ = (
            serac::client::runtime_gzip_len(),
            serac::client::stream_gzip_len(),
            serac::client::query_gzip_len(),
        );
    }
    let floor_search_url = apps::axum_query_url();
    // Both searches carry a Host, as a browser's would (the query checks it).
    let get = |url: &str| {
        Request::get(url).header(header::HOST, "bench.local").body(Body::empty()).expect("request")
    };
    // The page's form shows its result: an empty `$state`.
    let form_body = format!("%24action={id}&%24state=");
    let serac_post = |body: String, ctype: &str, action: bool| {
        let mut r = Request::post("/")
            .header(header::HOST, "bench.local")
            .header(header::ORIGIN, "http://bench.local")
            .header(header::CONTENT_TYPE, ctype);
        if action {
            r = r.header("serac-action", &id);
        }
        r.body(Body::from(body)).expect("request")
    };
    let mut bytes = 0;
    runtime.block_on(async {
        for _ in 0..n {
            bytes += match scenario.as_str() {
                "a" => run(serac.clone(), serac_post("[]".into(), "application/json", true)).await,
                "b" => {
                    run(
                        serac.clone(),
                        serac_post(form_body.clone(), "application/x-www-form-urlencoded", false),
                    )
                    .await
                }
                "d" => run(serac.clone(), Request::get("/").body(Body::empty()).expect("request")).await,
                "layer-d" => {
                    run(layered.clone(), Request::get("/").body(Body::empty()).expect("request")).await
                }
                "q" => run(serac.clone(), get(&query_url)).await,
                "axum-q" => run(axum.clone(), get(&floor_search_url)).await,
                "axum-a" => {
                    run(axum.clone(), Request::post("/increment").body(Body::empty()).expect("r")).await
                }
                "axum-b" => {
                    let r = Request::post("/form")
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .body(Body::from("go=1"))
                        .expect("request");
                    run(axum.clone(), r).await
                }
                "axum-d" => run(axum.clone(), Request::get("/").body(Body::empty()).expect("request")).await,
                other => panic!("unknown scenario {other}"),
            };
        }
    });
    println!("{scenario}: {n} requests, {bytes} bytes");
}
