//! One invocation of an action, and the parameter types it decodes into.
//!
//! The code `#[serac::action]` generates asks a [`Call`] for each parameter in
//! order: [`crate::Cx`] for the context, [`PrevState`] for the previous form
//! state, [`Form`] / [`FormData`] for the submitted form, and any other serde
//! type for the next positional argument: bound arguments first, then the
//! arguments of a programmatic call (`fn.bind(null, id)` then `fn(args)`).
//!
//! Decoding happens before the action's body runs, so a 400 here always means
//! the action did nothing.

use std::collections::VecDeque;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::cx::Cx;
use crate::error::ActionError;
use crate::payload::{Payload, UploadedFile};

/// The inputs of one action invocation. Used by generated code.
#[derive(Debug)]
pub struct Call {
    pub(crate) cx: Cx,
    pub(crate) positional: VecDeque<Value>,
    pub(crate) taken: usize,
    pub(crate) payload: Arc<Payload>,
    pub(crate) prev_state: Option<Value>,
}

impl Call {
    /// A call for running an action's generated invoker directly, e.g. in tests.
    #[must_use]
    pub fn new(cx: Cx) -> Self {
        Self {
            cx,
            positional: VecDeque::new(),
            taken: 0,
            payload: Arc::new(Payload::default()),
            prev_state: None,
        }
    }

    /// The request context.
    #[doc(hidden)]
    pub fn cx(&self) -> Cx {
        self.cx.clone()
    }

    /// The next positional argument, decoded as `T`.
    #[doc(hidden)]
    pub fn next_arg<T: DeserializeOwned>(&mut self, name: &str) -> Result<T, ActionError> {
        self.taken += 1;
        let n = self.taken;
        let value = self.positional.pop_front().ok_or_else(|| {
            ActionError::bad_request(format!("Argument {n} (`{name}`) of the action is missing."))
        })?;
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let at = if path == "." { String::new() } else { format!(" at {path}") };
            ActionError::bad_request(format!(
                "Argument {n} (`{name}`) of the action is invalid{at}: {}",
                e.inner()
            ))
        })
    }

    /// The submitted form decoded as `T` (text fields only; files through
    /// [`FormData`]).
    #[doc(hidden)]
    pub fn form<T: DeserializeOwned>(&self) -> Result<Form<T>, ActionError> {
        let encoded = {
            let mut ser = form_urlencoded::Serializer::new(String::new());
            for (k, v) in self.payload.fields.iter().filter(|(k, _)| !k.starts_with('$')) {
                ser.append_pair(k, v);
            }
            ser.finish()
        };
        let de = serde_html_form::Deserializer::from_bytes(encoded.as_bytes());
        serde_path_to_error::deserialize(de).map(Form).map_err(|e| {
            let path = e.path().to_string();
            if path == "." {
                ActionError::bad_request(format!("The form is invalid: {}.", e.inner()))
            } else {
                ActionError::bad_request(format!("The field \"{path}\" is invalid: {}.", e.inner()))
            }
        })
    }

    /// The submitted form as a raw multi-map with files.
    #[doc(hidden)]
    pub fn form_data(&self) -> FormData {
        FormData { payload: self.payload.clone() }
    }

    /// The previous state (sealed in the page as `$state`), or `T::default()`.
    #[doc(hidden)]
    pub fn prev_state<T: DeserializeOwned + Default>(&mut self) -> Result<PrevState<T>, ActionError> {
        match self.prev_state.take() {
            // `null` is what `ActionForm::shows_result` seals: no state yet.
            None | Some(Value::Null) => Ok(PrevState(T::default())),
            Some(v) => serde_json::from_value(v).map(PrevState).map_err(|e| {
                ActionError::bad_request(format!("The form's previous state does not match this action: {e}"))
            }),
        }
    }

    /// Used by generated code.
    #[doc(hidden)]
    pub fn finish(&self) -> Result<(), ActionError> {
        if self.positional.is_empty() {
            Ok(())
        } else {
            Err(ActionError::bad_request(format!(
                "The action takes {} argument(s) but was given {}.",
                self.taken,
                self.taken + self.positional.len()
            )))
        }
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

/// The submitted form as a raw multi-map, with files. Fields whose name starts
/// with `$` (the framework's own) are left out.
#[derive(Debug, Clone)]
pub struct FormData {
    payload: Arc<Payload>,
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
