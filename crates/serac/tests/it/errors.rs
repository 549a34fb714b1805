//! Errors: boundaries, digests, panics, authorization, decoding (S10, S22, S27).

use serac::config::Mode;
use serac::{Config, KeyRing};

use crate::support::*;

#[tokio::test]
async fn a_panicking_action_is_a_500_for_that_request_only() {
    let s = start().await;
    let (status, body) = read(submit(&s, "/", "f-explode", &[]).await).await;
    assert_eq!(status, 500);
    assert!(body.contains("reference:"), "{body}");
    // The server keeps serving.
    let (status, _) = read(submit(&s, "/", "note", &[("text", "after")]).await).await;
    assert_eq!(status, 303);
    assert_eq!(s.log(), ["explode", "note:after"]);
}

#[tokio::test]
async fn internal_errors_show_only_a_digest_in_production_s22() {
    let prod =
        start_with(Config::new(KeyRing::from_secrets(&[SECRET]).expect("key")).mode(Mode::Production)).await;
    let id = action_id(&prod, "/", "f-fail_internally").await;
    let (status, envelope) = call_json(&prod, "/", &id, serde_json::json!([])).await;
    assert_eq!(status, 500);
    let error = envelope.error.expect("error");
    assert!(!error.message.contains("invalid digit"), "{}", error.message);
    let digest = error.digest.expect("digest");
    assert!(error.message.contains(&digest));

    let dev = start().await;
    let (_, envelope) = call_json(&dev, "/", &id, serde_json::json!([])).await;
    assert!(envelope.error.expect("error").message.contains("invalid digit"));
}

#[tokio::test]
async fn errors_reach_the_pages_error_boundary_without_js_s22() {
    let s = start().await;
    let (status, body) = read(submit(&s, "/", "f-fail_internally", &[]).await).await;
    assert_eq!(status, 500);
    assert!(body.contains(r#"<div id="error" role="alert" data-status="500">"#), "{body}");
}

#[tokio::test]
async fn an_error_the_page_does_not_show_falls_back_to_a_plain_page() {
    let s = start().await;
    let (status, body) = read(submit(&s, "/careless", "f-explode", &[]).await).await;
    assert_eq!(status, 500);
    assert!(body.contains("the action panicked: boom in explode"), "{body}");
    assert!(body.contains("data-serac-error"));
}

#[tokio::test]
async fn actions_requiring_a_user_answer_401_and_403_s27() {
    let s = start().await;
    let (status, body) = read(submit(&s, "/", "f-add_item", &[]).await).await;
    assert_eq!(status, 401);
    assert!(body.contains("You must be signed in to perform this action"), "{body}");

    let html = get(&s, "/").await;
    let fields = hidden(&html, "f-add_item");
    let as_user = |user: &'static str| {
        client()
            .post(format!("{}/", s.url))
            .header("origin", s.origin())
            .header("cookie", format!("user={user}"))
            .form(&fields)
            .send()
    };
    let (status, body) = read(as_user("guest").await.expect("post")).await;
    assert_eq!(status, 403);
    assert!(body.contains("Guests cannot add items"));
    assert!(s.log().is_empty());
    assert_eq!(as_user("ann").await.expect("post").status(), 303);
    assert_eq!(s.log(), ["add_item:ann"]);
}

#[tokio::test]
async fn undecodable_fields_are_a_400_naming_the_field_s10() {
    let s = start().await;
    let (status, body) = read(submit(&s, "/", "f-pay", &[("amount", "twelve")]).await).await;
    assert_eq!(status, 400);
    assert!(body.contains("The field &quot;amount&quot; is invalid"), "{body}");
    let (status, body) = read(submit(&s, "/", "f-pay", &[]).await).await;
    assert_eq!(status, 400);
    assert!(body.contains("The field &quot;amount&quot; is missing."), "{body}");
    assert!(s.log().is_empty());
    let (status, _) = read(submit(&s, "/", "f-pay", &[("amount", "12.5")]).await).await;
    assert_eq!(status, 303);
    assert_eq!(s.log(), ["pay:12.5"]);
}

#[tokio::test]
async fn bad_json_arguments_are_a_400_naming_the_argument_s10() {
    let s = start().await;
    let id = action_id(&s, "/", "f-add").await;
    let (status, envelope) = call_json(&s, "/", &id, serde_json::json!([1, "two"])).await;
    assert_eq!(status, 400);
    let message = envelope.error.expect("error").message;
    assert!(message.contains("Argument 2 (`b`)"), "{message}");
    let (status, envelope) = call_json(&s, "/", &id, serde_json::json!([1])).await;
    assert_eq!(status, 400);
    assert!(envelope.error.expect("error").message.contains("Argument 2 (`b`) of the action is missing"));
    let (status, _) = call_json(&s, "/", &id, serde_json::json!([1, 2, 3])).await;
    assert_eq!(status, 400, "too many arguments");
    let (status, envelope) = call_json(&s, "/", &id, serde_json::json!({"args": 5})).await;
    assert_eq!(status, 400);
    assert_eq!(envelope.error.expect("error").kind, "bad_payload");
    let res = client()
        .post(format!("{}/", s.url))
        .header("origin", s.origin())
        .header(serac::protocol::ACTION_HEADER, &id)
        .header("content-type", "application/json")
        .body(vec![b'[', 0xff, b']'])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 400, "invalid UTF-8");
    assert!(s.log().is_empty());
    let (_, envelope) = call_json(&s, "/", &id, serde_json::json!([2, 3])).await;
    assert_eq!(envelope.result, serde_json::json!(5));
}

/// R10: in production, a refused argument or field is named by its position
/// or its form field, never by the parameter's name or its Rust type.
#[tokio::test]
async fn production_errors_name_no_parameter_and_no_rust_type_r10() {
    let s = start_with(config().mode(Mode::Production)).await;
    let add = action_id(&s, "/", "f-add").await;
    for (args, expected) in [
        (serde_json::json!(["x", 2]), "Argument 1 of the action is invalid."),
        (serde_json::json!([1]), "Argument 2 of the action is missing."),
        (serde_json::json!([1, {"deep": [1]}]), "Argument 2 of the action is invalid."),
    ] {
        let (status, envelope) = call_json(&s, "/", &add, args.clone()).await;
        assert_eq!(status, 400, "{args}");
        let message = envelope.error.expect("error").message;
        assert_eq!(message, expected, "{args}");
    }
    let fields = hidden(&get(&s, "/").await, "f-pay");
    let mut fields = fields;
    fields.push(("amount".into(), "lots".into()));
    let (status, body) = read(post_form(&s, "/", &fields).await).await;
    assert_eq!(status, 400);
    assert!(body.contains("The field &quot;amount&quot; is invalid."), "{body}");
    // Left out: named too, not "The form is invalid."
    let (status, body) = read(post_form(&s, "/", &hidden(&get(&s, "/").await, "f-pay")).await).await;
    assert_eq!(status, 400);
    assert!(body.contains("The field &quot;amount&quot; is missing."), "{body}");
    for leak in ["f64", "i64", "`a`", "`b`", "invalid type", "expected"] {
        assert!(!body.contains(leak), "{leak}: {body}");
    }
    assert!(s.log().is_empty(), "nothing ran: {:?}", s.log());
}
