//! The same small app twice: with Serac, and as hand-written axum handlers
//! doing the same work (the floor Serac is measured against).
//!
//! Besides the counter's page and actions, both apps search a small fixed
//! list of customers: Serac through the query [`search()`], read with `GET`
//! at [`serac_query_url`], and axum through `GET /search?q=`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use maud::{DOCTYPE, Markup, html};
use serac::config::Mode;
use serac::prelude::*;
use serac::query::QUERY_PREFIX;
use serac::{ActionService, KeyRing};

/// The counter both apps increment.
#[derive(Debug, Clone, Default)]
pub struct Counter(pub Arc<AtomicU64>);

/// Adds one and returns the new value.
#[serac::action]
pub async fn increment(cx: Cx) -> Result<u64, ActionError> {
    let counter = cx.state::<Counter>()?;
    Ok(counter.0.fetch_add(1, Ordering::Relaxed) + 1)
}

/// Adds `by` (bound in the page) and returns the new value.
#[serac::action]
pub async fn increment_by(cx: Cx, Bound(by): Bound<u64>) -> Result<u64, ActionError> {
    let counter = cx.state::<Counter>()?;
    Ok(counter.0.fetch_add(by, Ordering::Relaxed) + by)
}

/// Adds one and asks for the page to be rendered again (revalidated), so
/// the answer carries the fresh page in the same round trip.
#[serac::action]
pub async fn increment_and_revalidate(cx: Cx) -> Result<u64, ActionError> {
    let counter = cx.state::<Counter>()?;
    cx.revalidate_path("/");
    Ok(counter.0.fetch_add(1, Ordering::Relaxed) + 1)
}

/// The customers both apps search: small and in memory, so the figures are
/// the cost of the request's path and not of the data.
const CUSTOMERS: [&str; 12] = [
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "black mesa",
    "wayne",
    "tyrell",
    "cyberdyne",
    "soylent",
    "aperture",
    "spacely",
];

/// What the benchmarks search for: three customers contain it.
pub const SEARCH: &str = "ac";

/// The customers whose name contains `q`: the work both apps' searches do.
fn matching(q: &str) -> Vec<String> {
    CUSTOMERS.iter().filter(|c| c.contains(q)).map(|c| (*c).to_string()).collect()
}

/// The customers whose name contains `q`.
#[serac::query]
pub async fn search(q: String) -> Result<Vec<String>, ActionError> {
    Ok(matching(&q))
}

/// Where the Serac app answers `search` for [`SEARCH`]: the URL
/// `page.query_url(search::query(), &(SEARCH,))` gives a script, built
/// here from the keys (as load generators find action ids) so that no page
/// has to render it and every scenario keeps its own page. The test below
/// checks the two agree.
pub fn serac_query_url(keys: &KeyRing) -> String {
    // `[SEARCH]` as JSON, URL-encoded as the page writes it: SEARCH is
    // letters, so only the brackets and quotes are escaped.
    let id = keys.action_id(search::query().path());
    format!("{QUERY_PREFIX}{id}?a=%5B%22{SEARCH}%22%5D")
}

fn page_html(n: u64, form: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html { head { title { "Counter " (n) } } body { p #count { "Count: " (n) } (form) } }
    }
}

async fn serac_page(State(counter): State<Counter>, page: Page) -> Markup {
    let n = counter.0.load(Ordering::Relaxed);
    let form = page.form(increment::action()).shows_result().body(html! { button { "Add one" } });
    // Ids for load generators: the plain action and the revalidating one.
    let ids = html! {
        span #ids data-increment=(page.id(increment::action()))
            data-revalidate=(page.id(increment_and_revalidate::action())) {}
    };
    page_html(n, html! { (form) (ids) })
}

/// The Serac app: `/` with an action form; its layer also answers the
/// query [`search()`] (every query linked in is served).
pub fn serac_app(keys: KeyRing) -> ActionService<Router> {
    let counter = Counter::default();
    let router = Router::new().route("/", get(serac_page)).with_state(counter.clone());
    ActionLayer::new(Config::new(keys).mode(Mode::Production)).with_state(counter).wrap(router)
}

async fn axum_page(State(counter): State<Counter>) -> Markup {
    let n = counter.0.load(Ordering::Relaxed);
    page_html(n, html! { form method="post" action="/form" { button { "Add one" } } })
}

async fn axum_increment(State(counter): State<Counter>) -> axum::Json<serde_json::Value> {
    let n = counter.0.fetch_add(1, Ordering::Relaxed) + 1;
    axum::Json(serde_json::json!({ "ok": true, "result": n }))
}

async fn axum_revalidate(State(counter): State<Counter>) -> axum::Json<serde_json::Value> {
    let n = counter.0.fetch_add(1, Ordering::Relaxed) + 1;
    let page = page_html(n, html! { form method="post" action="/form" { button { "Add one" } } });
    axum::Json(serde_json::json!({ "ok": true, "result": n, "html": page.into_string() }))
}

/// Where the axum app answers the same search: the argument as a plain
/// `?q=`, as a hand-written handler takes it.
pub fn axum_query_url() -> String {
    format!("/search?q={SEARCH}")
}

/// The floor's search argument.
#[derive(Debug, serde::Deserialize)]
struct Search {
    q: String,
}

async fn axum_search(Query(search): Query<Search>) -> axum::Json<Vec<String>> {
    axum::Json(matching(&search.q))
}

async fn axum_form(State(counter): State<Counter>, _form: axum::Form<Vec<(String, String)>>) -> Markup {
    let n = counter.0.fetch_add(1, Ordering::Relaxed) + 1;
    page_html(n, html! { form method="post" action="/form" { button { "Add one" } } })
}

/// The floor: the same routes as plain axum handlers.
pub fn axum_app() -> Router {
    Router::new()
        .route("/", get(axum_page))
        .route("/increment", post(axum_increment))
        .route("/form", post(axum_form))
        .route("/revalidate", post(axum_revalidate))
        .route("/search", get(axum_search))
        .with_state(Counter::default())
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use http::Request;
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;

    use super::*;

    /// The benchmarks read the query at a URL they build themselves; a
    /// change to how Serac writes query URLs must not leave them measuring
    /// a refusal.
    #[tokio::test]
    async fn the_query_url_is_the_pages() {
        async fn url(page: Page) -> String {
            page.query_url(search::query(), &(SEARCH,))
        }
        let keys = KeyRing::from_secrets(&[[7; 32]]).expect("keys");
        let app = ActionLayer::new(Config::new(keys.clone())).wrap(Router::new().route("/", get(url)));
        let response = app.oneshot(Request::get("/").body(Body::empty()).expect("request")).await;
        let body =
            response.unwrap_or_else(|e| match e {}).into_body().collect().await.expect("body").to_bytes();
        assert_eq!(std::str::from_utf8(&body).expect("text"), serac_query_url(&keys));
    }

    /// Both apps answer the search with the same JSON.
    #[tokio::test]
    async fn both_apps_answer_the_same() {
        let keys = KeyRing::from_secrets(&[[7; 32]]).expect("keys");
        let serac = Request::get(serac_query_url(&keys)).header("host", "bench.local").body(Body::empty());
        let axum = Request::get(axum_query_url()).header("host", "bench.local").body(Body::empty());
        let serac = serac_app(keys).oneshot(serac.expect("request")).await.unwrap_or_else(|e| match e {});
        let axum = axum_app().oneshot(axum.expect("request")).await.unwrap_or_else(|e| match e {});
        assert_eq!(serac.status(), 200);
        assert_eq!(axum.status(), 200);
        let serac = serac.into_body().collect().await.expect("body").to_bytes();
        let axum = axum.into_body().collect().await.expect("body").to_bytes();
        assert_eq!(serac, axum);
        assert_eq!(&serac[..], br#"["acme","black mesa","spacely"]"#);
    }
}
