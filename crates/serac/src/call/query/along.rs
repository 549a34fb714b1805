//! Single flight: the fresh results of the queries a page shows, in the
//! answer of the action that changed them, so no second request follows a
//! mutation.
//!
//! The client names the queries in `serac-queries` (their URLs, as a `GET`
//! would read them). What comes back is exactly what those `GET`s would
//! answer the same caller at that moment, and nothing else:
//! - only queries: an action's id, or any URL that is not a query's, is an
//!   error entry and runs nothing;
//! - read after the action, once the cache has forgotten what it
//!   invalidated, with the request's headers and extensions and the cookies
//!   as the action left them (a sign-in's new session reads as the page
//!   rendered next would);
//! - only to a call that passed the action guard (same origin), in a JSON
//!   body no other site can read, and only when the action succeeded
//!   without redirecting (the page that asked is still the one shown).
//!
//! Each query read along runs under its own time limit, and at most 10 s
//! (waiting for another reader of a kept answer included); all of them
//! together at most 15 s.
//!
//! The list is checked before the action runs: more than [`MAX_QUERIES`]
//! URLs, or one that is not a query URL, refuses the call with `400` and
//! nothing runs.

use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, Request};

use super::read;
use crate::app::App;
use crate::call::render::headers_after;
use crate::cookies::Cookies;
use crate::cx::Cx;
use crate::error::Rejection;
use crate::protocol::{MAX_QUERIES, QUERIES_HEADER, QueryResult, names};
use crate::query::QUERY_PREFIX;

/// The longest a query read along with an action may take, whatever its own
/// limit: the call's idempotency claim outlives the action by 30 s, and the
/// answer, queries included, must be written within it, or a retry with the
/// same key would run the action again.
const MAX_DURATION: Duration = Duration::from_secs(10);

/// The longest all of them together may take: a batch query whose gathered
/// run failed runs again item by item, each under [`MAX_DURATION`].
const MAX_TOTAL: Duration = Duration::from_secs(15);

/// The query URLs a call names in `serac-queries`; none without it.
pub(crate) fn requested(headers: &HeaderMap) -> Result<Vec<String>, Rejection> {
    // A scan, not a lookup: hashing a custom header name costs more than
    // comparing the few names a request has, and it is on every call while
    // few calls carry this header.
    let Some(value) = headers.iter().find(|(name, _)| **name == names::QUERIES).map(|(_, value)| value)
    else {
        return Ok(Vec::new());
    };
    let bad = || {
        Rejection::BadPayload(format!(
            "{QUERIES_HEADER} lists query URLs ({QUERY_PREFIX}…), separated by spaces, at most {MAX_QUERIES}"
        ))
    };
    let urls: Vec<String> =
        value.to_str().map_err(|_| bad())?.split_ascii_whitespace().map(str::to_string).collect();
    if urls.len() > MAX_QUERIES || urls.iter().any(|u| !u.starts_with(QUERY_PREFIX)) {
        return Err(bad());
    }
    Ok(urls)
}

/// Reads `urls` as the request of `cx` would, with the cookies the action
/// left.
pub(crate) async fn fresh(
    app: &Arc<App>,
    urls: &[String],
    cx: &Cx,
    cookies: Option<&Cookies>,
) -> Vec<QueryResult> {
    let (mut parts, ()) = Request::new(()).into_parts();
    // A query cannot tell it was read along with an action.
    parts.headers = headers_after(cx.headers(), cookies, &[&names::QUERIES, &names::IDEMPOTENCY]);
    parts.extensions = cx.extensions().clone();
    let outcomes =
        match tokio::time::timeout(MAX_TOTAL, read::run_all(app, urls, &parts, Some(MAX_DURATION))).await {
            Ok(outcomes) => outcomes,
            Err(_elapsed) => {
                let timeout = read::envelope_error(app, &crate::error::ActionError::Timeout(MAX_TOTAL), None);
                vec![Err(timeout); urls.len()]
            }
        };
    urls.iter().cloned().zip(outcomes).map(|(url, outcome)| read::result_of(url, outcome)).collect()
}
