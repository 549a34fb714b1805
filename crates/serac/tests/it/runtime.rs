//! What the layer serves for the browser runtime, and idempotency keys (B4)
//! over plain HTTP.

use crate::support::*;

#[tokio::test]
async fn the_runtime_is_served_gzipped_at_a_hashed_url_for_a_year() {
    let s = start().await;
    let url = serac::client::runtime_url();
    assert!(url.starts_with("/_serac/serac.") && url.ends_with(".js"), "{url}");
    let res =
        client().get(format!("{}{url}", s.url)).header("accept-encoding", "gzip").send().await.expect("GET");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert!(res.headers()["content-type"].to_str().expect("ascii").starts_with("text/javascript"));
    let gz = res.bytes().await.expect("body");
    assert_eq!(gz.len(), serac::client::runtime_gzip_len());

    let plain = client().get(format!("{}{url}", s.url)).send().await.expect("GET");
    assert!(plain.headers().get("content-encoding").is_none());
    let text = plain.text().await.expect("body");
    assert!(text.contains("window.serac"), "the runtime itself");
    assert!(!text.contains("\n//"), "comment lines are dropped when serving");
}

#[tokio::test]
async fn an_old_or_unknown_serac_url_is_a_404_saying_to_reload() {
    let s = start().await;
    let res = client().get(format!("{}/_serac/serac.0000.js", s.url)).send().await.expect("GET");
    assert_eq!(res.status(), 404);
    assert!(res.text().await.expect("body").contains("reload the page"));
}

/// This app exports no action to TypeScript (B6), so it has no manifest.
#[tokio::test]
async fn without_typescript_actions_there_is_no_manifest() {
    let s = start().await;
    let res = client().get(format!("{}/_serac/actions.json", s.url)).send().await.expect("GET");
    assert_eq!(res.status(), 404);
}

async fn call_with_key(s: &Server, id: &str, key: &str) -> (u16, String) {
    let res = client()
        .post(format!("{}/", s.url))
        .header("origin", s.origin())
        .header(serac::protocol::ACTION_HEADER, id)
        .header(serac::protocol::IDEMPOTENCY_HEADER, key)
        .json(&serde_json::json!([]))
        .send()
        .await
        .expect("POST");
    read(res).await
}

#[tokio::test]
async fn a_repeated_idempotency_key_runs_the_action_once_b4() {
    let s = start().await;
    let id = action_id(&s, "/", "f-increment").await;
    let first = call_with_key(&s, &id, "k-1").await;
    let again = call_with_key(&s, &id, "k-1").await;
    assert_eq!(first.0, 200);
    assert_eq!(first, again, "the repeat gets the first answer");
    assert_eq!(s.log(), ["increment"]);
    let other = call_with_key(&s, &id, "k-2").await;
    assert!(other.1.contains("\"result\":2"), "{}", other.1);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_share_one_run_b4() {
    let s = start().await;
    let id = action_id(&s, "/", "f-two_steps").await;
    let (a, b) = tokio::join!(call_with_key(&s, &id, "same"), call_with_key(&s, &id, "same"));
    assert_eq!(a, b);
    assert_eq!(s.count("two_steps:start"), 1, "{:?}", s.log());
}

#[tokio::test]
async fn an_overlong_idempotency_key_is_refused_and_nothing_runs() {
    let s = start().await;
    let id = action_id(&s, "/", "f-increment").await;
    let (status, body) = call_with_key(&s, &id, &"k".repeat(129)).await;
    assert_eq!(status, 400);
    assert!(body.contains("serac-idempotency-key header must be 1 to 128"), "{body}");
    assert!(s.log().is_empty());
}
