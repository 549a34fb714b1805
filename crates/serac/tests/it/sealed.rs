//! Ids and sealed values: tampering, cross-action reuse, rotation (S13, S26, S29, B2, B3).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serac::config::Mode;
use serac::{Config, KeyRing};

use crate::support::*;

fn with_field(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| if k == name { (k.clone(), value.to_string()) } else { (k.clone(), v.clone()) })
        .collect()
}

#[tokio::test]
async fn ids_are_long_hex_and_change_with_the_secret_s26() {
    let a = start().await;
    let b = start_with(Config::new(KeyRing::from_secrets(&[[9; 32]]).expect("key")).mode(Mode::Development))
        .await;
    let id_a = action_id(&a, "/", "f-increment").await;
    let id_b = action_id(&b, "/", "f-increment").await;
    assert_eq!(id_a.len(), 40, "160-bit id");
    assert!(id_a.bytes().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(id_a, id_b);
    assert_eq!(id_a, action_id(&start().await, "/", "f-increment").await, "stable for one secret");
    assert!(!get(&a, "/").await.contains("it::app::"), "no Rust path in the page");
}

#[tokio::test]
async fn an_edited_or_truncated_bound_value_is_refused_s13() {
    let s = start().await;
    let html = get(&s, "/").await;
    let mut fields = hidden(&html, "rename");
    fields.push(("text".into(), "Mallory".into()));
    let sealed = fields.iter().find(|(k, _)| k == "$bound").expect("$bound").1.clone();
    let raw = URL_SAFE_NO_PAD.decode(&sealed).expect("base64url");
    for i in [0, 5, 12, raw.len() / 2, raw.len() - 1] {
        let mut edited = raw.clone();
        edited[i] ^= 0x20;
        let (status, body) =
            read(post_form(&s, "/", &with_field(&fields, "$bound", &URL_SAFE_NO_PAD.encode(&edited))).await)
                .await;
        assert_eq!(status, 400, "byte {i}");
        assert!(body.contains("sealed data was modified"), "{body}");
    }
    let truncated = &sealed[..sealed.len() - 4];
    let (status, _) = read(post_form(&s, "/", &with_field(&fields, "$bound", truncated)).await).await;
    assert_eq!(status, 400);
    let (status, _) = read(post_form(&s, "/", &with_field(&fields, "$bound", "!!not base64!!")).await).await;
    assert_eq!(status, 400);
    assert!(s.log().is_empty(), "nothing ran: {:?}", s.log());
}

#[tokio::test]
async fn a_bound_value_cannot_be_moved_to_another_action_s13() {
    let s = start().await;
    let html = get(&s, "/").await;
    let publish = hidden(&html, "publish");
    let rename_id = hidden(&html, "rename")[0].1.clone();
    // publish's sealed (7, 3) sent to rename.
    let moved = with_field(&publish, "$action", &rename_id);
    let (status, _) = read(post_form(&s, "/", &moved).await).await;
    assert_eq!(status, 400);
    assert!(s.log().is_empty());
}

#[tokio::test]
async fn tampered_state_is_refused_s17() {
    let s = start().await;
    let html = get(&s, "/").await;
    let mut fields = hidden(&html, "signup");
    fields.extend([("email".into(), "a@b.c".into()), ("password".into(), "x".into())]);
    let (status, _) = read(
        post_form(
            &s,
            "/",
            &with_field(&fields, "$state", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(s.log().is_empty());
}

#[tokio::test]
async fn rotation_keeps_old_pages_working_until_the_old_key_goes_b2() {
    let old = start().await;
    let html = get(&old, "/").await;
    let mut fields = hidden(&html, "rename");
    fields.push(("text".into(), "Ann".into()));

    let rotated = start_with(config_with(KeyRing::from_secrets(&[[8; 32], SECRET]).expect("ring"))).await;
    assert_eq!(post_form(&rotated, "/", &fields).await.status(), 303);
    assert_eq!(rotated.log(), ["rename:42:Ann"]);
    // New pages use the new key.
    assert_ne!(action_id(&rotated, "/", "rename").await, fields[0].1);

    let replaced = start_with(config_with(KeyRing::from_secrets(&[[8; 32]]).expect("ring"))).await;
    let (status, body) = read(post_form(&replaced, "/", &fields).await).await;
    assert_eq!(status, 404);
    assert!(
        body.contains(r#"<p id="notice">This form was out of date"#),
        "re-rendered with a notice: {body}"
    );
    assert!(replaced.log().is_empty());
}

fn config_with(keys: KeyRing) -> Config {
    Config::new(keys).mode(Mode::Development)
}

#[tokio::test]
async fn unknown_ids_get_a_clear_404_b3() {
    let s = start().await;
    let (status, envelope) = call_json(&s, "/", &"0".repeat(40), serde_json::json!([])).await;
    assert_eq!(status, 404);
    let error = envelope.error.expect("error");
    assert_eq!(error.kind, "unknown_action");
    assert!(error.message.contains("Reload the page"), "{}", error.message);
    let (status, _) = call_json(&s, "/", &"x".repeat(5000), serde_json::json!([])).await;
    assert_eq!(status, 404, "over-long id");
    assert!(s.log().is_empty());
}

#[tokio::test]
async fn the_secret_is_read_from_the_environment_format_s29() {
    let b64 = base64::engine::general_purpose::STANDARD.encode(SECRET);
    let from_env_format = KeyRing::parse(&b64).expect("parse");
    let s = start().await;
    let id = action_id(&s, "/", "f-increment").await;
    assert_eq!(from_env_format.action_id("it::app::increment"), id);
}
