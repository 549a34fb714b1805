//! Server actions: how they are defined, named, referenced and invoked.
//!
//! `#[serac::action]` turns an `async fn` into an action by generating, next
//! to the function (which stays callable from Rust), a module of the same name
//! holding a static [`ActionDef`] and registering it. The layer builds a
//! registry from every registered definition: public id → definition, with
//! ids computed from each action's path under the server's secret.
//!
//! - `def.rs`: the static description of one action, and its registration.
//! - `reference.rs`: [`ActionRef`], a value that names an action in pages
//!   and components, and [`BoundAction`], one with its bound values fixed.
//! - `params.rs`: [`FromCall`] and the parameter types ([`Form`], [`Bound`], …).
//! - `call.rs`: [`Call`], what parameters take their values from.
//! - `invoke.rs`: running an action (span, time limit, panic isolation).
//! - `streaming.rs`: [`Streaming`], a result sent part by part.
//! - `registry.rs`: ids.

pub(crate) mod call;
pub(crate) mod def;
pub(crate) mod invoke;
pub(crate) mod params;
pub(crate) mod reference;
pub(crate) mod registry;
pub(crate) mod streaming;

pub use call::Call;
pub use def::ActionDef;
#[doc(hidden)]
pub use def::{ActionFuture, Registration};
pub use params::{Bound, Form, FormData, FromCall, PrevState, State};
#[doc(hidden)]
pub use params::{Param, extract};
#[doc(hidden)]
pub use reference::Append;
pub use reference::{ActionRef, Bindable, BoundAction, Cons, IntoTarget, List, Nil, Target};
pub use streaming::{Parts, Streaming};
#[doc(hidden)]
pub use streaming::{Returned, StreamOfParts};

pub use crate::payload::UploadedFile;
pub(crate) use registry::Registry;
