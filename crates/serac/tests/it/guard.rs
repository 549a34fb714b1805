//! Who may call an action: method, origin, fetch metadata, proxies (S9, S31, B8, B11).

use crate::support::*;

async fn note_fields(s: &Server) -> Vec<(String, String)> {
    let html = get(s, "/").await;
    let mut fields = hidden(&html, "note");
    fields.push(("text".into(), "x".into()));
    fields
}

async fn post_with(s: &Server, headers: &[(&str, &str)]) -> (u16, String) {
    let mut req = client().post(format!("{}/", s.url)).form(&note_fields(s).await);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    read(req.send().await.expect("post")).await
}

#[tokio::test]
async fn other_origins_are_refused_with_what_did_not_match_s31() {
    let s = start().await;
    let port = s.url.rsplit(':').next().expect("port").to_string();
    for origin in [
        "http://evil.com".to_string(),
        format!("https://127.0.0.1:{port}"),
        format!("http://127.0.0.1:{}", port.parse::<u16>().expect("port") + 1),
        format!("http://localhost:{port}"),
        "null".to_string(),
    ] {
        let (status, body) = post_with(&s, &[("origin", &origin)]).await;
        assert_eq!(status, 403, "{origin}");
        assert!(body.contains("does not match"), "{origin}: {body}");
        assert!(body.contains(&format!("http://127.0.0.1:{port}")), "says what was expected: {body}");
    }
    assert!(s.log().is_empty());
    let (status, _) = post_with(&s, &[("origin", &s.origin())]).await;
    assert_eq!(status, 303);
}

#[tokio::test]
async fn cross_site_fetch_metadata_is_refused_b8() {
    let s = start().await;
    let origin = s.origin();
    let (status, body) = post_with(&s, &[("origin", &origin), ("sec-fetch-site", "cross-site")]).await;
    assert_eq!(status, 403);
    assert!(body.contains("Sec-Fetch-Site"), "{body}");
    assert!(s.log().is_empty());
}

#[tokio::test]
async fn a_browser_without_origin_is_refused_but_other_clients_are_not() {
    let s = start().await;
    let (status, _) = post_with(&s, &[("sec-fetch-site", "same-origin")]).await;
    assert_eq!(status, 403, "fetch metadata without Origin");
    assert!(s.log().is_empty());
    let (status, _) = post_with(&s, &[]).await;
    assert_eq!(status, 303, "curl-like client");
    assert_eq!(s.log(), ["note:x"]);
}

#[tokio::test]
async fn forwarded_host_counts_only_from_trusted_proxies_b11() {
    let s = start().await;
    let headers = [
        ("origin", "https://shop.example"),
        ("x-forwarded-host", "shop.example"),
        ("x-forwarded-proto", "https"),
    ];
    let (status, body) = post_with(&s, &headers).await;
    assert_eq!(status, 403);
    assert!(body.contains("127.0.0.1 is not a trusted proxy"), "{body}");
    assert!(s.log().is_empty());

    let trusted = start_with(config().trusted_proxies(["127.0.0.0/8"])).await;
    let (status, _) = post_with(&trusted, &headers).await;
    assert_eq!(status, 303);
    assert_eq!(trusted.log(), ["note:x"]);
}

#[tokio::test]
async fn allowed_origins_accept_subdomains_and_not_look_alikes_s31() {
    let s = start_with(config().allowed_origins(["*.example.com"])).await;
    let (status, _) = post_with(&s, &[("origin", "https://app.example.com")]).await;
    assert_eq!(status, 303);
    let (status, _) = post_with(&s, &[("origin", "https://evil-example.com")]).await;
    assert_eq!(status, 403);
    assert_eq!(s.log(), ["note:x"]);
}

#[tokio::test]
async fn only_post_calls_actions_s9() {
    let s = start().await;
    let id = action_id(&s, "/", "f-increment").await;
    for method in ["GET", "PUT", "DELETE", "PATCH"] {
        let res = client()
            .request(method.parse().expect("method"), format!("{}/", s.url))
            .header(serac::protocol::ACTION_HEADER, &id)
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 405, "{method}");
        let text = res.text().await.expect("body");
        assert!(text.contains(&format!("must be called with POST, not {method}")), "{text}");
    }
    // A form with method="get" naming an action.
    let (status, _) =
        read(client().get(format!("{}/?%24action={id}", s.url)).send().await.expect("get")).await;
    assert_eq!(status, 405);
    // PUT with a form body naming an action.
    let res =
        client().put(format!("{}/", s.url)).form(&[("$action", id.as_str())]).send().await.expect("put");
    assert_eq!(res.status(), 405);
    assert!(s.log().is_empty());
}

/// R6: DNS rebinding. The attacker's name resolves to this server, so the
/// browser sends `Host: rebind.evil.example` with a matching `Origin`: the
/// origin check alone is satisfied, the host allow-list is not.
#[tokio::test]
async fn a_host_outside_the_allow_list_is_refused_whatever_the_origin_r6() {
    {
        let s = start().await;
        let port = s.url.rsplit(':').next().expect("port").to_string();
        // Without an allow-list the rebound request gets through: the
        // allow-list is what stops it.
        let rebound = format!("rebind.evil.example:{port}");
        let origin = format!("http://{rebound}");
        let (status, _) = post_with(&s, &[("host", &rebound), ("origin", &origin)]).await;
        assert_eq!(status, 303, "no allow-list, no defence");
    }
    let s = start_with(config().allowed_hosts(["127.0.0.1", "*.example.com"])).await;
    let port = s.url.rsplit(':').next().expect("port").to_string();
    for host in
        [format!("rebind.evil.example:{port}"), format!("localhost:{port}"), "example.com".to_string()]
    {
        let origin = format!("http://{host}");
        let (status, body) = post_with(&s, &[("host", &host), ("origin", &origin)]).await;
        assert_eq!(status, 403, "{host}");
        assert!(body.contains("does not accept actions sent to the host"), "{host}: {body}");
        // JSON calls too.
        let id = action_id(&s, "/", "f-increment").await;
        let res = client()
            .post(format!("{}/", s.url))
            .header("host", &host)
            .header("origin", &origin)
            .header(serac::protocol::ACTION_HEADER, &id)
            .json(&serde_json::json!([]))
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), 403, "{host}");
    }
    assert!(s.log().is_empty(), "nothing ran: {:?}", s.log());
    let (status, _) = post_with(&s, &[("origin", &s.origin())]).await;
    assert_eq!(status, 303, "the allowed host still works");
}
