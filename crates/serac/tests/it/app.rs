//! The app every integration test runs: one action per behaviour under test,
//! each writing to a per-server log so a test can prove an action did not run.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};
use serac::prelude::*;
use serac::{Cookie, Identify};
use serde::{Deserialize, Serialize};

/// What the actions did, per server.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    pub fn push(&self, event: impl Into<String>) {
        self.0.lock().expect("log").push(event.into());
    }
    pub fn events(&self) -> Vec<String> {
        self.0.lock().expect("log").clone()
    }
    /// Forgets every event.
    pub fn clear(&self) {
        self.0.lock().expect("log").clear();
    }
    /// How many events start with `prefix`.
    pub fn count(&self, prefix: &str) -> usize {
        self.events().iter().filter(|e| e.starts_with(prefix)).count()
    }
}

#[derive(Clone, Default)]
pub struct AppState {
    pub log: Log,
    pub version: Arc<Mutex<u32>>,
    /// How many times a cached page was rendered.
    pub renders: Arc<std::sync::atomic::AtomicU64>,
}

fn log(cx: &Cx) -> Result<Log, ActionError> {
    Ok(cx.state::<AppState>()?.log)
}

#[derive(Deserialize)]
pub struct Note {
    pub text: String,
}

#[derive(Deserialize)]
pub struct Signup {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, Deserialize, Default, Debug, PartialEq)]
pub struct SignupState {
    pub attempts: u32,
    pub message: String,
}

#[derive(Deserialize)]
pub struct Amount {
    pub amount: f64,
}

#[derive(Serialize)]
pub struct FileInfo {
    pub name: String,
    pub size: usize,
    pub content_type: Option<String>,
}

pub struct User {
    pub name: String,
}

impl Identify for User {
    async fn identify(cx: &Cx) -> Result<Option<Self>, ActionError> {
        Ok(cx.cookies().get("user").filter(|u| !u.is_empty()).map(|name| User { name }))
    }
}

#[serac::action]
pub async fn increment(cx: Cx) -> Result<usize, ActionError> {
    let log = log(&cx)?;
    log.push("increment");
    Ok(log.count("increment"))
}

#[serac::action]
pub async fn add_note(cx: Cx, form: Form<Note>) -> Result<(), ActionError> {
    if form.text.trim().is_empty() {
        return Err(ActionError::invalid("text", "Write something first."));
    }
    log(&cx)?.push(format!("note:{}", form.text));
    cx.revalidate_path("/notes");
    cx.revalidate_tag("notes");
    Ok(())
}

#[serac::action]
pub async fn rename(cx: Cx, Bound(user_id): Bound<u32>, form: Form<Note>) -> Result<(), ActionError> {
    log(&cx)?.push(format!("rename:{user_id}:{}", form.text));
    Ok(())
}

/// B17: one action, three buttons of one form, each with its own bound value.
#[serac::action]
pub async fn add_points(cx: Cx, Bound(points): Bound<u32>) -> Result<(), ActionError> {
    log(&cx)?.push(format!("points:{points}"));
    Ok(())
}

#[serac::action]
pub async fn signup(
    cx: Cx,
    prev: PrevState<SignupState>,
    form: Form<Signup>,
) -> Result<SignupState, ActionError> {
    log(&cx)?.push(format!("signup:{}", form.email));
    let attempts = prev.attempts + 1;
    if form.password.len() < 8 {
        return Ok(SignupState { attempts, message: "Password must be at least 8 characters".into() });
    }
    Ok(SignupState { attempts, message: format!("Welcome, {}", form.email) })
}

#[serac::action]
pub async fn publish(
    cx: Cx,
    Bound(post_id): Bound<u32>,
    Bound(version): Bound<u32>,
) -> Result<(), ActionError> {
    let state = cx.state::<AppState>()?;
    let current = *state.version.lock().expect("version");
    if version != current {
        return Err(ActionError::conflict("The version has changed since pressing publish"));
    }
    state.log.push(format!("publish:{post_id}:{version}"));
    Ok(())
}

#[serac::action]
pub async fn set_name(cx: Cx, form: FormData) -> Result<(), ActionError> {
    let name = form.get("name").unwrap_or_default().to_string();
    log(&cx)?.push(format!("set_name:{name}"));
    cx.cookies().set(Cookie::new("name", name));
    Ok(())
}

#[serac::action]
pub async fn delete_name(cx: Cx) -> Result<(), ActionError> {
    log(&cx)?.push("delete_name");
    cx.cookies().delete("name");
    Ok(())
}

#[serac::action]
pub async fn add_item(cx: Cx, user: Auth<User>) -> Result<(), ActionError> {
    if user.name == "guest" {
        return Err(ActionError::forbidden("Guests cannot add items"));
    }
    log(&cx)?.push(format!("add_item:{}", user.name));
    Ok(())
}

#[serac::action]
pub async fn sleepy(cx: Cx) -> Result<(), ActionError> {
    log(&cx)?.push("sleepy:start");
    tokio::time::sleep(Duration::from_secs(5)).await;
    log(&cx)?.push("sleepy:end");
    Ok(())
}

#[serac::action(max_duration_ms = 200)]
pub async fn quick_limit(cx: Cx) -> Result<(), ActionError> {
    log(&cx)?.push("quick_limit:start");
    tokio::time::sleep(Duration::from_secs(5)).await;
    log(&cx)?.push("quick_limit:end");
    Ok(())
}

/// Started, then never finished when the client goes away: the "transaction"
/// below is only committed at the end, and a drop guard records the rollback.
#[serac::action]
pub async fn two_steps(cx: Cx) -> Result<(), ActionError> {
    struct Rollback(Log, bool);
    impl Drop for Rollback {
        fn drop(&mut self) {
            if !self.1 {
                self.0.push("two_steps:rolled_back");
            }
        }
    }
    let log = log(&cx)?;
    log.push("two_steps:start");
    let mut tx = Rollback(log.clone(), false);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    log.push("two_steps:commit");
    tx.1 = true;
    Ok(())
}

#[serac::action]
pub async fn explode(cx: Cx) -> Result<(), ActionError> {
    log(&cx)?.push("explode");
    panic!("boom in explode");
}

#[serac::action]
pub async fn fail_internally(cx: Cx) -> Result<(), ActionError> {
    log(&cx)?.push("fail_internally");
    let n: i32 = "not a number".parse()?;
    let _ = n;
    Ok(())
}

#[serac::action]
pub async fn upload(cx: Cx, form: FormData) -> Result<Vec<FileInfo>, ActionError> {
    log(&cx)?.push("upload");
    Ok(form
        .files()
        .map(|f| FileInfo {
            name: f.file_name().to_string(),
            size: f.len(),
            content_type: f.content_type().map(str::to_string),
        })
        .collect())
}

#[serac::action(body_limit = 2048)]
pub async fn small_upload(cx: Cx, form: FormData) -> Result<(), ActionError> {
    log(&cx)?.push(format!("small_upload:{}", form.files().count()));
    Ok(())
}

#[serac::action]
pub async fn pay(cx: Cx, form: Form<Amount>) -> Result<(), ActionError> {
    log(&cx)?.push(format!("pay:{}", form.amount));
    Ok(())
}

/// R4: redirects to wherever the caller says (as an action passing on a
/// `next` parameter would).
#[serac::action]
pub async fn go_to(cx: Cx, target: String) -> Result<(), ActionError> {
    log(&cx)?.push(format!("go_to:{target}"));
    Err(redirect(target))
}

#[serac::action]
pub async fn go_home(cx: Cx) -> Result<(), ActionError> {
    log(&cx)?.push("go_home");
    cx.revalidate_tag("home");
    Err(redirect("/done"))
}

#[serac::action]
pub async fn add(cx: Cx, a: i64, b: i64) -> Result<i64, ActionError> {
    log(&cx)?.push(format!("add:{a}+{b}"));
    Ok(a + b)
}

#[serac::action]
pub async fn echo_fields(cx: Cx, form: FormData) -> Result<Vec<(String, String)>, ActionError> {
    log(&cx)?.push("echo_fields");
    Ok(form.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

#[serac::action]
pub async fn save_draft(cx: Cx, form: Form<Note>) -> Result<(), ActionError> {
    log(&cx)?.push(format!("draft:{}", form.text));
    Ok(())
}

#[serac::action]
pub async fn publish_now(cx: Cx, Bound(post_id): Bound<u32>, form: Form<Note>) -> Result<(), ActionError> {
    log(&cx)?.push(format!("publish_now:{post_id}:{}", form.text));
    Err(redirect(format!("/posts/{post_id}")))
}

#[serac::action]
pub async fn reorganize(cx: Cx) -> Result<(), ActionError> {
    log(&cx)?.push("reorganize");
    cx.revalidate_layout("/docs");
    Ok(())
}

#[serac::action]
pub async fn touch_page(cx: Cx, path: String) -> Result<(), ActionError> {
    log(&cx)?.push(format!("touch:{path}"));
    cx.revalidate_path(path);
    Ok(())
}

/// Every `pub async fn` in here is an action (S1, module form).
#[serac::action]
pub mod admin {
    use super::*;

    pub async fn archive(cx: Cx) -> Result<(), ActionError> {
        log(&cx)?.push("archive");
        Ok(())
    }

    /// Not public: not an action.
    #[allow(dead_code)]
    async fn internal_helper() -> u32 {
        7
    }
}

/// Every action the app's pages name, by short name, for tests.
pub fn all() -> Vec<(&'static str, ActionRef)> {
    vec![
        ("increment", increment::action()),
        ("add_note", add_note::action()),
        ("signup", signup::action()),
        ("set_name", set_name::action()),
        ("delete_name", delete_name::action()),
        ("add_item", add_item::action()),
        ("sleepy", sleepy::action()),
        ("quick_limit", quick_limit::action()),
        ("two_steps", two_steps::action()),
        ("explode", explode::action()),
        ("fail_internally", fail_internally::action()),
        ("upload", upload::action()),
        ("small_upload", small_upload::action()),
        ("pay", pay::action()),
        ("go_home", go_home::action()),
        ("go_to", go_to::action()),
        ("add", add::action()),
        ("echo_fields", echo_fields::action()),
        ("archive", admin::archive::action()),
        ("reorganize", reorganize::action()),
        ("touch_page", touch_page::action()),
    ]
}

/// A component taking an action reference as a parameter (S4).
fn simple_form(page: &Page, id: &str, action: ActionRef) -> Markup {
    page.form(action).id(id).body(html! {
        button { "Go" }
    })
}

async fn home(page: Page) -> Markup {
    let note = add_note::action();
    let sign = signup::action();
    let state: SignupState = page.state(sign).unwrap_or_default();
    html! {
        h1 { "Home" }
        @if let Some(notice) = page.notice() { p #notice { (notice) } }
        @if let Some(error) = page.error() { div #error role="alert" data-status=(error.status.as_u16()) { (error.message) } }
        @for (name, action) in all() {
            (simple_form(&page, &format!("f-{name}"), action))
        }
        (page.form(note).id("note").body(html! {
            input name="text" value=(page.value(note, "text"));
            @if let Some(e) = page.field_error(note, "text") { p #text-error { (e) } }
            button { "Add" }
        }))
        (page.form(sign).state(&state).id("signup").body(html! {
            input name="email" value=(page.value(sign, "email"));
            input name="password" type="password";
            p #signup-message aria-live="polite" { (state.message) }
            p #attempts { (state.attempts) }
            button { "Sign up" }
        }))
        (page.form(rename::action().bind(42u32)).id("rename").body(html! {
            input name="text";
        }))
        (page.form(publish::action().bind(7u32).bind(3u32)).id("publish").body(html! {
            button { "Publish" }
        }))
        (page.form(add_points::action().bind(1u32)).id("points").body(html! {
            button #plus-1 { "+1" }
            (page.button(add_points::action().bind(10u32)).id("plus-10").label("+10"))
            (page.button(add_points::action().bind(100u32)).id("plus-100").label("+100"))
        }))
        (page.form(save_draft::action()).id("editor").body(html! {
            textarea name="text" {}
            button { "Save draft" }
            (page.button(publish_now::action().bind(9u32)).id("publish-now").label("Publish"))
        }))
        (page.form(upload::action()).multipart().id("upload").body(html! {
            input type="file" name="file";
        }))
        (page.form(small_upload::action()).multipart().id("small-upload").body(html! {
            input type="file" name="file";
        }))
    }
}

async fn cookies_page(headers: http::HeaderMap) -> Markup {
    let cookie = headers.get("cookie").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    html! { p #cookies { (cookie) } }
}

/// A page that forgets to render errors: the layer must fall back.
async fn careless(page: Page) -> Markup {
    html! { (page.form(explode::action()).id("f-explode").body(html! { button { "Go" } })) }
}

async fn own_post(body: String) -> String {
    format!("app handled: {body}")
}

/// A page of a cached route: says how often it was rendered.
async fn cached(axum::extract::State(state): axum::extract::State<AppState>, uri: http::Uri) -> Markup {
    let n = state.renders.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
    html! { p #render { (uri.path()) " render " (n) } }
}

/// A cached page that takes a while to render.
async fn cached_slow(state: axum::extract::State<AppState>, uri: http::Uri) -> Markup {
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    cached(state, uri).await
}

/// A cached page that sets a cookie: never stored.
async fn cached_with_cookie() -> impl axum::response::IntoResponse {
    ([(http::header::SET_COOKIE, "seen=1")], "hello")
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/cached", get(cached))
        .route("/docs/{*rest}", get(cached))
        .route("/blog", get(cached))
        .route("/cached-slow", get(cached_slow))
        .route("/cookie-page", get(cached_with_cookie))
        .route("/", get(home))
        .route("/slow", get(home))
        .route("/limited", get(home))
        .route("/cookies", get(cookies_page))
        .route("/careless", get(careless))
        .route("/done", get(|| async { "done" }))
        .route("/own", get(|| async { "own" }).post(own_post))
        .with_state(state)
}
