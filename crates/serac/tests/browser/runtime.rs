//! The runtime with JavaScript on: each test names the spec item it proves.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::json;

use crate::support::{eventually, run, run_with};

#[tokio::test]
async fn s6_an_enhanced_form_posts_without_a_reload_and_s8_updates_the_title() {
    run(true, |s, b| async move {
        b.goto("/counter").await;
        b.ready().await;
        b.mark().await;
        b.click("#inc-btn").await;
        b.wait_text("#count", "Count: 1").await;
        assert!(b.marked().await, "the page was reloaded");
        assert_eq!(b.js("return document.title").await, json!("Count 1"));
        assert_eq!(s.state.events(), ["increment"]);
    })
    .await;
}

#[tokio::test]
async fn the_runtime_runs_under_a_strict_csp_with_its_nonce() {
    run(true, |s, b| async move {
        b.goto("/csp").await;
        b.ready().await;
        b.mark().await;
        b.click("#inc-btn").await;
        b.wait_text("#count", "Count: 1").await;
        assert!(b.marked().await, "submitted by the runtime, not by a page load");
        assert_eq!(s.state.events(), ["increment"]);
    })
    .await;
}

#[tokio::test]
async fn s6_submits_made_before_the_runtime_loads_are_replayed() {
    // The runtime of /delayed takes 1.5 s to arrive; the click happens before.
    run_with(true, "none", |s, b| async move {
        b.goto("/delayed").await;
        b.wait_js("the button", "return !!document.getElementById('inc-btn')").await;
        assert_eq!(b.js("return typeof window.serac").await, json!("undefined"), "runtime loaded too early");
        b.mark().await;
        b.js("document.getElementById('inc-btn').click(); return true;").await;
        assert_eq!(
            b.js("return document.getElementById('inc').getAttribute('aria-busy')").await,
            json!("true")
        );
        b.wait_text("#count", "Count: 1").await;
        assert!(b.marked().await, "the queued submit reloaded the page");
        assert_eq!(s.state.events(), ["increment"], "exactly one submit, none lost");
    })
    .await;
}

#[tokio::test]
async fn s8_the_morph_keeps_focus_caret_scroll_and_what_is_typed() {
    run(true, |_s, b| async move {
        b.goto("/counter").await;
        b.ready().await;
        b.type_into("#other", "hello").await;
        b.js("const o = document.getElementById('other'); o.focus(); o.setSelectionRange(2, 2); \
              window.scrollTo(0, 400); document.getElementById('inc').requestSubmit(); return true;")
            .await;
        b.wait_text("#count", "Count: 1").await;
        let seen = b
            .js("const o = document.activeElement; return [o.id, o.value, o.selectionStart, window.scrollY];")
            .await;
        assert_eq!(seen, json!(["other", "hello", 2, 400]));
    })
    .await;
}

#[tokio::test]
async fn s14_a_button_runs_its_own_action_and_s24_a_redirect_pushes_history() {
    run(true, |s, b| async move {
        b.goto("/editor").await;
        b.ready().await;
        b.mark().await;
        b.js("document.getElementById('draft-text').value = 'My post'; return true;").await;
        b.click("#publish-btn").await;
        b.wait_text("#post", "Post 9").await;
        assert_eq!(b.path().await, "/posts/9");
        assert_eq!(b.js("return document.title").await, json!("Post"));
        assert!(b.marked().await, "the redirect reloaded the page");
        assert!(s.state.events().contains(&"publish:9:My post".to_string()), "{:?}", s.state.events());
        b.back().await;
        b.wait_text("#saves", "Saved").await;
        assert_eq!(b.path().await, "/editor");
    })
    .await;
}

#[tokio::test]
async fn s20_typing_saves_once_after_the_debounce() {
    run(true, |s, b| async move {
        b.goto("/editor").await;
        b.ready().await;
        b.type_into("#draft-text", "hello").await;
        b.wait_text("#saves", "Saved 1 times: hello").await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(s.state.count_of("draft:"), 1, "{:?}", s.state.events());
        assert_eq!(b.js("return document.getElementById('draft-text').value").await, json!("hello"));
    })
    .await;
}

#[tokio::test]
async fn s15_ctrl_enter_submits_the_textarea_form() {
    run(true, |s, b| async move {
        b.goto("/entry").await;
        b.ready().await;
        b.mark().await;
        b.type_into("#entry-text", "Dear diary").await;
        // Control down, Enter, then release every modifier.
        b.type_into("#entry-text", "\u{E009}\u{E007}\u{E000}").await;
        b.wait_text("#entries", "Dear diary").await;
        assert_eq!(s.state.events(), ["entry:Dear diary"]);
        assert!(b.marked().await);
        assert_eq!(
            b.js("return document.getElementById('entry-text').value").await,
            json!(""),
            "reset after success"
        );
    })
    .await;
}

#[tokio::test]
async fn s17_s18_pending_state_while_the_action_runs_and_state_round_trips() {
    run(true, |_s, b| async move {
        b.goto("/signup").await;
        b.ready().await;
        b.type_into("#email", "ann@example.com").await;
        b.type_into("#password", "short").await;
        b.click("#signup-btn").await;
        let during = b
            .js("const f = document.getElementById('signup'); return [f.getAttribute('aria-busy'), \
                 f.hasAttribute('data-pending'), document.getElementById('signup-btn').disabled, \
                 document.getElementById('spinner').hidden, document.getElementById('idle').hidden];")
            .await;
        assert_eq!(during, json!(["true", true, true, false, true]));
        b.wait_text("#message", "Password must be at least 8 characters").await;
        let after = b
            .js("const f = document.getElementById('signup'); return [f.getAttribute('aria-busy'), \
                 f.hasAttribute('data-pending'), document.getElementById('signup-btn').disabled, \
                 document.getElementById('spinner').hidden, document.getElementById('idle').hidden];")
            .await;
        assert_eq!(after, json!([null, false, false, true, false]));
        assert_eq!(b.text("#attempts").await, "1");

        b.js("document.getElementById('password').value = 'long enough'; return true;").await;
        b.click("#signup-btn").await;
        b.wait_text("#message", "Welcome, ann@example.com").await;
        assert_eq!(b.text("#attempts").await, "2", "the previous state came back to the action");
    })
    .await;
}

#[tokio::test]
async fn s16_a_validation_failure_is_swapped_in_keeping_the_values() {
    run(true, |_s, b| async move {
        b.goto("/signup").await;
        b.ready().await;
        b.mark().await;
        b.type_into("#email", "nope").await;
        b.click("#signup-btn").await;
        b.wait_text("#email-error", "Enter an email address.").await;
        assert_eq!(b.js("return document.getElementById('email').value").await, json!("nope"));
        assert!(b.marked().await);
    })
    .await;
}

#[tokio::test]
async fn s19_an_optimistic_item_shows_at_once_escaped_and_is_replaced() {
    run(true, |s, b| async move {
        b.goto("/notes").await;
        b.ready().await;
        b.type_into("#note-text", "<b>hi</b>").await;
        b.click("#note-btn").await;
        let now = b
            .js("const o = document.querySelector('#notes li.optimistic'); \
                 return o ? [o.textContent, document.querySelectorAll('#notes b').length] : null;")
            .await;
        assert_eq!(now, json!(["<b>hi</b>", 0]), "the optimistic item, as text");
        b.wait_js(
            "the server's item",
            "return !document.querySelector('#notes li.optimistic') && \
                   document.querySelectorAll('#notes li.note').length === 1",
        )
        .await;
        assert_eq!(b.text("#notes li.note").await, "<b>hi</b>");
        assert_eq!(b.js("return document.getElementById('note-text').value").await, json!(""), "reset");
        assert_eq!(s.state.events(), ["note:<b>hi</b>"]);
    })
    .await;
}

#[tokio::test]
async fn s19_s22_an_error_rolls_back_and_lands_in_the_error_boundary() {
    run(true, |s, b| async move {
        b.goto("/notes").await;
        b.ready().await;
        b.type_into("#note-text", "fail").await;
        b.click("#note-btn").await;
        assert!(b.exists("#notes li.optimistic").await);
        b.wait_text("#boundary", "The note “fail” could not be saved.").await;
        assert!(!b.exists("#notes li").await, "the optimistic item was rolled back");
        assert_eq!(b.js("return document.activeElement.id").await, json!("boundary"), "focus moved");
        assert_eq!(
            b.js("return document.getElementById('boundary').getAttribute('role')").await,
            json!("alert")
        );
        assert_eq!(
            b.js("return document.getElementById('note-text').value").await,
            json!("fail"),
            "not reset"
        );
        assert!(s.state.events().is_empty());
    })
    .await;
}

#[tokio::test]
async fn s21_a_load_action_runs_once_per_page_load() {
    run(true, |s, b| async move {
        b.goto("/views").await;
        b.wait_text("#views", "Views: 1").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(s.state.views.load(Ordering::SeqCst), 1, "no loop");
        b.goto("/views").await;
        b.wait_text("#views", "Views: 2").await;
    })
    .await;
}

#[tokio::test]
async fn s20_a_change_runs_the_action_and_the_new_cookie_shows() {
    run(true, |s, b| async move {
        b.goto("/prefs").await;
        b.ready().await;
        b.click("#color-select option[value=red]").await;
        b.wait_text("#color", "Color: red").await;
        assert_eq!(s.state.events(), ["color:red"]);
    })
    .await;
}

#[tokio::test]
async fn b15_back_shows_fresh_pages_only_for_what_was_invalidated() {
    run(true, |s, b| async move {
        b.goto("/cache/a").await;
        b.ready().await;
        b.wait_text("#render", "Render 1").await;
        b.click("#stale-btn").await;
        b.wait_text("#b", "Page B").await;
        b.back().await;
        b.wait_text("#render", "Render 1").await;
        assert_eq!(
            s.state.renders.load(Ordering::SeqCst),
            1,
            "not invalidated: shown from the runtime's cache"
        );

        b.click("#fresh-btn").await;
        b.wait_text("#b", "Page B").await;
        b.back().await;
        b.wait_text("#render", "Render 2").await;
        assert_eq!(s.state.renders.load(Ordering::SeqCst), 2, "invalidated: fetched again");
    })
    .await;
}

#[tokio::test]
async fn b5_an_upload_reports_progress() {
    run(true, |s, b| async move {
        let path = std::env::temp_dir().join(format!("serac-upload-{}.bin", std::process::id()));
        std::fs::write(&path, vec![7u8; 3_000_000]).expect("temp file");
        b.goto("/upload").await;
        b.ready().await;
        b.type_into("#file", path.to_str().expect("utf-8 path")).await;
        b.click("#upload-btn").await;
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        b.wait_text("#files", &format!("{name} (3000000 bytes)")).await;
        assert_eq!(b.js("return document.getElementById('progress').value").await, json!(1));
        assert_eq!(s.state.events(), ["upload"]);
        let _ = std::fs::remove_file(&path);
    })
    .await;
}

#[tokio::test]
async fn b1_different_forms_run_in_parallel_and_one_form_in_order() {
    run(true, |s, b| async move {
        b.goto("/parallel").await;
        b.ready().await;
        b.js("document.getElementById('pa-btn').click(); document.getElementById('pb-btn').click(); return true;")
            .await;
        eventually("both finished", || s.state.count_of("end:") == 2).await;
        let events = s.state.events();
        let pos = |e: &str| events.iter().position(|x| x == e).unwrap_or_else(|| panic!("{e} in {events:?}"));
        assert!(pos("start:b") < pos("end:a"), "forms ran one after the other: {events:?}");
        // The server has finished; the browser may still be reading the
        // answers. Until it has, a click with the same fields is a repeat
        // of the one in flight (B4) and sends nothing, so wait for it.
        b.wait_js("both forms settled", "return !document.querySelector('form[aria-busy]');").await;

        s.state.events.lock().expect("events").clear();
        b.js("document.getElementById('pa-btn').click(); document.getElementById('pa-tag').value = 'a2'; \
              document.getElementById('pa-btn').click(); return true;")
            .await;
        eventually("both finished", || s.state.count_of("end:") == 2).await;
        assert_eq!(s.state.events(), ["start:a", "end:a", "start:a2", "end:a2"]);
    })
    .await;
}

#[tokio::test]
async fn b4_a_double_click_sends_one_request() {
    run(true, |s, b| async move {
        b.goto("/counter").await;
        b.ready().await;
        b.js("const x = document.getElementById('inc-btn'); x.click(); x.click(); return true;").await;
        b.wait_text("#count", "Count: 1").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(s.state.events(), ["increment"]);
    })
    .await;
}

#[tokio::test]
async fn b4_a_retry_after_a_lost_answer_does_not_run_the_action_twice() {
    run(true, |s, b| async move {
        b.goto("/counter").await;
        b.ready().await;
        s.state.drop_next.store(true, Ordering::SeqCst);
        b.click("#inc-btn").await;
        b.wait_text("#count", "Count: 1").await;
        assert!(!s.state.drop_next.load(Ordering::SeqCst), "the first answer was cut off");
        assert_eq!(s.state.events(), ["increment"], "the retry got the stored answer");
    })
    .await;
}

#[tokio::test]
async fn b3_a_stale_id_reloads_the_page_once_and_the_retry_succeeds() {
    run(true, |s, b| async move {
        b.goto("/counter").await;
        b.ready().await;
        b.mark().await;
        s.rotate_secret();
        b.click("#inc-btn").await;
        b.wait_js("the reload", "return window.__mark !== 'kept' && !!window.serac").await;
        assert!(s.state.events().is_empty());
        b.ready().await;
        b.click("#inc-btn").await;
        b.wait_text("#count", "Count: 1").await;
        assert_eq!(s.state.events(), ["increment"]);
    })
    .await;
}

#[tokio::test]
async fn s3_serac_call_and_the_actions_module_return_results_and_typed_errors() {
    run(true, |s, b| async move {
        b.goto("/call").await;
        b.ready().await;
        let ids = |name: &str| format!("document.getElementById('ids').dataset.{name}");
        let sum = b.js_async(&format!("serac.call({}, 2, 3).then(arguments[0]);", ids("add"))).await;
        assert_eq!(sum, json!(5));
        let sum = b
            .js_async(&format!("import({}).then(m => m.add(4, 5)).then(arguments[0]);", ids("module")))
            .await;
        assert_eq!(sum, json!(9));
        let err = b
            .js_async(&format!(
                "const done = arguments[0]; import({}).then(m => m.refuse()).then(() => done('no error'), \
                 e => done([e.name, e.kind, e.status, e.message, e instanceof serac.SeracError]));",
                ids("module")
            ))
            .await;
        assert_eq!(err, json!(["SeracError", "forbidden", 403, "Not for you", true]));
        // Regression: `export const delete = …` (a reserved word) and
        // `export const call = …` (the module's own helper) broke the module.
        let named = b
            .js_async(&format!(
                "import({}).then(async m => [await m.delete(7), await m.call(), await m.type()]).then(arguments[0]);",
                ids("module")
            ))
            .await;
        assert_eq!(named, json!([7, "call", "type"]));
        assert_eq!(s.state.events(), ["add:2+3", "add:4+5", "refuse", "delete:7", "call", "type"]);
    })
    .await;
}

/// B17: three buttons of one form call one action with their own bound
/// values; each press uses the pressed button's value (before, every button
/// ran with the last one's).
#[tokio::test]
async fn the_pressed_button_and_only_its_bound_value_is_used_b17() {
    run(true, |s, b| async move {
        b.goto("/points").await;
        b.click("#plus-100").await;
        b.wait_text("#total", "Total: 100").await;
        b.click("#plus-10").await;
        b.wait_text("#total", "Total: 110").await;
        b.click("#plus-1").await;
        b.wait_text("#total", "Total: 111").await;
        assert_eq!(s.state.events(), ["points:100", "points:10", "points:1"]);
    })
    .await;
}
