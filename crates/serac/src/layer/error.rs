//! What building an [`ActionLayer`](super::ActionLayer) can refuse. The
//! builder's other methods cannot fail; [`ExposeError`] is a mistake in the
//! app's own list of actions, reported where the app is put together
//! rather than found later as a missing or shadowed export.

/// [`ActionLayer::expose`](super::ActionLayer::expose) was given two actions
/// that would be one export.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExposeError {
    /// Two actions with one function name (exports are named after it).
    #[error(
        "two exposed actions are named `{name}`: {first} and {second}; expose one of them, or rename it with #[action(name = \"…\")]"
    )]
    NameClash {
        /// The export name both would take.
        name: String,
        /// The Rust path of the first.
        first: &'static str,
        /// The Rust path of the second.
        second: &'static str,
    },
}
