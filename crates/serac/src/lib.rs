//! # Serac: server actions for axum
//!
//! Write an `async fn` on the server, mark it `#[serac::action]`, and call it
//! from a plain HTML form — which works with JavaScript disabled — or from the
//! browser through a small runtime. The server answers with the action's
//! result and the updated page in one round trip.
//!
//! ```rust,no_run
//! use axum::{Router, routing::get};
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
//!     serac::serve(listener, app).await?; // with timeouts and a connection limit
//!     Ok(())
//! }
//! ```
//!
//! New here? The [`guide`] builds a small app step by step: a form, errors
//! next to fields, bound values, signed-in users, cached pages, the runtime.
//!
//! ## What is where
//!
//! | item | what it does |
//! |---|---|
//! | [`macro@action`] | marks an `async fn` (or every `pub async fn` of a module) as an action |
//! | [`ActionLayer`] | wraps your router: guards, decoding, dispatch, responses |
//! | [`Page`] | extractor for page handlers: forms, buttons, submitted values, state, errors |
//! | [`RequestCookies`] | extractor for page handlers: the request's cookies, decoded as actions read them |
//! | [`Cx`] | the action's context: headers, cookies, `revalidate_*` |
//! | [`Form`], [`FormData`], [`PrevState`], [`State`], [`Auth`] | action parameters ([`FromCall`]) |
//! | [`Bound`], [`ActionRef::bind`] | values fixed when the page is rendered, sealed into it |
//! | [`Streaming`] | a result sent part by part as it is produced |
//! | [`upload::Upload`] | an uploaded file streamed to a temporary file, under the action's own limit |
//! | [`macro@query`], [`mod@query`] | reads called with `GET`, their answers cached by the browser (`ETag`, `304`) |
//! | [`ActionError`], [`redirect`], [`redirect_replace`] | errors as values, with their HTTP status |
//! | [`Secret`] | a value that cannot be sent to the browser (checked at compile time) |
//! | [`KeyRing`] | `SERAC_SECRET`: ids, sealing, rotation |
//! | [`serve()`] | serves an app with header and body timeouts and a connection limit |
//! | [`page`], [`cache`], [`protocol`], [`client`] | forms and buttons; cached data and pages; the wire protocol; the browser runtime |
//! | `typescript` (feature) | `#[action(typescript)]`: a typed TypeScript client for React and other front ends |
//! | `garde` (feature) | `ValidForm<T>`: forms validated with garde before the action runs (field errors, `422`); `#[derive(Constraints)]` and `page.input::<T>(..)`: the same rules as HTML constraint attributes (`serac::validate`) |
//!
//! The wire protocol (hidden fields, header, JSON envelope) is documented in
//! [`protocol`] and in `docs/protocol.md` in the repository.
//!
//! ## Parameters of an action
//!
//! Chosen by trait, like axum's extractors: every parameter type implements
//! [`FromCall`] (or is a [`Bound`] value). [`Cx`] is the context,
//! [`State<T>`] app state, [`Form<T>`] the form decoded into a serde type,
//! [`FormData`] the raw form with files, [`PrevState<T>`] the previous form
//! state, [`Auth<U>`] the signed-in user, [`Bound<T>`] a value sealed into
//! the page with [`ActionRef::bind`]. Any other `Deserialize` type is the
//! next JSON argument of a programmatic call. With the `garde` feature,
//! `ValidForm<T>` is a form validated by its garde rules before the action
//! runs.

#![forbid(unsafe_code)]

// The modules, bottom to top: each uses only those above it in this list
// (`tests/layering.rs` checks it).
pub mod error;
pub mod cache;
pub mod idempotency;
pub mod protocol;
pub mod seal;
mod secret;
mod cookies;
mod spool;
mod payload;
mod guard;
pub mod config;
pub mod cx;
pub mod auth;
pub mod action;
pub mod upload;
pub mod query;
#[cfg(feature = "garde")]
pub mod validate;
pub mod client;
mod app;
pub mod page;
#[cfg(feature = "typescript")]
pub mod typescript;
mod call;
pub mod layer;
pub mod serve;

#[doc = include_str!("guide.md")]
pub mod guide {}

pub use action::{ActionRef, Bound, Form, FormData, FromCall, PrevState, State, Streaming};
pub use auth::{Auth, Identify};
pub use config::Config;
pub use cx::Cx;
pub use error::{ActionError, FieldErrors, redirect, redirect_replace};
pub use layer::{ActionLayer, ActionService};
pub use page::{Page, RequestCookies};
pub use seal::KeyRing;
pub use secret::Secret;
/// `#[derive(serac::Constraints)]`: the rules of a form type's fields, for
/// `ValidForm<T>` and `page.input::<T>(..)` (feature `garde`).
pub use serac_macros::Constraints;
pub use serac_macros::action;
pub use serac_macros::query;
pub use serve::serve;
#[cfg(feature = "garde")]
pub use validate::{Constraints, ValidForm};

/// Re-exported so that apps name the same `Cookie` type as the jar.
pub use cookie::{self, Cookie};
/// The axum and maud Serac is built with: depend on the same versions (0.8
/// and 0.27), or name these.
pub use {axum, maud};

/// The names most apps need: `use serac::prelude::*;`.
pub mod prelude {
    pub use crate::{
        ActionError, ActionLayer, ActionRef, Auth, Bound, Config, Cx, Form, FormData, Page, PrevState,
        Secret, State, action, redirect, redirect_replace,
    };
    #[cfg(feature = "garde")]
    pub use crate::{Constraints, ValidForm};
}

/// Used by the code `#[serac::action]` generates. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::action::{
        ActionDef, ActionFuture, Append, Call, List, Param, Registration, Returned, StreamOfParts, extract,
    };
    pub use inventory;
    use serde::Serialize;

    use crate::error::ActionError;

    /// The return type every action has.
    #[diagnostic::on_unimplemented(
        message = "a server action must return `Result<T, E>` where `T: Serialize` (or `Streaming<T>`) and `E: Into<ActionError>`",
        label = "this is the action's return type",
        note = "return `Result<(), ActionError>` for an action without a result"
    )]
    pub trait IntoActionResult {
        /// What the action returns when it succeeds (one part, for a
        /// streamed result).
        type Output;
        /// Whether the result is streamed ([`crate::Streaming`]).
        const STREAMING: bool = false;
        /// The result as JSON (or a stream of parts), or the error.
        fn into_action_result(self) -> Result<Returned, ActionError>;
    }

    impl<T: Serialize, E: Into<ActionError>> IntoActionResult for Result<T, E> {
        type Output = T;
        fn into_action_result(self) -> Result<Returned, ActionError> {
            match self {
                Ok(value) => serde_json::to_value(value).map(Returned::Value).map_err(|e| {
                    ActionError::internal(format!("the action's result could not be serialized: {e}"))
                }),
                Err(e) => Err(e.into()),
            }
        }
    }

    /// A streamed result: without JavaScript, the list of its parts.
    impl<T: Serialize + Send + 'static, E: Into<ActionError>> IntoActionResult
        for Result<crate::Streaming<T>, E>
    {
        type Output = T;
        const STREAMING: bool = true;
        fn into_action_result(self) -> Result<Returned, ActionError> {
            match self {
                Ok(streaming) => Ok(Returned::Stream(StreamOfParts(streaming.into_parts()))),
                Err(e) => Err(e.into()),
            }
        }
    }

    /// What `#[action(typescript)]` expands to: the action's TypeScript
    /// signature, registered for [`crate::typescript::module`], and the
    /// compile-time check that it takes a form or arguments, not both.
    #[cfg(feature = "typescript")]
    #[macro_export]
    #[doc(hidden)]
    macro_rules! __serac_typescript_action {
        (definition = $def:ident, docs = $docs:expr, params = [ $( ($label:expr, $ty:ty) ),* ],
         output = $out:ty) => {
            const _: () = $crate::typescript::check(&[ $( <$ty as $crate::typescript::TsParam>::KIND ),* ]);
            fn __serac_typescript(
                types: &mut $crate::typescript::Types,
            ) -> $crate::typescript::Signature {
                let mut params = ::std::vec::Vec::new();
                let mut form = $crate::typescript::FormParam::None;
                $(
                    match <$ty as $crate::typescript::TsParam>::KIND {
                        $crate::typescript::ParamKind::Arg => {
                            params.push(($label, <$ty as $crate::typescript::TsParam>::type_name(types)))
                        }
                        $crate::typescript::ParamKind::Form => {
                            form = $crate::typescript::FormParam::Typed(
                                <$ty as $crate::typescript::TsParam>::type_name(types),
                            )
                        }
                        $crate::typescript::ParamKind::FormData => form = $crate::typescript::FormParam::FormData,
                        $crate::typescript::ParamKind::Server => {}
                    }
                )*
                $crate::typescript::Signature {
                    docs: $docs,
                    params,
                    form,
                    output: types.name_of::<<$out as $crate::__private::IntoActionResult>::Output>(),
                    streaming: <$out as $crate::__private::IntoActionResult>::STREAMING,
                }
            }
            $crate::__private::inventory::submit! {
                $crate::typescript::Exported { definition: &$def, signature: __serac_typescript }
            }
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

    /// What `#[derive(serac::Constraints)]` puts its impl in: the impl as
    /// it is with the `garde` feature, a compile error saying how to turn
    /// the feature on without it.
    #[cfg(feature = "garde")]
    #[macro_export]
    #[doc(hidden)]
    macro_rules! __serac_with_garde {
        ($($item:tt)*) => { $($item)* };
    }

    /// Without the `garde` feature, `#[derive(serac::Constraints)]` says how
    /// to turn it on.
    #[cfg(not(feature = "garde"))]
    #[macro_export]
    #[doc(hidden)]
    macro_rules! __serac_with_garde {
        ($($item:tt)*) => {
            ::core::compile_error!(
                "#[derive(serac::Constraints)] needs serac's `garde` feature: \
                 serac = { version = \"…\", features = [\"garde\"] } in Cargo.toml"
            );
        };
    }

    pub use crate::__serac_with_garde as with_garde;
}

/// Entry points for the fuzz targets in `fuzz/` and the property tests: the
/// code that reads untrusted bytes, callable without a server. Not a stable
/// API.
#[cfg(feature = "fuzz")]
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

    /// Parts of an envelope, as the fuzz target and the property test make
    /// them.
    #[derive(Debug, Default)]
    pub struct EnvelopeParts {
        /// `ok`.
        pub ok: bool,
        /// `result`.
        pub result: serde_json::Value,
        /// `error`: kind, status, message, digest.
        pub error: Option<(String, u16, String, Option<String>)>,
        /// `redirect`.
        pub redirect: Option<String>,
        /// `replace`.
        pub replace: bool,
        /// `invalidated`: paths, layouts, tags.
        pub invalidated: (Vec<String>, Vec<String>, Vec<String>),
        /// `html`.
        pub html: Option<String>,
        /// `url`.
        pub url: Option<String>,
    }

    /// The envelope made of `parts`, and the JSON the server writes for it.
    pub fn envelope(parts: EnvelopeParts) -> (crate::protocol::Envelope, Vec<u8>) {
        let (paths, layouts, tags) = parts.invalidated;
        let envelope = crate::protocol::Envelope {
            ok: parts.ok,
            result: parts.result,
            error: parts.error.map(|(kind, status, message, digest)| crate::protocol::EnvelopeError {
                kind,
                status,
                message,
                fields: None,
                digest,
            }),
            redirect: parts.redirect,
            replace: parts.replace,
            invalidated: crate::cache::Invalidated { paths, layouts, tags },
            html: parts.html,
            url: parts.url,
            queries: None,
        };
        let mut json = Vec::new();
        envelope.write_json(&mut json);
        (envelope, json)
    }

    /// The action the complete fields at the start of a form body name, if
    /// any (`content_type` as for [`decode`]).
    pub fn action_in_prefix(content_type: &str, prefix: &[u8]) -> Option<String> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).ok()?);
        let encoding = crate::payload::encoding(&headers).ok()?;
        let runtime = tokio::runtime::Builder::new_current_thread().build().ok()?;
        runtime.block_on(crate::payload::action_in_prefix(&encoding, Bytes::copy_from_slice(prefix), false))
    }
}
