//! The tower layer: [`ActionLayer`] (`layer.rs`) builds [`ActionService`]
//! (`service.rs`), whose future is [`ResponseFuture`] (`future.rs`);
//! [`ExposeError`] (`error.rs`) is what building it can refuse. Only
//! tower plumbing lives here: what an action call does is in `call/`, what a
//! page view does in `page/`.

mod error;
mod future;
#[allow(clippy::module_inception)]
mod layer;
mod service;

pub use error::ExposeError;
pub use future::ResponseFuture;
pub use layer::ActionLayer;
pub use service::ActionService;
