//! The cost of a cache hit and of a revalidation, in memory and in Redis
//! (issue 5). Redis figures need `redis-server` on the PATH; the benchmark
//! starts its own on a free loopback port and stops it.
//!
//! `cargo bench -p serac-bench --bench cache`

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use serac::cache::Cache;
use serac_redis::RedisStore;
use serac_testkit::redis::RedisServer;

/// A list like the demo's: 50 rows.
fn rows() -> Vec<(i64, String, i64, String)> {
    (0..50).map(|i| (i, format!("Customer {i}"), i * 100, "paid".to_string())).collect()
}

type Rows = Vec<(i64, String, i64, String)>;

fn bench(c: &mut Criterion, name: &str, runtime: &tokio::runtime::Runtime, cache: &Cache) {
    let mut group = c.benchmark_group(name);
    runtime.block_on(async {
        let _: Rows = cache
            .load("list", &["rows"], Duration::from_secs(600), || async { Ok::<_, ()>(rows()) })
            .await
            .expect("warm");
    });
    group.bench_function("hit (50-row list)", |b| {
        b.to_async(runtime).iter(|| async {
            let v: Rows = cache
                .load("list", &["rows"], Duration::from_secs(600), || async { Ok::<_, ()>(rows()) })
                .await
                .expect("hit");
            v
        });
    });
    group.bench_function("revalidate_tag then reload", |b| {
        b.to_async(runtime).iter(|| async {
            cache.revalidate_tag("rows").await;
            let v: Rows = cache
                .load("list", &["rows"], Duration::from_secs(600), || async { Ok::<_, ()>(rows()) })
                .await
                .expect("reload");
            v
        });
    });
    group.finish();
}

fn cache_benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    bench(c, "memory", &runtime, &Cache::default());
    let dir = std::env::temp_dir().join(format!("serac-bench-redis-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    match RedisServer::start(&dir) {
        Some(redis) => {
            let store = runtime.block_on(async {
                let store = RedisStore::new(&redis.url()).expect("store");
                while !store.is_subscribed() {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                store
            });
            bench(c, "redis", &runtime, &Cache::new(store));
            drop(redis);
        }
        None => eprintln!("redis: skipped (redis-server is not installed)"),
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = cache_benches
}
criterion_main!(benches);
