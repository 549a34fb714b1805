//! `#[action(crate = "…")]`: apps (or frameworks) that reach Serac under
//! another name. This test crate has no `serac` dependency, only `framework`
//! (Serac renamed in Cargo.toml), so an expansion that ignored the setting
//! and named `::serac` would not compile.

// `#[action] mod` takes the module's `pub async fn`s.
#![allow(unreachable_pub)]

use framework::prelude::*;

#[derive(serde::Deserialize)]
struct Note {
    text: String,
}

#[framework::action(crate = "framework")]
async fn add(a: i32, b: i32) -> Result<i32, ActionError> {
    Ok(a + b)
}

#[framework::action(crate = "framework")]
async fn rename(cx: Cx, Bound(id): Bound<i64>, form: Form<Note>) -> Result<String, ActionError> {
    cx.revalidate_path("/");
    Ok(format!("{id}: {}", form.text))
}

#[framework::action(crate = "framework")]
mod notes {
    use framework::prelude::*;

    pub async fn clear(cx: Cx) -> Result<(), ActionError> {
        cx.revalidate_tag("notes");
        Ok(())
    }
}

#[test]
fn actions_declared_through_a_renamed_crate_are_registered() {
    assert!(add::action().path().ends_with("add"));
    assert!(rename::action().path().ends_with("rename"));
    let _bound = rename::action().bind(7_i64);
    assert!(notes::clear::action().path().ends_with("clear"));
}

#[tokio::test]
async fn the_function_stays_callable() {
    assert_eq!(add(2, 3).await.ok(), Some(5));
}
