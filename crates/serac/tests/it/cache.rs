//! The page cache and revalidation over HTTP (S8, S23, B7): what is cached,
//! for whom, and that an action's invalidations are visible to the very next
//! request (read-your-writes).

use serde_json::json;

use crate::support::*;

async fn fetch(s: &Server, path: &str, cookie: Option<&str>) -> (String, String) {
    let mut req = client().get(format!("{}{path}", s.url));
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    let res = req.send().await.expect("GET");
    assert_eq!(res.status(), 200, "{path}");
    let status =
        res.headers().get(serac::cache::CACHE_STATUS_HEADER).map_or("none", |v| v.to_str().unwrap_or("?"));
    let status = status.to_string();
    (status, res.text().await.expect("body"))
}

#[tokio::test]
async fn a_cached_route_renders_once() {
    let s = start().await;
    let (first, body1) = fetch(&s, "/cached", None).await;
    let (second, body2) = fetch(&s, "/cached", None).await;
    assert_eq!((first.as_str(), second.as_str()), ("miss", "hit"));
    assert_eq!(body1, body2);
    assert!(body1.contains("render 1"), "{body1}");
    let (_, other_query) = fetch(&s, "/cached?page=2", None).await;
    assert!(other_query.contains("render 2"), "the query is part of the key: {other_query}");
}

/// Regression: concurrent misses of one cached page each rendered it (no
/// single flight), and each wrote it to the store.
#[tokio::test]
async fn regression_concurrent_misses_of_a_cached_page_render_it_once() {
    let s = start().await;
    let fetches = (0..12).map(|_| fetch(&s, "/cached-slow", None));
    let answers = futures_util::future::join_all(fetches).await;
    for (_, body) in &answers {
        assert!(body.contains("render 1"), "{body}");
    }
    assert_eq!(answers.iter().filter(|(status, _)| status == "miss").count(), 1);
}

#[tokio::test]
async fn requests_with_cookies_bypass_the_page_cache() {
    let s = start().await;
    fetch(&s, "/cached", None).await;
    let (status, body) = fetch(&s, "/cached", Some("session=abc")).await;
    assert_eq!(status, "none");
    assert!(body.contains("render 2"), "rendered for the signed-in user: {body}");
    let (status, _) = fetch(&s, "/cached", None).await;
    assert_eq!(status, "hit", "the anonymous copy is still there");
}

#[tokio::test]
async fn pages_that_set_cookies_are_never_stored() {
    let s = start().await;
    let (first, _) = fetch(&s, "/cookie-page", None).await;
    let (second, _) = fetch(&s, "/cookie-page", None).await;
    assert_eq!((first.as_str(), second.as_str()), ("none", "none"));
}

#[tokio::test]
async fn revalidate_tag_drops_the_page_before_the_answer_read_your_writes_s23() {
    let s = start().await;
    fetch(&s, "/cached", None).await;
    // add_note revalidates the tag "notes", which /cached carries.
    let res = submit(&s, "/", "note", &[("text", "x")]).await;
    assert_eq!(res.status(), 303);
    let (status, body) = fetch(&s, "/cached", None).await;
    assert_eq!(status, "miss", "dropped by the time the 303 arrived");
    assert!(body.contains("render 2"), "{body}");
}

#[tokio::test]
async fn revalidate_path_drops_that_page_only_s23() {
    let s = start().await;
    fetch(&s, "/blog", None).await;
    fetch(&s, "/docs/a", None).await;
    let id = action_id(&s, "/", "f-touch_page").await;
    let (status, _) = call_json(&s, "/", &id, json!(["/blog"])).await;
    assert_eq!(status, 200);
    assert_eq!(fetch(&s, "/blog", None).await.0, "miss");
    assert_eq!(fetch(&s, "/docs/a", None).await.0, "hit");
}

#[tokio::test]
async fn revalidate_layout_drops_the_whole_subtree_b7() {
    let s = start().await;
    for path in ["/docs/a", "/docs/b/c", "/blog"] {
        fetch(&s, path, None).await;
    }
    let res = submit(&s, "/", "f-reorganize", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(fetch(&s, "/docs/a", None).await.0, "miss");
    assert_eq!(fetch(&s, "/docs/b/c", None).await.0, "miss");
    assert_eq!(fetch(&s, "/blog", None).await.0, "hit", "outside the layout");
}

#[tokio::test]
async fn the_envelope_carries_the_fresh_page_in_one_round_trip_s8() {
    let s = start().await;
    fetch(&s, "/cached", None).await;
    let id = action_id(&s, "/", "note").await;
    let res = call_form(&s, "/cached", &id, &[("text", "y")]).await;
    let envelope: serac::protocol::Envelope = res.json().await.expect("envelope");
    assert_eq!(envelope.invalidated.tags, ["notes"]);
    assert!(envelope.html.as_deref().is_some_and(|h| h.contains("render 2")), "{:?}", envelope.html);
}
