//! The same flows with JavaScript disabled in Chromium: plain forms, full
//! page loads, and the same final page state as with the runtime.

use std::sync::atomic::Ordering;

use serde_json::json;

use crate::support::run;

#[tokio::test]
async fn a_form_posts_and_redirects_back_without_js() {
    run(false, |s, b| async move {
        b.goto("/counter").await;
        assert_eq!(b.js("return typeof window.serac").await, json!("undefined"), "JavaScript is off");
        b.click("#inc-btn").await;
        b.wait_text("#count", "Count: 1").await;
        assert_eq!(b.path().await, "/counter");
        assert_eq!(s.state.events(), ["increment"]);
    })
    .await;
}

#[tokio::test]
async fn notes_add_validate_and_fail_without_js() {
    run(false, |s, b| async move {
        b.goto("/notes").await;
        b.type_into("#note-text", "<b>hi</b>").await;
        b.click("#note-btn").await;
        b.wait_text("#notes", "<b>hi</b>").await;
        assert_eq!(b.js("return document.querySelectorAll('#notes b').length").await, json!(0));

        b.click("#note-btn").await;
        b.wait_text("#text-error", "Write something first.").await;

        b.type_into("#note-text", "fail").await;
        b.click("#note-btn").await;
        b.wait_text("#boundary", "The note “fail” could not be saved.").await;
        assert_eq!(b.js("return document.getElementById('note-text').value").await, json!("fail"));
        assert_eq!(b.js("return document.querySelectorAll('#notes li').length").await, json!(1));
        assert_eq!(s.state.events(), ["note:<b>hi</b>"]);
    })
    .await;
}

#[tokio::test]
async fn signup_state_and_validation_without_js() {
    run(false, |_s, b| async move {
        b.goto("/signup").await;
        b.type_into("#email", "nope").await;
        b.click("#signup-btn").await;
        b.wait_text("#email-error", "Enter an email address.").await;
        assert_eq!(b.js("return document.getElementById('email').value").await, json!("nope"));

        b.js("document.getElementById('email').value = 'ann@example.com'; return true;").await;
        b.type_into("#password", "short").await;
        b.click("#signup-btn").await;
        b.wait_text("#message", "Password must be at least 8 characters").await;
        assert_eq!(b.text("#attempts").await, "1");

        b.type_into("#password", "long enough").await;
        b.click("#signup-btn").await;
        b.wait_text("#message", "Welcome, ann@example.com").await;
        assert_eq!(b.text("#attempts").await, "2");
    })
    .await;
}

#[tokio::test]
async fn publish_redirects_and_back_works_without_js() {
    run(false, |s, b| async move {
        b.goto("/editor").await;
        b.type_into("#draft-text", "My post").await;
        b.click("#publish-btn").await;
        b.wait_text("#post", "Post 9").await;
        assert_eq!(b.path().await, "/posts/9");
        assert_eq!(s.state.events(), ["publish:9:My post"]);
        b.back().await;
        b.wait_text("#saves", "Saved 0 times").await;
    })
    .await;
}

#[tokio::test]
async fn entry_and_draft_save_with_buttons_without_js() {
    run(false, |s, b| async move {
        b.goto("/entry").await;
        b.type_into("#entry-text", "Dear diary").await;
        b.click("#entry-form button").await;
        b.wait_text("#entries", "Dear diary").await;

        b.goto("/editor").await;
        b.type_into("#draft-text", "hello").await;
        b.click("#save-btn").await;
        b.wait_text("#saves", "Saved 1 times: hello").await;
        assert_eq!(s.state.events(), ["entry:Dear diary", "draft:hello"]);
    })
    .await;
}

#[tokio::test]
async fn views_and_prefs_use_their_noscript_buttons() {
    run(false, |s, b| async move {
        b.goto("/views").await;
        assert_eq!(b.text("#views").await, "Views: 0", "no load action without JavaScript");
        b.click("#view-form button").await;
        b.wait_text("#views", "Views: 1").await;
        assert_eq!(s.state.views.load(Ordering::SeqCst), 1);

        b.goto("/prefs").await;
        b.click("#color-select option[value=red]").await;
        b.click("#prefs button").await;
        b.wait_text("#color", "Color: red").await;
    })
    .await;
}

#[tokio::test]
async fn upload_shows_the_file_without_js() {
    run(false, |s, b| async move {
        let path = std::env::temp_dir().join(format!("serac-nojs-upload-{}.bin", std::process::id()));
        std::fs::write(&path, vec![1u8; 100_000]).expect("temp file");
        b.goto("/upload").await;
        b.type_into("#file", path.to_str().expect("utf-8 path")).await;
        b.click("#upload-btn").await;
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        b.wait_text("#files", &format!("{name} (100000 bytes)")).await;
        assert_eq!(s.state.events(), ["upload"]);
        let _ = std::fs::remove_file(&path);
    })
    .await;
}

/// B17: three buttons of one form call one action with their own bound
/// values; each press uses the pressed button's value (before, every button
/// ran with the last one's).
#[tokio::test]
async fn the_pressed_button_and_only_its_bound_value_is_used_b17_without_js() {
    run(false, |s, b| async move {
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
