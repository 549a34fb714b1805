//! Two actions exported to TypeScript under one name would be one function:
//! generating the module refuses, naming both (its own binary, since the
//! clash would make every other generation in the binary fail too).

#![cfg(feature = "typescript")]
// A test binary exports nothing: `pub` here only makes the actions public items.
#![allow(unreachable_pub)]

mod first {
    #[serac::action(typescript)]
    pub async fn save() -> Result<(), serac::ActionError> {
        Ok(())
    }
}

mod second {
    #[serac::action(typescript)]
    pub async fn save() -> Result<(), serac::ActionError> {
        Ok(())
    }
}

#[test]
fn two_exported_actions_with_one_name_are_refused_naming_both() {
    let _ = (first::save::action(), second::save::action());
    let panic = std::panic::catch_unwind(serac::typescript::module).expect_err("a clash is refused");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("two actions exported to TypeScript are named `save`"), "{message}");
    assert!(
        message.contains("typescript_clash::first::save")
            && message.contains("typescript_clash::second::save")
    );
}
