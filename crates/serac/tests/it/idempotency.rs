//! R2: an idempotency key replays an answer only to the request that first
//! used it (same action, page, host, cookies, `Authorization` and body); answers are kept within a
//! byte budget; a repeat is never run twice.

use std::time::Duration;

use serac::idempotency::MemoryIdempotency;
use serde_json::json;

use crate::support::*;

async fn call(
    s: &Server,
    path: &str,
    id: &str,
    key: &str,
    cookie: Option<&str>,
    body: serde_json::Value,
) -> reqwest::Response {
    let mut req = client()
        .post(format!("{}{path}", s.url))
        .header("origin", s.origin())
        .header(serac::protocol::ACTION_HEADER, id)
        .header(serac::protocol::IDEMPOTENCY_HEADER, key)
        .json(&body);
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    req.send().await.expect("POST")
}

async fn kind(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let envelope: serac::protocol::Envelope = res.json().await.expect("envelope");
    (status, envelope.error.map(|e| e.kind).unwrap_or_default())
}

#[tokio::test]
async fn a_key_sent_with_another_body_is_refused_not_answered_r2() {
    let s = start().await;
    let id = action_id(&s, "/", "f-add").await;
    let (status, _) = kind(call(&s, "/", &id, "k1", None, json!([1, 2])).await).await;
    assert_eq!(status, 200);
    assert_eq!(
        kind(call(&s, "/", &id, "k1", None, json!([5, 5])).await).await,
        (409, "idempotency_conflict".into())
    );
    assert_eq!(s.log(), ["add:1+2"], "ran once");
}

/// The attack found: an anonymous POST to another URL with the victim's key
/// got the victim's answer and its `Set-Cookie`.
#[tokio::test]
async fn a_key_sent_by_another_caller_or_to_another_url_gets_nothing_of_the_first_r2() {
    let s = start().await;
    let id = action_id(&s, "/", "f-set_name").await;
    let victim = Some("session=victim-secret");
    let first = call(&s, "/", &id, "k-victim", victim, json!({"args": []})).await;
    assert_eq!(first.status(), 200);
    for (path, cookie) in [("/own", None), ("/", None), ("/", Some("session=attacker")), ("/cookies", victim)]
    {
        let res = call(&s, path, &id, "k-victim", cookie, json!({"args": []})).await;
        assert!(res.headers().get("set-cookie").is_none(), "{path} {cookie:?}");
        assert_eq!(kind(res).await, (409, "idempotency_conflict".into()), "{path} {cookie:?}");
    }
    // The victim's own retry is the same request: the same answer.
    let again = call(&s, "/", &id, "k-victim", victim, json!({"args": []})).await;
    assert_eq!(again.status(), 200);
    assert!(again.headers().get("set-cookie").is_some());
    assert_eq!(s.count("set_name:"), 1, "{:?}", s.log());
}

/// An app that tells users apart by an `Authorization` header (an API
/// token) rather than a cookie: another token is another caller.
#[tokio::test]
async fn a_key_sent_with_another_authorization_gets_nothing_of_the_first_r2() {
    let s = start().await;
    let id = action_id(&s, "/", "f-add").await;
    let send = |token: &'static str| {
        client()
            .post(format!("{}/", s.url))
            .header("origin", s.origin())
            .header(serac::protocol::ACTION_HEADER, &id)
            .header(serac::protocol::IDEMPOTENCY_HEADER, "k-token")
            .header("authorization", token)
            .json(&json!([1, 2]))
            .send()
    };
    assert_eq!(send("Bearer alice").await.expect("POST").status(), 200);
    assert_eq!(kind(send("Bearer mallory").await.expect("POST")).await, (409, "idempotency_conflict".into()));
    assert_eq!(send("Bearer alice").await.expect("POST").status(), 200, "alice's own retry");
    assert_eq!(s.log(), ["add:1+2"], "ran once");
}

#[tokio::test]
async fn a_key_that_is_not_visible_ascii_is_refused_before_the_action_runs_r2() {
    let s = start().await;
    let id = action_id(&s, "/", "f-add").await;
    let too_long = "k".repeat(129);
    for key in ["a b", "tab\there", too_long.as_str()] {
        let (status, kind) = kind(call(&s, "/", &id, key, None, json!([1, 2])).await).await;
        assert_eq!((status, kind.as_str()), (400, "bad_payload"), "{key:?}");
    }
    assert!(s.log().is_empty(), "{:?}", s.log());
}

#[tokio::test]
async fn answers_are_kept_within_the_byte_budget_r2() {
    let store = MemoryIdempotency::with_budget(512 * 1024, Duration::from_secs(600));
    let kept = store.clone();
    let s = start_with_layer(config(), move |layer| layer.idempotency_store(store)).await;
    let id = action_id(&s, "/", "f-echo_fields").await;
    let big = "x".repeat(100 * 1024);
    for i in 0..40 {
        let res = client()
            .post(format!("{}/", s.url))
            .header("origin", s.origin())
            .header(serac::protocol::ACTION_HEADER, &id)
            .header(serac::protocol::IDEMPOTENCY_HEADER, format!("key-{i}"))
            .form(&[("text", big.as_str())])
            .send()
            .await
            .expect("POST");
        assert_eq!(res.status(), 200);
    }
    assert!(kept.weight() <= 512 * 1024, "{} bytes kept", kept.weight());
    assert_eq!(s.count("echo"), 40);
}

#[tokio::test]
async fn a_repeat_of_an_answer_too_large_to_keep_is_never_run_again_r2() {
    let s = start_with(config().idempotency(1024 * 1024, Duration::from_secs(600), 1024)).await;
    let id = action_id(&s, "/", "f-echo_fields").await;
    let send = || {
        client()
            .post(format!("{}/", s.url))
            .header("origin", s.origin())
            .header(serac::protocol::ACTION_HEADER, &id)
            .header(serac::protocol::IDEMPOTENCY_HEADER, "big")
            .form(&[("text", "y".repeat(10_000))])
            .send()
    };
    assert_eq!(send().await.expect("POST").status(), 200);
    let (status, kind) = kind(send().await.expect("POST")).await;
    assert_eq!((status, kind.as_str()), (409, "already_done"));
    assert_eq!(s.count("echo"), 1, "ran once");
}
