//! The actions and queries the React app calls. Each is marked
//! `typescript`, so `serac::typescript::module()` writes a typed function
//! for it; the doc comments become the functions' JSDoc. The reads are
//! queries (`GET`, cached by the client until an action's answer brings
//! them fresh); the changes are actions.

use serac::prelude::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::AppState;

/// The longest title, in characters.
pub const MAX_TITLE: usize = 80;

/// One thing to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Todo {
    pub id: u32,
    pub title: String,
    pub done: bool,
}

/// The form that adds a todo.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct NewTodo {
    pub title: String,
}

/// What archiving did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Archive {
    /// The archived todos, oldest first.
    pub todos: Vec<Todo>,
}

async fn wait(state: &AppState) {
    if !state.delay.is_zero() {
        tokio::time::sleep(state.delay).await;
    }
}

/// The open todos, oldest first.
#[serac::query(typescript)]
pub async fn list_todos(cx: Cx) -> Result<Vec<Todo>, ActionError> {
    let state: AppState = cx.state()?;
    Ok(state.with(|t| t.open.clone()))
}

/// Adds a todo. The title is trimmed, 1 to 80 characters long, and not
/// already on the list (that is a `conflict`).
#[action(typescript)]
pub async fn add_todo(cx: Cx, form: Form<NewTodo>) -> Result<Todo, ActionError> {
    let state: AppState = cx.state()?;
    wait(&state).await;
    let title = form.title.trim();
    if title.is_empty() {
        return Err(ActionError::invalid("title", "Write what there is to do."));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(ActionError::invalid("title", format!("Keep it under {MAX_TITLE} characters.")));
    }
    state.with(|t| {
        if t.open.iter().any(|todo| todo.title.eq_ignore_ascii_case(title)) {
            return Err(ActionError::conflict(format!("\u{201c}{title}\u{201d} is already on the list.")));
        }
        t.next_id += 1;
        let todo = Todo { id: t.next_id, title: title.to_string(), done: false };
        t.open.push(todo.clone());
        Ok(todo)
    })
}

/// Marks a todo done or not done, and returns it as it now is.
#[action(typescript)]
pub async fn set_done(cx: Cx, id: u32, done: bool) -> Result<Todo, ActionError> {
    let state: AppState = cx.state()?;
    wait(&state).await;
    state.with(|t| {
        let todo = t
            .open
            .iter_mut()
            .find(|todo| todo.id == id)
            .ok_or_else(|| ActionError::not_found("That todo is no longer on the list."))?;
        todo.done = done;
        Ok(todo.clone())
    })
}

/// Moves the done todos to the archive, then sends the browser to
/// `/archived`.
#[action(typescript)]
pub async fn archive_done(cx: Cx) -> Result<(), ActionError> {
    let state: AppState = cx.state()?;
    wait(&state).await;
    state.with(|t| {
        let (done, open): (Vec<Todo>, Vec<Todo>) = t.open.drain(..).partition(|todo| todo.done);
        t.open = open;
        t.archived.extend(done);
    });
    Err(redirect("/archived"))
}

/// Everything archived so far.
#[serac::query(typescript)]
pub async fn archived(cx: Cx) -> Result<Archive, ActionError> {
    let state: AppState = cx.state()?;
    Ok(Archive { todos: state.with(|t| t.archived.clone()) })
}

/// How many times each title was done before (is in the archive, in any
/// case). A browser reads one title at a time; the titles of one render go
/// out in one request and are answered by one run.
#[serac::query(typescript, batch)]
pub async fn times_done(cx: Cx, titles: Vec<String>) -> Result<Vec<usize>, ActionError> {
    let state: AppState = cx.state()?;
    Ok(state.with(|t| {
        titles
            .iter()
            .map(|title| t.archived.iter().filter(|done| done.title.eq_ignore_ascii_case(title)).count())
            .collect()
    }))
}

/// The words of a suggested todo, as it is thought of (a stand-in for a
/// language model): a streamed result, read with `for await`.
pub const SUGGESTION: [&str; 5] = ["Water ", "the ", "plants ", "on ", "Friday"];

/// Suggests a todo, a word at a time.
#[action(typescript)]
pub async fn suggest() -> Result<serac::Streaming<String>, ActionError> {
    Ok(serac::Streaming::from_fn(|words| async move {
        for word in SUGGESTION {
            tokio::time::sleep(std::time::Duration::from_millis(150)).await;
            words.send(word.to_string()).await;
        }
        Ok(())
    }))
}
