//! Server queries (B19): reads called with `GET`, their arguments in the
//! URL, cacheable by the browser.
//!
//! `#[serac::query]` marks an `async fn` that reads. It takes the same
//! parameters as an action, except those that come from a form or a page
//! (`Form`, `FormData`, `PrevState`, `Bound`): [`State`],
//! [`Auth`](crate::Auth), [`Cx`](crate::Cx) (to read headers and cookies)
//! and JSON arguments. It stays a plain function, so a page handler calls it
//! directly and renders the data with no extra request:
//!
//! ```rust
//! use serac::prelude::*;
//!
//! #[derive(Clone, Default)]
//! struct Invoices(Vec<String>);
//!
//! /// The customers whose name contains `q`.
//! #[serac::query]
//! async fn search(State(all): State<Invoices>, q: String) -> Result<Vec<String>, ActionError> {
//!     Ok(all.0.iter().filter(|c| c.contains(&q)).cloned().collect())
//! }
//!
//! async fn page(page: Page, state: State<Invoices>) -> maud::Markup {
//!     // A plain call: the first render has the data.
//!     let first = search(state, String::new()).await.unwrap_or_default();
//!     let url = page.query_url(search::query(), &("acme",)); // for scripts
//!     maud::html! { p data-url=(url) { (first.len()) " customers" } }
//! }
//! # fn main() {}
//! ```
//!
//! Over HTTP, `GET /_serac/q/<id>?a=<JSON array>` answers the result as
//! JSON with a strong `ETag` (a hash of the answer) and `Cache-Control:
//! private, no-cache`, so the browser revalidates and gets `304` while the
//! data is the same; any change (say, after an action's `revalidate_tag`
//! dropped the cached data the query reads) gives a new `ETag`. A query that
//! answers the same to everyone may say how its answer is kept instead:
//! `#[serac::query(cache_control = "public, max-age=60")]`. A query is
//! never posted: its id in a `POST` is refused (`405`), so it cannot be a
//! way to change data from another site. See `docs/protocol.md`, "Queries".
//!
//! A query's freshness follows the data it reads: through `cx.cache()` with
//! tags, its next answer is fresh once an action revalidates one of them.
//! A query whose answer is the same for every caller may declare tags of
//! its own, `#[serac::query(tags = ["plans"], keep_secs = 300)]`: its
//! answers are then kept in the data cache (shared by instances with
//! `serac-redis`) by its arguments, and the function runs again only once
//! an action revalidates one of those tags or the time is up. Such a query
//! takes only `State<T>` and JSON arguments ([`SharedParam`]): it cannot
//! read the caller, so one caller's answer is never another's.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::action::{ActionDef, State};

/// A parameter a query with `tags` may take: its answer is kept on the
/// server by its arguments alone and given to every caller, so it cannot
/// read who is calling.
#[diagnostic::on_unimplemented(
    message = "a query with `tags` cannot take `{Self}`: its answer is kept on the server by its arguments alone and given to every caller",
    label = "reads the caller",
    note = "take only `State<T>` and JSON arguments, or drop `tags` and load per-caller data through `cx.cache()` with tags instead"
)]
pub trait SharedParam {}

impl<T> SharedParam for State<T> {}

impl<T: DeserializeOwned> SharedParam for T {}

/// A reference to a query, from `my_query::query()`.
#[derive(Debug, Clone, Copy)]
pub struct QueryRef {
    def: &'static ActionDef,
}

impl QueryRef {
    #[doc(hidden)]
    pub const fn new(def: &'static ActionDef) -> Self {
        Self { def }
    }

    /// The Rust path of the query function.
    pub fn path(&self) -> &'static str {
        self.def.path()
    }

    pub(crate) fn def(&self) -> &'static ActionDef {
        self.def
    }
}

/// Where queries are read: `/_serac/q/<id>`.
pub const QUERY_PREFIX: &str = "/_serac/q/";

/// Where several queries are read in one request:
/// `/_serac/qb?u=<query URL>&u=…`.
pub const QUERY_BATCH_PATH: &str = "/_serac/qb";

/// The URL of query `id` with `args` (a tuple or a slice: a JSON array;
/// `&()` for none).
///
/// # Panics
/// When `args` does not serialize to a JSON array (a programming error).
pub(crate) fn url_of<A: Serialize + ?Sized>(id: &str, args: &A) -> String {
    let json = serde_json::to_string(args).expect("query arguments must serialize to JSON");
    // `&()`, no arguments, is `null`.
    let json = if json == "null" { "[]".to_string() } else { json };
    assert!(json.starts_with('['), "query arguments must be a tuple or a slice (a JSON array), not {json}");
    let mut url = String::with_capacity(QUERY_PREFIX.len() + id.len() + json.len() + 8);
    url.push_str(QUERY_PREFIX);
    url.push_str(id);
    if json != "[]" {
        url.push_str("?a=");
        url.extend(form_urlencoded::byte_serialize(json.as_bytes()));
    }
    url
}
