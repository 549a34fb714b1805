//! The tower layer that turns action calls into responses.
//!
//! Shaped like a tower middleware: [`ActionLayer`] (`layer.rs`) builds
//! [`ActionService`] (`service.rs`), whose future is [`ResponseFuture`]
//! (`future.rs`). `service.rs` tells action calls from other requests and runs
//! the checks in order; `invoke.rs` runs the action (span, time limit, panic
//! isolation); `respond.rs` turns the outcome into a JSON envelope
//! (`envelope.rs`) or a page.

mod envelope;
mod future;
mod idempotency;
mod invoke;
#[allow(clippy::module_inception)]
mod layer;
mod respond;
mod service;

pub use envelope::{Envelope, EnvelopeError};
pub use future::ResponseFuture;
pub(crate) use idempotency::Keys;
pub use idempotency::{IDEMPOTENCY_HEADER, KEEP_FOR as IDEMPOTENCY_KEEP_FOR};
pub use layer::ActionLayer;
pub use service::ActionService;

/// The header a JavaScript call carries, with the action id as value.
pub const ACTION_HEADER: &str = "serac-action";

/// With the value `none` on a JavaScript call, the envelope never carries the
/// page's HTML: for clients that render themselves (the typed TypeScript
/// client, B6), so the server does not render a page nobody reads.
pub const RENDER_HEADER: &str = "serac-render";

/// The headers above, parsed once: a lookup by `&str` parses the name on
/// every call, and these are looked up on every request.
pub(crate) mod names {
    use http::HeaderName;

    pub(crate) static ACTION: HeaderName = HeaderName::from_static(super::ACTION_HEADER);
    pub(crate) static RENDER: HeaderName = HeaderName::from_static(super::RENDER_HEADER);
    pub(crate) static IDEMPOTENCY: HeaderName = HeaderName::from_static(super::IDEMPOTENCY_HEADER);
}
