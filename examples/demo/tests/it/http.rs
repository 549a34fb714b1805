//! The demo's pages over real HTTP with JavaScript off: what a browser with
//! scripts disabled sends, checked by what the next page shows.

use serac::config::Mode;
use serac::{Config, KeyRing};
use serac_demo::{Db, app};
use serac_testkit::{attr_of, button, client, hidden};

use crate::support::{Demo, start};

async fn get(demo: &Demo, path: &str, cookie: Option<&str>) -> String {
    let mut req = client().get(format!("{}{path}", demo.url));
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    let res = req.send().await.expect("GET");
    assert_eq!(res.status(), 200, "GET {path}");
    res.text().await.expect("body")
}

async fn submit(demo: &Demo, path: &str, form: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let page = get(demo, path, None).await;
    let mut body = hidden(&page, form);
    body.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    client()
        .post(format!("{}{path}", demo.url))
        .header("origin", &demo.url)
        .form(&body)
        .send()
        .await
        .expect("POST")
}

#[tokio::test]
async fn home_links_every_example() {
    let demo = start().await;
    let html = get(&demo, "/", None).await;
    for (path, _, _) in serac_demo::layout::EXAMPLES {
        assert!(html.contains(&format!("href=\"{path}\"")), "{path} missing");
        get(&demo, path, None).await;
    }
}

#[tokio::test]
async fn like_adds_one_and_redirects_back_s20() {
    let demo = start().await;
    assert!(get(&demo, "/likes", None).await.contains("Total Likes: 0"));
    let res = submit(&demo, "/likes", "like-form", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/likes");
    assert!(get(&demo, "/likes", None).await.contains("Total Likes: 1"));
    assert_eq!(demo.db.counter("likes").await.expect("count"), 1);
}

#[tokio::test]
async fn an_empty_entry_is_refused_next_to_the_field_and_not_stored_s16() {
    let demo = start().await;
    let res = submit(&demo, "/entry", "entry-form", &[("body", "   ")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.expect("body");
    assert!(html.contains("Write something before saving."), "{html}");
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM entries").fetch_one(demo.db.pool()).await.expect("count");
    assert_eq!(count, 0);

    let res = submit(&demo, "/entry", "entry-form", &[("body", "A <b>bold</b> day")]).await;
    assert_eq!(res.status(), 303);
    let html = get(&demo, "/entry", None).await;
    assert!(html.contains("A &lt;b&gt;bold&lt;/b&gt; day"), "entry shown escaped: {html}");
}

#[tokio::test]
async fn a_cookie_is_set_shown_and_deleted_s25() {
    let demo = start().await;
    let res = submit(&demo, "/cookies", "set-name", &[("name", "Ada")]).await;
    assert_eq!(res.status(), 303);
    let set = res.headers()["set-cookie"].to_str().expect("ascii").to_string();
    assert!(set.starts_with("name=Ada;") && set.contains("HttpOnly"), "{set}");
    let html = get(&demo, "/cookies", Some("name=Ada")).await;
    assert!(html.contains("<strong id=\"name\">Ada</strong>"), "{html}");

    let page = get(&demo, "/cookies", Some("name=Ada")).await;
    let res = client()
        .post(format!("{}/cookies", demo.url))
        .header("origin", &demo.url)
        .header("cookie", "name=Ada")
        .form(&hidden(&page, "delete-name"))
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 303);
    let set = res.headers()["set-cookie"].to_str().expect("ascii").to_string();
    assert!(set.starts_with("name=;") && set.contains("Max-Age=0"), "{set}");
}

#[tokio::test]
async fn an_empty_name_sets_no_cookie() {
    let demo = start().await;
    let res = submit(&demo, "/cookies", "set-name", &[("name", "")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.headers().get("set-cookie").is_none());
    assert!(res.text().await.expect("body").contains("Type a name first."));
}

#[tokio::test]
async fn publishing_an_empty_draft_is_refused_and_changes_nothing() {
    let demo = start().await;
    let page = get(&demo, "/posts/1/edit", None).await;
    let mut body = hidden(&page, "editor");
    body.push(("draft".into(), "   ".into()));
    // The Publish button, pressed: its action and its sealed post id.
    body.push(button(&page, "publish"));
    let res = client()
        .post(format!("{}/posts/1/edit", demo.url))
        .header("origin", &demo.url)
        .form(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 422);
    assert!(res.text().await.expect("body").contains("Write something before publishing."));
    let (draft, version): (String, i64) = sqlx::query_as("SELECT draft, version FROM posts WHERE id = 1")
        .fetch_one(demo.db.pool())
        .await
        .expect("post");
    assert_eq!((draft.as_str(), version), ("Server actions without a JavaScript framework.", 1));
}

#[tokio::test]
async fn a_tampered_user_id_is_refused_and_nobody_is_renamed_s13() {
    let demo = start().await;
    let page = get(&demo, "/users/1", None).await;
    let mut body = hidden(&page, "rename-form");
    for (name, value) in body.iter_mut() {
        if name == "$bound" {
            let mut bytes = value.clone().into_bytes();
            bytes[10] = if bytes[10] == b'A' { b'B' } else { b'A' };
            *value = String::from_utf8(bytes).expect("ascii");
        }
    }
    body.push(("name".into(), "Mallory".into()));
    let res = client()
        .post(format!("{}/users/1", demo.url))
        .header("origin", &demo.url)
        .form(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 400);
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM users").fetch_all(demo.db.pool()).await.expect("names");
    assert_eq!(names, ["Ada Lovelace"]);
}

#[tokio::test]
async fn missing_things_are_a_404_page() {
    let demo = start().await;
    for path in ["/users/999", "/posts/999", "/publish/999", "/nowhere"] {
        let res = client().get(format!("{}{path}", demo.url)).send().await.expect("GET");
        assert_eq!(res.status(), 404, "{path}");
        assert!(res.text().await.expect("body").contains("id=\"page-error\""), "{path}");
    }
}

#[tokio::test]
async fn an_unknown_database_url_gets_a_clear_error() {
    let err = Db::open("mysql://localhost/demo").await.expect_err("not supported");
    assert!(err.to_string().contains("neither a SQLite URL"), "{err}");
}

#[tokio::test]
async fn an_unavailable_database_gives_a_clear_error_and_writes_nothing() {
    let dir = std::env::temp_dir().join(format!("serac-fault-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let url = format!("sqlite://{}", dir.join("demo.db").display());
    let db = Db::open(&url).await.expect("database");
    let config = Config::new(KeyRing::from_secrets(&[[3; 32]]).expect("key")).mode(Mode::Production);
    let service = app(db.clone(), config);
    let (base, task) = serac_testkit::serve(service).await;
    let page =
        client().get(format!("{base}/invoices")).send().await.expect("GET").text().await.expect("body");
    let mut fields = hidden(&page, "invoice-form");
    fields.extend(
        [("customer", "Acme"), ("amount", "5"), ("status", "paid")]
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );

    db.pool().close().await; // the database goes away

    let res = client().get(format!("{base}/likes")).send().await.expect("GET");
    assert_eq!(res.status(), 500);
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("The page could not be loaded. Please try again in a moment.")
    );
    let res = client()
        .post(format!("{base}/invoices"))
        .header("origin", &base)
        .form(&fields)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 500);
    let body = res.text().await.expect("body");
    assert!(body.contains("Something went wrong on the server. Reference:"), "{body}");
    assert!(!body.contains("pool"), "no internals in production: {body}");

    let reopened = Db::open(&url).await.expect("database back");
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM invoices").fetch_one(reopened.pool()).await.expect("count");
    assert_eq!(count, 0, "nothing half-written");
    task.abort();
    let _ = std::fs::remove_dir_all(&dir);
}

/// R3: the slow report's limit is its own, so posting its id to another
/// page, or to `/slow` spelled another way, does not let it run longer.
#[tokio::test]
async fn the_slow_report_is_cancelled_wherever_it_is_posted_r3() {
    let demo = start().await;
    let fields = hidden(&get(&demo, "/slow", None).await, "slow-form");
    for path in ["/slow", "/slow/", "/SLOW", "/likes"] {
        let started = std::time::Instant::now();
        let res = client()
            .post(format!("{}{path}", demo.url))
            .header("origin", &demo.url)
            .form(&fields)
            .send()
            .await
            .expect("POST");
        assert_eq!(res.status(), 504, "{path}");
        assert!(
            started.elapsed() < std::time::Duration::from_millis(2500),
            "{path}: {:?}",
            started.elapsed()
        );
    }
}

/// Every answer, a page or an action's, carries the headers that keep the
/// browser from sniffing types, leaking URLs, or framing the app.
#[tokio::test]
async fn pages_and_actions_carry_the_security_headers() {
    let demo = start().await;
    let page = client().get(format!("{}/likes", demo.url)).send().await.expect("GET");
    let fields = hidden(&get(&demo, "/likes", None).await, "like-form");
    let action = client()
        .post(format!("{}/likes", demo.url))
        .header("origin", &demo.url)
        .form(&fields)
        .send()
        .await
        .expect("POST");
    let refused =
        client().post(format!("{}/likes", demo.url)).header("origin", "http://evil.example").form(&fields);
    let refused = refused.send().await.expect("POST");
    assert_eq!(refused.status(), 403);
    for res in [page, action, refused] {
        let headers = res.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin");
        assert_eq!(headers["content-security-policy"], "frame-ancestors 'none'");
    }
}

/// A file over the limit, JavaScript off: the 413 comes in the demo's own
/// layout, with the message and a way back, not a bare page.
#[tokio::test]
async fn a_refused_upload_is_answered_in_the_demos_layout() {
    let demo = start().await;
    let fields = hidden(&get(&demo, "/upload", None).await, "upload-form");
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k, v);
    }
    let file = reqwest::multipart::Part::bytes(vec![b'x'; 101 * 1024 * 1024]).file_name("big.bin");
    let res = client()
        .post(format!("{}/upload", demo.url))
        .header("origin", &demo.url)
        .multipart(form.part("file", file))
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 413);
    let body = res.text().await.expect("body");
    assert!(body.contains("class=\"brand\""), "the demo's header: {body}");
    assert!(body.contains("larger than the limit of 100 MB"), "{body}");
}

/// B20: the demo's forms take `ValidForm`: the rules run before the action,
/// with messages written for people, and nothing is stored.
#[tokio::test]
async fn forms_are_validated_before_their_action_runs_b20() {
    let demo = start().await;
    let count = |table: &'static str| {
        let pool = demo.db.pool().clone();
        async move {
            let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
                .fetch_one(&pool)
                .await
                .expect("count");
            n
        }
    };
    let users = count("users").await;
    let res =
        submit(&demo, "/signup", "signup-form", &[("email", "not-an-email"), ("password", "short")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.expect("body");
    // The page shows one message at a time, the first field's.
    assert!(html.contains("Enter a valid email address."), "{html}");
    assert!(html.contains("value=\"not-an-email\""), "the typed email is kept");
    let res =
        submit(&demo, "/signup", "signup-form", &[("email", "ann@example.com"), ("password", "short")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.expect("body").contains("Password must be at least 8 characters."));
    assert_eq!(count("users").await, users, "no account made");

    let res = submit(&demo, "/messages", "message-form", &[("message", "   ")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.expect("body").contains("Type a message (up to 500 characters)."));
    assert_eq!(count("messages").await, 0, "nothing sent");

    // The same rules, as the browser's constraint attributes.
    let admin = get(&demo, "/admin", None).await;
    assert_eq!(attr_of(&admin, "#item", "required").as_deref(), Some(""));
    assert_eq!(attr_of(&admin, "#item", "maxlength").as_deref(), Some("100"));
    assert_eq!(attr_of(&admin, "#item", "name").as_deref(), Some("name"));
}
