//! `ActionLayer::expose`: the ES module of named actions for hand-written
//! scripts. Its exports are the functions' Rust names, so two exposed actions
//! with one name are a mistake caught when the app is built, not a module
//! where one silently shadows the other.

use serac::prelude::*;

mod notes {
    use serac::prelude::*;

    #[serac::action]
    pub async fn clear(cx: Cx) -> Result<(), ActionError> {
        cx.revalidate_tag("notes");
        Ok(())
    }
}

mod todos {
    use serac::prelude::*;

    #[serac::action]
    pub async fn clear(cx: Cx) -> Result<(), ActionError> {
        cx.revalidate_tag("todos");
        Ok(())
    }
}

#[test]
fn two_exposed_actions_with_one_name_stop_the_app_naming_both() {
    let layer = ActionLayer::new(crate::support::config());
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let _ = layer.expose([notes::clear::action(), todos::clear::action()]);
    }))
    .expect_err("a name clash must not build");
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    assert!(message.contains("two exposed actions are named `clear`"), "{message}");
    assert!(message.contains("notes::clear") && message.contains("todos::clear"), "{message}");
}

#[test]
fn one_of_them_alone_is_fine() {
    let _ = ActionLayer::new(crate::support::config()).expose([notes::clear::action()]);
}
