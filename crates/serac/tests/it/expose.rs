//! `ActionLayer::expose`: the ES module of named actions for hand-written
//! scripts. Its exports are the actions' names (the function's, or
//! `#[action(name = "...")]`), so two exposed actions
//! with one name are an error when the app is built, not a module where one
//! silently shadows the other.

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

mod renamed {
    use serac::prelude::*;

    #[serac::action(name = "clear_todos")]
    pub async fn clear(cx: Cx) -> Result<(), ActionError> {
        cx.revalidate_tag("todos");
        Ok(())
    }
}

#[test]
fn two_exposed_actions_with_one_name_are_refused_naming_both() {
    let refused = ActionLayer::new(crate::support::config())
        .expose([notes::clear::action(), todos::clear::action()])
        .expect_err("a name clash must not build");
    let message = refused.to_string();
    assert!(message.contains("two exposed actions are named `clear`"), "{message}");
    assert!(message.contains("notes::clear") && message.contains("todos::clear"), "{message}");
}

#[test]
fn one_of_them_alone_is_fine() {
    assert!(ActionLayer::new(crate::support::config()).expose([notes::clear::action()]).is_ok());
}

#[test]
fn a_name_given_with_the_attribute_resolves_the_clash() {
    assert!(
        ActionLayer::new(crate::support::config())
            .expose([notes::clear::action(), renamed::clear::action()])
            .is_ok()
    );
}
