//! The JSON envelope of JavaScript calls (S3, S8, S24, B15).

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_programmatic_call_returns_the_result_without_a_page_s3() {
    let s = start().await;
    let id = action_id(&s, "/", "f-increment").await;
    let (status, envelope) = call_json(&s, "/", &id, json!([])).await;
    assert_eq!(status, 200);
    assert!(envelope.ok);
    assert_eq!(envelope.result, json!(1));
    assert!(envelope.html.is_none(), "nothing changed on the page");
    assert!(envelope.invalidated.is_empty());
}

#[tokio::test]
async fn the_envelope_names_exactly_what_was_invalidated_and_carries_the_page_b15_s8() {
    let s = start().await;
    let id = action_id(&s, "/", "note").await;
    let res = call_form(&s, "/", &id, &[("$action", id.as_str()), ("text", "hi")]).await;
    assert_eq!(res.status(), 200);
    let envelope: serac::protocol::Envelope = res.json().await.expect("json");
    assert_eq!(envelope.invalidated.paths, ["/notes"]);
    assert_eq!(envelope.invalidated.tags, ["notes"]);
    assert!(envelope.invalidated.layouts.is_empty());
    assert!(envelope.html.expect("html").contains("<h1>Home</h1>"));
    assert_eq!(envelope.url.as_deref(), Some("/"));
}

#[tokio::test]
async fn a_redirect_is_followed_on_the_server_in_the_same_round_trip_s24() {
    let s = start().await;
    let id = action_id(&s, "/", "f-go_home").await;
    let (status, envelope) = call_json(&s, "/", &id, json!([])).await;
    assert_eq!(status, 200);
    assert!(envelope.ok);
    assert_eq!(envelope.redirect.as_deref(), Some("/done"));
    assert_eq!(envelope.html.as_deref(), Some("done"));
    assert_eq!(envelope.invalidated.tags, ["home"], "revalidated before redirecting");
}

#[tokio::test]
async fn validation_failures_come_back_as_data_with_the_form_rendered() {
    let s = start().await;
    let id = action_id(&s, "/", "note").await;
    let res = call_form(&s, "/", &id, &[("$action", id.as_str()), ("text", "")]).await;
    assert_eq!(res.status(), 422);
    let envelope: serac::protocol::Envelope = res.json().await.expect("json");
    let error = envelope.error.expect("error");
    assert_eq!(error.kind, "validation");
    assert_eq!(error.fields.expect("fields").get("text"), Some("Write something first."));
    assert!(envelope.html.expect("html").contains("Write something first."));
    assert!(s.log().is_empty());
}

#[tokio::test]
async fn bound_arguments_work_for_json_calls_too_s13() {
    let s = start().await;
    let html = get(&s, "/").await;
    let fields = hidden(&html, "publish");
    *s.state.version.lock().expect("version") = 3;
    let (status, envelope) =
        call_json(&s, "/", &fields[0].1, json!({"args": [], "$bound": fields[1].1})).await;
    assert_eq!(status, 200, "{envelope:?}");
    assert_eq!(s.log(), ["publish:7:3"]);
}

/// B6: a client that renders itself (the typed TypeScript client) asks for no
/// page; the envelope still says what changed.
#[tokio::test]
async fn serac_render_none_leaves_the_page_out_of_the_envelope() {
    let s = start().await;
    let id = action_id(&s, "/", "note").await;
    let res = client()
        .post(format!("{}/", s.url))
        .header("origin", s.origin())
        .header(serac::protocol::ACTION_HEADER, &id)
        .header(serac::protocol::RENDER_HEADER, "none")
        .form(&[("text", "hi")])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 200);
    let envelope: serac::protocol::Envelope = res.json().await.expect("json");
    assert!(envelope.ok);
    assert_eq!(envelope.invalidated.paths, ["/notes"]);
    assert_eq!(envelope.html, None);
    assert_eq!(envelope.url, None);
    assert_eq!(s.count("note:"), 1, "the action ran: {:?}", s.log());

    let res = call_form(&s, "/", &id, &[("text", "")]).await;
    let envelope: serac::protocol::Envelope = res.json().await.expect("json");
    assert!(envelope.html.is_some(), "without the header, the page comes back");
}
