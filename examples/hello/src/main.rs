use axum::{Router, routing::get};
use maud::{Markup, html};
use serac::prelude::*;

#[derive(serde::Deserialize)]
struct NewNote {
    text: String,
}

#[serac::action]
async fn add_note(cx: Cx, form: Form<NewNote>) -> Result<(), ActionError> {
    if form.text.trim().is_empty() {
        return Err(ActionError::invalid("text", "Write something first."));
    }
    // ... store it ...
    cx.revalidate_path("/");
    Ok(()) // the browser is sent back to the page (303): a refresh never re-posts
}

async fn home(page: Page) -> Markup {
    let add = add_note::action();
    html! {
        (page.form(add).body(html! {
            input name="text" value=(page.value(add, "text")); // keeps what was typed
            @if let Some(e) = page.field_error(add, "text") { p { (e) } } // shown: no error page
            button { "Add" }
        }))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = ActionLayer::from_env()?.wrap(Router::new().route("/", get(home)));
    let addr = std::env::var("SERAC_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("http://{addr}");
    serac::serve(listener, app).await?; // timeouts for slow clients, a connection limit
    Ok(())
}
