//! B20: a form type with garde rules, taken as `ValidForm<T>`, is validated
//! before the action runs. An invalid form is answered like an action's own
//! `ActionError::Validation` — `422`, a message per field named as the
//! inputs, the values kept in the re-rendered page without JavaScript, the
//! envelope's `fields` with it — and the action never runs (its runs are
//! counted). The page's inputs carry the same rules as HTML constraint
//! attributes.
//!
//! Its own app, so that it does not depend on the shared one.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};
use serac::prelude::*;
use serac::protocol::Envelope;

use crate::support::{client, config, hidden, read};

#[derive(Debug, serde::Deserialize, garde::Validate, serac::Constraints)]
pub struct Join {
    #[garde(email, length(max = 100))]
    pub email: String,
    #[garde(length(chars, min = 8, max = 64))]
    #[serac(message = "Password must be at least 8 characters.")]
    pub password: String,
    #[garde(range(min = 13, max = 130))]
    pub age: u32,
}

/// How many times `join` ran.
#[derive(Clone, Default)]
struct Runs(Arc<AtomicUsize>);

#[serac::action]
async fn join(State(runs): State<Runs>, form: ValidForm<Join>) -> Result<(), ActionError> {
    runs.0.fetch_add(1, Ordering::SeqCst);
    assert!(form.password.chars().count() >= 8, "only valid forms reach the action");
    Ok(())
}

async fn join_page(page: Page) -> Markup {
    let a = join::action();
    let error = |field: &str| {
        html! { @if let Some(m) = page.field_error(a, field) { p id=(format!("{field}-error")) { (m) } } }
    };
    html! {
        (page.form(a).id("join").body(html! {
            (page.input::<Join>(a, "email").id("email").attr("autocomplete", "email"))
            (error("email"))
            (page.input::<Join>(a, "password").attr("type", "password"))
            (error("password"))
            (page.input::<Join>(a, "age"))
            (error("age"))
            button { "Join" }
        }))
    }
}

struct App {
    url: String,
    runs: Runs,
    _task: serac_testkit::AbortOnDrop,
}

impl App {
    fn runs(&self) -> usize {
        self.runs.0.load(Ordering::SeqCst)
    }
}

async fn start() -> App {
    let runs = Runs::default();
    let app = ActionLayer::new(config())
        .with_state(runs.clone())
        .wrap(Router::new().route("/join", get(join_page)));
    let (url, task) = serac_testkit::serve(app).await;
    App { url, runs, _task: serac_testkit::AbortOnDrop(task) }
}

async fn page(app: &App) -> String {
    client().get(format!("{}/join", app.url)).send().await.expect("GET").text().await.expect("body")
}

/// Posts the form as a browser with JavaScript off would.
async fn submit(app: &App, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut body = hidden(&page(app).await, "join");
    body.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    client()
        .post(format!("{}/join", app.url))
        .header("origin", &app.url)
        .header("sec-fetch-site", "same-origin")
        .form(&body)
        .send()
        .await
        .expect("POST")
}

/// Posts the form as the runtime does: the answer is an envelope.
async fn call(app: &App, fields: &[(&str, &str)]) -> (u16, Envelope) {
    let id = hidden(&page(app).await, "join").into_iter().find(|(k, _)| k == "$action").expect("$action").1;
    let mut body = vec![("$action", id.as_str())];
    body.extend_from_slice(fields);
    let res = client()
        .post(format!("{}/join", app.url))
        .header("origin", &app.url)
        .header(serac::protocol::ACTION_HEADER, &id)
        .form(&body)
        .send()
        .await
        .expect("POST");
    let (status, text) = read(res).await;
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("not an envelope ({e}): {text}")))
}

const INVALID: &[(&str, &str)] = &[("email", "not an address"), ("password", "short"), ("age", "7")];

#[tokio::test]
async fn an_invalid_form_is_refused_422_and_rerendered_with_its_values_without_js_b20() {
    let app = start().await;
    let (status, body) = read(submit(&app, INVALID).await).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains(r#"<p id="email-error">Enter an email address, like name@example.com.</p>"#),
        "{body}"
    );
    assert!(body.contains(r#"<p id="password-error">Password must be at least 8 characters.</p>"#), "{body}");
    assert!(body.contains(r#"<p id="age-error">Enter a number from 13 to 130.</p>"#), "{body}");
    assert!(
        body.contains(r#"<input name="email" type="email" maxlength="100" value="not an address" aria-invalid="true" id="email" autocomplete="email">"#),
        "typed value kept, marked invalid: {body}"
    );
    assert!(body.contains(r#"name="age" type="number" required="" min="13" max="130" value="7""#), "{body}");
    assert!(!body.contains("short"), "a password is never sent back: {body}");
    assert_eq!(app.runs(), 0, "the action must not run");
}

#[tokio::test]
async fn an_invalid_form_called_from_js_gets_the_fields_in_the_envelope_b20() {
    let app = start().await;
    let (status, envelope) = call(&app, INVALID).await;
    assert_eq!(status, 422);
    let error = envelope.error.expect("error");
    assert_eq!(error.kind, "validation");
    let fields = error.fields.expect("fields");
    assert_eq!(fields.all("email"), ["Enter an email address, like name@example.com."]);
    assert_eq!(fields.all("password"), ["Password must be at least 8 characters."]);
    assert_eq!(fields.all("age"), ["Enter a number from 13 to 130."]);
    let html = envelope.html.expect("the form rendered again");
    assert!(html.contains(r#"value="not an address""#), "{html}");
    assert_eq!(app.runs(), 0, "the action must not run");
}

#[tokio::test]
async fn a_missing_or_unreadable_field_is_that_fields_error_b20() {
    let app = start().await;
    let (status, envelope) =
        call(&app, &[("email", "a@example.com"), ("password", "long enough"), ("age", "x")]).await;
    assert_eq!(status, 422);
    let fields = envelope.error.expect("error").fields.expect("fields");
    assert_eq!(fields.get("age"), Some("Enter a whole number."));

    let (status, envelope) = call(&app, &[("email", "a@example.com"), ("password", "long enough")]).await;
    assert_eq!(status, 422);
    assert_eq!(
        envelope.error.expect("error").fields.expect("fields").get("age"),
        Some("Fill in this field.")
    );

    let (status, body) = read(submit(&app, &[("email", "a@example.com"), ("age", "20")]).await).await;
    assert_eq!(status, 422);
    assert!(body.contains(r#"<p id="password-error">Password must be at least 8 characters.</p>"#), "{body}");
    assert_eq!(app.runs(), 0, "the action must not run");
}

#[tokio::test]
async fn a_valid_form_runs_the_action_b20() {
    let app = start().await;
    let res =
        submit(&app, &[("email", "ann@example.com"), ("password", "correct horse"), ("age", "30")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.runs(), 1);
    let (status, envelope) =
        call(&app, &[("email", "bob@example.com"), ("password", "battery staple"), ("age", "130")]).await;
    assert_eq!(status, 200, "{envelope:?}");
    assert!(envelope.ok);
    assert_eq!(app.runs(), 2);
}

#[tokio::test]
async fn the_page_carries_the_rules_as_constraint_attributes_b20() {
    let app = start().await;
    let html = page(&app).await;
    assert!(
        html.contains(
            r#"<input name="email" type="email" maxlength="100" value="" id="email" autocomplete="email">"#
        ),
        "{html}"
    );
    assert!(
        html.contains(
            r#"<input name="password" required="" minlength="8" maxlength="64" value="" type="password">"#
        ),
        "{html}"
    );
    assert!(
        html.contains(r#"<input name="age" type="number" required="" min="13" max="130" value="">"#),
        "{html}"
    );
}
