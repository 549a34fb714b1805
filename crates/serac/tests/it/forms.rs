//! Native forms, JavaScript off: PRG, validation, state, binding, buttons.

use crate::app::{self, AppState};
use crate::support::*;

#[tokio::test]
async fn form_post_runs_the_action_and_redirects_back_b16() {
    let s = start().await;
    let res = submit(&s, "/", "note", &[("text", "hello")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/");
    assert_eq!(s.log(), ["note:hello"]);
}

#[tokio::test]
async fn a_result_without_form_state_still_redirects_back_b16() {
    // `increment` returns the new count, but its form keeps no state: the
    // result is for JavaScript callers, the browser gets Post/Redirect/Get.
    let s = start().await;
    let res = submit(&s, "/", "f-increment", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/");
    assert_eq!(s.log(), ["increment"]);
}

#[tokio::test]
async fn form_post_keeps_the_query_in_the_redirect_b16() {
    let s = start().await;
    let html = get(&s, "/").await;
    let fields: Vec<_> =
        hidden(&html, "note").into_iter().chain([("text".to_string(), "q".to_string())]).collect();
    let res = post_form(&s, "/?tab=2", &fields).await;
    assert_eq!(res.headers()["location"], "/?tab=2");
}

#[tokio::test]
async fn validation_failure_rerenders_422_with_values_and_messages_s16() {
    let s = start().await;
    let (status, body) = read(submit(&s, "/", "note", &[("text", "  ")]).await).await;
    assert_eq!(status, 422);
    assert!(body.contains(r#"<p id="text-error">Write something first.</p>"#), "{body}");
    assert!(body.contains(r#"name="text" value="  ""#), "typed value kept: {body}");
    assert!(s.log().is_empty(), "action must not have stored anything");
}

#[tokio::test]
async fn returned_state_rerenders_200_and_comes_back_as_previous_state_s17() {
    let s = start().await;
    let (status, body) =
        read(submit(&s, "/", "signup", &[("email", "a@b.c"), ("password", "short")]).await).await;
    assert_eq!(status, 200);
    assert!(body.contains("Password must be at least 8 characters"), "{body}");
    assert!(body.contains(r#"<p id="attempts">1</p>"#));
    assert!(body.contains(r#"name="email" value="a@b.c""#), "value kept");
    // Submit the re-rendered form: its sealed $state carries attempts = 1.
    let mut fields = hidden(&body, "signup");
    fields.extend([("email".into(), "a@b.c".into()), ("password".into(), "long enough".into())]);
    let (status, body) = read(post_form(&s, "/", &fields).await).await;
    assert_eq!(status, 200);
    assert!(body.contains("Welcome, a@b.c"));
    assert!(body.contains(r#"<p id="attempts">2</p>"#), "{body}");
}

#[tokio::test]
async fn bound_arguments_arrive_first_s13() {
    let s = start().await;
    let res = submit(&s, "/", "rename", &[("text", "Ann")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(s.log(), ["rename:42:Ann"]);
}

#[tokio::test]
async fn captured_version_comes_back_unchanged_s28() {
    let s = start().await;
    *s.state.version.lock().expect("version") = 3;
    let res = submit(&s, "/", "publish", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(s.log(), ["publish:7:3"]);

    let html = get(&s, "/").await; // rendered with version 3 captured
    *s.state.version.lock().expect("version") = 4;
    let (status, body) = read(post_form(&s, "/", &hidden(&html, "publish")).await).await;
    assert_eq!(status, 409);
    assert!(body.contains("The version has changed since pressing publish"), "{body}");
    assert_eq!(s.count("publish"), 1, "the stale publish did not run");
}

#[tokio::test]
async fn submit_buttons_choose_their_own_action_s14() {
    let s = start().await;
    let html = get(&s, "/").await;
    let fields = hidden(&html, "editor");
    let names: Vec<_> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["$action"], "the form's own action: {fields:?}");
    // Without the button (Enter in a field of a form whose first button is
    // not the action's): the form's own action.
    let draft: Vec<_> = fields.iter().cloned().chain([("text".to_string(), "v1".to_string())]).collect();
    assert_eq!(post_form(&s, "/", &draft).await.status(), 303);
    // With the Publish button: its own, bound action, which redirects.
    let mut publish = fields.clone();
    publish.push(serac_testkit::button(&html, "publish-now"));
    publish.push(("text".into(), "v2".into()));
    let res = post_form(&s, "/", &publish).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/posts/9");
    assert_eq!(s.log(), ["draft:v1", "publish_now:9:v2"]);
}

#[tokio::test]
async fn every_pub_async_fn_of_a_marked_module_is_an_action_s1() {
    let s = start().await;
    assert_eq!(submit(&s, "/", "f-archive", &[]).await.status(), 303);
    assert_eq!(s.log(), ["archive"]);
}

#[tokio::test]
async fn actions_stay_plain_functions_s11() {
    let state = AppState::default();
    let cx = serac::Cx::builder().state(state.clone()).build();
    assert_eq!(app::add(cx.clone(), 2, 3).await.expect("add"), 5);
    assert_eq!(app::increment(cx).await.expect("increment"), 1);
    assert_eq!(state.log.events(), ["add:2+3", "increment"]);
}

#[tokio::test]
async fn form_data_excludes_framework_fields_s5() {
    let s = start().await;
    let id = action_id(&s, "/", "f-echo_fields").await;
    let res = client()
        .post(format!("{}/", s.url))
        .header("origin", s.origin())
        .header(serac::protocol::ACTION_HEADER, &id)
        .form(&[("$action", id.as_str()), ("a", "1"), ("a", "2"), ("$bound", "x"), ("b", "3")])
        .send()
        .await
        .expect("post");
    // `$bound` of a form without bound arguments is refused as a seal.
    assert_eq!(res.status(), 400);
    let res = client()
        .post(format!("{}/", s.url))
        .header("origin", s.origin())
        .header(serac::protocol::ACTION_HEADER, &id)
        .form(&[("$action", id.as_str()), ("a", "1"), ("a", "2"), ("$other", "x"), ("b", "3")])
        .send()
        .await
        .expect("post");
    let envelope: serac::protocol::Envelope = res.json().await.expect("json");
    assert_eq!(envelope.result, serde_json::json!([["a", "1"], ["a", "2"], ["b", "3"]]));
}

#[tokio::test]
async fn posts_to_the_apps_own_routes_pass_through() {
    let s = start().await;
    let res = client().post(format!("{}/own", s.url)).form(&[("x", "1")]).send().await.expect("post");
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.expect("body"), "app handled: x=1");
    assert!(s.log().is_empty());
}

#[tokio::test]
async fn files_arrive_as_files_with_safe_names_s5() {
    let s = start().await;
    let id = action_id(&s, "/", "upload").await;
    let form = reqwest::multipart::Form::new().text("$action", id.clone()).part(
        "file",
        reqwest::multipart::Part::bytes(vec![1u8; 1500])
            .file_name("../../etc/passwd")
            .mime_str("application/octet-stream")
            .expect("mime"),
    );
    let res = client()
        .post(format!("{}/", s.url))
        .header("origin", s.origin())
        .header(serac::protocol::ACTION_HEADER, &id)
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 200);
    let envelope: serac::protocol::Envelope = res.json().await.expect("json");
    assert_eq!(
        envelope.result,
        serde_json::json!([{"name": "passwd", "size": 1500, "content_type": "application/octet-stream"}])
    );
}
