//! The same small app twice: with Serac, and as hand-written axum handlers
//! doing the same work (the floor Serac is measured against).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use maud::{DOCTYPE, Markup, html};
use serac::config::Mode;
use serac::prelude::*;
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

/// The Serac app: `/` with an action form.
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
        .with_state(Counter::default())
}
