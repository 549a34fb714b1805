//! References to actions: values that pages and components pass around.
//!
//! An [`ActionRef`] is `Copy` and knows nothing secret; it turns into an id
//! (and bound arguments into a sealed `$bound`) only when a page renders it
//! through [`crate::Page`], which holds the server's keys. That keeps
//! references usable anywhere, like any other value (S4).

use serde::Serialize;
use serde_json::Value;

use super::def::ActionDef;

/// A reference to a server action, obtained with `my_action::action()`.
#[derive(Clone, Copy)]
pub struct ActionRef {
    def: &'static ActionDef,
}

impl std::fmt::Debug for ActionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ActionRef").field(&self.def.path).finish()
    }
}

impl PartialEq for ActionRef {
    fn eq(&self, other: &Self) -> bool {
        self.def.path == other.def.path
    }
}
impl Eq for ActionRef {}

impl ActionRef {
    /// Used by the generated code.
    #[doc(hidden)]
    pub const fn new(def: &'static ActionDef) -> Self {
        Self { def }
    }

    /// The action's definition.
    pub fn def(&self) -> &'static ActionDef {
        self.def
    }

    /// The Rust path of the action function.
    pub fn path(&self) -> &'static str {
        self.def.path
    }

    /// Fixes the first argument (like `fn.bind(null, value)` in JavaScript).
    /// The value is sealed into the page when rendered and comes back
    /// unchanged or not at all. Chain calls to bind more arguments.
    ///
    /// Types that must never reach the browser, such as [`crate::Secret`], do
    /// not implement `Serialize`, so binding them does not compile.
    pub fn bind<T: Bindable>(self, value: T) -> Bound {
        Bound { action: self, args: Vec::new() }.bind(value)
    }
}

/// An action reference with leading arguments fixed.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    action: ActionRef,
    args: Vec<Value>,
}

impl Bound {
    /// Fixes one more argument.
    ///
    /// # Panics
    /// When the value's `Serialize` implementation fails (a map with non-string
    /// keys, a custom impl returning an error): a programming error in the
    /// page, not something user input can cause.
    pub fn bind<T: Bindable>(mut self, value: T) -> Self {
        let value = serde_json::to_value(value)
            .unwrap_or_else(|e| panic!("serac: cannot bind a value to {}: {e}", self.action.path()));
        self.args.push(value);
        self
    }

    /// The action this is bound to.
    pub fn action(&self) -> ActionRef {
        self.action
    }

    /// The bound arguments, in order.
    pub fn args(&self) -> &[Value] {
        &self.args
    }
}

/// Values that may be bound to an action: anything `Serialize`.
///
/// A separate trait only so that a refused value (a [`crate::Secret`], a
/// type without `Serialize`) gets an error that says why.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to an action",
    label = "bound values are sealed into the page and sent to the browser",
    note = "only `Serialize` values can be bound; a `Secret` never can: look it up on the server inside the action instead"
)]
pub trait Bindable: Serialize {}

impl<T: Serialize> Bindable for T {}

/// Anything a form or button can target: an [`ActionRef`] or a [`Bound`].
pub trait IntoBound {
    /// As a bound reference (with no arguments for a plain reference).
    fn into_bound(self) -> Bound;
}

impl IntoBound for ActionRef {
    fn into_bound(self) -> Bound {
        Bound { action: self, args: Vec::new() }
    }
}

impl IntoBound for Bound {
    fn into_bound(self) -> Bound {
        self
    }
}

impl IntoBound for &Bound {
    fn into_bound(self) -> Bound {
        self.clone()
    }
}

impl IntoBound for &ActionRef {
    fn into_bound(self) -> Bound {
        (*self).into_bound()
    }
}
