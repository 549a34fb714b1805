//! # Serac: server actions for axum
//!
//! Write an `async fn` on the server, mark it `#[serac::action]`, and call it
//! from a plain HTML form — which works with JavaScript disabled — or from the
//! browser through a small runtime. The server answers with the action's
//! result and the updated page in one round trip.
//!
//! ```rust,no_run
//! use axum::{Router, routing::get, ServiceExt as _};
//! use maud::{Markup, html};
//! use serac::prelude::*;
//!
//! #[derive(serde::Deserialize)]
//! struct NewNote { text: String }
//!
//! #[serac::action]
//! async fn add_note(cx: Cx, form: Form<NewNote>) -> Result<(), ActionError> {
//!     if form.text.trim().is_empty() {
//!         return Err(ActionError::invalid("text", "Write something first."));
//!     }
//!     cx.revalidate_path("/");
//!     Ok(()) // no state: the browser is sent back to the page (303)
//! }
//!
//! async fn home(page: Page) -> Markup {
//!     let add = add_note::action();
//!     html! {
//!         (page.form(add).body(html! {
//!             input name="text" value=(page.value(add, "text"));
//!             @if let Some(e) = page.field_error(add, "text") { p.error { (e) } }
//!             button { "Add" }
//!         }))
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let app = ActionLayer::from_env()?.wrap(Router::new().route("/", get(home)));
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//!     axum::serve(listener, app.into_make_service()).await?;
//!     Ok(())
//! }
//! ```
//!
//! ## What is where
//!
//! | item | what it does | spec |
//! |---|---|---|
//! | [`action`] | marks an `async fn` (or every `pub async fn` of a module) as an action | S1 |
//! | [`ActionLayer`] | wraps your router: guards, decoding, dispatch, responses | S8 S9 S31 S32 |
//! | [`Page`] | extractor for page handlers: forms, buttons, submitted values, state, errors | S2 S16 S17 |
//! | [`Cx`] | the action's context: app state, headers, [`Cookies`], `revalidate_*` | S23 S25 |
//! | [`Form`], [`FormData`], [`PrevState`] | action parameters decoded from the form | S5 S17 |
//! | [`ActionRef::bind`] | fixes leading arguments, sealed into the page | S13 S28 |
//! | [`ActionError`], [`redirect`] | errors as values, with their HTTP status | S22 S24 |
//! | [`Auth`], [`Identify`] | require a signed-in user | S27 |
//! | [`Secret`] | a value that cannot be sent to the browser (compile-time) | S30 B9 |
//! | [`KeyRing`] | `SERAC_SECRET`: ids, sealing, rotation | S26 S29 B2 |
//! | `typescript` (feature) | `#[action(typescript)]`: a typed TypeScript client for React and other front ends | B6 |
//!
//! The wire protocol (hidden fields, header, JSON envelope) is documented in
//! `docs/protocol.md` in the repository.
//!
//! ## Parameters of an action
//!
//! Recognised by their type's name: [`Cx`] (the context), [`Form<T>`] (the form
//! decoded into a serde type), [`FormData`] (the raw form with files),
//! [`PrevState<T>`] (the previous form state), [`Auth<U>`] (the signed-in user).
//! Every other parameter is a positional serde argument: bound arguments
//! first, then the arguments of a programmatic call.

#![forbid(unsafe_code)]

// The modules, bottom to top: each uses only those above it in this list
// (`tests/layering.rs` checks it).
pub mod action;
mod app;
mod auth;
pub mod cache;
mod call;
pub mod client;
mod config;
mod cookies;
mod cx;
mod error;
mod guard;
mod layer;
pub mod page;
mod payload;
pub mod protocol;
mod seal;
mod secret;
#[cfg(feature = "typescript")]
pub mod typescript;

pub use action::{ActionDef, ActionRef, Bindable, Bound, Form, FormData, IntoBound, PrevState};
pub use auth::{Auth, Identify, SIGN_IN_MESSAGE};
pub use cache::{Invalidated, Invalidation, InvalidationHook};
pub use config::{Config, DEFAULT_BODY_LIMIT, Mode, RouteConfig};
pub use cookies::Cookies;
pub use cx::{Cx, CxBuilder};
pub use error::{ActionError, FieldErrors, Redirect, Rejection, redirect};
pub use layer::{ActionLayer, ActionService, ResponseFuture};
pub use page::{ActionButton, ActionForm, ErrorView, Page, Submission};
pub use payload::{MAX_FIELDS, UploadedFile};
pub use protocol::{ACTION_HEADER, Envelope, EnvelopeError, IDEMPOTENCY_HEADER, RENDER_HEADER};
pub use seal::{KeyError, KeyRing, OpenError, SECRET_ENV};
pub use secret::Secret;
pub use serac_macros::action;

/// Re-exported so that apps name the same `Cookie` type as the jar.
pub use cookie::{self, Cookie};

/// The names most apps need: `use serac::prelude::*;`.
pub mod prelude {
    pub use crate::{
        ActionError, ActionLayer, ActionRef, Auth, Config, Cx, Form, FormData, Page, PrevState, Secret,
        action, redirect,
    };
}

/// Used by the code `#[serac::action]` generates. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::action::{ActionDef, ActionFuture, Call, Registration};
    pub use inventory;
    use serde::Serialize;
    use serde_json::Value;

    use crate::error::ActionError;

    /// The return type every action has.
    #[diagnostic::on_unimplemented(
        message = "a server action must return `Result<T, E>` where `T: Serialize` and `E: Into<ActionError>`",
        label = "this is the action's return type",
        note = "return `Result<(), ActionError>` for an action without a result"
    )]
    pub trait IntoActionResult {
        /// What the action returns when it succeeds.
        type Output;
        /// The result as JSON, or the error.
        fn into_action_result(self) -> Result<Value, ActionError>;
    }

    impl<T: Serialize, E: Into<ActionError>> IntoActionResult for Result<T, E> {
        type Output = T;
        fn into_action_result(self) -> Result<Value, ActionError> {
            match self {
                Ok(value) => serde_json::to_value(value).map_err(|e| {
                    ActionError::internal(format!("the action's result could not be serialized: {e}"))
                }),
                Err(e) => Err(e.into()),
            }
        }
    }

    /// What `#[action(typescript)]` expands to: the action's TypeScript
    /// signature, registered for [`crate::typescript::module`].
    #[cfg(feature = "typescript")]
    #[macro_export]
    #[doc(hidden)]
    macro_rules! __serac_typescript_action {
        (definition = $def:ident, docs = $docs:expr, params = [ $( ($label:expr, $ty:ty) ),* ],
         form = $form:ident $( ($form_ty:ty) )?, output = $out:ty) => {
            fn __serac_typescript(
                types: &mut $crate::typescript::Types,
            ) -> $crate::typescript::Signature {
                $crate::typescript::Signature {
                    docs: $docs,
                    params: ::std::vec![ $( ($label, types.name_of::<$ty>()) ),* ],
                    form: $crate::__serac_typescript_form!(types, $form $( ($form_ty) )?),
                    output: types.name_of::<<$out as $crate::__private::IntoActionResult>::Output>(),
                }
            }
            $crate::__private::inventory::submit! {
                $crate::typescript::Exported { definition: &$def, signature: __serac_typescript }
            }
        };
    }

    #[cfg(feature = "typescript")]
    #[macro_export]
    #[doc(hidden)]
    macro_rules! __serac_typescript_form {
        ($types:ident, no_form) => {
            $crate::typescript::FormParam::None
        };
        ($types:ident, form_data) => {
            $crate::typescript::FormParam::FormData
        };
        ($types:ident, typed ($form:ty)) => {
            $crate::typescript::FormParam::Typed($types.name_of::<$form>())
        };
    }

    /// Without the `typescript` feature, `#[action(typescript)]` says how to
    /// turn it on.
    #[cfg(not(feature = "typescript"))]
    #[macro_export]
    #[doc(hidden)]
    macro_rules! __serac_typescript_action {
        ($($any:tt)*) => {
            ::core::compile_error!(
                "#[action(typescript)] needs serac's `typescript` feature: \
                 serac = { version = \"…\", features = [\"typescript\"] } in Cargo.toml"
            );
        };
    }

    pub use crate::__serac_typescript_action as typescript_action;

    /// Runs `Identify` for an `Auth<U>` parameter.
    pub async fn auth<U: crate::Identify>(call: &Call) -> Result<crate::Auth<U>, ActionError> {
        call.cx.user::<U>().await.map(crate::Auth)
    }
}

/// Entry points for the fuzz targets in `fuzz/` and the property tests: the
/// code that reads untrusted bytes, callable without a server. Not a stable
/// API.
#[doc(hidden)]
pub mod __fuzz {
    use bytes::Bytes;
    use http::{HeaderMap, HeaderValue, header::CONTENT_TYPE};

    /// Decodes `body` as a request with `content_type` would be: the fields
    /// (with `$` ones) and the number of files, or the rejection's message.
    pub fn decode(content_type: &str, body: &[u8]) -> Result<(Vec<(String, String)>, usize), String> {
        let mut headers = HeaderMap::new();
        let value = HeaderValue::from_str(content_type).map_err(|e| e.to_string())?;
        headers.insert(CONTENT_TYPE, value);
        let encoding = crate::payload::encoding(&headers).map_err(|r| r.to_string())?;
        let bytes = Bytes::copy_from_slice(body);
        let runtime = tokio::runtime::Builder::new_current_thread().build().map_err(|e| e.to_string())?;
        let payload =
            runtime.block_on(crate::payload::decode(&encoding, bytes)).map_err(|r| r.to_string())?;
        Ok((payload.fields, payload.files.len()))
    }

    /// Whether `s` has the shape of an action id.
    pub fn looks_like_id(s: &str) -> bool {
        crate::seal::looks_like_id(s)
    }

    /// The `$action` a form body's first bytes name, if any.
    pub fn action_in_prefix(prefix: &[u8]) -> Option<String> {
        crate::payload::action_in_prefix(prefix)
    }
}
