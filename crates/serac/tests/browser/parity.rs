//! Behaviours Next.js's own server-action tests expect of the browser side,
//! with JavaScript on and, where it applies, off: redirects in one round
//! trip (pushed or replacing the history entry), answers that are not a
//! success, lifecycle events, permalink forms, and the form reset after a
//! success that makes both paths end on the same screen.

use serde_json::json;

use crate::support::{Browser, eventually, run};

/// Types `text` into `css` (replacing what is there) and clicks `button`.
async fn send(b: &Browser, css: &str, text: &str, button: &str) {
    b.set(css, text).await;
    b.click(button).await;
}

#[tokio::test]
async fn a_redirect_to_this_sites_absolute_url_navigates_without_a_reload() {
    run(true, |s, b| async move {
        b.goto("/go").await;
        b.ready().await;
        b.mark().await;
        let length = b.js("return history.length").await;
        send(&b, "#go-to", &format!("{}/gone?via=absolute", s.url), "#go-btn").await;
        b.wait_text("#where", "Arrived at /gone?via=absolute").await;
        assert!(b.marked().await, "one round trip, no page load");
        assert_eq!(b.path().await, "/gone?via=absolute");
        assert_eq!(b.js("return history.length").await, json!(length.as_i64().expect("n") + 1), "pushed");
        b.back().await;
        b.wait_text("#where", "Go").await;
        assert_eq!(s.state.events(), [format!("go:{}/gone?via=absolute", s.url)]);
    })
    .await;
}

#[tokio::test]
async fn a_relative_redirect_resolves_like_a_link_with_and_without_js() {
    for js in [true, false] {
        run(js, |s, b| async move {
            b.goto("/go").await;
            send(&b, "#go-to", "./gone?via=relative", "#go-btn").await;
            b.wait_text("#where", "Arrived at /gone?via=relative").await;
            assert_eq!(s.state.events(), ["go:./gone?via=relative"], "js={js}");
        })
        .await;
    }
}

#[tokio::test]
async fn a_replacing_redirect_replaces_the_history_entry() {
    run(true, |s, b| async move {
        b.goto("/counter").await;
        b.goto("/go").await;
        b.ready().await;
        b.mark().await;
        let length = b.js("return history.length").await;
        send(&b, "#replace-to", "/gone?via=replace", "#replace-btn").await;
        b.wait_text("#where", "Arrived at /gone?via=replace").await;
        assert!(b.marked().await, "no page load");
        assert_eq!(b.js("return history.length").await, length, "replaced, not pushed");
        // Back skips the page the action was called from.
        b.back().await;
        b.wait_js("the counter", "return location.pathname === '/counter'").await;
        assert_eq!(s.state.events(), ["go_replacing:/gone?via=replace"]);
    })
    .await;
}

/// The error boundary's text, once the form is no longer busy.
async fn boundary_after_submit(b: &Browser) -> String {
    b.click("#go").await;
    b.wait_js("an error shown", "return document.getElementById('boundary').textContent.length > 0").await;
    b.text("#boundary").await
}

#[tokio::test]
async fn answers_that_are_not_a_successful_envelope_are_errors_with_a_meaningful_message() {
    run(true, |_s, b| async move {
        for (kind, want) in [
            ("json-error", "The database is down (500)"),
            ("json-empty", "The server answered with an error (500). Try again."),
            ("ok-empty", "The server sent an answer this page cannot read."),
            ("text", "Down for <maintenance> until 14:00 (503)"),
            ("html", "The server answered with an error (502). Try again."),
        ] {
            b.goto(&format!("/raw/{kind}")).await;
            b.ready().await;
            b.js(
                "window.__events = []; ['serac:done', 'serac:error', 'serac:after'].forEach(function (n) {\
                 document.addEventListener(n, function () { window.__events.push(n); }); }); return true;",
            )
            .await;
            assert_eq!(boundary_after_submit(&b).await, want, "{kind}");
            // Shown as text: the page has no element from the answer.
            assert_eq!(b.js("return document.querySelectorAll('#boundary maintenance, #boundary h1').length").await, json!(0));
            assert_eq!(b.js("return window.__events").await, json!(["serac:error", "serac:after"]), "{kind}");

            let rejected = b
                .js_async(
                    "var done = arguments[0]; serac.call('x').then(function (r) { done({ resolved: r }); },\
                     function (e) { done({ kind: e.kind, status: e.status, message: e.message, seracError: e instanceof serac.SeracError }); });",
                )
                .await;
            assert_eq!(rejected["seracError"], json!(true), "{kind}: {rejected}");
            assert_eq!(rejected["message"], json!(want), "{kind}");
            let status = rejected["status"].as_u64().expect("a status");
            assert!(status >= 200, "{kind}: the HTTP status, {status}");
        }
        // A long text is cut short.
        b.goto("/raw/long-text").await;
        b.ready().await;
        let shown = boundary_after_submit(&b).await;
        assert!(shown.chars().count() < 220 && shown.contains('…'), "{shown}");
    })
    .await;
}

#[tokio::test]
async fn a_network_failure_keeps_its_own_message() {
    run(true, |_s, b| async move {
        b.goto("/counter").await;
        b.ready().await;
        // The fetch itself fails, as when the network is gone.
        b.js("window.fetch = function () { return Promise.reject(new TypeError('offline')); }; return true;")
            .await;
        b.click("#inc-btn").await;
        b.wait_text("#boundary", "The server could not be reached.").await;
    })
    .await;
}

#[tokio::test]
async fn lifecycle_events_fire_in_order_and_before_can_cancel() {
    run(true, |s, b| async move {
        b.goto("/counter").await;
        b.ready().await;
        b.js(
            "window.__events = []; window.__cancel = true;\
             document.addEventListener('serac:before', function (e) {\
               window.__events.push('before:' + (e.detail.action.length > 0));\
               if (window.__cancel) e.preventDefault(); });\
             ['serac:error', 'serac:done'].forEach(function (n) {\
               document.addEventListener(n, function () { window.__events.push(n); }); });\
             document.addEventListener('serac:after', function () {\
               window.__events.push('after:' + document.getElementById('count').textContent); });\
             return true;",
        )
        .await;
        b.click("#inc-btn").await;
        b.wait_js("the cancelled call", "return window.__events.length === 1").await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(s.state.events(), Vec::<String>::new(), "a cancelled call is not sent");
        assert_eq!(b.text("#count").await, "Count: 0");

        b.js("window.__cancel = false; return true;").await;
        b.click("#inc-btn").await;
        b.wait_js("the call", "return window.__events.length === 4").await;
        // serac:after fires once the page shows the new count.
        assert_eq!(
            b.js("return window.__events").await,
            json!(["before:true", "before:true", "serac:done", "after:Count: 1"])
        );
        assert_eq!(s.state.events(), ["increment"]);

        // serac.call fires them too, and a cancelled call rejects.
        b.js("window.__cancel = true; return true;").await;
        let kind = b
            .js_async(
                "var done = arguments[0]; serac.call('x').then(function () { done('resolved'); }, function (e) { done(e.kind); });",
            )
            .await;
        assert_eq!(kind, json!("cancelled"));
    })
    .await;
}

#[tokio::test]
async fn a_permalink_form_posts_where_the_browser_would() {
    for js in [true, false] {
        run(js, |s, b| async move {
            b.goto("/permalink").await;
            b.click("#permalink-btn").await;
            eventually("the action", || s.state.count_of("posted-to:") == 1).await;
            assert_eq!(s.state.events(), ["posted-to:/permalink/target"], "js={js}");
        })
        .await;
    }
}

#[tokio::test]
async fn after_a_success_the_form_is_as_the_server_rendered_it_with_and_without_js() {
    for js in [true, false] {
        run(js, |s, b| async move {
            b.goto("/reset").await;
            // A failure keeps what was typed, both ways.
            send(&b, "#r-text", "hi!", "#r-btn").await;
            b.wait_text("#r-error", "No exclamation marks.").await;
            assert_eq!(b.js("return document.getElementById('r-text').value").await, json!("hi!"), "js={js}");
            // A success leaves the field as the page renders it: empty.
            send(&b, "#r-text", "hello", "#r-btn").await;
            eventually("the action", || s.state.count_of("remember:") == 1).await;
            b.wait_js("the reset", "return document.getElementById('r-text').value === ''").await;
            assert!(!b.exists("#r-error").await, "js={js}");
            assert_eq!(s.state.events(), ["remember:hello"], "js={js}");
        })
        .await;
    }
}

#[tokio::test]
async fn a_form_may_keep_its_values_and_live_forms_are_never_reset() {
    run(true, |s, b| async move {
        b.goto("/reset").await;
        b.ready().await;
        send(&b, "#k-text", "kept", "#k-btn").await;
        eventually("the action", || s.state.count_of("remember:kept") == 1).await;
        b.wait_js("the form idle", "return !document.getElementById('keep-form').hasAttribute('aria-busy')")
            .await;
        assert_eq!(b.js("return document.getElementById('k-text').value").await, json!("kept"));

        b.type_into("#l-text", "typing").await;
        eventually("the live call", || s.state.count_of("remember:typing") == 1).await;
        b.wait_js("the form idle", "return !document.getElementById('live-form').hasAttribute('aria-busy')")
            .await;
        assert_eq!(b.js("return document.getElementById('l-text').value").await, json!("typing"));
    })
    .await;
}

/// B18: the stream reader's other modes. `replace` shows only the latest
/// part, `progress` sets a `<progress>`, and an error part ends in the
/// error boundary with what arrived before it kept.
#[tokio::test]
async fn streamed_parts_replace_set_progress_and_end_in_the_error_boundary_b18() {
    run(true, |_s, b| async move {
        b.goto("/streams").await;
        b.wait_js("the stream reader", "return !!(window.serac && window.serac.stream)").await;
        b.click("#steps-btn").await;
        b.wait_text("#latest", "step 2 of 4").await;
        b.wait_text("#latest", "step 4 of 4").await;
        assert_eq!(b.text("#latest").await, "step 4 of 4", "each part replaced the one before");

        b.click("#job-btn").await;
        b.wait_js(
            "the job's end",
            "const p = document.getElementById('bar'); return p.value === 4 && p.max === 4;",
        )
        .await;

        b.click("#faulty-btn").await;
        b.wait_text("#boundary", "The job failed half way.").await;
        assert_eq!(b.text("#faulty-out").await, "started", "the part before the error stays");
    })
    .await;
}
