//! R4: answers send the browser only to pages of this site, or to an
//! absolute http(s) URL the action named itself: never to a
//! protocol-relative `//host` taken from the request path, never to a
//! `javascript:` URL.

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_form_posted_to_a_protocol_relative_path_is_sent_back_to_this_site_r4() {
    let s = start().await;
    let fields = hidden(&get(&s, "/").await, "f-increment");
    for path in ["//evil.example/x", "///evil.example/x", "/\\evil.example/x"] {
        let res = client()
            .post(format!("{}{path}", s.url))
            .header("origin", s.origin())
            .form(&fields)
            .send()
            .await
            .expect("POST");
        assert_eq!(res.status(), 303, "{path}");
        let location = res.headers()["location"].to_str().expect("location");
        assert!(location.starts_with('/') && !location.starts_with("//"), "{path}: {location}");
        assert!(!location.contains('\\'), "{path}: {location}");
    }
}

/// Posts the form to `path` exactly as written (an HTTP client would
/// resolve `.` and `..` first; a hand-written request does not) and returns
/// the `Location` of the answer.
async fn location_after_raw_post(s: &Server, path: &str, fields: &[(String, String)]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    let host = s.url.trim_start_matches("http://");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {len}\r\nConnection: close\r\n\r\n{body}",
        origin = s.origin(),
        len = body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 303"), "{path}: {answer}");
    answer
        .lines()
        .find_map(|l| l.strip_prefix("location: ").or_else(|| l.strip_prefix("Location: ")))
        .expect("a Location")
        .trim()
        .to_string()
}

// Regression: leading slashes were trimmed before `.` and `..` were
// resolved, so `/.//evil.example/x` came back as `//evil.example/x`.
#[tokio::test]
async fn dot_segments_in_the_request_path_cannot_make_a_protocol_relative_location_r4() {
    let s = start().await;
    let fields = hidden(&get(&s, "/").await, "f-increment");
    for (path, expected) in [
        ("/.//evil.example/x", "/evil.example/x"),
        ("/x/..//evil.example", "/evil.example"),
        ("/./\\evil.example", "/evil.example"),
    ] {
        assert_eq!(location_after_raw_post(&s, path, &fields).await, expected, "{path}");
    }
}

#[tokio::test]
async fn redirects_leave_the_site_only_for_absolute_web_urls_r4() {
    let s = start().await;
    let id = action_id(&s, "/", "f-go_to").await;
    for (target, expected) in [
        ("/done", Some("/done")),
        ("//evil.example/x", Some("/evil.example/x")),
        ("/\\evil.example", Some("/evil.example")),
        ("https://example.com/elsewhere", Some("https://example.com/elsewhere")),
        ("javascript:alert(document.cookie)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("https:evil.example", None),
    ] {
        let (status, envelope) = call_json(&s, "/", &id, json!([target])).await;
        match expected {
            Some(location) => {
                assert_eq!(status, 200, "{target}: {envelope:?}");
                assert_eq!(envelope.redirect.as_deref(), Some(location), "{target}");
            }
            None => {
                assert_eq!(status, 500, "{target}: {envelope:?}");
                assert_eq!(envelope.redirect, None, "{target}");
                let message = envelope.error.expect("error").message;
                assert!(message.contains("neither a page of this site nor an http(s) URL"), "{message}");
            }
        }
    }
}
