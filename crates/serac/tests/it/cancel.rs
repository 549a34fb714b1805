//! Cancellation (B14): a client that goes away drops the action's future at
//! its current await point; work it had not committed is rolled back.

use std::time::Duration;

use crate::support::*;

#[tokio::test]
async fn a_disconnected_client_cancels_the_action_b14() {
    let s = start().await;
    let id = action_id(&s, "/", "f-two_steps").await;
    let result = client()
        .post(format!("{}/", s.url))
        .header("origin", s.origin())
        .header(serac::protocol::ACTION_HEADER, &id)
        .json(&serde_json::json!([]))
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(result.is_err(), "the client gave up");
    // Long enough for the action to have committed had it kept running.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert_eq!(s.log(), ["two_steps:start", "two_steps:rolled_back"]);
}

#[tokio::test]
async fn a_client_that_waits_sees_the_commit() {
    let s = start().await;
    let id = action_id(&s, "/", "f-two_steps").await;
    let (status, _) = call_json(&s, "/", &id, serde_json::json!([])).await;
    assert_eq!(status, 200);
    assert_eq!(s.log(), ["two_steps:start", "two_steps:commit"]);
}
