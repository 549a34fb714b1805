//! The app the browser tests drive: one page per runtime behaviour, each
//! working with JavaScript on and off.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::get;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serac::prelude::*;
use serde::{Deserialize, Serialize};

/// What happened on the server, in order, for tests to read.
#[derive(Clone, Default)]
pub struct AppState {
    pub events: Arc<Mutex<Vec<String>>>,
    pub count: Arc<AtomicU64>,
    pub views: Arc<AtomicU64>,
    pub renders: Arc<AtomicU64>,
    pub notes: Arc<Mutex<Vec<String>>>,
    pub entries: Arc<Mutex<Vec<String>>>,
    pub drafts: Arc<Mutex<Vec<String>>>,
    /// Set by a test: the next action answer is cut off mid-body (B4).
    pub drop_next: Arc<AtomicBool>,
    /// How many times `bump` ran (/queries).
    pub tally: Arc<AtomicU64>,
}

impl AppState {
    pub fn push(&self, event: impl Into<String>) {
        self.events.lock().expect("events").push(event.into());
    }
    pub fn events(&self) -> Vec<String> {
        self.events.lock().expect("events").clone()
    }
    pub fn count_of(&self, prefix: &str) -> usize {
        self.events().iter().filter(|e| e.starts_with(prefix)).count()
    }
}

fn app(cx: &Cx) -> Result<AppState, ActionError> {
    cx.state::<AppState>()
}

/// The frame of every page: the runtime in the head (unless `runtime` is
/// false), an error boundary, the content.
fn doc(page: &Page, title: &str, tags: &str, content: Markup) -> Markup {
    frame(page, title, tags, serac::client::runtime_tags(), content)
}

fn frame(page: &Page, title: &str, tags: &str, head: Markup, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html {
            head {
                meta charset="utf-8";
                title { (title) }
                meta name="serac-tags" content=(tags);
                (head)
            }
            body {
                div #boundary role="alert" data-serac-error-boundary="" {
                    @if let Some(e) = page.error() { p { (e.message) } }
                }
                (content)
            }
        }
    }
}

// ---- /counter: S6 S8 ------------------------------------------------------

#[serac::action]
pub async fn increment(cx: Cx) -> Result<u64, ActionError> {
    let app = app(&cx)?;
    app.push("increment");
    let n = app.count.fetch_add(1, Ordering::SeqCst) + 1;
    cx.revalidate_path("/counter");
    Ok(n)
}

async fn counter(State(app): State<AppState>, page: Page) -> Markup {
    let n = app.count.load(Ordering::SeqCst);
    doc(
        &page,
        &format!("Count {n}"),
        "",
        html! {
            p #count { "Count: " (n) }
            (page.form(increment::action()).id("inc").body(html! {
                button #inc-btn { "Add one" }
            }))
            input #other name="other" autocomplete="off";
            div style="height: 3000px" {}
        },
    )
}

// ---- /points: B17, one action on three buttons of one form ----------------

#[serac::action]
pub async fn add_points(cx: Cx, Bound(points): Bound<u64>) -> Result<(), ActionError> {
    let app = app(&cx)?;
    app.push(format!("points:{points}"));
    app.count.fetch_add(points, Ordering::SeqCst);
    cx.revalidate_path("/points");
    Ok(())
}

async fn points(State(app): State<AppState>, page: Page) -> Markup {
    let add = add_points::action();
    doc(
        &page,
        "Points",
        "",
        html! {
            p #total { "Total: " (app.count.load(Ordering::SeqCst)) }
            (page.form(add.bind(1)).id("points").body(html! {
                button #plus-1 { "+1" }
                (page.button(add.bind(10)).id("plus-10").label("+10"))
                (page.button(add.bind(100)).id("plus-100").label("+100"))
            }))
        },
    )
}

// ---- /notes: S19 S22 validation, reset -------------------------------------

#[derive(Deserialize)]
pub struct Note {
    pub text: String,
}

#[serac::action]
pub async fn add_note(cx: Cx, form: Form<Note>) -> Result<(), ActionError> {
    let app = app(&cx)?;
    tokio::time::sleep(Duration::from_millis(400)).await;
    if form.text.trim().is_empty() {
        return Err(ActionError::invalid("text", "Write something first."));
    }
    if form.text == "fail" {
        return Err(ActionError::conflict("The note “fail” could not be saved."));
    }
    app.push(format!("note:{}", form.text));
    app.notes.lock().expect("notes").push(form.text.clone());
    cx.revalidate_path("/notes");
    Ok(())
}

async fn notes(State(app): State<AppState>, page: Page) -> Markup {
    let notes = app.notes.lock().expect("notes").clone();
    let add = add_note::action();
    doc(
        &page,
        "Notes",
        "notes",
        html! {
            ul #notes { @for n in &notes { li.note { (n) } } }
            template #note-tmpl data-serac-into="#notes" {
                li.note.optimistic { span data-serac-field="text" {} }
            }
            (page.form(add).id("note-form").attr("data-serac-optimistic", "note-tmpl").body(html! {
                input #note-text name="text" value=(page.value(add, "text"));
                @if let Some(e) = page.field_error(add, "text") { p #text-error { (e) } }
                button #note-btn { "Add" }
            }))
        },
    )
}

// ---- /signup: S16 S17 S18 ----------------------------------------------------

#[derive(Deserialize)]
pub struct Signup {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, Deserialize, Default)]
pub struct SignupState {
    pub attempts: u32,
    pub message: String,
}

#[serac::action]
pub async fn signup(
    cx: Cx,
    prev: PrevState<SignupState>,
    form: Form<Signup>,
) -> Result<SignupState, ActionError> {
    app(&cx)?.push(format!("signup:{}", form.email));
    tokio::time::sleep(Duration::from_millis(500)).await;
    if !form.email.contains('@') {
        return Err(ActionError::invalid("email", "Enter an email address."));
    }
    let attempts = prev.attempts + 1;
    let message = if form.password.len() < 8 {
        "Password must be at least 8 characters".to_string()
    } else {
        format!("Welcome, {}", form.email)
    };
    Ok(SignupState { attempts, message })
}

async fn signup_page(page: Page) -> Markup {
    let sign = signup::action();
    let state: SignupState = page.state(sign).unwrap_or_default();
    doc(
        &page,
        "Sign up",
        "",
        html! {
            (page.form(sign).state(&state).id("signup").body(html! {
                input #email name="email" value=(page.value(sign, "email"));
                @if let Some(e) = page.field_error(sign, "email") { p #email-error { (e) } }
                input #password name="password" type="password";
                p #message aria-live="polite" { (state.message) }
                p #attempts { (state.attempts) }
                button #signup-btn data-serac-disable="" { "Sign up" }
                span #spinner data-serac-show-pending="" hidden { "Signing up…" }
                span #idle data-serac-hide-pending="" { "Ready" }
            }))
        },
    )
}

// ---- /entry: S15 --------------------------------------------------------------

#[serac::action]
pub async fn add_entry(cx: Cx, form: Form<Note>) -> Result<(), ActionError> {
    let app = app(&cx)?;
    app.push(format!("entry:{}", form.text));
    app.entries.lock().expect("entries").push(form.text.clone());
    cx.revalidate_path("/entry");
    Ok(())
}

async fn entry(State(app): State<AppState>, page: Page) -> Markup {
    let entries = app.entries.lock().expect("entries").clone();
    doc(
        &page,
        "Entry",
        "",
        html! {
            ul #entries { @for e in &entries { li { (e) } } }
            (page.form(add_entry::action()).id("entry-form").body(html! {
                textarea #entry-text name="text" data-serac-submit-on="mod+enter" {}
                button { "Save" }
            }))
        },
    )
}

// ---- /editor and /posts/{id}: S14 S20 (debounced input) S24 -----------------

#[serac::action]
pub async fn save_draft(cx: Cx, form: Form<Note>) -> Result<(), ActionError> {
    let app = app(&cx)?;
    app.push(format!("draft:{}", form.text));
    app.drafts.lock().expect("drafts").push(form.text.clone());
    cx.revalidate_path("/editor");
    Ok(())
}

#[serac::action]
pub async fn publish(cx: Cx, Bound(post_id): Bound<u32>, form: Form<Note>) -> Result<(), ActionError> {
    app(&cx)?.push(format!("publish:{post_id}:{}", form.text));
    cx.revalidate_tag("posts");
    Err(redirect(format!("/posts/{post_id}")))
}

async fn editor(State(app): State<AppState>, page: Page) -> Markup {
    let drafts = app.drafts.lock().expect("drafts").clone();
    doc(
        &page,
        "Editor",
        "",
        html! {
            p #saves { "Saved " (drafts.len()) " times" @if let Some(last) = drafts.last() { ": " (last) } }
            (page.form(save_draft::action()).id("draft").attr("data-serac-on", "input").attr("data-serac-debounce", "300").body(html! {
                textarea #draft-text name="text" {}
                button #save-btn { "Save draft" }
                (page.button(publish::action().bind(9u32)).attr("id", "publish-btn").label("Publish"))
            }))
        },
    )
}

async fn post(Path(id): Path<u32>, page: Page) -> Markup {
    doc(&page, "Post", "posts", html! { h1 #post { "Post " (id) } })
}

// ---- /views and /prefs: S21 (load), S20 (change) ------------------------------

#[serac::action]
pub async fn view(cx: Cx) -> Result<(), ActionError> {
    let app = app(&cx)?;
    app.views.fetch_add(1, Ordering::SeqCst);
    app.push("view");
    cx.revalidate_path("/views");
    Ok(())
}

async fn views(State(app): State<AppState>, page: Page) -> Markup {
    doc(
        &page,
        "Views",
        "",
        html! {
            p #views { "Views: " (app.views.load(Ordering::SeqCst)) }
            (page.form(view::action()).id("view-form").attr("data-serac-on", "load").body(html! {
                noscript { button { "Count my view" } }
            }))
        },
    )
}

#[derive(Deserialize)]
pub struct Pref {
    pub color: String,
}

#[serac::action]
pub async fn set_color(cx: Cx, form: Form<Pref>) -> Result<(), ActionError> {
    app(&cx)?.push(format!("color:{}", form.color));
    cx.cookies().set(serac::Cookie::new("color", form.color.clone()));
    Ok(())
}

async fn prefs(page: Page, headers: http::HeaderMap) -> Markup {
    let color = headers
        .get("cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').find_map(|p| p.trim().strip_prefix("color=").map(str::to_string)))
        .unwrap_or_else(|| "none".into());
    doc(
        &page,
        "Prefs",
        "",
        html! {
            p #color { "Color: " (color) }
            (page.form(set_color::action()).id("prefs").body(html! {
                select #color-select name="color" data-serac-on="change" {
                    option value="none" { "none" }
                    option value="red" { "red" }
                    option value="blue" { "blue" }
                }
                noscript { button { "Save" } }
            }))
        },
    )
}

// ---- /cache/a and /cache/b: B15 --------------------------------------------------

#[serac::action]
pub async fn leave_fresh(cx: Cx) -> Result<(), ActionError> {
    app(&cx)?.push("leave_fresh");
    cx.revalidate_path("/cache/a");
    Err(redirect("/cache/b"))
}

#[serac::action]
pub async fn leave_stale(cx: Cx) -> Result<(), ActionError> {
    app(&cx)?.push("leave_stale");
    cx.revalidate_path("/cache/other");
    Err(redirect("/cache/b"))
}

async fn cache_a(State(app): State<AppState>, page: Page) -> Markup {
    let n = app.renders.fetch_add(1, Ordering::SeqCst) + 1;
    doc(
        &page,
        "A",
        "",
        html! {
            p #render { "Render " (n) }
            (page.form(leave_fresh::action()).id("fresh").body(html! { button #fresh-btn { "Fresh" } }))
            (page.form(leave_stale::action()).id("stale").body(html! { button #stale-btn { "Stale" } }))
        },
    )
}

async fn cache_b(page: Page) -> Markup {
    doc(&page, "B", "", html! { p #b { "Page B" } })
}

// ---- /upload: B5 S5 ------------------------------------------------------------------

#[derive(Serialize, Deserialize)]
pub struct Uploaded {
    pub name: String,
    pub size: usize,
}

#[serac::action(body_limit = 16_000_000)]
pub async fn upload(cx: Cx, form: FormData) -> Result<Vec<Uploaded>, ActionError> {
    app(&cx)?.push("upload");
    Ok(form.files().map(|f| Uploaded { name: f.file_name().to_string(), size: f.len() }).collect())
}

async fn upload_page(page: Page) -> Markup {
    let up = upload::action();
    let files: Vec<Uploaded> = page.state(up).unwrap_or_default();
    doc(
        &page,
        "Upload",
        "",
        html! {
            (page.form(up).multipart().shows_result().id("upload").body(html! {
                input #file type="file" name="file";
                progress #progress data-serac-progress="" max="1" {}
                button #upload-btn { "Upload" }
            }))
            ul #files { @for f in &files { li { (f.name) " (" (f.size) " bytes)" } } }
        },
    )
}

// ---- /parallel: B1 ---------------------------------------------------------------------

#[derive(Deserialize)]
pub struct Tagged {
    pub tag: String,
}

#[serac::action]
pub async fn slow(cx: Cx, form: Form<Tagged>) -> Result<(), ActionError> {
    let app = app(&cx)?;
    app.push(format!("start:{}", form.tag));
    tokio::time::sleep(Duration::from_millis(600)).await;
    app.push(format!("end:{}", form.tag));
    Ok(())
}

async fn parallel(page: Page) -> Markup {
    doc(
        &page,
        "Parallel",
        "",
        html! {
            (page.form(slow::action()).id("pa").body(html! {
                input #pa-tag name="tag" value="a";
                button #pa-btn { "A" }
            }))
            (page.form(slow::action()).id("pb").body(html! {
                input name="tag" value="b";
                button #pb-btn { "B" }
            }))
        },
    )
}

// ---- /call: S3 -------------------------------------------------------------------------

#[serac::action]
pub async fn add(cx: Cx, a: i64, b: i64) -> Result<i64, ActionError> {
    app(&cx)?.push(format!("add:{a}+{b}"));
    Ok(a + b)
}

#[serac::action]
pub async fn refuse(cx: Cx) -> Result<(), ActionError> {
    app(&cx)?.push("refuse");
    Err(ActionError::forbidden("Not for you"))
}

// Named like a word JavaScript reserves, like the module's own helper, and
// with a raw identifier: each is still an export of the actions module.
#[serac::action]
pub async fn delete(cx: Cx, n: i64) -> Result<i64, ActionError> {
    app(&cx)?.push(format!("delete:{n}"));
    Ok(n)
}

#[serac::action]
pub async fn call(cx: Cx) -> Result<&'static str, ActionError> {
    app(&cx)?.push("call");
    Ok("call")
}

#[serac::action]
pub async fn r#type(cx: Cx) -> Result<&'static str, ActionError> {
    app(&cx)?.push("type");
    Ok("type")
}

async fn call_page(page: Page) -> Markup {
    let url = page.actions_module_url().unwrap_or("").to_string();
    doc(
        &page,
        "Call",
        "",
        html! {
            p #ids data-add=(page.id(add::action())) data-refuse=(page.id(refuse::action())) data-module=(url) { "call" }
        },
    )
}

// ---- /delayed: S6 (runtime loads late) ------------------------------------------------

async fn delayed(State(app): State<AppState>, page: Page) -> Markup {
    let n = app.count.load(Ordering::SeqCst);
    frame(
        &page,
        "Delayed",
        "",
        html! {
            script { (PreEscaped(serac::client::queue_snippet())) }
            script src="/slow-runtime.js" defer {}
        },
        html! {
            p #count { "Count: " (n) }
            (page.form(increment::action()).id("inc").body(html! { button #inc-btn { "Add one" } }))
        },
    )
}

async fn slow_runtime() -> impl IntoResponse {
    tokio::time::sleep(Duration::from_millis(1500)).await;
    ([(http::header::CONTENT_TYPE, "text/javascript")], serac::client::RUNTIME_SOURCE)
}

/// `/csp`: the counter under a strict Content-Security-Policy; the runtime's
/// tags carry the nonce the header allows.
async fn csp(State(app): State<AppState>, page: Page) -> impl IntoResponse {
    let n = app.count.load(Ordering::SeqCst);
    let body = frame(
        &page,
        "CSP",
        "",
        serac::client::runtime_tags_with_nonce("t3st-n0nce"),
        html! {
            p #count { "Count: " (n) }
            (page.form(increment::action()).id("inc").body(html! { button #inc-btn { "Add one" } }))
        },
    );
    ([(http::header::CONTENT_SECURITY_POLICY, "script-src 'nonce-t3st-n0nce'")], body)
}

// ---- /go, /permalink, /reset: Next.js parity ------------------------------------

#[derive(Deserialize)]
pub struct Go {
    pub to: String,
}

#[serac::action]
pub async fn go(cx: Cx, form: Form<Go>) -> Result<(), ActionError> {
    app(&cx)?.push(format!("go:{}", form.to));
    Err(redirect(form.to.clone()))
}

#[serac::action]
pub async fn go_replacing(cx: Cx, form: Form<Go>) -> Result<(), ActionError> {
    app(&cx)?.push(format!("go_replacing:{}", form.to));
    Err(serac::redirect_replace(form.to.clone()))
}

async fn go_page(page: Page) -> Markup {
    doc(
        &page,
        "Go",
        "",
        html! {
            h1 #where { "Go" }
            (page.form(go::action()).id("go").body(html! {
                input #go-to name="to";
                button #go-btn { "Go" }
            }))
            (page.form(go_replacing::action()).id("go-replacing").body(html! {
                input #replace-to name="to";
                button #replace-btn { "Go, replacing" }
            }))
        },
    )
}

async fn gone_page(page: Page, uri: http::Uri) -> Markup {
    doc(&page, "Gone", "", html! { h1 #where { "Arrived at " (uri) } })
}

/// Says where it was posted.
#[serac::action]
pub async fn record_path(cx: Cx) -> Result<(), ActionError> {
    app(&cx)?.push(format!("posted-to:{}", cx.uri().path()));
    Ok(())
}

async fn permalink(page: Page, uri: http::Uri) -> Markup {
    doc(
        &page,
        "Permalink",
        "",
        html! {
            h1 #where { (uri.path()) }
            (page.form(record_path::action()).id("permalink").attr("action", "/permalink/target").body(html! {
                button #permalink-btn { "Record" }
            }))
        },
    )
}

#[serac::action]
pub async fn remember(cx: Cx, form: Form<Note>) -> Result<(), ActionError> {
    if form.text.contains('!') {
        return Err(ActionError::invalid("text", "No exclamation marks."));
    }
    app(&cx)?.push(format!("remember:{}", form.text));
    Ok(())
}

async fn reset_page(page: Page) -> Markup {
    let a = remember::action();
    doc(
        &page,
        "Reset",
        "",
        html! {
            (page.form(a).id("reset-form").body(html! {
                input #r-text name="text" value=(page.value(a, "text"));
                @if let Some(e) = page.field_error(a, "text") { p #r-error { (e) } }
                button #r-btn { "Remember" }
            }))
            (page.form(a).id("keep-form").keep_values().body(html! {
                input #k-text name="text";
                button #k-btn { "Remember" }
            }))
            (page.form(a).id("live-form").attr("data-serac-on", "input").attr("data-serac-debounce", "100").body(html! {
                input #l-text name="text";
            }))
        },
    )
}

// ---- streamed results (B18) --------------------------------------------------

/// Four steps, each a part that replaces the one before.
#[serac::action]
pub async fn steps() -> Result<serac::Streaming<String>, ActionError> {
    Ok(serac::Streaming::from_fn(|parts| async move {
        for n in 1..=4 {
            tokio::time::sleep(Duration::from_millis(150)).await;
            parts.send(format!("step {n} of 4")).await;
        }
        Ok(())
    }))
}

/// The progress of a job, `{value, max}`.
#[serac::action]
pub async fn job() -> Result<serac::Streaming<serde_json::Value>, ActionError> {
    Ok(serac::Streaming::from_fn(|parts| async move {
        for n in 1..=4 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            parts.send(serde_json::json!({ "value": n, "max": 4 })).await;
        }
        Ok(())
    }))
}

/// One part, then an error.
#[serac::action]
pub async fn faulty() -> Result<serac::Streaming<String>, ActionError> {
    Ok(serac::Streaming::from_fn(|parts| async move {
        parts.send("started".to_string()).await;
        Err(ActionError::conflict("The job failed half way."))
    }))
}

async fn streams_page(page: Page) -> Markup {
    doc(
        &page,
        "Streams",
        "",
        html! {
            (serac::client::stream_tags())
            (page.form(steps::action()).id("steps-form").attr("data-serac-stream", "replace")
                .attr("data-serac-into", "#latest").body(html! { button #steps-btn { "Steps" } }))
            p #latest {}
            (page.form(job::action()).id("job-form").attr("data-serac-stream", "progress")
                .attr("data-serac-into", "#bar").body(html! { button #job-btn { "Job" } }))
            progress #bar value="0" max="1" {}
            (page.form(faulty::action()).id("faulty-form").attr("data-serac-stream", "append")
                .attr("data-serac-into", "#faulty-out").body(html! { button #faulty-btn { "Faulty" } }))
            p #faulty-out {}
        },
    )
}

// ---- /queries: B19 batches and single flight --------------------------------

/// The labels of rows `ids`: the reads of one batch run together.
#[serac::query(batch)]
pub async fn labels(cx: Cx, ids: Vec<u32>) -> Result<Vec<String>, ActionError> {
    app(&cx)?.push(format!("labels {ids:?}"));
    Ok(ids.iter().map(|i| format!("row {i}")).collect())
}

/// How many times `bump` ran.
#[serac::query]
pub async fn tally(cx: Cx) -> Result<u64, ActionError> {
    let app = app(&cx)?;
    app.push("tally");
    Ok(app.tally.load(Ordering::SeqCst))
}

/// Counts one more. Changes no page data: with JavaScript, only the watched
/// query shows it, from the answer's fresh query results.
#[serac::action]
pub async fn bump(cx: Cx) -> Result<(), ActionError> {
    app(&cx)?.tally.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

/// Reads the rows' labels (one batch), and watches the tally.
const QUERIES_SCRIPT: &str = r#"
document.addEventListener("DOMContentLoaded", function () {
  var tally = document.getElementById("tally");
  serac.watch(tally.getAttribute("data-url"), function (n) { tally.textContent = String(n); });
  var rows = Array.from(document.querySelectorAll("[data-label]"));
  Promise.all(rows.map(function (r) { return serac.query(r.getAttribute("data-label")); }))
    .then(function (labels) { document.getElementById("read").textContent = labels.join(","); });
});
"#;

async fn queries_page(page: Page, State(state): State<AppState>) -> Markup {
    let ids = [1, 2, 3];
    let urls: Vec<String> = ids.iter().map(|i| page.query_url(labels::query(), &(i,))).collect();
    let tally = state.tally.load(Ordering::SeqCst);
    doc(
        &page,
        "Queries",
        "",
        html! {
            (serac::client::query_tags())
            script { (PreEscaped(QUERIES_SCRIPT)) }
            ul { @for url in &urls { li data-label=(url) {} } }
            p #read {}
            p { "Bumped " span #tally data-url=(page.query_url(tally::query(), &())) { (tally) } " times" }
            (page.form(bump::action()).id("bump-form").body(html! { button #bump-btn { "Bump" } }))
        },
    )
}

pub fn exposed() -> Vec<ActionRef> {
    vec![add::action(), refuse::action(), delete::action(), call::action(), r#type::action()]
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/counter", get(counter))
        .route("/points", get(points))
        .route("/notes", get(notes))
        .route("/signup", get(signup_page))
        .route("/entry", get(entry))
        .route("/editor", get(editor))
        .route("/posts/{id}", get(post))
        .route("/views", get(views))
        .route("/prefs", get(prefs))
        .route("/cache/a", get(cache_a))
        .route("/cache/b", get(cache_b))
        .route("/upload", get(upload_page))
        .route("/parallel", get(parallel))
        .route("/call", get(call_page))
        .route("/delayed", get(delayed))
        .route("/csp", get(csp))
        .route("/slow-runtime.js", get(slow_runtime))
        .route("/go", get(go_page))
        .route("/gone", get(gone_page))
        .route("/permalink", get(permalink))
        .route("/permalink/target", get(permalink))
        .route("/reset", get(reset_page))
        .route("/streams", get(streams_page))
        .route("/queries", get(queries_page))
        .with_state(state)
}
