//! Behaviours Next.js's own server-action tests expect, over HTTP, with
//! JavaScript (the envelope) and without (the native form): redirects to
//! this site's absolute URLs and relative targets in one round trip, the
//! "replace" redirect, a form's state shared by every action it submits, a
//! form without an action of its own, "returned nothing" told apart from
//! "did not run", and cookies read by page handlers.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::get;
use maud::{Markup, html};
use serac::prelude::*;
use serac::{Cookie, RequestCookies, redirect_replace};
use serde::Deserialize;

use serac_testkit::button;

use crate::support::{SECRET, client, hidden};

/// What the actions of this module did, in order.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, event: impl Into<String>) {
        self.0.lock().expect("log").push(event.into());
    }
    fn events(&self) -> Vec<String> {
        self.0.lock().expect("log").clone()
    }
}

#[derive(Deserialize)]
pub struct Go {
    pub to: String,
}

#[serac::action]
pub async fn go(log: State<Log>, form: Form<Go>) -> Result<(), ActionError> {
    log.push(format!("go:{}", form.to));
    Err(redirect(form.to.clone()))
}

#[serac::action]
pub async fn go_replacing(log: State<Log>, form: Form<Go>) -> Result<(), ActionError> {
    log.push(format!("go_replacing:{}", form.to));
    Err(redirect_replace(form.to.clone()))
}

#[serac::action]
pub async fn step_up(log: State<Log>, prev: PrevState<i64>) -> Result<i64, ActionError> {
    log.push("up");
    Ok(*prev + 1)
}

#[serac::action]
pub async fn step_down(log: State<Log>, prev: PrevState<i64>) -> Result<i64, ActionError> {
    log.push("down");
    Ok(*prev - 1)
}

#[serac::action]
pub async fn step_reset(log: State<Log>) -> Result<i64, ActionError> {
    log.push("reset");
    Ok(0)
}

/// An action in no stateful form that takes a state.
#[serac::action]
pub async fn elsewhere(log: State<Log>, prev: PrevState<i64>) -> Result<i64, ActionError> {
    log.push(format!("elsewhere:{}", *prev));
    Ok(*prev)
}

#[serac::action]
pub async fn archive(log: State<Log>, Bound(id): Bound<u32>) -> Result<(), ActionError> {
    log.push(format!("archive:{id}"));
    Ok(())
}

#[serac::action]
pub async fn remove(log: State<Log>, Bound(id): Bound<u32>) -> Result<(), ActionError> {
    log.push(format!("remove:{id}"));
    Ok(())
}

#[derive(Deserialize)]
pub struct Lookup {
    pub q: String,
}

/// Returns nothing for an empty query.
#[serac::action]
pub async fn look_up(log: State<Log>, form: Form<Lookup>) -> Result<Option<String>, ActionError> {
    log.push(format!("look_up:{}", form.q));
    Ok((!form.q.is_empty()).then(|| form.q.to_uppercase()))
}

#[serac::action]
pub async fn set_theme(cx: Cx, form: Form<Go>) -> Result<(), ActionError> {
    cx.cookies().set(Cookie::new("theme", form.to.clone()));
    cx.revalidate_path("/p/theme");
    Ok(())
}

async fn page_a(page: Page) -> Markup {
    html! {
        h1 { "Page A" }
        (page.form(go::action()).id("go").body(html! { input name="to"; button { "Go" } }))
        (page.form(go_replacing::action()).id("go-replacing").body(html! { input name="to"; button { "Go" } }))
    }
}

async fn counter(page: Page) -> Markup {
    let n: i64 = page.submission().and_then(|s| s.state()).unwrap_or(0);
    html! {
        p #n { (n) }
        (page.form(step_up::action()).state(&n).id("counter").body(html! {
            button #up { "+" }
            (page.button(step_down::action()).id("down").label("-"))
            (page.button(step_reset::action()).id("reset").label("0"))
        }))
    }
}

/// `elsewhere`'s button, in a form without state.
async fn elsewhere_page(page: Page) -> Markup {
    html! {
        (page.form(step_reset::action()).id("plain").body(html! {
            (page.button(elsewhere::action()).id("elsewhere").label("E"))
        }))
    }
}

/// A stateful form without an action of its own.
async fn pocket(page: Page) -> Markup {
    html! {
        (page.form_without_action().state(&7i64).id("pocket").body(html! {
            (page.button(step_down::action()).id("pocket-down").label("-"))
        }))
    }
}

async fn rows(page: Page) -> Markup {
    html! {
        (page.form_without_action().id("rows").body(html! {
            @for id in [1u32, 2] {
                (page.button(archive::action().bind(id)).id(format!("archive-{id}")).label("Archive"))
                (page.button(remove::action().bind(id)).id(format!("remove-{id}")).label("Remove"))
            }
        }))
    }
}

async fn lookup(page: Page) -> Markup {
    let a = look_up::action();
    let shown = match page.state::<Option<String>, _>(a) {
        None => "did not run".to_string(),
        Some(None) => "returned nothing".to_string(),
        Some(Some(v)) => format!("returned {v}"),
    };
    html! {
        p #result { (shown) }
        (page.form(a).shows_result().id("lookup").body(html! { input name="q"; button { "Look up" } }))
    }
}

async fn theme(page: Page, cookies: RequestCookies) -> Markup {
    html! {
        p #theme { (cookies.get("theme").unwrap_or("none")) }
        (page.form(set_theme::action()).id("theme-form").body(html! { input name="to"; button { "Set" } }))
    }
}

struct Server {
    url: String,
    log: Log,
    _task: serac_testkit::AbortOnDrop,
}

async fn start() -> Server {
    let log = Log::default();
    let config = Config::new(serac::KeyRing::from_secrets(&[SECRET]).expect("secret"))
        .mode(serac::config::Mode::Development);
    let router = Router::new()
        .route("/p/a/b", get(page_a))
        .route("/p/a/x", get(|| async { "x" }))
        .route("/p/counter", get(counter))
        .route("/p/rows", get(rows))
        .route("/p/elsewhere", get(elsewhere_page))
        .route("/p/pocket", get(pocket))
        .route("/p/lookup", get(lookup))
        .route("/p/theme", get(theme))
        .route("/p/done", get(|| async { "done" }));
    let app = ActionLayer::new(config).with_state(log.clone()).wrap(router);
    let (url, task) = serac_testkit::serve(app).await;
    Server { url, log, _task: serac_testkit::AbortOnDrop(task) }
}

impl Server {
    async fn page(&self, path: &str) -> String {
        let res = client().get(format!("{}{path}", self.url)).send().await.expect("GET");
        assert!(res.status().is_success(), "GET {path}: {}", res.status());
        res.text().await.expect("body")
    }

    /// Posts `fields` to `path` as a browser does: without JavaScript, or
    /// with it (the runtime's header, naming the action of `$action` or of
    /// the pressed `$button`).
    async fn post(&self, path: &str, fields: &[(String, String)], js: bool) -> reqwest::Response {
        let mut req = client()
            .post(format!("{}{path}", self.url))
            .header("origin", &self.url)
            .header("sec-fetch-site", "same-origin");
        if js {
            let named = fields
                .iter()
                .find(|(k, _)| k == "$button")
                .or_else(|| fields.iter().find(|(k, _)| k == "$action"));
            let id = named.map(|(_, v)| v.split('.').next().unwrap_or("").to_string()).expect("an action");
            req = req.header(serac::protocol::ACTION_HEADER, id);
        }
        req.form(fields).send().await.expect("POST")
    }

    /// Submits form `form` of `path` with `extra` fields.
    async fn submit(&self, path: &str, form: &str, extra: &[(&str, &str)], js: bool) -> reqwest::Response {
        let mut fields = hidden(&self.page(path).await, form);
        fields.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self.post(path, &fields, js).await
    }
}

async fn envelope(res: reqwest::Response) -> (u16, serac::protocol::Envelope) {
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("not an envelope ({e}): {text}")))
}

fn location(res: &reqwest::Response) -> String {
    assert_eq!(res.status(), 303, "a redirect");
    res.headers()["location"].to_str().expect("location").to_string()
}

#[tokio::test]
async fn an_absolute_url_of_this_site_is_followed_in_one_round_trip_like_a_path() {
    let s = start().await;
    let own = format!("{}/p/done?from=a", s.url);
    let (status, env) = envelope(s.submit("/p/a/b", "go", &[("to", &own)], true).await).await;
    assert_eq!(status, 200);
    assert_eq!(env.redirect.as_deref(), Some("/p/done?from=a"));
    assert_eq!(env.url.as_deref(), Some("/p/done?from=a"));
    assert_eq!(env.html.as_deref(), Some("done"), "the target page comes with the answer");
    assert!(!env.replace);

    let res = s.submit("/p/a/b", "go", &[("to", &own)], false).await;
    assert_eq!(location(&res), "/p/done?from=a");

    // The same host on another port is another site: passed on as it is.
    let port: u16 = s.url.rsplit(':').next().and_then(|p| p.parse().ok()).expect("port");
    let other = format!("http://127.0.0.1:{}/p/done", port.wrapping_add(1).max(1));
    let (_, env) = envelope(s.submit("/p/a/b", "go", &[("to", &other)], true).await).await;
    assert_eq!(env.redirect.as_deref(), Some(other.as_str()));
    assert_eq!(env.html, None);
    assert_eq!(location(&s.submit("/p/a/b", "go", &[("to", &other)], false).await), other);
}

#[tokio::test]
async fn relative_redirects_resolve_against_the_page_as_links_do() {
    let s = start().await;
    for (to, expected) in [("./x", "/p/a/x"), ("x", "/p/a/x"), ("../done", "/p/done"), ("?q=1", "/p/a/b?q=1")]
    {
        let (_, env) = envelope(s.submit("/p/a/b", "go", &[("to", to)], true).await).await;
        assert_eq!(env.redirect.as_deref(), Some(expected), "{to}");
        assert!(env.html.is_some(), "{to}: the page comes with the answer");
        assert_eq!(location(&s.submit("/p/a/b", "go", &[("to", to)], false).await), expected, "{to}");
    }
}

#[tokio::test]
async fn a_replacing_redirect_says_so_to_the_runtime_and_is_a_plain_303_without_it() {
    let s = start().await;
    let (status, env) = envelope(s.submit("/p/a/b", "go-replacing", &[("to", "/p/done")], true).await).await;
    assert_eq!(status, 200);
    assert!(env.replace, "{env:?}");
    assert_eq!(env.redirect.as_deref(), Some("/p/done"));
    assert_eq!(env.html.as_deref(), Some("done"));
    assert_eq!(location(&s.submit("/p/a/b", "go-replacing", &[("to", "/p/done")], false).await), "/p/done");

    // A plain redirect does not write the field at all.
    let res = s.submit("/p/a/b", "go", &[("to", "/p/done")], true).await;
    assert!(!res.text().await.expect("body").contains("replace"));
}

#[tokio::test]
async fn every_action_submitted_from_a_stateful_form_receives_its_state() {
    for js in [false, true] {
        let s = start().await;
        let page = s.page("/p/counter").await;
        let mut fields = hidden(&page, "counter");
        fields.push(button(&page, "down"));
        let res = s.post("/p/counter", &fields, js).await;
        let html = if js {
            let (status, env) = envelope(res).await;
            assert_eq!((status, env.result.clone()), (200, serde_json::json!(-1)), "js={js}");
            env.html.expect("the page")
        } else {
            assert_eq!(res.status(), 200, "a form that shows its result is answered with the page");
            res.text().await.expect("body")
        };
        assert!(html.contains(r#"<p id="n">-1</p>"#), "js={js}: {html}");

        // From the page as it now is: its state is -1, and each button's
        // action gets it.
        let mut again = hidden(&html, "counter");
        again.push(button(&html, "down"));
        let res = s.post("/p/counter", &again, false).await;
        assert!(res.text().await.expect("body").contains(r#"<p id="n">-2</p>"#), "js={js}");
        let res = s.post("/p/counter", &hidden(&html, "counter"), false).await;
        assert!(res.text().await.expect("body").contains(r#"<p id="n">0</p>"#), "the form's own action");
        assert_eq!(s.log.events(), ["down", "down", "up"], "js={js}");
    }
}

#[tokio::test]
async fn a_state_sealed_for_another_form_does_not_open() {
    let s = start().await;
    let counter = s.page("/p/counter").await;
    let state = hidden(&counter, "counter").into_iter().find(|(k, _)| k == "$state").expect("$state");
    // The lookup form's action with the counter's state: refused, not run.
    let mut fields = hidden(&s.page("/p/lookup").await, "lookup");
    fields.retain(|(k, _)| k != "$state");
    fields.push(state);
    fields.push(("q".into(), "x".into()));
    let res = s.post("/p/lookup", &fields, false).await;
    assert_eq!(res.status(), 400);
    assert!(s.log.events().is_empty());
}

/// Regression (found attacking the shared form state): a form's `$state`
/// posted next to the button of an action that was never in that form ran
/// it with that state, so any state could be laundered into any action.
#[tokio::test]
async fn a_forms_state_reaches_only_the_buttons_rendered_in_it() {
    for js in [false, true] {
        let s = start().await;
        let counter = s.page("/p/counter").await;
        let pocket = s.page("/p/pocket").await;
        let foreign = button(&s.page("/p/elsewhere").await, "elsewhere");
        let counter_action =
            hidden(&counter, "counter").into_iter().find(|(k, _)| k == "$action").expect("$action");
        let pocket_state = hidden(&pocket, "pocket");

        // The counter's state with a button from another page.
        let mut fields = hidden(&counter, "counter");
        fields.push(foreign.clone());
        assert_eq!(s.post("/p/counter", &fields, js).await.status(), 400, "js={js}");

        // A form without an action: its state with that button.
        let mut fields = pocket_state.clone();
        fields.push(foreign.clone());
        assert_eq!(s.post("/p/pocket", &fields, js).await.status(), 400, "js={js}");

        // The counter's state with a real button of another stateful form.
        let mut fields = hidden(&counter, "counter");
        fields.push(button(&pocket, "pocket-down"));
        assert_eq!(s.post("/p/counter", &fields, js).await.status(), 400, "js={js}");

        // The pocket's state claiming to be the counter's.
        let mut fields = pocket_state.clone();
        fields.push(counter_action.clone());
        fields.push(button(&counter, "down"));
        assert_eq!(s.post("/p/counter", &fields, js).await.status(), 400, "js={js}");

        assert!(s.log.events().is_empty(), "js={js}: {:?}", s.log.events());

        // Each button in its own form still gets the state.
        let mut fields = pocket_state.clone();
        fields.push(button(&pocket, "pocket-down"));
        assert!(s.post("/p/pocket", &fields, js).await.status().is_success(), "js={js}");
        assert_eq!(s.log.events(), ["down"], "js={js}");
    }
}

#[tokio::test]
async fn a_form_without_an_action_of_its_own_runs_the_pressed_button_only() {
    let s = start().await;
    let page = s.page("/p/rows").await;
    let fields = hidden(&page, "rows");
    assert!(fields.iter().all(|(k, _)| k != "$action"), "{fields:?}");
    for (js, pressed) in [(false, "remove-2"), (true, "archive-1")] {
        let mut fields = fields.clone();
        fields.push(button(&page, pressed));
        let res = s.post("/p/rows", &fields, js).await;
        if js {
            assert_eq!(envelope(res).await.0, 200);
        } else {
            assert_eq!(location(&res), "/p/rows");
        }
    }
    assert_eq!(s.log.events(), ["remove:2", "archive:1"]);

    // Nothing pressed: no action, and the post is the app's (no route: 405).
    let res = s.post("/p/rows", &fields, false).await;
    assert_eq!(res.status(), 405);
    assert_eq!(s.log.events().len(), 2);
}

#[tokio::test]
async fn returned_nothing_is_told_apart_from_did_not_run() {
    let s = start().await;
    assert!(s.page("/p/lookup").await.contains("did not run"));
    for js in [false, true] {
        let res = s.submit("/p/lookup", "lookup", &[("q", "")], js).await;
        let html = if js {
            let (_, env) = envelope(res).await;
            assert_eq!(env.result, serde_json::Value::Null);
            env.html.expect("a form that shows its result gets the page, also for nothing")
        } else {
            assert_eq!(res.status(), 200);
            res.text().await.expect("body")
        };
        assert!(html.contains("returned nothing"), "js={js}: {html}");
        let res = s.submit("/p/lookup", "lookup", &[("q", "ab")], false).await;
        assert!(res.text().await.expect("body").contains("returned AB"));
    }
}

#[tokio::test]
async fn page_handlers_read_cookies_as_actions_set_them() {
    let s = start().await;
    assert!(s.page("/p/theme").await.contains(r#"<p id="theme">none</p>"#));
    // A value that must be encoded in a cookie: the page reads it decoded.
    let value = "dark blue; 100%";
    let (_, env) = envelope(s.submit("/p/theme", "theme-form", &[("to", value)], true).await).await;
    let html = env.html.expect("the page, with the new cookie");
    assert!(html.contains(r#"<p id="theme">dark blue; 100%</p>"#), "{html}");

    let res = s.submit("/p/theme", "theme-form", &[("to", value)], false).await;
    let set_cookie = res.headers()["set-cookie"].to_str().expect("set-cookie").to_string();
    let pair = set_cookie.split(';').next().expect("name=value").to_string();
    assert_ne!(pair, format!("theme={value}"), "sent encoded");
    let html = client()
        .get(format!("{}/p/theme", s.url))
        .header("cookie", pair)
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(html.contains(r#"<p id="theme">dark blue; 100%</p>"#), "{html}");
}
