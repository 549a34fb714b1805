//! Repeated calls: a JavaScript call may carry a key in the
//! `serac-idempotency-key` header; a repeat of the *same request* with that
//! key (a retry after a network error, a double submit) does not run the
//! action again but gets the first answer.
//!
//! "The same request" is the same action, page, host, cookies,
//! `Authorization` header and body: their
//! hash (the fingerprint) is stored with the key. A key reused by another
//! request, or by another caller, is refused with `409`; it never gets the
//! first caller's answer (which may set their cookies). A repeat that
//! arrives while the first runs waits for it. If the first is cancelled (its
//! client went away), the key is released and the next repeat runs the
//! action: a cancelled action did not complete. An answer too large for the
//! store is not kept; a repeat of it is refused (`409`), not run again.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use http::request::Parts;
use http_body_util::BodyExt as _;
use sha2::{Digest as _, Sha256};

use crate::app::App;
use crate::error::Rejection;
use crate::idempotency::{Claim, Fingerprint, IdempotencyStore, StoredAnswer};
use crate::protocol::{IDEMPOTENCY_HEADER, names};

/// The longest key accepted.
pub(crate) const MAX_KEY_LEN: usize = 128;

/// The key a call came with, and what makes its request that request.
#[derive(Debug, Clone)]
pub(super) struct Key {
    key: String,
    fingerprint: Fingerprint,
}

impl Key {
    /// The call's key, when it has one (`<id>:<key>`); a malformed key is
    /// refused before anything runs.
    pub(super) fn of(parts: &Parts, id: &str, body: &[u8]) -> Result<Option<Self>, Rejection> {
        let Some(value) = parts.headers.get(&names::IDEMPOTENCY) else { return Ok(None) };
        let visible = |k: &&str| k.bytes().all(|b| b.is_ascii_graphic());
        let Some(key) =
            value.to_str().ok().filter(|k| !k.is_empty() && k.len() <= MAX_KEY_LEN).filter(visible)
        else {
            return Err(Rejection::BadPayload(format!(
                "the {IDEMPOTENCY_HEADER} header must be 1 to {MAX_KEY_LEN} visible ASCII characters"
            )));
        };
        let mut hash = Sha256::new();
        // Length-prefixed, so that no two different requests hash alike.
        let mut part = |bytes: &[u8]| {
            hash.update((bytes.len() as u64).to_be_bytes());
            hash.update(bytes);
        };
        part(id.as_bytes());
        part(parts.uri.path_and_query().map_or("/", |p| p.as_str()).as_bytes());
        // The caller, however the app tells callers apart: its cookies, an
        // `Authorization` header, the site it asked for (the `Host` header,
        // or the request line's authority where there is none, as the
        // guard reads it). Each list is preceded by its length, so that a
        // cookie cannot pass for a credential.
        for name in [http::header::COOKIE, http::header::AUTHORIZATION] {
            let values = parts.headers.get_all(&name);
            part(&(values.iter().count() as u64).to_be_bytes());
            for value in values {
                part(value.as_bytes());
            }
        }
        let host = parts.headers.get(http::header::HOST).map(|v| v.as_bytes());
        part(host.or_else(|| parts.uri.authority().map(|a| a.as_str().as_bytes())).unwrap_or_default());
        part(parts.headers.get(http::header::CONTENT_TYPE).map_or(&b""[..], |v| v.as_bytes()));
        part(body);
        Ok(Some(Self { key: format!("{id}:{key}"), fingerprint: hash.finalize().into() }))
    }
}

/// Runs `run` once for `key`, or answers as its first run did.
pub(super) async fn once<F>(
    app: &App,
    key: Key,
    max_duration: Duration,
    run: F,
) -> Result<Response, Rejection>
where
    F: Future<Output = Response> + Send,
{
    let store = &app.idempotency;
    // A claim outlives the longest the action may run, and a little.
    let running_for = max_duration + Duration::from_secs(30);
    let mut wait = Duration::from_millis(10);
    let mut waited = Duration::ZERO;
    loop {
        match store.claim(&key.key, &key.fingerprint, running_for).await {
            Ok(Claim::Run) => break,
            Ok(Claim::Done(answer)) => return Ok(response(answer)),
            Ok(Claim::NotKept) => return Err(Rejection::AnswerNotKept),
            Ok(Claim::Conflict) => return Err(Rejection::IdempotencyConflict),
            Ok(Claim::Running) if waited < running_for => {
                tokio::time::sleep(wait).await;
                waited += wait;
                wait = (wait * 2).min(Duration::from_millis(200));
            }
            Ok(Claim::Running) => return Err(Rejection::AnswerNotKept),
            // The store is unreachable (Redis down): run without the
            // guarantee rather than refuse every call; logged.
            Err(e) => {
                tracing::warn!(error = %e, "idempotency store unreachable; the call runs without its key");
                return Ok(run.await);
            }
        }
    }
    let guard = Release { store: app.idempotency.clone(), key: Some(key.clone()) };
    let answer = run.await;
    let answer = keep(app, &key, answer).await;
    guard.disarm();
    Ok(answer)
}

/// Stores `answer` for repeats (or that it was too large to keep) and gives
/// back an equal response.
async fn keep(app: &App, key: &Key, answer: Response) -> Response {
    // A streamed answer is never buffered: the action ran, its answer is
    // not kept, and a repeat is told so (as for an answer too large).
    if answer.extensions().get::<super::respond::Streamed>().is_some() {
        if let Err(e) =
            app.idempotency.finish(&key.key, &key.fingerprint, None, app.config.idempotency_keep_for).await
        {
            tracing::warn!(error = %e, "idempotency store unreachable; a streamed answer's key is not finished");
        }
        return answer;
    }
    let (parts, body) = answer.into_parts();
    // Envelopes and error pages are built in memory: collecting cannot fail
    // or grow without bound.
    let body = body.collect().await.map(|c| c.to_bytes()).unwrap_or_default();
    let stored = StoredAnswer { status: parts.status, headers: parts.headers, body };
    let fits = stored.weight() <= app.config.idempotency_max_answer;
    let kept = fits.then_some(&stored);
    if let Err(e) =
        app.idempotency.finish(&key.key, &key.fingerprint, kept, app.config.idempotency_keep_for).await
    {
        tracing::warn!(error = %e, "idempotency store unreachable; the answer is not kept for repeats");
    }
    response(stored)
}

fn response(answer: StoredAnswer) -> Response {
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = answer.status;
    *response.headers_mut() = answer.headers;
    response
}

/// Releases the claim when the run is dropped before it finished (the
/// client went away), so that a retry runs the action.
struct Release {
    store: Arc<dyn IdempotencyStore>,
    key: Option<Key>,
}

impl Release {
    fn disarm(mut self) {
        self.key = None;
    }
}

impl Drop for Release {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let store = self.store.clone();
            // Drop cannot wait: the release runs on its own.
            tokio::spawn(async move {
                if let Err(e) = store.release(&key.key, &key.fingerprint).await {
                    tracing::warn!(error = %e, "idempotency store unreachable; a cancelled call keeps its key");
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fingerprint(request: http::request::Builder) -> Fingerprint {
        let (parts, ()) = request.header(IDEMPOTENCY_HEADER, "k").body(()).expect("request").into_parts();
        Key::of(&parts, "id", b"[]").expect("valid").expect("a key").fingerprint
    }

    // Regression: the cookie and credential lists were hashed one after the
    // other without their lengths, so either could pass for the other.
    #[test]
    fn a_cookie_cannot_pass_for_a_credential() {
        let cookie = fingerprint(http::Request::post("/").header("cookie", "x"));
        let credentials = fingerprint(http::Request::post("/").header("authorization", "x"));
        assert_ne!(cookie, credentials);
    }

    #[test]
    fn the_site_counts_from_the_host_header_or_the_request_line() {
        let header = fingerprint(http::Request::post("/").header("host", "a.example"));
        let line = fingerprint(http::Request::post("http://a.example/"));
        let other = fingerprint(http::Request::post("http://b.example/"));
        assert_eq!(header, line, "the same site, however it is named");
        assert_ne!(line, other);
    }
}
