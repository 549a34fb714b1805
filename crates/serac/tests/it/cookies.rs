//! Cookies in actions (S25), visible in the same round trip (S8).

use crate::support::*;

#[tokio::test]
async fn an_action_sets_and_deletes_cookies_s25() {
    let s = start().await;
    let res = submit(&s, "/", "f-set_name", &[("name", "Zoë & co")]).await;
    assert_eq!(res.status(), 303);
    let set = res.headers()["set-cookie"].to_str().expect("ascii").to_string();
    // `&` is a legal cookie octet (RFC 6265), so only the space and the
    // non-ASCII letter are percent-encoded.
    assert!(set.starts_with("name=Zo%C3%AB%20&%20co;"), "{set}");
    assert!(set.contains("Path=/"), "{set}");
    assert!(set.contains("SameSite=Lax"), "{set}");

    let html = get(&s, "/").await;
    let res = client()
        .post(format!("{}/", s.url))
        .header("origin", s.origin())
        .header("cookie", "name=Ann")
        .form(&hidden(&html, "f-delete_name"))
        .send()
        .await
        .expect("post");
    let set = res.headers()["set-cookie"].to_str().expect("ascii").to_string();
    assert!(set.starts_with("name=;"), "{set}");
    assert!(set.contains("Max-Age=0"), "{set}");
}

#[tokio::test]
async fn the_rerendered_page_already_sees_the_new_cookie_s8() {
    let s = start().await;
    let id = action_id(&s, "/", "f-set_name").await;
    let res = client()
        .post(format!("{}/cookies", s.url))
        .header("origin", s.origin())
        .header("cookie", "other=1; name=Old")
        .header(serac::protocol::ACTION_HEADER, &id)
        .form(&[("name", "New")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 200);
    assert!(res.headers()["set-cookie"].to_str().expect("ascii").starts_with("name=New"));
    let envelope: serac::protocol::Envelope = res.json().await.expect("json");
    let html = envelope.html.expect("page in the same round trip");
    assert!(html.contains("other=1"), "{html}");
    assert!(html.contains("name=New"), "{html}");
    assert!(!html.contains("name=Old"), "{html}");
    assert_eq!(envelope.url.as_deref(), Some("/cookies"));
}
