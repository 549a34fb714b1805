//! The per-call cost of Serac's hot path, side by side with plain axum doing
//! the same work, in process (no network): a JSON call (decode, id lookup,
//! dispatch, envelope), a bound call (plus opening `$bound`), a no-JS form
//! post answered with the re-rendered page, and the sealing primitives.
//!
//! `cargo bench -p serac-bench --bench hot_path`

use criterion::{Criterion, criterion_group, criterion_main};
use http::{Request, header};
use serac::KeyRing;
use serac_bench::{apps, one_request as run};

type Body = axum::body::Body;

fn hot_path(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let keys = KeyRing::from_secrets(&[[7; 32]]).expect("keys");
    let serac = apps::serac_app(keys.clone());
    let axum = apps::axum_app();
    let id = keys.action_id(apps::increment::action().path());
    let id_by = keys.action_id(apps::increment_by::action().path());
    let bound = keys.seal(&id_by, b"[3]");

    let json_call = |id: &str, body: String| {
        Request::post("/")
            .header("serac-action", id)
            .header(header::HOST, "bench.local")
            .header(header::ORIGIN, "http://bench.local")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("request")
    };
    let mut group = c.benchmark_group("(a) client call: increment, JSON result");
    group.bench_function("axum", |b| {
        b.to_async(&runtime).iter(|| {
            let request = Request::post("/increment").body(Body::empty()).expect("request");
            run(axum.clone(), request)
        });
    });
    group.bench_function("serac", |b| {
        b.to_async(&runtime).iter(|| run(serac.clone(), json_call(&id, "[]".into())));
    });
    group.bench_function("serac, bound argument", |b| {
        let body = serde_json::json!({ "args": [], "$bound": bound }).to_string();
        b.to_async(&runtime).iter(|| run(serac.clone(), json_call(&id_by, body.clone())));
    });
    group.finish();

    let mut group = c.benchmark_group("(b) no-JS form post answered with the page");
    group.bench_function("axum", |b| {
        b.to_async(&runtime).iter(|| {
            let request = Request::post("/form")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("go=1"))
                .expect("request");
            run(axum.clone(), request)
        });
    });
    // The page's own form: `$action` and the empty `$state` of a form that
    // shows its result (the page rendered again).
    let form_body = format!("%24action={id}&%24state=");
    group.bench_function("serac", |b| {
        b.to_async(&runtime).iter(|| {
            let request = Request::post("/")
                .header(header::HOST, "bench.local")
                .header(header::ORIGIN, "http://bench.local")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form_body.clone()))
                .expect("request");
            run(serac.clone(), request)
        });
    });
    group.finish();

    let mut group = c.benchmark_group("(d) GET the page");
    group.bench_function("axum", |b| {
        b.to_async(&runtime)
            .iter(|| run(axum.clone(), Request::get("/").body(Body::empty()).expect("request")));
    });
    group.bench_function("serac", |b| {
        b.to_async(&runtime)
            .iter(|| run(serac.clone(), Request::get("/").body(Body::empty()).expect("request")));
    });
    group.finish();

    let mut group = c.benchmark_group("primitives");
    group.bench_function("seal 16 bytes", |b| b.iter(|| keys.seal(&id, b"[42,\"abcdefgh\"]")));
    let sealed = keys.seal(&id, b"[42,\"abcdefgh\"]");
    group.bench_function("open 16 bytes", |b| b.iter(|| keys.open(&id, &sealed).expect("opens")));
    group.bench_function("action id (HMAC of the path)", |b| {
        b.iter(|| keys.action_id("serac_bench::apps::increment"))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(std::time::Duration::from_secs(3))
        .warm_up_time(std::time::Duration::from_secs(1));
    targets = hot_path
}
criterion_main!(benches);
