//! The attack matrix (issue 6): every row is a hostile or broken request
//! over real HTTP, with the status and message it must get, and the proof
//! that the action it aimed at did not run. `docs/security.md` lists the
//! same rows.

use bytes::Bytes;
use serac::KeyRing;

use crate::support::*;

/// What a row sends.
enum Body {
    Form(Vec<(String, String)>),
    Raw(&'static str, Vec<u8>),
    /// Chunked: no Content-Length.
    Chunked(&'static str, Vec<u8>),
    Json(serde_json::Value),
}

struct Row {
    name: String,
    method: &'static str,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Body,
    status: u16,
    message: &'static str,
}

impl Row {
    fn new(name: impl Into<String>, body: Body, status: u16, message: &'static str) -> Self {
        Self {
            name: name.into(),
            method: "POST",
            path: "/".into(),
            headers: Vec::new(),
            body,
            status,
            message,
        }
    }
    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
    fn method(mut self, method: &'static str) -> Self {
        self.method = method;
        self
    }
}

/// Sends every row; each must get its status and message, and the action
/// log must stay empty.
async fn check(s: &Server, rows: Vec<Row>) {
    let mut failures = Vec::new();
    for row in rows {
        let method = reqwest::Method::from_bytes(row.method.as_bytes()).expect("method");
        let mut req = client().request(method, format!("{}{}", s.url, row.path));
        let has_origin = row.headers.iter().any(|(k, _)| *k == "origin");
        if !has_origin {
            req = req.header("origin", s.origin());
        }
        for (k, v) in &row.headers {
            if *k == "origin" && v == "-" {
                continue; // the row sends no Origin at all
            }
            req = req.header(*k, v);
        }
        req = match row.body {
            Body::Form(fields) => req.form(&fields),
            Body::Raw(ct, bytes) => req.header("content-type", ct).body(bytes),
            Body::Chunked(ct, bytes) => {
                let chunks: Vec<Result<Bytes, std::io::Error>> =
                    bytes.chunks(16 * 1024).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
                req.header("content-type", ct)
                    .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
            }
            Body::Json(v) => req.json(&v),
        };
        let (status, text) = match req.send().await {
            Ok(res) => read(res).await,
            Err(e) => (0, format!("transport error: {e}")),
        };
        if status != row.status || !text.contains(row.message) {
            let shown: String = text.split("<h1>").last().unwrap_or(&text).chars().take(300).collect();
            failures.push(format!(
                "{}: got {status} {shown:?}, want {} containing {:?}",
                row.name, row.status, row.message
            ));
        }
        let ran = s.log();
        if !ran.is_empty() {
            failures.push(format!("{}: the action ran: {ran:?}", row.name));
            s.state.log.clear();
        }
    }
    assert!(failures.is_empty(), "{} rows failed:\n{}", failures.len(), failures.join("\n"));
}

fn form(id: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut f = vec![("$action".to_string(), id.to_string())];
    f.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    f
}

#[tokio::test]
async fn methods_origins_and_fetch_metadata() {
    let s = start().await;
    let id = action_id(&s, "/", "f-increment").await;
    let host = s.url.trim_start_matches("http://").to_string();
    let port: u16 = host.rsplit(':').next().and_then(|p| p.parse().ok()).expect("port");
    let mut rows = vec![
        Row::new("PUT with the header", Body::Json(serde_json::json!([])), 405, "must be called with POST")
            .method("PUT")
            .header("serac-action", &id),
        Row::new(
            "DELETE with the header",
            Body::Json(serde_json::json!([])),
            405,
            "must be called with POST",
        )
        .method("DELETE")
        .header("serac-action", &id),
        Row::new("PATCH form", Body::Form(form(&id, &[])), 405, "must be called with POST").method("PATCH"),
    ];
    let origins = [
        ("Origin null", "null".to_string()),
        ("other scheme", format!("https://{host}")),
        ("other port", format!("http://127.0.0.1:{}", port.wrapping_add(1))),
        ("other host", "http://evil.example".to_string()),
        ("look-alike host", format!("http://127.0.0.1.evil.example:{port}")),
        ("userinfo trick", format!("http://{host}@evil.example")),
    ];
    for (name, origin) in origins {
        rows.push(
            Row::new(format!("Origin: {name}"), Body::Form(form(&id, &[])), 403, "does not match")
                .header("origin", origin),
        );
    }
    rows.push(
        Row::new("browser without Origin", Body::Form(form(&id, &[])), 403, "Forbidden")
            .header("origin", "-")
            .header("sec-fetch-site", "same-origin"),
    );
    rows.push(
        Row::new("Sec-Fetch-Site: cross-site", Body::Form(form(&id, &[])), 403, "cross-site requests cannot")
            .header("sec-fetch-site", "cross-site"),
    );
    rows.push(
        Row::new(
            "spoofed X-Forwarded-Host, untrusted peer",
            Body::Form(form(&id, &[])),
            403,
            "does not match",
        )
        .header("origin", "http://evil.example")
        .header("x-forwarded-host", "evil.example"),
    );
    rows.push(
        Row::new(
            "spoofed X-Forwarded-Proto, untrusted peer",
            Body::Form(form(&id, &[])),
            403,
            "does not match",
        )
        .header("origin", format!("https://{host}"))
        .header("x-forwarded-proto", "https"),
    );
    check(&s, rows).await;
    // The same-origin siblings are accepted: the matrix is not refusing everything.
    for site in ["same-origin", "none"] {
        let res = client()
            .post(format!("{}/", s.url))
            .header("origin", s.origin())
            .header("sec-fetch-site", site)
            .form(&form(&id, &[]))
            .send()
            .await
            .expect("POST");
        assert_eq!(res.status(), 303, "Sec-Fetch-Site: {site}");
    }
    assert_eq!(s.count("increment"), 2);
}

#[tokio::test]
async fn bodies_at_and_around_the_limit() {
    let s = start().await;
    // /limited allows 1024 bytes; the form's own fields come first.
    let id = action_id(&s, "/limited", "f-increment").await;
    let head = format!("%24action={id}&pad=");
    let body = |len: usize| {
        let mut b = head.clone().into_bytes();
        b.resize(len, b'a');
        b
    };
    let urlencoded = "application/x-www-form-urlencoded";
    let mut rows = Vec::new();
    for (len, status, message) in [(1023, 303, ""), (1024, 303, ""), (1025, 413, "limit of 1 KB")] {
        let mut row = Row::new(
            format!("{len} bytes on a 1024 limit"),
            Body::Raw(urlencoded, body(len)),
            status,
            message,
        );
        row.path = "/limited".into();
        rows.push(row);
    }
    let mut chunked = Row::new(
        "chunked, no length, over the limit",
        Body::Chunked(urlencoded, body(64 * 1024)),
        413,
        "limit of 1 KB",
    );
    chunked.path = "/limited".into();
    rows.push(chunked);
    // The two accepted rows ran; count them, then check the rest ran nothing.
    let (accepted, refused): (Vec<Row>, Vec<Row>) = rows.into_iter().partition(|r| r.status == 303);
    for row in accepted {
        let Body::Raw(ct, bytes) = row.body else { unreachable!("raw rows") };
        let res = client()
            .post(format!("{}{}", s.url, row.path))
            .header("origin", s.origin())
            .header("content-type", ct)
            .body(bytes)
            .send()
            .await
            .expect("POST");
        assert_eq!(res.status(), 303, "{}", row.name);
    }
    assert_eq!(s.count("increment"), 2);
    s.state.log.clear();
    check(&s, refused).await;
}

#[tokio::test]
async fn malformed_bodies() {
    let s = start().await;
    let id = action_id(&s, "/", "f-echo_fields").await;
    let multipart = |boundary: &str| format!("multipart/form-data; boundary={boundary}");
    let mp_head = format!("--XyZ\r\nContent-Disposition: form-data; name=\"$action\"\r\n\r\n{id}\r\n");
    let many_fields: String = std::iter::once(format!("%24action={id}"))
        .chain((0..10_000).map(|i| format!("f{i}=x")))
        .collect::<Vec<_>>()
        .join("&");
    let huge_header = format!(
        "{mp_head}--XyZ\r\nContent-Disposition: form-data; name=\"a\"; filename=\"{}\"\r\n\r\nx\r\n--XyZ--\r\n",
        "n".repeat(200_000)
    );
    let deep_json = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let ct: &'static str = Box::leak(multipart("XyZ").into_boxed_str());
    let rows = vec![
        Row::new(
            "multipart without a boundary",
            Body::Raw("multipart/form-data", mp_head.clone().into_bytes()),
            400,
            "boundary",
        )
        .header("serac-action", &id),
        Row::new(
            "multipart with an unterminated part",
            Body::Raw(
                ct,
                format!("{mp_head}--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nnever ends")
                    .into_bytes(),
            ),
            400,
            "could not be read",
        ),
        Row::new(
            "10 000 urlencoded fields",
            Body::Raw("application/x-www-form-urlencoded", many_fields.into_bytes()),
            400,
            "more than 1000 fields",
        ),
        Row::new(
            "a 200 KB part header",
            Body::Raw(ct, huge_header.into_bytes()),
            400,
            "longer than 1024 bytes",
        ),
        Row::new(
            "deeply nested JSON",
            Body::Raw("application/json", deep_json.into_bytes()),
            400,
            "JSON body is invalid",
        )
        .header("serac-action", &id),
        Row::new(
            "invalid UTF-8 JSON",
            Body::Raw("application/json", b"[\"\xff\xfe\"]".to_vec()),
            400,
            "JSON body is invalid",
        )
        .header("serac-action", &id),
        Row::new(
            "JSON of the wrong shape",
            Body::Raw("application/json", b"{\"args\": 3}".to_vec()),
            400,
            "must be an array",
        )
        .header("serac-action", &id),
        Row::new(
            "invalid UTF-8 urlencoded",
            Body::Raw(
                "application/x-www-form-urlencoded",
                [b"%24action=".as_slice(), id.as_bytes(), b"&a=%ff%fe"].concat(),
            ),
            400,
            "UTF-8",
        ),
        Row::new(
            "unknown content type with the header",
            Body::Raw("text/plain", b"hello".to_vec()),
            400,
            "is not accepted",
        )
        .header("serac-action", &id),
    ];
    check(&s, rows).await;
}

#[tokio::test]
async fn sealed_values_and_ids() {
    let s = start().await;
    let html = get(&s, "/").await;
    let fields = hidden(&html, "rename");
    let id = fields.iter().find(|(k, _)| k == "$action").map(|(_, v)| v.clone()).expect("id");
    let bound = fields.iter().find(|(k, _)| k == "$bound").map(|(_, v)| v.clone()).expect("bound");
    let with_bound = |b: &str| Body::Form(form(&id, &[("$bound", b), ("text", "x")]));
    let mut rows = Vec::new();
    // Every character of the sealed value, changed.
    for i in 0..bound.len() {
        let mut chars: Vec<char> = bound.chars().collect();
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let changed: String = chars.into_iter().collect();
        rows.push(Row::new(
            format!("$bound char {i} changed"),
            with_bound(&changed),
            400,
            "sealed data was modified",
        ));
    }
    for cut in [1, 10, bound.len() / 2, bound.len() - 1] {
        rows.push(Row::new(
            format!("$bound truncated by {cut}"),
            with_bound(&bound[..bound.len() - cut]),
            400,
            "sealed",
        ));
    }
    rows.push(Row::new("$bound empty", with_bound(""), 400, "sealed data was modified"));
    // Sealed for another action: the publish form's bound arguments.
    let other =
        hidden(&html, "publish").into_iter().find(|(k, _)| k == "$bound").map(|(_, v)| v).expect("other");
    rows.push(Row::new("$bound from another action", with_bound(&other), 400, "sealed data was modified"));
    // Sealed with a key that is no longer in the ring.
    let old = KeyRing::from_secrets(&[[8; 32]]).expect("old key");
    let stale = old.seal(&id, b"[42]");
    rows.push(Row::new(
        "$bound under a rotated-out key",
        with_bound(&stale),
        400,
        "sealed data was modified",
    ));
    // Ids.
    rows.push(Row::new(
        "over-long id",
        Body::Form(form(&"a".repeat(10_000), &[])),
        404,
        "This form was out of date",
    ));
    rows.push(Row::new(
        "id of the right shape, unknown",
        Body::Form(form(&"0".repeat(40), &[])),
        404,
        "This form was out of date",
    ));
    rows.push(
        Row::new(
            "unknown id in the header",
            Body::Json(serde_json::json!([])),
            404,
            "not known to the server",
        )
        .header("serac-action", "f".repeat(40)),
    );
    rows.push(Row::new("empty $action", Body::Form(form("", &[])), 400, "does not say which action"));
    check(&s, rows).await;
}

#[tokio::test]
async fn file_names_never_carry_a_path() {
    let s = start().await;
    let id = action_id(&s, "/", "f-upload").await;
    // `None`: refused outright (a NUL byte is not valid in a part header).
    for (name, want) in [
        ("../../etc/passwd", Some("passwd")),
        ("..\\..\\windows\\system.ini", Some("system.ini")),
        ("/absolute/name.txt", Some("name.txt")),
        ("a\u{0}b.txt", None),
        ("..", Some("")),
    ] {
        let part = reqwest::multipart::Part::bytes(b"x".to_vec()).file_name(name.to_string());
        let form = reqwest::multipart::Form::new().text("$action", id.clone()).part("file", part);
        let res = client()
            .post(format!("{}/", s.url))
            .header("origin", s.origin())
            .header(serac::protocol::ACTION_HEADER, &id)
            .multipart(form)
            .send()
            .await
            .expect("POST");
        let status = res.status().as_u16();
        let envelope: serac::protocol::Envelope = res.json().await.expect("envelope");
        match want {
            Some(want) => assert_eq!(envelope.result[0]["name"], want, "{name:?}: {envelope:?}"),
            None => {
                assert_eq!(status, 400, "{name:?}: {envelope:?}");
                assert_eq!(s.count("upload"), 3, "refused before the action ran");
            }
        }
    }
}
