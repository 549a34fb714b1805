//! Two demo instances sharing a database, `SERAC_SECRET` and a real Redis
//! (B7): what one revalidates, the other shows; what one seals, the other
//! opens; Redis going away degrades the cache, never the answers.
//!
//! The test starts its own `redis-server` (Debian's package, installed by
//! `scripts/test`) on a free loopback port with persistence off, because it
//! stops and restarts it.

use std::time::{Duration, Instant};

use serac::config::Mode;
use serac::{Config, KeyRing};
use serac_demo::{Db, app_with_redis};
use serac_redis::RedisStore;
use serac_testkit::redis::RedisServer;

use serac_testkit::{client, hidden};

struct Instance {
    url: String,
    store: RedisStore,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn instance(database: &str, redis: &str) -> Instance {
    let db = Db::open(database).await.expect("database");
    let config =
        Config::new(KeyRing::from_secrets(&[[5; 32]]).expect("shared secret")).mode(Mode::Production);
    let store = RedisStore::new(redis).expect("store");
    let service = app_with_redis(db, config, store.clone());
    let (url, task) = serac_testkit::serve(service).await;
    Instance { url, store, task }
}

async fn get(at: &Instance, path: &str) -> String {
    let res = client().get(format!("{}{path}", at.url)).send().await.expect("GET");
    assert_eq!(res.status(), 200, "GET {path} on {}", at.url);
    res.text().await.expect("body")
}

/// Posts form `form` of `path` as rendered by `from`, to `to`.
async fn submit(from: &Instance, to: &Instance, path: &str, form: &str, fields: &[(&str, &str)]) -> u16 {
    let page = get(from, path).await;
    let mut body = hidden(&page, form);
    body.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let res = client()
        .post(format!("{}{path}", to.url))
        .header("origin", &to.url)
        .form(&body)
        .send()
        .await
        .expect("POST");
    res.status().as_u16()
}

async fn create_invoice(on: &Instance, customer: &str) {
    let status = submit(
        on,
        on,
        "/invoices",
        "invoice-form",
        &[("customer", customer), ("amount", "10"), ("status", "paid")],
    )
    .await;
    assert_eq!(status, 303, "invoice {customer} created");
}

/// Polls `at`'s /invoices for up to 1 s until it lists `customer`.
async fn shows_within_a_second(at: &Instance, customer: &str) {
    let start = Instant::now();
    loop {
        if get(at, "/invoices").await.contains(customer) {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(1), "{customer} not shown by {} within 1 s", at.url);
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn subscribed(instances: &[&Instance]) {
    let start = Instant::now();
    while !instances.iter().all(|i| i.store.is_subscribed()) {
        assert!(start.elapsed() < Duration::from_secs(10), "the instances never (re)subscribed to Redis");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_revalidation_and_seals_and_survive_redis_going_away() {
    let dir = std::env::temp_dir().join(format!("serac-instances-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let Some(mut redis) = RedisServer::start(&dir) else {
        serac_testkit::missing("redis-server");
        return;
    };
    let database = format!("sqlite://{}", dir.join("demo.db").display());
    let redis_url = redis.url();
    let a = instance(&database, &redis_url).await;
    let b = instance(&database, &redis_url).await;
    subscribed(&[&a, &b]).await;

    // Both cache the list, then A adds an invoice and revalidates the tag.
    assert!(get(&a, "/invoices").await.contains("No invoices yet"));
    assert!(get(&b, "/invoices").await.contains("No invoices yet"));
    assert!(get(&b, "/invoices").await.contains("No invoices yet"), "served from the cache");
    create_invoice(&a, "Initech").await;
    shows_within_a_second(&b, "Initech").await;

    // A value sealed by A (the bound user id) is accepted by B.
    let status = submit(&a, &b, "/users/1", "rename-form", &[("name", "Ada B.")]).await;
    assert_eq!(status, 303);
    assert!(get(&a, "/users/1").await.contains("Ada B."));

    // Redis goes away: both keep answering, through the loaders.
    redis.stop();
    create_invoice(&a, "Globex").await;
    shows_within_a_second(&a, "Globex").await;
    shows_within_a_second(&b, "Globex").await;
    assert!(get(&b, "/posts").await.contains("Hello, Serac"));

    // Redis comes back: invalidation across instances works again.
    redis.restart();
    subscribed(&[&a, &b]).await;
    get(&b, "/invoices").await;
    get(&b, "/invoices").await;
    create_invoice(&a, "Umbrella").await;
    shows_within_a_second(&b, "Umbrella").await;

    drop((a, b));
    let _ = std::fs::remove_dir_all(&dir);
}

/// R2: with Redis, idempotency keys are shared. A retry that reaches the
/// other instance gets the first answer and the like is counted once; the
/// key sent with another request is refused there too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_reaching_the_other_instance_runs_once_r2() {
    let dir = std::env::temp_dir().join(format!("serac-instances-idem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let Some(redis) = RedisServer::start(&dir) else {
        serac_testkit::missing("redis-server");
        return;
    };
    let database = format!("sqlite://{}", dir.join("demo.db").display());
    let a = instance(&database, &redis.url()).await;
    let b = instance(&database, &redis.url()).await;
    let id = hidden(&get(&a, "/likes").await, "like-form")[0].1.clone();
    // Behind one load balancer both instances see the site's own name, and
    // the browser's retry is to that name too (the host is part of what
    // makes a repeat the same request).
    let call = |at: &Instance, path: &str| {
        client()
            .post(format!("{}{path}", at.url))
            .header("host", "demo.example")
            .header("origin", "http://demo.example")
            .header(serac::protocol::ACTION_HEADER, &id)
            .header(serac::protocol::IDEMPOTENCY_HEADER, "retry-1")
            .header("serac-render", "none")
            .json(&serde_json::json!([]))
            .send()
    };
    let first = call(&a, "/likes").await.expect("POST");
    assert_eq!(first.status(), 200);
    let first = first.text().await.expect("body");
    // The same request, retried on the other instance.
    let again = call(&b, "/likes").await.expect("POST");
    assert_eq!(again.status(), 200);
    assert_eq!(again.text().await.expect("body"), first, "the first answer, byte for byte");
    // The same key with another request.
    let other = call(&b, "/views").await.expect("POST");
    assert_eq!(other.status(), 409);
    let db = Db::open(&database).await.expect("database");
    assert_eq!(db.counter("likes").await.expect("likes"), 1, "liked once");
    drop((a, b, redis));
    let _ = std::fs::remove_dir_all(&dir);
}
