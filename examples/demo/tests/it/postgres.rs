//! The demo on PostgreSQL: the same migrations (in PostgreSQL's words) and
//! the same queries, checked through the flows that write. Needs
//! `SERAC_TEST_POSTGRES_URL` (set by `scripts/test`, which starts a
//! throw-away cluster); each run creates its own database there.

use serac::config::Mode;
use serac::{Config, KeyRing};
use serac_demo::db::Backend;
use serac_demo::{Db, app};

use serac_testkit::{client, hidden};

async fn fresh_database() -> Option<Db> {
    let Ok(admin) = std::env::var("SERAC_TEST_POSTGRES_URL") else {
        serac_testkit::missing("PostgreSQL (SERAC_TEST_POSTGRES_URL)");
        return None;
    };
    sqlx::any::install_default_drivers();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_nanos();
    let name = format!("serac_demo_{}_{nanos}", std::process::id());
    let pool = sqlx::AnyPool::connect(&admin).await.expect("admin connection");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&pool).await.expect("create database");
    pool.close().await;
    let url = format!("{}/{name}", admin.rsplit_once('/').expect("a database in the URL").0);
    let db = Db::open(&url).await.expect("demo database on PostgreSQL");
    assert_eq!(db.backend(), Backend::Postgres);
    Some(db)
}

#[tokio::test]
async fn the_demo_runs_on_postgres() {
    let Some(db) = fresh_database().await else { return };
    let config = Config::new(KeyRing::from_secrets(&[[4; 32]]).expect("key")).mode(Mode::Production);
    let service = app(db.clone(), config);
    let (url, task) = serac_testkit::serve(service).await;
    let get = |path: &str| {
        let url = format!("{url}{path}");
        async move { client().get(url).send().await.expect("GET").text().await.expect("body") }
    };
    let post = |path: &str, form: Vec<(String, String)>| {
        let target = format!("{url}{path}");
        let origin = url.clone();
        async move { client().post(target).header("origin", origin).form(&form).send().await.expect("POST") }
    };
    let with = serac_testkit::with;

    // Invoices: a refused one stores nothing, a valid one is listed.
    let page = get("/invoices").await;
    let res = post(
        "/invoices",
        with(hidden(&page, "invoice-form"), &[("customer", ""), ("amount", "x"), ("status", "paid")]),
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = post(
        "/invoices",
        with(
            hidden(&page, "invoice-form"),
            &[("customer", "Hooli"), ("amount", "99.95"), ("status", "paid")],
        ),
    )
    .await;
    assert_eq!(res.status(), 303);
    assert!(get("/invoices").await.contains("99.95"));

    // Likes: a counter upsert.
    let page = get("/likes").await;
    for _ in 0..2 {
        assert_eq!(post("/likes", hidden(&page, "like-form")).await.status(), 303);
    }
    assert!(get("/likes").await.contains("Total Likes: 2"));

    // Sign-up: RETURNING, the unique email, the session.
    let page = get("/signup").await;
    let form =
        with(hidden(&page, "signup-form"), &[("email", "pg@example.com"), ("password", "long enough")]);
    let res = post("/signup", form.clone()).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/dashboard");
    let res = post("/signup", form).await;
    assert_eq!(res.status(), 422, "the same email twice");

    // Publish with a captured version.
    let page = get("/publish/1").await;
    assert_eq!(post("/publish/1", hidden(&page, "publish-form")).await.status(), 303);
    let page = get("/publish/1").await;
    assert!(page.contains("published."), "{page}");

    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(db.pool()).await.expect("count");
    assert_eq!(count, 2);
    task.abort();
}
