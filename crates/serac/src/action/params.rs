//! Parameters of an action, chosen by trait, like axum's extractors.
//!
//! `#[serac::action]` only forwards parameters: for each one it asks the
//! parameter's type, through [`FromCall`], to take its value from the
//! [`Call`]. What a type means is decided here, never by its name in the
//! source, so a user type called `Form` is just a user type.
//!
//! | type | taken from |
//! |---|---|
//! | [`Cx`] | the call's context |
//! | [`State<T>`] | app state given to `ActionLayer::with_state` |
//! | [`Form<T>`] | the submitted form, decoded into `T` |
//! | [`FormData`] | the submitted form as it came, with files |
//! | [`PrevState<T>`] | the state the form was rendered with |
//! | [`crate::Auth<U>`] | the signed-in user (`401` otherwise) |
//! | [`Bound<T>`] | the next value sealed into the page by `.bind(value)` |
//! | `ValidForm<T>` (feature `garde`) | the submitted form, decoded and validated by garde rules |
//! | any `Deserialize` type | the next JSON argument of a programmatic call |
//!
//! Every parameter is decoded before the action's body runs, so a `400`
//! here always means the action did nothing.

use std::future::{Future, ready};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::call::Call;
use super::reference::{Bindable, Cons, List, Nil};
use crate::auth::{Auth, Identify};
use crate::cx::Cx;
use crate::error::{ActionError, Mode};
use crate::payload::{Payload, UploadedFile};

/// A type an action can take as a parameter.
///
/// Implement it for your own types to take them from the call (the user
/// from a session, a database connection from the state): `from_call` runs
/// before the action's body, and an error stops the call there.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a parameter of a server action",
    label = "not a parameter type",
    note = "action parameters are `Cx`, `State<T>`, `Form<T>`, `FormData`, `PrevState<T>`, `Auth<U>`, `Bound<T>`, \
            a `serde::Deserialize` type (a JSON argument), or a type implementing `serac::FromCall`"
)]
pub trait FromCall: Sized + Send {
    /// Whether the action's multipart body is streamed, its files written
    /// to temporary files as they arrive ([`crate::upload::Upload`]),
    /// rather than read into memory first.
    #[doc(hidden)]
    const SPOOLS_UPLOADS: bool = false;

    /// Takes the value from the call.
    fn from_call(call: &mut Call) -> impl Future<Output = Result<Self, ActionError>> + Send;
}

/// What the macro asks of each parameter: its value, and whether it is
/// bound. Implemented by every [`FromCall`] type and by [`Bound<T>`].
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a parameter of a server action",
    label = "not a parameter type",
    note = "action parameters are `Cx`, `State<T>`, `Form<T>`, `FormData`, `PrevState<T>`, `Auth<U>`, `Bound<T>`, \
            a `serde::Deserialize` type (a JSON argument), or a type implementing `serac::FromCall`"
)]
pub trait Param: Sized + Send {
    /// `Cons<T, Nil>` for `Bound<T>`, `Nil` for everything else.
    type Bound: List;
    /// See [`FromCall::SPOOLS_UPLOADS`].
    const SPOOLS_UPLOADS: bool = false;
    /// Takes the value from the call.
    fn extract(call: &mut Call) -> impl Future<Output = Result<Self, ActionError>> + Send;
}

impl<T: FromCall> Param for T {
    type Bound = Nil;
    const SPOOLS_UPLOADS: bool = T::SPOOLS_UPLOADS;
    fn extract(call: &mut Call) -> impl Future<Output = Result<Self, ActionError>> + Send {
        T::from_call(call)
    }
}

/// Used by generated code: decodes parameter `name`.
#[doc(hidden)]
pub fn extract<P: Param>(
    call: &mut Call,
    name: &'static str,
) -> impl Future<Output = Result<P, ActionError>> + Send {
    call.set_param(name);
    P::extract(call)
}

impl FromCall for Cx {
    fn from_call(call: &mut Call) -> impl Future<Output = Result<Self, ActionError>> + Send {
        ready(Ok(call.cx.clone()))
    }
}

/// Any other `Deserialize` type is the next JSON argument of a programmatic
/// call (`serac.call(id, a, b)`, the typed client).
impl<T: DeserializeOwned + Send> FromCall for T {
    fn from_call(call: &mut Call) -> impl Future<Output = Result<Self, ActionError>> + Send {
        ready(call.next_arg())
    }
}

/// A value fixed when the page was rendered (`.bind(value)`), sealed into it
/// and brought back by the browser: `post_id: Bound<i64>`.
///
/// The server knows how many `Bound` parameters an action has; a call that
/// does not bring a `$bound` sealed for that action with exactly that many
/// values is refused (`400`) and nothing runs, whether it comes from a form,
/// from JSON or from the typed client. A caller cannot fill a bound slot
/// with an argument of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bound<T>(pub T);

impl<T> std::ops::Deref for Bound<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + Bindable + Send> Param for Bound<T> {
    type Bound = Cons<T, Nil>;
    fn extract(call: &mut Call) -> impl Future<Output = Result<Self, ActionError>> + Send {
        ready(call.next_bound().map(Bound))
    }
}

/// App state given to `ActionLayer::with_state`, by type: `db: State<Db>`.
/// An action asking for state the layer was not given fails with `500`
/// and a message naming the type.
#[derive(Debug, Clone, Copy, Default)]
pub struct State<T>(pub T);

impl<T> std::ops::Deref for State<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone + Send + Sync + 'static> FromCall for State<T> {
    fn from_call(call: &mut Call) -> impl Future<Output = Result<Self, ActionError>> + Send {
        ready(call.cx.state::<T>().map(State))
    }
}

/// Form data decoded into a serde type: `form: Form<NewInvoice>`.
/// Decoding follows HTML form rules: repeated names fill a `Vec`, an
/// unchecked checkbox is absent (use `#[serde(default)]`), numbers parse from
/// text. The framework's own `$`-prefixed fields are never included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Form<T>(pub T);

impl<T> std::ops::Deref for Form<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + Send> FromCall for Form<T> {
    fn from_call(call: &mut Call) -> impl Future<Output = Result<Self, ActionError>> + Send {
        ready(decode_form(&call.payload, call.mode).map(Form).map_err(|e| e.error))
    }
}

/// Why a form did not decode: the error to answer with, and the field it
/// is about when serde names one (for forms validated field by field).
#[derive(Debug)]
// Only validated forms (feature `garde`) read the field.
#[cfg_attr(not(feature = "garde"), allow(dead_code))]
pub(crate) struct FormError {
    /// The field, when the form has one missing or unreadable.
    pub(crate) field: Option<String>,
    /// Whether the field was missing (rather than unreadable).
    pub(crate) missing: bool,
    /// The `400` that [`Form`] answers with.
    pub(crate) error: ActionError,
}

/// The submitted form decoded as `T` (text fields only; files through
/// [`FormData`]).
/// In production the message names the field but not what serde said of
/// it, which can name Rust types.
pub(crate) fn decode_form<T: DeserializeOwned>(payload: &Payload, mode: Mode) -> Result<T, FormError> {
    let encoded = {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in payload.fields.iter().filter(|(k, _)| !k.starts_with('$')) {
            ser.append_pair(k, v);
        }
        ser.finish()
    };
    let de = serde_html_form::Deserializer::from_bytes(encoded.as_bytes());
    serde_path_to_error::deserialize(de).map_err(|e| {
        // serde reports a missing field on the struct (path `.`); its name
        // is the form field's, as safe to show as an invalid field's path.
        let inner = e.inner().to_string();
        if let Some(field) = inner.strip_prefix("missing field `").and_then(|f| f.strip_suffix('`')) {
            return FormError {
                field: Some(field.to_string()),
                missing: true,
                error: ActionError::bad_request(format!("The field \"{field}\" is missing.")),
            };
        }
        let path = e.path().to_string();
        let detail = match mode {
            Mode::Development => format!(": {}", e.inner()),
            Mode::Production => String::new(),
        };
        if path == "." {
            FormError {
                field: None,
                missing: false,
                error: ActionError::bad_request(format!("The form is invalid{detail}.")),
            }
        } else {
            FormError {
                error: ActionError::bad_request(format!("The field \"{path}\" is invalid{detail}.")),
                field: Some(path),
                missing: false,
            }
        }
    })
}

/// The previous form state, first parameter of a stateful action
/// (`useActionState` in React terms). `T::default()` on the first submit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrevState<T>(pub T);

impl<T> std::ops::Deref for PrevState<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + Default + Send> FromCall for PrevState<T> {
    fn from_call(call: &mut Call) -> impl Future<Output = Result<Self, ActionError>> + Send {
        ready(match call.prev_state.take() {
            // No state yet (a form marked `shows_result`, or a first call).
            None | Some(Value::Null) => Ok(PrevState(T::default())),
            Some(v) => serde_json::from_value(v).map(PrevState).map_err(|e| {
                ActionError::bad_request(match call.mode {
                    Mode::Development => format!("The form's previous state does not match this action: {e}"),
                    Mode::Production => "The form is out of date; reload the page and try again.".to_string(),
                })
            }),
        })
    }
}

/// The submitted form as a raw multi-map, with files. Fields whose name starts
/// with `$` (the framework's own) are left out.
#[derive(Debug, Clone)]
pub struct FormData {
    payload: Arc<Payload>,
}

impl FromCall for FormData {
    fn from_call(call: &mut Call) -> impl Future<Output = Result<Self, ActionError>> + Send {
        ready(Ok(FormData { payload: call.payload.clone() }))
    }
}

impl FormData {
    /// The first value of a field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    /// Every value of a field, in order.
    pub fn get_all(&self, name: &str) -> Vec<&str> {
        self.iter().filter(|(k, _)| *k == name).map(|(_, v)| v).collect()
    }

    /// Every `(name, value)` text pair in order, without `$` fields.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.payload.fields.iter().filter(|(k, _)| !k.starts_with('$')).map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The first file sent under `name`, if one was chosen.
    pub fn file(&self, name: &str) -> Option<&UploadedFile> {
        self.files().find(|f| f.field() == name && !(f.is_empty() && f.file_name().is_empty()))
    }

    /// Every uploaded file, in order.
    pub fn files(&self) -> impl Iterator<Item = &UploadedFile> {
        self.payload.files.iter().filter(|f| !f.field().starts_with('$'))
    }
}

impl<U: Identify + Sync> FromCall for Auth<U> {
    async fn from_call(call: &mut Call) -> Result<Self, ActionError> {
        call.cx.user::<U>().await.map(Auth)
    }
}
