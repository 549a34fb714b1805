//! References to actions: values that pages and components pass around.
//!
//! An [`ActionRef`] is `Copy` and knows nothing secret; it turns into an id
//! (and bound values into a sealed `$bound`) only when a page renders it
//! through [`crate::Page`], which holds the server's keys. That keeps
//! references usable anywhere, like any other value.
//!
//! Which parameters are bound is part of the action's type: `ActionRef<B>`
//! carries the list `B` of its `Bound<T>` parameters' types, each
//! [`ActionRef::bind`] takes the next one and only a reference with nothing
//! left to bind can become a form or a button. Binding a value of the wrong
//! type, binding too many, or forgetting one does not compile.

use std::marker::PhantomData;

use serde::Serialize;
use serde_json::Value;

use super::def::ActionDef;

/// The end of a list of bound parameter types: nothing (more) to bind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nil {}

/// A list of bound parameter types: `H` first, then the list `T`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cons<H, T>(PhantomData<fn() -> (H, T)>);

/// A type-level list of bound parameter types.
pub trait List {
    /// Its length.
    const LEN: usize;
}

impl List for Nil {
    const LEN: usize = 0;
}

impl<H, T: List> List for Cons<H, T> {
    const LEN: usize = 1 + T::LEN;
}

/// `Self` followed by `L`.
#[doc(hidden)]
pub trait Append<L: List>: List {
    type Out: List;
}

impl<L: List> Append<L> for Nil {
    type Out = L;
}

impl<H, T: Append<L>, L: List> Append<L> for Cons<H, T> {
    type Out = Cons<H, T::Out>;
}

/// A reference to a server action, obtained with `my_action::action()`. `B`
/// lists the types of the action's `Bound<T>` parameters still to bind.
pub struct ActionRef<B = Nil> {
    def: &'static ActionDef,
    bound: PhantomData<fn() -> B>,
}

impl<B> Clone for ActionRef<B> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<B> Copy for ActionRef<B> {}

impl<B> std::fmt::Debug for ActionRef<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ActionRef").field(&self.def.path()).finish()
    }
}

impl<B, C> PartialEq<ActionRef<C>> for ActionRef<B> {
    fn eq(&self, other: &ActionRef<C>) -> bool {
        std::ptr::eq(self.def, other.def)
    }
}
impl<B> Eq for ActionRef<B> {}

impl<B> ActionRef<B> {
    /// Used by the generated code.
    #[doc(hidden)]
    pub const fn new(def: &'static ActionDef) -> Self {
        Self { def, bound: PhantomData }
    }

    /// The action's definition.
    pub fn def(&self) -> &'static ActionDef {
        self.def
    }

    /// The Rust path of the action function.
    pub fn path(&self) -> &'static str {
        self.def.path()
    }
}

impl<H: Bindable, T> ActionRef<Cons<H, T>> {
    /// Fixes the action's first `Bound<H>` parameter (like
    /// `fn.bind(null, value)` in JavaScript). The value is sealed into the
    /// page when rendered and comes back unchanged or not at all. Call once
    /// per `Bound` parameter, in order.
    ///
    /// Types that must never reach the browser, such as [`crate::Secret`], do
    /// not implement `Serialize`, so binding them does not compile.
    pub fn bind(self, value: H) -> BoundAction<T> {
        BoundAction::<Cons<H, T>> { def: self.def, args: Vec::new(), rest: PhantomData }.push(&value)
    }
}

/// An action reference with some of its bound parameters fixed; `B` lists
/// the types of those still to bind.
pub struct BoundAction<B = Nil> {
    def: &'static ActionDef,
    args: Vec<Value>,
    rest: PhantomData<fn() -> B>,
}

impl<B> Clone for BoundAction<B> {
    fn clone(&self) -> Self {
        Self { def: self.def, args: self.args.clone(), rest: PhantomData }
    }
}

impl<B> std::fmt::Debug for BoundAction<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundAction").field("action", &self.def.path()).field("args", &self.args).finish()
    }
}

impl<B> BoundAction<B> {
    /// # Panics
    /// When the value's `Serialize` implementation fails (a map with
    /// non-string keys, a custom impl returning an error): a programming
    /// error in the page, not something user input can cause.
    fn push<C, V: Serialize>(self, value: &V) -> BoundAction<C> {
        let value = serde_json::to_value(value)
            .unwrap_or_else(|e| panic!("serac: cannot bind a value to {}: {e}", self.def.path()));
        let mut args = self.args;
        args.push(value);
        BoundAction { def: self.def, args, rest: PhantomData }
    }

    /// The action this is bound to.
    pub fn action(&self) -> ActionRef<B> {
        ActionRef::new(self.def)
    }

    /// The values bound so far, in order.
    pub fn args(&self) -> &[Value] {
        &self.args
    }
}

impl<H: Bindable, T> BoundAction<Cons<H, T>> {
    /// Fixes the next `Bound<H>` parameter.
    pub fn bind(self, value: H) -> BoundAction<T> {
        self.push(&value)
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

/// An action with every bound parameter fixed: what a form or a button calls.
#[derive(Debug, Clone)]
pub struct Target {
    pub(crate) def: &'static ActionDef,
    pub(crate) args: Vec<Value>,
}

/// Anything a form or button can call: an [`ActionRef`] of an action without
/// `Bound` parameters, or a [`BoundAction`] with all of them bound.
#[diagnostic::on_unimplemented(
    message = "`{Self}` still has bound parameters to fill",
    label = "this action takes `Bound<T>` parameters",
    note = "call `.bind(value)` once for each `Bound<T>` parameter of the action, in order"
)]
pub trait IntoTarget {
    /// The action and its bound values.
    fn into_target(self) -> Target;
}

impl IntoTarget for Target {
    fn into_target(self) -> Target {
        self
    }
}

impl IntoTarget for ActionRef<Nil> {
    fn into_target(self) -> Target {
        Target { def: self.def, args: Vec::new() }
    }
}

impl IntoTarget for &ActionRef<Nil> {
    fn into_target(self) -> Target {
        (*self).into_target()
    }
}

impl IntoTarget for BoundAction<Nil> {
    fn into_target(self) -> Target {
        Target { def: self.def, args: self.args }
    }
}

impl IntoTarget for &BoundAction<Nil> {
    fn into_target(self) -> Target {
        self.clone().into_target()
    }
}
