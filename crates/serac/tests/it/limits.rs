//! Body limits and time limits (S12, S32, B12).

use bytes::Bytes;

use crate::support::*;

/// A urlencoded body of exactly `len` bytes calling `note`.
async fn note_body(s: &Server, len: usize) -> String {
    let id = action_id(s, "/", "note").await;
    let head = format!("%24action={id}&text=");
    assert!(len > head.len());
    format!("{head}{}", "a".repeat(len - head.len()))
}

async fn post_raw(s: &Server, path: &str, body: impl Into<reqwest::Body>) -> (u16, String) {
    let res = client()
        .post(format!("{}{path}", s.url))
        .header("origin", s.origin())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("post");
    read(res).await
}

#[tokio::test]
async fn a_body_at_the_limit_passes_and_one_byte_more_is_413_s32() {
    let s = start().await;
    let limit = serac::config::DEFAULT_BODY_LIMIT;
    let (status, _) = post_raw(&s, "/", note_body(&s, limit).await).await;
    assert_eq!(status, 303, "exactly 1 MB");
    assert_eq!(s.count("note:"), 1);
    let (status, body) = post_raw(&s, "/", note_body(&s, limit + 1).await).await;
    assert_eq!(status, 413);
    assert!(body.contains("larger than the limit of 1 MB"), "{body}");
    assert_eq!(s.count("note:"), 1, "the oversized call did not run");
}

#[tokio::test]
async fn a_chunked_body_without_length_is_cut_off_s32() {
    let s = start().await;
    let body = note_body(&s, serac::config::DEFAULT_BODY_LIMIT + 100).await.into_bytes();
    // Sent as a stream: no Content-Length, chunked transfer encoding.
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        body.chunks(64 * 1024).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    let stream = futures_util::stream::iter(chunks);
    let (status, body) = post_raw(&s, "/", reqwest::Body::wrap_stream(stream)).await;
    assert_eq!(status, 413);
    assert!(body.contains("1 MB"));
    assert!(s.log().is_empty());
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_before_reading_b12() {
    let s = start().await;
    let id = action_id(&s, "/", "f-increment").await;
    // Declares 10 MB but sends only the start: the server answers without
    // waiting for the rest.
    let head = Bytes::from(format!("%24action={id}&x="));
    let stream =
        futures_util::stream::iter([Ok::<_, std::io::Error>(head)]).chain(futures_util::stream::pending());
    let res = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        client()
            .post(format!("{}/", s.url))
            .header("origin", s.origin())
            .header("content-type", "application/x-www-form-urlencoded")
            .header("content-length", "10485760")
            .body(reqwest::Body::wrap_stream(stream))
            .send(),
    )
    .await
    .expect("answered before the body was sent")
    .expect("response");
    assert_eq!(res.status(), 413);
    assert!(s.log().is_empty());
}

use futures_util::StreamExt as _;

#[tokio::test]
async fn a_route_limit_applies_to_actions_posted_to_it_b12() {
    let s = start().await;
    let (status, body) = post_raw(&s, "/limited", note_body(&s, 1025).await).await;
    assert_eq!(status, 413);
    assert!(body.contains("limit of 1 KB"), "{body}");
    let (status, _) = post_raw(&s, "/limited", note_body(&s, 1024).await).await;
    assert_eq!(status, 303);
    assert_eq!(s.count("note:"), 1);
}

#[tokio::test]
async fn an_action_limit_applies_wherever_it_is_posted_b12() {
    let s = start().await;
    let id = action_id(&s, "/", "small-upload").await;
    let send = |size: usize| {
        let form = reqwest::multipart::Form::new()
            .text("$action", id.clone())
            .part("file", reqwest::multipart::Part::bytes(vec![0u8; size]).file_name("a.bin"));
        client().post(format!("{}/", s.url)).header("origin", s.origin()).multipart(form).send()
    };
    let (status, body) = read(send(4000).await.expect("post")).await;
    assert_eq!(status, 413);
    assert!(body.contains("limit of 2 KB"), "{body}");
    assert!(s.log().is_empty());
    assert_eq!(send(500).await.expect("post").status(), 303);
    assert_eq!(s.log(), ["small_upload:1"]);
}

#[tokio::test]
async fn malformed_multipart_is_a_clear_400() {
    let s = start().await;
    let id = action_id(&s, "/", "upload").await;
    let body = format!(
        "--XYZ\r\nContent-Disposition: form-data; name=\"$action\"\r\n\r\n{id}\r\n--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nunterminated"
    );
    let res = client()
        .post(format!("{}/", s.url))
        .header("origin", s.origin())
        .header("content-type", "multipart/form-data; boundary=XYZ")
        .body(body)
        .send()
        .await
        .expect("post");
    let (status, text) = read(res).await;
    assert_eq!(status, 400);
    assert!(text.contains("malformed multipart body"), "{text}");
    let res = client()
        .post(format!("{}/", s.url))
        .header("origin", s.origin())
        .header(serac::protocol::ACTION_HEADER, &id)
        .header("content-type", "multipart/form-data")
        .body("x")
        .send()
        .await
        .expect("post");
    let (status, text) = read(res).await;
    assert_eq!(status, 400);
    assert!(text.contains("no boundary"), "{text}");
    assert!(s.log().is_empty());
}

#[tokio::test]
async fn a_route_max_duration_cancels_the_action_with_504_s12() {
    let s = start().await;
    let started = std::time::Instant::now();
    let (status, body) = read(submit(&s, "/slow", "f-sleepy", &[]).await).await;
    assert_eq!(status, 504);
    assert!(body.contains("longer than its maximum duration (300 ms)"), "{body}");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(s.log(), ["sleepy:start"], "cancelled, never finished");
}

#[tokio::test]
async fn an_action_max_duration_applies_anywhere_b12() {
    let s = start().await;
    let id = action_id(&s, "/", "f-quick_limit").await;
    let (status, envelope) = call_json(&s, "/", &id, serde_json::json!([])).await;
    assert_eq!(status, 504);
    assert_eq!(envelope.error.expect("error").kind, "timeout");
    assert_eq!(s.log(), ["quick_limit:start"]);
}

/// R3: an action's own limit holds at any URL it is posted to, however the
/// path is spelled.
#[tokio::test]
async fn an_actions_max_duration_holds_at_every_url_r3() {
    let s = start().await;
    let id = action_id(&s, "/", "f-quick_limit").await;
    for path in ["/slow", "/slow/", "/SLOW", "/cookies", "/no-such-page", "//slow"] {
        let started = std::time::Instant::now();
        let (status, envelope) = call_json(&s, path, &id, serde_json::json!([])).await;
        assert_eq!(status, 504, "{path}: {envelope:?}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{path}");
    }
    assert!(!s.log().iter().any(|e| e == "quick_limit:end"), "{:?}", s.log());
}

/// R3: a route's limit applies where the router would route; elsewhere, the
/// app's default maximum duration still cancels an action without one.
#[tokio::test]
async fn every_action_has_a_maximum_duration_r3() {
    let s = start_with(config().max_duration(std::time::Duration::from_millis(400))).await;
    let fields = hidden(&get(&s, "/").await, "f-sleepy");
    for path in ["/SLOW", "/slow/", "/cookies"] {
        let started = std::time::Instant::now();
        let (status, body) = read(post_form(&s, path, &fields).await).await;
        assert_eq!(status, 504, "{path}");
        assert!(body.contains("(400 ms)"), "{path}: {body}");
        assert!(started.elapsed() < std::time::Duration::from_secs(3), "{path}");
    }
    // The route's own, shorter limit where it applies.
    let (status, body) = read(post_form(&s, "/slow", &fields).await).await;
    assert_eq!(status, 504);
    assert!(body.contains("(300 ms)"), "{body}");
    assert_eq!(s.count("sleepy:end"), 0);
}

/// R3: an action's own body limit holds at any URL too.
#[tokio::test]
async fn an_actions_body_limit_holds_at_every_url_r3() {
    let s = start().await;
    let id = action_id(&s, "/", "small-upload").await;
    for path in ["/limited", "/LIMITED", "/cookies", "/no-such-page"] {
        let form = reqwest::multipart::Form::new()
            .text("$action", id.clone())
            .part("file", reqwest::multipart::Part::bytes(vec![0u8; 4000]).file_name("a.bin"));
        let res =
            client().post(format!("{}{path}", s.url)).header("origin", s.origin()).multipart(form).send();
        let (status, body) = read(res.await.expect("post")).await;
        assert_eq!(status, 413, "{path}");
        assert!(body.contains("limit of 2 KB"), "{path}: {body}");
    }
    assert!(s.log().is_empty());
}
