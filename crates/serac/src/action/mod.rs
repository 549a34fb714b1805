//! Server actions: how they are defined, named, referenced and invoked.
//!
//! `#[serac::action]` turns an `async fn` into an action by generating, next
//! to the function (which stays callable from Rust), a module of the same name
//! holding a static [`ActionDef`] and registering it. The layer builds a
//! [`Registry`] from every registered definition: public id → definition, with
//! ids computed from each action's path under the server's secret.
//!
//! - [`def`]: the static description of one action and the registration.
//! - [`reference`]: [`ActionRef`], a value that names an action in pages and
//!   components, and [`Bound`], a reference with leading arguments fixed.
//! - [`call`]: what the generated code decodes parameters from.
//! - [`registry`]: id lookup.

pub(crate) mod call;
pub(crate) mod def;
pub(crate) mod invoke;
pub(crate) mod reference;
pub(crate) mod registry;

pub use call::{Call, Form, FormData, PrevState};
pub use def::{ActionDef, ActionFuture, Registration};
pub use reference::{ActionRef, Bindable, Bound, IntoBound};
pub(crate) use registry::Registry;
