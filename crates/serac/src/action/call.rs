//! [`Call`]: the inputs of one invocation, which each parameter of the action
//! takes its value from (see `params.rs`).
//!
//! Bound values and the arguments of a programmatic call are two separate
//! queues: a `Bound<T>` parameter only ever takes a value the server sealed
//! into the page, a plain parameter only ever takes an argument of the call.
//! A caller therefore cannot fill a bound slot by sending one argument more.

use std::collections::VecDeque;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::cx::Cx;
use crate::error::{ActionError, Mode};
use crate::payload::Payload;

/// The inputs of one action invocation. Used by generated code.
#[derive(Debug)]
pub struct Call {
    pub(crate) cx: Cx,
    pub(crate) args: VecDeque<Value>,
    pub(crate) bound: VecDeque<Value>,
    pub(crate) payload: Arc<Payload>,
    pub(crate) prev_state: Option<Value>,
    pub(crate) mode: Mode,
    /// Arguments taken so far, for messages.
    taken: usize,
    /// The name of the parameter being decoded, for messages.
    param: &'static str,
}

impl Call {
    pub(crate) fn new(cx: Cx, payload: Arc<Payload>, mode: Mode) -> Self {
        Self {
            cx,
            args: VecDeque::new(),
            bound: VecDeque::new(),
            payload,
            prev_state: None,
            mode,
            taken: 0,
            param: "",
        }
    }

    /// The request context.
    pub fn cx(&self) -> &Cx {
        &self.cx
    }

    /// Used by generated code: the name of the parameter decoded next.
    #[doc(hidden)]
    /// The name of the parameter being decoded.
    pub(crate) fn param(&self) -> &'static str {
        self.param
    }

    pub fn set_param(&mut self, name: &'static str) {
        self.param = name;
    }

    /// An error about the parameter being decoded: in development it names
    /// the parameter and says what serde said; in production it names only
    /// its position, since parameter names and Rust types are the code's.
    pub(crate) fn invalid(&self, what: &str, n: usize, detail: impl std::fmt::Display) -> ActionError {
        match self.mode {
            Mode::Development => ActionError::bad_request(format!(
                "{what} {n} (`{}`) of the action is invalid: {detail}",
                self.param
            )),
            Mode::Production => ActionError::bad_request(format!("{what} {n} of the action is invalid.")),
        }
    }

    /// The next argument of a programmatic call, decoded as `T`.
    pub(crate) fn next_arg<T: DeserializeOwned>(&mut self) -> Result<T, ActionError> {
        self.taken += 1;
        let n = self.taken;
        let Some(value) = self.args.pop_front() else {
            return Err(match self.mode {
                Mode::Development => ActionError::bad_request(format!(
                    "Argument {n} (`{}`) of the action is missing.",
                    self.param
                )),
                Mode::Production => {
                    ActionError::bad_request(format!("Argument {n} of the action is missing."))
                }
            });
        };
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let at = if path == "." { String::new() } else { format!(" at {path}") };
            self.invalid("Argument", n, format_args!("{}{at}", e.inner()))
        })
    }

    /// The next bound value, decoded as `T`. The count was checked before the
    /// action was invoked, so a missing one is the server's own mistake.
    pub(crate) fn next_bound<T: DeserializeOwned>(&mut self) -> Result<T, ActionError> {
        let Some(value) = self.bound.pop_front() else {
            return Err(ActionError::internal("fewer bound values than Bound parameters"));
        };
        // Sealed by this server for this action: a value that does not
        // decode was bound with another type by an older build.
        serde_json::from_value(value).map_err(|e| {
            ActionError::bad_request(match self.mode {
                Mode::Development => format!(
                    "The bound value of `{}` does not match its type ({e}); reload the page.",
                    self.param
                ),
                Mode::Production => "The form is out of date; reload the page and try again.".to_string(),
            })
        })
    }

    /// Used by generated code, after every parameter: refuses arguments the
    /// action does not take.
    #[doc(hidden)]
    pub fn finish(&self) -> Result<(), ActionError> {
        if self.args.is_empty() {
            Ok(())
        } else {
            Err(ActionError::bad_request(format!(
                "The action takes {} argument(s) but was given {}.",
                self.taken,
                self.taken + self.args.len()
            )))
        }
    }
}
