//! R8 and R9 against the demo over real HTTP: sign-in throttling, sessions
//! kept on the server (revoked on sign-out, expiring), cookie flags, and no
//! email shown to other users.

use serac_demo::Settings;
use serac_testkit::{client, hidden};

use crate::support::{Demo, start, start_with};

/// Posts form `form` of `/signup` with `fields` (and `cookie`).
async fn post(demo: &Demo, form: &str, fields: &[(&str, &str)], cookie: Option<&str>) -> reqwest::Response {
    let page =
        client().get(format!("{}/signup", demo.url)).send().await.expect("GET").text().await.expect("body");
    let mut body = hidden(&page, form);
    body.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let mut req = client().post(format!("{}/signup", demo.url)).header("origin", &demo.url).form(&body);
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    req.send().await.expect("POST")
}

/// `session=…` from a response's `Set-Cookie`, and the whole header.
fn session(res: &reqwest::Response) -> (String, String) {
    let header = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("session="))
        .expect("a session cookie")
        .to_string();
    (header.split(';').next().expect("pair").to_string(), header)
}

async fn dashboard(demo: &Demo, cookie: &str) -> String {
    let res =
        client().get(format!("{}/dashboard", demo.url)).header("cookie", cookie).send().await.expect("GET");
    res.text().await.expect("body")
}

async fn sign_up(demo: &Demo, email: &str) -> String {
    let res = post(demo, "signup-form", &[("email", email), ("password", "correct horse")], None).await;
    assert_eq!(res.status(), 303);
    session(&res).0
}

#[tokio::test]
async fn signing_out_revokes_the_session_even_for_a_copied_cookie_r9() {
    let demo = start().await;
    let cookie = sign_up(&demo, "ann@example.com").await;
    assert!(dashboard(&demo, &cookie).await.contains("Welcome, ann@example.com"));
    let page = dashboard(&demo, &cookie).await;
    let fields = hidden(&page, "signout-form");
    let res = client()
        .post(format!("{}/dashboard", demo.url))
        .header("origin", &demo.url)
        .header("cookie", &cookie)
        .form(&fields)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 303);
    // The cookie as it was before signing out (a copy an attacker kept).
    assert!(dashboard(&demo, &cookie).await.contains("You are not signed in"));
    let sessions: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions").fetch_one(demo.db.pool()).await.expect("count");
    assert_eq!(sessions, 0);
}

#[tokio::test]
async fn a_session_expires_r9() {
    let demo = start().await;
    let cookie = sign_up(&demo, "bob@example.com").await;
    assert!(dashboard(&demo, &cookie).await.contains("Welcome"));
    sqlx::query("UPDATE sessions SET expires_at = 0").execute(demo.db.pool()).await.expect("expire");
    assert!(dashboard(&demo, &cookie).await.contains("You are not signed in"));
}

#[tokio::test]
async fn the_session_cookie_is_http_only_lax_expiring_and_secure_when_served_over_https_r9() {
    let demo = start().await;
    let res =
        post(&demo, "signup-form", &[("email", "cy@example.com"), ("password", "correct horse")], None).await;
    let (_, header) = session(&res);
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"] {
        assert!(header.contains(flag), "{flag}: {header}");
    }
    assert!(!header.contains("Secure"), "plain HTTP on loopback: {header}");
    let secure = start_with(Settings { secure_cookies: true, ..Settings::default() }).await;
    let res =
        post(&secure, "signup-form", &[("email", "cy@example.com"), ("password", "correct horse")], None)
            .await;
    assert!(session(&res).1.contains("Secure"), "{}", session(&res).1);
}

#[tokio::test]
async fn no_page_shows_a_users_email_to_others_r9() {
    let demo = start().await;
    let cookie = sign_up(&demo, "dee@example.com").await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'dee@example.com'")
        .fetch_one(demo.db.pool())
        .await
        .expect("id");
    let admin =
        client().get(format!("{}/admin", demo.url)).send().await.expect("GET").text().await.expect("body");
    let fields = hidden(&admin, "item-form");
    let mut body = fields;
    body.push(("name".into(), "Stapler".into()));
    let res = client()
        .post(format!("{}/admin", demo.url))
        .header("origin", &demo.url)
        .header("cookie", &cookie)
        .form(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 303);
    for path in ["/admin".to_string(), format!("/users/{id}"), "/users/1".to_string()] {
        let page = client()
            .get(format!("{}{path}", demo.url))
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("body");
        assert!(!page.contains("@example.com"), "{path} shows an email");
    }
    let admin =
        client().get(format!("{}/admin", demo.url)).send().await.expect("GET").text().await.expect("body");
    assert!(admin.contains(&format!("added by User {id}")), "{admin}");
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_refused_with_retry_after_r8() {
    let demo = start().await;
    sign_up(&demo, "eve@example.com").await;
    for i in 0..serac_demo::throttle::PER_ACCOUNT {
        let res =
            post(&demo, "signin-form", &[("email", "eve@example.com"), ("password", "wrong guess")], None)
                .await;
        assert_eq!(res.status(), 422, "attempt {i}");
    }
    // Now even the right password waits: the account is under attack.
    let res =
        post(&demo, "signin-form", &[("email", "eve@example.com"), ("password", "correct horse")], None)
            .await;
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"].to_str().expect("text").parse().expect("seconds");
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    assert!(res.headers().get("set-cookie").is_none());
    assert!(res.text().await.expect("body").contains("Too many failed sign-ins"));
}

#[tokio::test]
async fn failures_from_one_address_across_accounts_are_throttled_r8() {
    let demo = start().await;
    for i in 0..serac_demo::throttle::PER_ADDRESS {
        let email = format!("nobody{i}@example.com");
        let res = post(&demo, "signin-form", &[("email", &email), ("password", "wrong guess")], None).await;
        assert_eq!(res.status(), 422, "{email}");
    }
    let res = post(&demo, "signin-form", &[("email", "another@example.com"), ("password", "x")], None).await;
    assert_eq!(res.status(), 429);
}

/// Sends `count` sign-ins at once, the `i`-th for `email(i)` with a wrong
/// password, and counts the answers by status.
async fn guesses_at_once(demo: &Demo, count: usize, email: impl Fn(usize) -> String) -> (usize, usize) {
    let page =
        client().get(format!("{}/signup", demo.url)).send().await.expect("GET").text().await.expect("body");
    let fields = hidden(&page, "signin-form");
    let mut sent = tokio::task::JoinSet::new();
    for i in 0..count {
        let mut body = fields.clone();
        body.push(("email".into(), email(i)));
        body.push(("password".into(), format!("wrong guess {i}")));
        let request = client().post(format!("{}/signup", demo.url)).header("origin", &demo.url).form(&body);
        sent.spawn(async move { request.send().await.expect("POST").status().as_u16() });
    }
    let (mut checked, mut refused) = (0, 0);
    while let Some(status) = sent.join_next().await {
        match status.expect("task") {
            422 => checked += 1,
            429 => refused += 1,
            other => panic!("unexpected {other}"),
        }
    }
    (checked, refused)
}

// Regression: failures were counted once the password had been hashed, so
// forty guesses sent together were all checked (and the right one among
// them signed in).
#[tokio::test]
async fn guesses_sent_at_once_are_throttled_like_guesses_in_a_row_r8() {
    let demo = start().await;
    sign_up(&demo, "eve@example.com").await;
    let (checked, refused) = guesses_at_once(&demo, 40, |_| "eve@example.com".into()).await;
    assert_eq!((checked, refused), (serac_demo::throttle::PER_ACCOUNT, 35));
    let res =
        post(&demo, "signin-form", &[("email", "eve@example.com"), ("password", "correct horse")], None)
            .await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn guesses_sent_at_once_across_accounts_are_throttled_per_address_r8() {
    let demo = start().await;
    let (checked, refused) = guesses_at_once(&demo, 30, |i| format!("nobody{i}@example.com")).await;
    assert_eq!((checked, refused), (serac_demo::throttle::PER_ADDRESS, 10));
}

#[tokio::test]
async fn the_dashboard_is_never_cached_r9() {
    let demo = start().await;
    let cookie = sign_up(&demo, "fay@example.com").await;
    let res =
        client().get(format!("{}/dashboard", demo.url)).header("cookie", &cookie).send().await.expect("GET");
    assert_eq!(res.headers()["cache-control"], "private, no-store");
}
