//! The static description of an action, written by `#[serac::action]`.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde_json::Value;

use super::call::Call;
use crate::error::ActionError;

/// The future an action's generated invoker returns: the action's result as
/// JSON (`null` for `()`), or its error.
pub type ActionFuture = Pin<Box<dyn Future<Output = Result<Value, ActionError>> + Send + 'static>>;

/// Everything the layer needs to know about one action. Written by the macro;
/// not meant to be built by hand.
#[derive(Debug)]
pub struct ActionDef {
    /// The Rust path of the function (`my_app::invoices::create`): the input
    /// of the id, so it must be unique and stable.
    pub path: &'static str,
    /// Decodes the parameters from a [`Call`] and runs the function.
    pub invoke: fn(Call) -> ActionFuture,
    /// `#[action(max_duration_ms = …)]`.
    pub max_duration: Option<Duration>,
    /// `#[action(body_limit = …)]`.
    pub body_limit: Option<usize>,
}

impl ActionDef {
    /// The function's name (last segment of its path).
    pub fn name(&self) -> &'static str {
        self.path.rsplit("::").next().unwrap_or(self.path)
    }
}

/// A registered action, collected at start-up.
#[derive(Debug)]
pub struct Registration(pub &'static ActionDef);

inventory::collect!(Registration);
