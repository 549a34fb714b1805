//! Server queries (B19): reads called with `GET`, their arguments in the
//! URL, cacheable by the browser.
//!
//! `#[serac::query]` marks an `async fn` that reads. It takes the same
//! parameters as an action, except those that come from a form or a page
//! (`Form`, `FormData`, `PrevState`, `Bound`): [`State`](crate::State),
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

use serde::Serialize;

use crate::action::ActionDef;

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
