//! The React example in real Chromium: React 19's own hooks over the
//! generated client, against a real Serac server on a loopback port. Each test
//! asserts what a person sees, and what the server then holds (by loading the
//! page again).
//!
//! Changes wait [`DELAY`] on the server, so the pending states are there to be
//! seen.

#![allow(unreachable_pub)]

mod common;

use std::future::Future;
use std::time::Duration;

use serac_testkit::browser::{Browser as B, with_chromium};
use serde_json::json;

const DELAY: Duration = Duration::from_millis(700);

async fn run<F, Fut>(test: F)
where
    F: FnOnce(B) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(dist) = common::dist() else { return };
    let (url, task) = common::serve_with(&dist, DELAY, common::SECRET, None).await;
    with_chromium(&url, true, "normal", test).await;
    task.abort();
}

/// The titles of the list, each with ` (saving)` when not yet confirmed.
async fn titles(b: &B) -> serde_json::Value {
    b.js("return [...document.querySelectorAll('#todos li')].map((li) => \
          li.querySelector('.title').textContent + (li.hasAttribute('data-saving') ? ' (saving)' : ''));")
        .await
}

async fn add(b: &B, title: &str) {
    b.set("#new-title", title).await;
    b.click("#add").await;
}

/// Waits until a todo matching `css` is shown as confirmed by the server.
async fn confirmed(b: &B, css: &str) {
    let script = format!("return !!document.querySelector('{css}:not([data-saving])');");
    b.wait_js(&format!("a confirmed {css}"), &script).await;
}

async fn loaded(b: &B) {
    b.wait_js(
        "the list",
        "return !document.querySelector('.loading') && !!document.querySelector('#new-title');",
    )
    .await;
}

#[tokio::test]
async fn adding_shows_pending_then_the_confirmed_todo() {
    run(|b| async move {
        b.goto("/").await;
        loaded(&b).await;
        b.wait_text("main", "Nothing to do.").await;
        add(&b, "Buy milk").await;
        // useFormStatus: the button says so and is disabled while the call runs;
        // useOptimistic: the todo is there at once, marked as saving.
        b.wait_text("#add", "Adding…").await;
        assert_eq!(b.js("return document.getElementById('add').disabled").await, json!(true));
        assert_eq!(titles(&b).await, json!(["Buy milk (saving)"]));
        // Confirmed by the server: the same todo, no longer saving; the form
        // is reset and ready again.
        confirmed(&b, "#todos li").await;
        assert_eq!(titles(&b).await, json!(["Buy milk"]));
        b.wait_text("#add", "Add").await;
        assert_eq!(b.js("return document.getElementById('new-title').value").await, json!(""));
        // The server has it.
        b.goto("/").await;
        loaded(&b).await;
        assert_eq!(titles(&b).await, json!(["Buy milk"]));
    })
    .await;
}

/// The paths and queries of the requests the page made to `prefix`.
async fn requests(b: &B, prefix: &str) -> Vec<String> {
    let script = format!(
        "return performance.getEntriesByType('resource').map((e) => new URL(e.name))\
         .map((u) => u.pathname + u.search).filter((u) => u.startsWith('{prefix}'));"
    );
    serde_json::from_value(b.js(&script).await).expect("a list of URLs")
}

/// B19: the list is a query read once with GET; each change's answer brings
/// it back fresh, so adding and toggling make no second request.
#[tokio::test]
async fn the_list_is_a_query_refreshed_by_each_actions_answer_b19() {
    run(|b| async move {
        b.goto("/").await;
        loaded(&b).await;
        let reads = requests(&b, "/_serac/q").await;
        assert_eq!(reads.len(), 1, "one GET of the list: {reads:?}");
        add(&b, "Buy milk").await;
        confirmed(&b, "#todos li").await;
        add(&b, "Call Ann").await;
        b.wait_js(
            "two confirmed todos",
            "return document.querySelectorAll('#todos li:not([data-saving])').length === 2;",
        )
        .await;
        assert_eq!(titles(&b).await, json!(["Buy milk", "Call Ann"]));
        b.click("#todos li input[type=checkbox]").await;
        confirmed(&b, "#todos li.done").await;
        // New rows read their own "done before" counts; the list is never
        // read again.
        let list = requests(&b, "/_serac/q").await.into_iter().filter(|u| *u == reads[0]).count();
        assert_eq!(list, 1, "no read of the list after the actions: their answers carried it");
        let posts = b
            .js("return performance.getEntriesByType('resource').filter((e) => e.initiatorType === 'fetch' \
                 && new URL(e.name).pathname === '/').length;")
            .await;
        assert_eq!(posts, json!(3), "one request per change");
    })
    .await;
}

#[tokio::test]
async fn validation_errors_come_back_as_state_with_the_typed_value() {
    run(|b| async move {
        b.goto("/").await;
        loaded(&b).await;
        let long = "x".repeat(81);
        add(&b, &long).await;
        b.wait_text("#title-error", "Keep it under 80 characters.").await;
        assert_eq!(
            b.js("return document.getElementById('new-title').value").await,
            json!(long),
            "typed value kept"
        );
        assert_eq!(
            b.js("return document.getElementById('new-title').getAttribute('aria-invalid')").await,
            json!("true")
        );
        assert_eq!(titles(&b).await, json!([]), "the optimistic todo is gone");
        add(&b, "   ").await;
        b.wait_text("#title-error", "Write what there is to do.").await;
        // Nothing was stored.
        b.goto("/").await;
        loaded(&b).await;
        b.wait_text("main", "Nothing to do.").await;
    })
    .await;
}

#[tokio::test]
async fn a_refused_todo_is_rolled_back_with_the_error_shown() {
    run(|b| async move {
        b.goto("/").await;
        loaded(&b).await;
        add(&b, "Milk").await;
        confirmed(&b, "#todos li").await;
        add(&b, "milk").await;
        b.wait_js("the optimistic todo", "return document.querySelectorAll('#todos li').length === 2;").await;
        assert_eq!(titles(&b).await, json!(["Milk", "milk (saving)"]));
        // The server refuses (409 conflict): the optimistic todo goes away.
        b.wait_text("#error", "“milk” is already on the list.").await;
        assert_eq!(titles(&b).await, json!(["Milk"]));
        assert_eq!(b.js("return document.getElementById('new-title').value").await, json!("milk"));
        b.goto("/").await;
        loaded(&b).await;
        assert_eq!(titles(&b).await, json!(["Milk"]));
    })
    .await;
}

#[tokio::test]
async fn toggling_is_optimistic_then_confirmed_with_typed_arguments() {
    run(|b| async move {
        b.goto("/").await;
        loaded(&b).await;
        add(&b, "Call Ann").await;
        confirmed(&b, "#todos li").await;
        b.click("#todos li input[type=checkbox]").await;
        // At once: shown done, and saving.
        assert_eq!(b.js("return document.querySelector('#todos li').className").await, json!("done"));
        assert_eq!(titles(&b).await, json!(["Call Ann (saving)"]));
        confirmed(&b, "#todos li.done").await;
        b.goto("/").await;
        loaded(&b).await;
        assert_eq!(b.js("return document.querySelector('#todos li input').checked").await, json!(true));
    })
    .await;
}

/// B19: each row reads its own "done before" count through a batch query;
/// the reads of one render go out as one request.
#[tokio::test]
async fn the_rows_reads_of_one_render_are_one_batch_request_b19() {
    run(|b| async move {
        b.goto("/").await;
        loaded(&b).await;
        add(&b, "Water plants").await;
        confirmed(&b, "#todos li").await;
        b.click("#todos li input[type=checkbox]").await;
        confirmed(&b, "#todos li.done").await;
        b.click("#archive").await;
        b.wait_text("#archived", "Water plants").await;
        b.click("a[href='/']").await;
        loaded(&b).await;
        for title in ["Water plants", "Call Ann", "Pay rent"] {
            add(&b, title).await;
            b.wait_js("the todo", "return !document.querySelector('#todos li[data-saving]');").await;
        }
        b.wait_text("#todos li:first-child .before", "done 1× before").await;
        b.goto("/").await;
        loaded(&b).await;
        b.wait_text("#todos li:first-child .before", "done 1× before").await;
        let batches = requests(&b, "/_serac/qb").await;
        assert_eq!(batches.len(), 1, "the three rows' reads in one request: {batches:?}");
        assert_eq!(batches[0].matches("u=").count(), 3, "{batches:?}");
        assert_eq!(
            b.js("return document.querySelectorAll('.before').length").await,
            json!(1),
            "only the title done before"
        );
    })
    .await;
}

/// B19: with more rows than an action may name queries (32), the list is
/// still named first, so it stays fresh after a change.
#[tokio::test]
async fn with_forty_rows_the_list_is_still_refreshed_by_an_actions_answer_b19() {
    let Some(dist) = common::dist() else { return };
    let (url, task) = common::serve_with(&dist, Duration::ZERO, common::SECRET, None).await;
    let client = serac_testkit::client();
    let ids: serde_json::Value = client
        .get(format!("{url}/_serac/actions.json"))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("ids");
    let add_todo = ids["add_todo"].as_str().expect("id").to_string();
    for n in 1..=40 {
        let res = client
            .post(format!("{url}/"))
            .header("origin", &url)
            .header(serac::protocol::ACTION_HEADER, &add_todo)
            .header(serac::protocol::RENDER_HEADER, "none")
            .form(&[("title", format!("Task {n}"))])
            .send()
            .await
            .expect("POST");
        assert_eq!(res.status(), 200);
    }
    with_chromium(&url, true, "normal", |b| async move {
        b.goto("/").await;
        loaded(&b).await;
        b.wait_js("forty rows", "return document.querySelectorAll('#todos li').length === 40;").await;
        add(&b, "One more").await;
        b.wait_js(
            "the confirmed 41st row",
            "return document.querySelectorAll('#todos li:not([data-saving])').length === 41;",
        )
        .await;
        let list = requests(&b, "/_serac/q/").await.into_iter().filter(|u| !u.contains("?a=")).count();
        assert_eq!(list, 1, "the list was read once: the action's answer brought it");
    })
    .await;
    task.abort();
}

#[tokio::test]
async fn an_action_that_redirects_sends_the_browser_there() {
    run(|b| async move {
        b.goto("/").await;
        loaded(&b).await;
        for title in ["Old task", "Open task"] {
            add(&b, title).await;
            b.wait_js("the todo", "return !document.querySelector('#todos li[data-saving]');").await;
        }
        b.wait_js("two todos", "return document.querySelectorAll('#todos li').length === 2;").await;
        b.click("#todos li:first-child input[type=checkbox]").await;
        confirmed(&b, "#todos li.done").await;
        b.click("#archive").await;
        b.wait_text("#archive", "Archiving…").await;
        b.wait_text("#archived", "Old task").await;
        assert_eq!(b.path().await, "/archived");
        b.click("a[href='/']").await;
        loaded(&b).await;
        assert_eq!(titles(&b).await, json!(["Open task"]));
    })
    .await;
}

/// B18 for the typed client: a streamed result is an async iterable; the
/// words show one by one, and Stop (an `AbortSignal`) ends it early.
#[tokio::test]
async fn a_streamed_suggestion_shows_word_by_word_and_stops() {
    run(|b| async move {
        b.goto("/").await;
        loaded(&b).await;
        b.click("#suggest").await;
        b.wait_js("a first word", "return document.getElementById('suggestion').textContent.length > 0;")
            .await;
        let early = b.text("#suggestion").await;
        assert!(!early.contains("Friday"), "words show before the last: {early:?}");
        b.wait_text("#suggestion", "Water the plants on Friday").await;
        b.wait_js("the stream's end", "return !document.getElementById('suggest').disabled;").await;

        b.click("#suggest").await;
        b.wait_js("a first word", "return document.getElementById('suggestion').textContent.length > 0;")
            .await;
        b.click("#suggest-stop").await;
        b.wait_js("stopped", "return !document.getElementById('suggest').disabled;").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let stopped = b.text("#suggestion").await;
        assert!(!stopped.is_empty() && !stopped.contains("Friday"), "stopped on the way: {stopped:?}");
    })
    .await;
}

/// B3 for the typed client: the server restarts with another secret (every
/// id changes) while the page is open; the next call reads the ids again and
/// succeeds, once.
#[tokio::test]
async fn a_call_after_the_ids_changed_reads_them_again_and_succeeds() {
    let Some(dist) = common::dist() else { return };
    let (url, task) = common::serve_with(&dist, Duration::ZERO, common::SECRET, None).await;
    let addr = url.trim_start_matches("http://").to_string();
    with_chromium(&url, true, "normal", |b| async move {
        b.goto("/").await;
        loaded(&b).await;
        add(&b, "Before").await;
        confirmed(&b, "#todos li").await;
        task.abort();
        let _ = task.await;
        let listener = tokio::net::TcpListener::bind(&addr).await.expect("the same port again");
        let (_, task) = common::serve_with(&dist, Duration::ZERO, [6; 32], Some(listener)).await;
        add(&b, "After").await;
        b.wait_js(
            "the second todo",
            "return [...document.querySelectorAll('#todos li')].some((li) => \
                   li.textContent.includes('After') && !li.hasAttribute('data-saving'));",
        )
        .await;
        assert!(b.text("#error").await.is_empty(), "no error shown");
        task.abort();
    })
    .await;
}

/// With the server gone, a call fails with the client's typed `network`
/// error (after one retry), shown by the app, and the optimistic todo goes.
#[tokio::test]
async fn a_call_without_a_server_fails_with_a_network_error_and_rolls_back() {
    let Some(dist) = common::dist() else { return };
    let (url, task) = common::serve_with(&dist, Duration::ZERO, common::SECRET, None).await;
    with_chromium(&url, true, "normal", |b| async move {
        b.goto("/").await;
        loaded(&b).await;
        task.abort();
        let _ = task.await;
        add(&b, "Offline").await;
        b.wait_text("#error", "The server could not be reached.").await;
        assert_eq!(titles(&b).await, json!([]), "rolled back");
        assert_eq!(b.js("return document.getElementById('new-title').value").await, json!("Offline"));
    })
    .await;
}
