//! Reading a list of queries at once: the calls of a batch (`/_serac/qb`)
//! and the queries an action's answer brings back fresh (`serac-queries`).
//!
//! Each query is named by its URL, exactly as a `GET` of it would be, and is
//! looked up and decoded on its own: one bad URL is that entry's error, not
//! the whole list's. Calls of one *batch* query (`#[query(batch)]`) are
//! gathered and the function runs once with all their items, which is what
//! turns n reads of one row into one read of n rows; every other query runs
//! on its own, all of them at the same time.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use http::request::Parts;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::super::prepare::lookup;
use super::super::respond::public_message;
use crate::action::{ActionDef, Call, invoke};
use crate::app::App;
use crate::cx::Cx;
use crate::error::{ActionError, Rejection};
use crate::payload::Payload;
use crate::protocol::{EnvelopeError, QueryResult};
use crate::query::QUERY_PREFIX;

/// What one query gave: its result, or its error (its own, or the refusal
/// of its URL) as an answer says it.
pub(super) type Outcome = Result<Value, EnvelopeError>;

/// The query a URL names and its arguments: `/_serac/q/<id>?a=<JSON array>`.
pub(super) fn target(app: &App, url: &str) -> Result<(&'static ActionDef, Vec<Value>), Rejection> {
    // As a `GET` of it would be: the query sees its own URL (`cx.uri()`).
    if url.parse::<http::Uri>().is_err() {
        return Err(Rejection::BadPayload(
            "a query URL must be a valid URL (/_serac/q/<id>?a=…)".to_string(),
        ));
    }
    let (path, query) = url.split_once('?').map_or((url, None), |(p, q)| (p, Some(q)));
    resolve(app, path, query)
}

/// The query at `path` (`/_serac/q/<id>`) and its arguments from the query
/// string: what a single `GET` and a list of URLs both read.
pub(super) fn resolve(
    app: &App,
    path: &str,
    query: Option<&str>,
) -> Result<(&'static ActionDef, Vec<Value>), Rejection> {
    let id = path.strip_prefix(QUERY_PREFIX).ok_or(Rejection::UnknownAction)?;
    let def = lookup(app, id).filter(|d| d.is_query()).ok_or(Rejection::UnknownAction)?;
    let args = arguments(query)?;
    if def.is_batch() && args.len() != 1 {
        return Err(Rejection::BadPayload(
            "a batch query is read one item at a time: its arguments (a=…) are a JSON array of one item"
                .to_string(),
        ));
    }
    Ok((def, args))
}

/// The arguments in `a=<JSON array>`; none without it.
fn arguments(query: Option<&str>) -> Result<Vec<Value>, Rejection> {
    let Some(raw) = query.and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "a")) else {
        return Ok(Vec::new());
    };
    match serde_json::from_str::<Value>(&raw.1) {
        Ok(Value::Array(args)) => Ok(args),
        _ => Err(Rejection::BadPayload("the query's arguments (a=…) must be a JSON array".to_string())),
    }
}

/// Runs query `def` with `args`, as the request `parts` describe (headers,
/// cookies, extensions), under its time limit (at most `cap`). A batch
/// query is given its one item as a list of one.
pub(super) async fn run_one(
    app: &App,
    def: &'static ActionDef,
    args: Vec<Value>,
    parts: Parts,
    cap: Option<Duration>,
) -> Outcome {
    if def.is_batch() {
        return run_batch(app, def, args, parts, cap).await.map(|mut results| results.swap_remove(0));
    }
    invoke_query(app, def, args, parts, cap, None).await
}

/// Reads every URL of `urls`, as the request `parts` describe, each query
/// under its time limit (at most `cap`), and answers one outcome per URL, in
/// order. A URL named twice (the same text) is read once.
pub(super) async fn run_all(
    app: &Arc<App>,
    urls: &[String],
    parts: &Parts,
    cap: Option<Duration>,
) -> Vec<Outcome> {
    let mut outcomes: Vec<Option<Outcome>> = urls.iter().map(|_| None).collect();
    // The calls of each batch query, gathered: (query, [(position, item)]).
    let mut batches: Vec<(&'static ActionDef, Vec<(usize, Value)>)> = Vec::new();
    let mut singles = Vec::new();
    // (position, position of the same URL's first mention).
    let mut repeats = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        if let Some(first) = urls[..i].iter().position(|u| u == url) {
            repeats.push((i, first));
            continue;
        }
        match target(app, url) {
            Err(rejection) => outcomes[i] = Some(Err(EnvelopeError::refused(&rejection))),
            Ok((def, args)) if def.is_batch() => {
                let item = args.into_iter().next().unwrap_or_default();
                match batches.iter_mut().find(|(d, _)| std::ptr::eq(*d, def)) {
                    Some((_, calls)) => calls.push((i, item)),
                    None => batches.push((def, vec![(i, item)])),
                }
            }
            Ok((def, args)) => singles.push((i, def, args)),
        }
    }
    let singles = join_all(singles.into_iter().map(|(i, def, args)| {
        let parts = for_url(parts, &urls[i]);
        async move { (i, run_one(app, def, args, parts, cap).await) }
    }));
    let batches = join_all(batches.into_iter().map(|(def, calls)| async move {
        let (at, items): (Vec<usize>, Vec<Value>) = calls.into_iter().unzip();
        match run_batch(app, def, items, for_url(parts, &urls[at[0]]), cap).await {
            Ok(values) => (at, values.into_iter().map(Ok).collect()),
            // One item that does not decode must not fail the others: each
            // runs alone (read from its URL again: the rare case pays), and
            // only its own call gets the error.
            Err(error) if error.status == 400 && at.len() > 1 => {
                let each = join_all(at.iter().map(|&i| run_url(app, &urls[i], parts, cap))).await;
                (at, each)
            }
            Err(error) => {
                let n = at.len();
                (at, vec![Err(error); n])
            }
        }
    }));
    let (singles, batches) = futures_util::future::join(singles, batches).await;
    for (i, outcome) in singles {
        outcomes[i] = Some(outcome);
    }
    for (at, results) in batches {
        for (i, outcome) in at.into_iter().zip::<Vec<Outcome>>(results) {
            outcomes[i] = Some(outcome);
        }
    }
    for (i, first) in repeats {
        outcomes[i] = outcomes[first].clone();
    }
    // Every position was filled above: a refusal, a single or a batch call.
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Err(EnvelopeError::refused(&Rejection::UnknownAction))))
        .collect()
}

/// Reads the query at `url` alone.
async fn run_url(app: &App, url: &str, parts: &Parts, cap: Option<Duration>) -> Outcome {
    match target(app, url) {
        Ok((def, args)) => run_one(app, def, args, for_url(parts, url), cap).await,
        Err(rejection) => Err(EnvelopeError::refused(&rejection)),
    }
}

/// The request parts for reading `url`: the same headers, cookies and
/// extensions, at the query's URI.
fn for_url(parts: &Parts, url: &str) -> Parts {
    let mut parts = parts.clone();
    parts.method = http::Method::GET;
    if let Ok(uri) = url.parse() {
        parts.uri = uri;
    }
    parts
}

/// Runs batch query `def` once with every item: one result per item, in
/// order, or one error for all.
async fn run_batch(
    app: &App,
    def: &'static ActionDef,
    items: Vec<Value>,
    parts: Parts,
    cap: Option<Duration>,
) -> Result<Vec<Value>, EnvelopeError> {
    let n = items.len();
    match invoke_query(app, def, vec![Value::Array(items)], parts, cap, Some(n)).await? {
        // Checked in `run_query` already; again here for an answer another
        // build kept in a shared cache.
        Value::Array(results) if results.len() == n => Ok(results),
        other => Err(wrong_count(app, def, n, &other)),
    }
}

/// Whether a batch query's `value` is one result for each of `n` items.
fn one_per_item(n: usize, value: &Value) -> bool {
    matches!(value, Value::Array(results) if results.len() == n)
}

/// The error of a batch query that did not return one result per item.
fn wrong_count(app: &App, def: &'static ActionDef, n: usize, value: &Value) -> EnvelopeError {
    let got = match value {
        Value::Array(results) => format!("{} results", results.len()),
        _ => "something other than a list".to_string(),
    };
    let error = ActionError::internal(format!(
        "the batch query {} was given {n} items and returned {got}: it must return one result per item, in order",
        def.path()
    ));
    let digest = invoke::digest();
    tracing::error!(query = def.path(), digest = %digest, "{error}");
    envelope_error(app, &error, Some(digest))
}

/// Runs query `def` with `args` under its time limit, at most `cap`; a
/// query with tags answers from the data cache while its answer is kept
/// there (by its path and a hash of its arguments, under its tags). A batch
/// query's run with `items` items must give that many results.
async fn invoke_query(
    app: &App,
    def: &'static ActionDef,
    args: Vec<Value>,
    parts: Parts,
    cap: Option<Duration>,
    items: Option<usize>,
) -> Outcome {
    if def.tags().is_empty() {
        return run_query(app, def, args, parts, cap, items).await;
    }
    // A hash, not the arguments: a key stays short however long the URL
    // (padding them with fields the query ignores cannot grow the store's
    // keys).
    let key = kept_key(def.path(), &args);
    let loader = || run_query(app, def, args, parts, cap, items);
    // Boxed: the cache's future is large, and a query without tags (the
    // common read) should not carry it.
    let load = Box::pin(app.cache.load(&key, def.tags(), def.keep_for(), loader));
    match cap {
        // The cap counts the wait for another reader of the same key too.
        Some(cap) => tokio::time::timeout(cap, load)
            .await
            .unwrap_or_else(|_elapsed| Err(envelope_error(app, &ActionError::Timeout(cap), None))),
        None => load.await,
    }
}

/// The cache key of a tagged query's answer: its path and a hash of its
/// arguments.
fn kept_key(path: &str, args: &[Value]) -> String {
    // Arguments always serialize: they were parsed from JSON.
    let hash = Sha256::digest(serde_json::to_vec(args).unwrap_or_default());
    format!("query:{path}:{}", hex::encode(&hash[..16]))
}

/// Runs query `def` with `args` under its time limit, at most `cap`. A
/// wrong count of a batch query's results is an error here, inside the
/// cache's loader, so it is never kept.
async fn run_query(
    app: &App,
    def: &'static ActionDef,
    args: Vec<Value>,
    parts: Parts,
    cap: Option<Duration>,
    items: Option<usize>,
) -> Outcome {
    let own = def.max_duration().unwrap_or(app.config.max_duration);
    let max_duration = cap.map_or(own, |cap| own.min(cap));
    let cx = Cx::for_call(def.path(), app.states.clone(), parts, None, app.cache.clone());
    let mut call = Call::new(cx, Arc::new(Payload::default()), app.config.mode);
    call.args = args.into();
    let finished = invoke::run(def, call, max_duration).await;
    if finished.stream.is_some() {
        let error = ActionError::internal("a query cannot stream its result: return a value");
        let digest = invoke::digest();
        tracing::error!(query = def.path(), digest = %digest, "{error}");
        return Err(envelope_error(app, &error, Some(digest)));
    }
    let value = finished.result.map_err(|error| envelope_error(app, &error, finished.digest))?;
    match items {
        Some(n) if !one_per_item(n, &value) => Err(wrong_count(app, def, n, &value)),
        _ => Ok(value),
    }
}

/// The strong `ETag` of an answer's bytes: the first 16 bytes of its
/// SHA-256 in hex, quoted. Written into a buffer on the stack: every read
/// computes one.
pub(super) fn etag_bytes(body: &[u8]) -> [u8; 34] {
    let mut out = [b'"'; 34];
    // 16 bytes are 32 hex digits: the slice is exactly that long.
    let _ = hex::encode_to_slice(&Sha256::digest(body)[..16], &mut out[1..33]);
    out
}

/// [`etag_bytes`] as text, for a batch's entries.
pub(super) fn etag_of(body: &[u8]) -> String {
    // Quotes and hex digits: always ASCII.
    String::from_utf8_lossy(&etag_bytes(body)).into_owned()
}

/// The error part of an answer.
pub(super) fn envelope_error(app: &App, error: &ActionError, digest: Option<String>) -> EnvelopeError {
    EnvelopeError {
        kind: error.kind().to_string(),
        status: error.status().as_u16(),
        message: public_message(error, digest.as_deref(), app.config.mode),
        fields: match error {
            ActionError::Validation(f) => Some(f.clone()),
            _ => None,
        },
        digest,
    }
}

/// An outcome as the entry of a batch or of an envelope's `queries`.
pub(super) fn result_of(url: String, outcome: Outcome) -> QueryResult {
    match outcome {
        Ok(value) => {
            // A `Value` always serializes.
            let body = serde_json::to_vec(&value).unwrap_or_default();
            QueryResult { url, ok: true, etag: Some(etag_of(&body)), result: value, error: None }
        }
        Err(error) => QueryResult { url, ok: false, result: Value::Null, etag: None, error: Some(error) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_answers_key_stays_short_however_long_the_arguments() {
        let padded = vec![serde_json::json!({ "plan": "p", "junk": "x".repeat(60_000) })];
        let key = kept_key("app::plans", &padded);
        assert!(key.starts_with("query:app::plans:") && key.len() < 64, "{key}");
        assert_eq!(key, kept_key("app::plans", &padded), "the same arguments, the same key");
        assert_ne!(key, kept_key("app::plans", &[serde_json::json!({ "plan": "p" })]));
        assert_ne!(key, kept_key("app::other", &padded));
    }

    #[test]
    fn the_etag_is_the_quoted_hex_of_the_first_16_bytes_of_the_sha256() {
        for body in [&b""[..], b"[\"acme\"]", &[0xff; 300]] {
            let expected = format!("\"{}\"", hex::encode(&Sha256::digest(body)[..16]));
            assert_eq!(etag_of(body), expected);
            assert_eq!(&etag_bytes(body)[..], expected.as_bytes());
        }
    }
}
