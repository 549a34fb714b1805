//! Every route of the demo in real Chromium, with JavaScript on and off,
//! asserting what a person sees: text, URL, list contents.
//!
//! The Chromium session comes from `serac-testkit`, which also says what
//! happens without ChromeDriver.

use std::future::Future;

use serac::config::Mode;
use serac::{Config, KeyRing};
use serac_demo::{Db, app};
use serac_testkit::browser::{Browser as B, with_chromium};
use serde_json::json;

/// Starts a demo on a fresh in-memory database and a browser (JavaScript
/// `js`), runs `test`, and always closes the browser.
async fn run<F, Fut>(js: bool, test: F)
where
    F: FnOnce(B, Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let db = Db::in_memory().await.expect("database");
    let config = Config::new(KeyRing::from_secrets(&[[9; 32]]).expect("key")).mode(Mode::Production);
    let (url, task) = serac_testkit::serve(app(db.clone(), config)).await;
    with_chromium(&url, js, "normal", |b| test(b, db)).await;
    task.abort();
}

async fn count(db: &Db, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(db.pool()).await.expect("count")
}

// ---- one test per route and mode ------------------------------------------------

async fn invoices(b: B, db: Db) {
    b.goto("/invoices").await;
    b.wait_text("#no-invoices", "No invoices yet").await;
    b.type_into("#amount", "12,5").await;
    b.click("#create-invoice").await;
    b.wait_text("#customer-error", "").await;
    b.wait_text("main", "Enter an amount like 12.50.").await;
    assert!(!b.text("#customer-error").await.is_empty(), "customer message shown");
    assert_eq!(
        b.js("return document.getElementById('amount').value").await,
        json!("12,5"),
        "typed value kept"
    );
    assert_eq!(count(&db, "invoices").await, 0, "nothing stored");

    b.type_into("#customer", "Acme & Co").await;
    b.set("#amount", "12.5").await;
    b.click("input[name=status][value=paid]").await;
    b.click("#create-invoice").await;
    b.wait_text("#invoices", "Acme & Co").await;
    b.wait_text("#invoices", "12.50").await;
    b.wait_text("#invoices", "paid").await;
    assert_eq!(count(&db, "invoices").await, 1);
}

#[tokio::test]
async fn invoices_with_js() {
    run(true, invoices).await;
}
#[tokio::test]
async fn invoices_without_js() {
    run(false, invoices).await;
}

async fn profile(b: B, _db: Db) {
    b.goto("/users/1").await;
    b.wait_text("#display-name", "Ada Lovelace").await;
    b.set("#name", "Ada King").await;
    b.click("#rename-form button").await;
    b.wait_text("#display-name", "Ada King").await;
    b.set("#name", "").await;
    b.click("#rename-form button").await;
    b.wait_text("#name-error", "").await;
    b.wait_js("the name error", "return !!document.getElementById('name-error')").await;
    b.goto("/users/1").await;
    b.wait_text("#display-name", "Ada King").await;
}

#[tokio::test]
async fn profile_with_js() {
    run(true, profile).await;
}
#[tokio::test]
async fn profile_without_js() {
    run(false, profile).await;
}

async fn posts(b: B, js: bool) {
    b.goto("/posts").await;
    b.wait_text("#posts", "Hello, Serac").await;
    b.goto("/posts/1/edit").await;
    b.js("document.getElementById('draft').value = ''; return true;").await;
    b.type_into("#draft", "A new body").await;
    if js {
        // Saved while typing, after the debounce.
        b.wait_text("#saved-draft", "A new body").await;
    } else {
        b.click("#save-draft").await;
        b.wait_text("#saved-draft", "A new body").await;
    }
    b.click("#publish").await;
    b.wait_text("#post-body", "A new body").await;
    assert_eq!(b.path().await, "/posts/1");
    b.goto("/posts").await;
    b.wait_text("#posts", "A new body").await;
}

#[tokio::test]
async fn posts_with_js() {
    run(true, |b, _| posts(b, true)).await;
}
#[tokio::test]
async fn posts_without_js() {
    run(false, |b, _| posts(b, false)).await;
}

async fn signup_and_admin(b: B, db: Db) {
    b.goto("/admin").await;
    b.type_into("#item", "Stapler").await;
    b.click("#add-item").await;
    b.wait_text("#error", "You must be signed in to perform this action").await;
    assert_eq!(count(&db, "items").await, 0);

    b.goto("/signup").await;
    b.type_into("#email", "ann@example.com").await;
    b.type_into("#password", "short").await;
    b.click("#signup").await;
    b.wait_text("#signup-message", "Password must be at least 8 characters.").await;
    assert_eq!(
        b.js("return document.getElementById('signup-message').getAttribute('aria-live')").await,
        json!("polite")
    );
    assert_eq!(count(&db, "users").await, 1, "only the seeded profile");

    b.type_into("#password", "correct horse").await;
    b.click("#signup").await;
    b.wait_text("#welcome", "Welcome, ann@example.com").await;
    assert_eq!(b.path().await, "/dashboard");
    assert!(!b.body().await.contains("correct horse"));

    b.goto("/admin").await;
    b.type_into("#item", "Stapler").await;
    b.click("#add-item").await;
    b.wait_text("#items", "Stapler").await;
    // Others see a display name, never the email (R9).
    b.wait_text("#items", "added by User 2").await;
    assert!(!b.text("#items").await.contains("ann@example.com"));

    b.goto("/dashboard").await;
    b.click("#signout-form button").await;
    b.wait_text("h1", "Sign up").await;
    b.goto("/dashboard").await;
    b.wait_text("#welcome", "You are not signed in").await;
}

#[tokio::test]
async fn signup_and_admin_with_js() {
    run(true, signup_and_admin).await;
}
#[tokio::test]
async fn signup_and_admin_without_js() {
    run(false, signup_and_admin).await;
}

async fn counters(b: B, js: bool) {
    b.goto("/likes").await;
    b.wait_text("#likes", "Total Likes: 0").await;
    b.click("#like").await;
    b.wait_text("#likes", "Total Likes: 1").await;

    b.goto("/views").await;
    if js {
        b.wait_text("#views", "Total Views: 1").await;
        b.goto("/views").await;
        b.wait_text("#views", "Total Views: 2").await;
    } else {
        // Counted by the <noscript> image, after the page was rendered.
        b.wait_text("#views", "Total Views: 0").await;
        b.goto("/views").await;
        b.wait_text("#views", "Total Views: 1").await;
    }
}

#[tokio::test]
async fn likes_and_views_with_js() {
    run(true, |b, _| counters(b, true)).await;
}
#[tokio::test]
async fn likes_and_views_without_js() {
    run(false, |b, _| counters(b, false)).await;
}

async fn messages(b: B, db: Db) {
    b.goto("/messages").await;
    b.type_into("#message", "Hello there").await;
    b.click("#send").await;
    b.wait_js("the stored message", "return !!document.querySelector('#messages li.message:not(.sending)')")
        .await;
    b.wait_text("#messages", "Hello there").await;
    assert_eq!(b.js("return document.getElementById('message').value").await, json!(""));

    b.type_into("#message", "fail").await;
    b.click("#send").await;
    b.wait_text("#error", "The message could not be sent. Please try again.").await;
    assert_eq!(
        b.js("return document.querySelectorAll('#messages li').length").await,
        json!(1),
        "rolled back"
    );
    assert_eq!(count(&db, "messages").await, 1);
}

#[tokio::test]
async fn messages_with_js() {
    run(true, messages).await;
}
#[tokio::test]
async fn messages_without_js() {
    run(false, messages).await;
}

#[tokio::test]
async fn messages_appear_optimistically_with_js() {
    run(true, |b, _| async move {
        b.goto("/messages").await;
        b.type_into("#message", "<i>soon</i>").await;
        b.click("#send").await;
        let sending =
            b.js("const s = document.querySelector('#messages li.sending'); return s && s.textContent").await;
        assert!(sending.as_str().is_some_and(|t| t.contains("<i>soon</i>")), "{sending}");
        b.wait_js("the stored message", "return !document.querySelector('#messages li.sending')").await;
        b.wait_text("#messages", "<i>soon</i>").await;
    })
    .await;
}

async fn entry_and_cookies(b: B, js: bool) {
    b.goto("/entry").await;
    b.type_into("#entry-body", "Quiet day").await;
    if js {
        b.type_into("#entry-body", "\u{E009}\u{E007}\u{E000}").await;
    } else {
        b.click("#entry-form button").await;
    }
    b.wait_text("#entries", "Quiet day").await;

    b.goto("/cookies").await;
    b.wait_text("#current", "is not set").await;
    b.type_into("#name-input", "Zoë").await;
    b.click("#set-name button").await;
    b.wait_text("#name", "Zoë").await;
    b.click("#delete-name button").await;
    b.wait_text("#current", "is not set").await;
}

#[tokio::test]
async fn entry_and_cookies_with_js() {
    run(true, |b, _| entry_and_cookies(b, true)).await;
}
#[tokio::test]
async fn entry_and_cookies_without_js() {
    run(false, |b, _| entry_and_cookies(b, false)).await;
}

async fn publish(b: B, db: Db) {
    b.goto("/publish/1").await;
    b.wait_text("#version", "1").await;
    // Someone else edits the post after this page was rendered.
    sqlx::query("UPDATE posts SET version = version + 1 WHERE id = 1")
        .execute(db.pool())
        .await
        .expect("edit");
    b.click("#publish").await;
    b.wait_text("#error", "The version has changed since pressing publish").await;
    b.goto("/publish/1").await;
    b.wait_text("#version", "2").await;
    b.click("#publish").await;
    b.wait_text("#post-state", "published").await;
    assert!(b.text("#error").await.is_empty(), "no error after publishing the current version");
}

#[tokio::test]
async fn publish_with_js() {
    run(true, publish).await;
}
#[tokio::test]
async fn publish_without_js() {
    run(false, publish).await;
}

async fn upload(b: B, js: bool) {
    let dir = std::env::temp_dir();
    let small = dir.join(format!("demo-small-{}-{js}.txt", std::process::id()));
    let big = dir.join(format!("demo-big-{}-{js}.bin", std::process::id()));
    std::fs::write(&small, "hello, serac").expect("file");
    // Past the 100 MB limit: refused from its declared length.
    std::fs::write(&big, vec![0u8; 101 * 1024 * 1024]).expect("file");

    b.goto("/upload").await;
    b.type_into("#file", small.to_str().expect("path")).await;
    b.click("#upload").await;
    let name = small.file_name().and_then(|n| n.to_str()).expect("name").to_string();
    b.wait_text("#received", &format!("{name} (12 bytes")).await;

    b.goto("/upload").await;
    b.type_into("#file", big.to_str().expect("path")).await;
    b.click("#upload").await;
    b.wait_text("body", "larger than the limit of 100 MB").await;
    if js {
        b.wait_text("#error", "larger than the limit").await;
    }
    let _ = std::fs::remove_file(&small);
    let _ = std::fs::remove_file(&big);
}

#[tokio::test]
async fn upload_with_js() {
    run(true, |b, _| upload(b, true)).await;
}
#[tokio::test]
async fn upload_without_js() {
    run(false, |b, _| upload(b, false)).await;
}

async fn slow(b: B) {
    b.goto("/slow").await;
    b.click("#run-report").await;
    b.wait_text("#error", "1 s").await;
    assert_eq!(b.path().await, "/slow");
}

#[tokio::test]
async fn slow_with_js() {
    run(true, |b, _| slow(b)).await;
}
#[tokio::test]
async fn slow_without_js() {
    run(false, |b, _| slow(b)).await;
}

/// Two invoices, Acme's and Globex's, straight into the database.
async fn two_invoices(db: &Db) {
    for (customer, cents) in [("Acme & Co", 1250), ("Globex", 990)] {
        sqlx::query("INSERT INTO invoices (customer, amount_cents, status) VALUES ($1, $2, 'pending')")
            .bind(customer)
            .bind(cents)
            .execute(db.pool())
            .await
            .expect("insert");
    }
}

/// The customers the invoice list shows.
async fn customers(b: &B) -> serde_json::Value {
    b.js("return [...document.querySelectorAll('#invoices tbody tr td:nth-child(2)')].map((td) => td.textContent);")
        .await
}

/// B19: the search filters the list as one types, with GET only and no
/// reload; scripts read the same query.
#[tokio::test]
async fn invoice_search_with_js_b19() {
    run(true, |b, db| async move {
        two_invoices(&db).await;
        b.goto("/invoices").await;
        b.wait_js("the query reader", "return !!(window.serac && window.serac.query)").await;
        b.mark().await;
        assert_eq!(customers(&b).await, json!(["Globex", "Acme & Co"]));
        b.type_into("#invoice-search", "acme").await;
        b.wait_js("the filtered list", "return document.querySelectorAll('#invoices tbody tr').length === 1;").await;
        assert_eq!(customers(&b).await, json!(["Acme & Co"]));
        assert_eq!(b.path().await, "/invoices?q=acme", "the URL follows, replaced");
        assert!(b.marked().await, "no reload");
        b.set("#invoice-search", "zzz").await;
        b.js("document.getElementById('invoice-search').dispatchEvent(new Event('input', { bubbles: true })); return true;")
            .await;
        b.wait_text("#no-invoices", "No invoice for").await;

        let rows = b
            .js_async(
                "const done = arguments[0];
                 const url = document.getElementById('invoice-search-form').dataset.queryUrl;
                 serac.query(url).then((rows) => done(rows.map((r) => r.customer)), (e) => done(String(e)));",
            )
            .await;
        assert_eq!(rows, json!(["Globex", "Acme & Co"]), "the query, read by a script");
        assert_eq!(count(&db, "invoices").await, 2, "nothing was created");
    })
    .await;
}

/// B19: creating an invoice while the list is filtered answers with the
/// list fresh, still filtered, in the one round trip of the action: no
/// second request, no reload.
#[tokio::test]
async fn creating_an_invoice_refreshes_the_filtered_list_in_one_round_trip_b19() {
    run(true, |b, db| async move {
        two_invoices(&db).await;
        b.goto("/invoices").await;
        b.wait_js("the query reader", "return !!(window.serac && window.serac.query)").await;
        b.mark().await;
        b.type_into("#invoice-search", "acme").await;
        b.wait_js("the filtered list", "return document.querySelectorAll('#invoices tbody tr').length === 1;").await;
        let requests = "return performance.getEntriesByType('resource').filter((e) => e.initiatorType === 'fetch')\
                        .map((e) => new URL(e.name).pathname + new URL(e.name).search);";
        let before = b.js(requests).await.as_array().expect("list").len();
        b.set("#customer", "Acme Two").await;
        b.set("#amount", "3.50").await;
        b.click("#create-invoice").await;
        b.wait_js("the new invoice", "return document.querySelectorAll('#invoices tbody tr').length === 2;").await;
        assert_eq!(customers(&b).await, json!(["Acme Two", "Acme & Co"]), "fresh, and still filtered");
        assert_eq!(b.path().await, "/invoices?q=acme");
        assert!(b.marked().await, "no reload");
        let after = b.js(requests).await;
        let new: Vec<_> = after.as_array().expect("list")[before..].to_vec();
        assert_eq!(new, [json!("/invoices?q=acme")], "one request: the action's POST to the page");
        assert_eq!(count(&db, "invoices").await, 3);
    })
    .await;
}

#[tokio::test]
async fn invoice_search_without_js_b19() {
    run(false, |b, db| async move {
        two_invoices(&db).await;
        b.goto("/invoices").await;
        b.type_into("#invoice-search", "glob").await;
        b.click("#invoice-search-go").await;
        b.wait_text("#invoices", "Globex").await;
        assert_eq!(customers(&b).await, json!(["Globex"]));
        assert_eq!(b.path().await, "/invoices?q=glob");
    })
    .await;
}

/// The whole text `/stream`'s generator writes.
const STREAMED: &str =
    "Server actions that stream send each piece of their result as soon as it is ready, and stop when asked.";

/// The count of pieces the server produced, as a fresh page shows it.
async fn produced(b: &B) -> usize {
    b.goto("/stream").await;
    b.text("#stream-produced").await.trim().parse().expect("a count")
}

/// B18: the parts show as they arrive, the page is not reloaded, and Stop
/// stops the server's producer too.
#[tokio::test]
async fn stream_with_js_b18() {
    run(true, |b, _| async move {
        b.goto("/stream").await;
        b.wait_js("the stream reader", "return !!(window.serac && window.serac.stream)").await;
        b.mark().await;
        b.click("#stream-generate").await;
        b.wait_js("a first part", "return document.getElementById('stream-output').textContent.length > 0")
            .await;
        let early = b.text("#stream-output").await;
        assert!(!early.contains("asked."), "parts show before the stream ends: {early:?}");
        b.wait_text("#stream-output", "stop when asked.").await;
        assert_eq!(b.text("#stream-output").await, STREAMED);
        assert!(b.marked().await, "no reload");
        b.wait_text("#stream-produced", "20").await;

        b.click("#stream-generate").await;
        b.wait_js("a part", "return document.getElementById('stream-output').textContent.length > 0").await;
        b.click("#stream-stop").await;
        b.wait_js(
            "the form at rest",
            "return !document.getElementById('stream-form').hasAttribute('aria-busy')",
        )
        .await;
        let shown = b.text("#stream-output").await;
        assert!(!shown.is_empty() && !shown.contains("asked."), "stopped on the way: {shown:?}");
        let at_stop = produced(&b).await;
        assert!(at_stop < 40, "the producer went on after Stop: {at_stop}");
        // Six more pieces' time: a producer still running would add them.
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        assert_eq!(produced(&b).await, at_stop, "the server's producer stopped");

        // From a script: the first three parts, then `break` stops it.
        b.wait_js("the stream reader", "return !!(window.serac && window.serac.stream)").await;
        let got = b
            .js_async(
                "const done = arguments[0];
                 const id = document.querySelector('#stream-form input[name=\"$action\"]').value;
                 (async () => {
                   const got = [];
                   for await (const part of serac.stream(id)) { got.push(part); if (got.length === 3) break; }
                   done(got);
                 })().catch((e) => done(String(e)));",
            )
            .await;
        assert_eq!(got, json!(["Server ", "actions ", "that "]));
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        let after = produced(&b).await;
        assert!(after < at_stop + 10, "leaving the loop stopped the producer: {at_stop} then {after}");
    })
    .await;
}

#[tokio::test]
async fn stream_without_js_b18() {
    run(false, |b, _| async move {
        b.goto("/stream").await;
        b.click("#stream-generate").await;
        b.wait_text("#stream-output", "stop when asked.").await;
        assert_eq!(b.text("#stream-output").await, STREAMED, "the whole text at once");
        assert_eq!(b.path().await, "/stream");
    })
    .await;
}

#[tokio::test]
async fn the_home_page_links_every_example_and_each_loads() {
    run(false, |b, _| async move {
        for (path, title, _) in serac_demo::layout::EXAMPLES {
            b.goto("/").await;
            b.click(&format!("main a[href=\"{path}\"]")).await;
            b.wait_text("h1", "").await;
            assert_eq!(b.path().await, *path, "{title}");
            assert!(!b.body().await.contains("Not Found"), "{path}");
        }
    })
    .await;
}
