//! The static description of an action, written by `#[serac::action]`.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::call::Call;
use super::streaming::Returned;
use crate::error::ActionError;

/// The future an action's generated invoker returns: the action's result as
/// JSON (`null` for `()`), or its error.
pub type ActionFuture = Pin<Box<dyn Future<Output = Result<Returned, ActionError>> + Send + 'static>>;

/// Everything the layer needs to know about one action: written by the
/// macro as a `static`, read through [`crate::ActionRef`].
#[derive(Debug)]
pub struct ActionDef {
    path: &'static str,
    name: &'static str,
    invoke: fn(Call) -> ActionFuture,
    max_duration: Option<Duration>,
    body_limit: Option<usize>,
    bound: usize,
    spools: bool,
    query: bool,
    batch: bool,
    cache_control: Option<&'static str>,
    tags: &'static [&'static str],
    keep_for: Option<Duration>,
}

impl ActionDef {
    /// Used by the code `#[serac::action]` generates.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn new(
        path: &'static str,
        name: &'static str,
        invoke: fn(Call) -> ActionFuture,
        max_duration: Option<Duration>,
        body_limit: Option<usize>,
        bound: usize,
        spools: bool,
        query: bool,
        batch: bool,
        cache_control: Option<&'static str>,
        tags: &'static [&'static str],
        keep_for: Option<Duration>,
    ) -> Self {
        Self {
            path,
            name,
            invoke,
            max_duration,
            body_limit,
            bound,
            spools,
            query,
            batch,
            cache_control,
            tags,
            keep_for,
        }
    }

    /// A query's tags (`#[query(tags = ["…"])]`): its answers are kept on
    /// the server under them, for [`keep_for`](Self::keep_for), until an
    /// action revalidates one. Empty: every read runs the function.
    pub fn tags(&self) -> &'static [&'static str] {
        self.tags
    }

    /// How long a tagged query's answer is kept (`keep_secs`; a minute by
    /// default).
    pub fn keep_for(&self) -> Duration {
        self.keep_for.unwrap_or(Duration::from_secs(60))
    }

    /// Whether this is a batch query (`#[query(batch)]`): it takes a list
    /// of items, and the calls of one batch are answered by one run.
    pub fn is_batch(&self) -> bool {
        self.batch
    }

    /// A query's own `Cache-Control` (`#[query(cache_control = "…")]`).
    pub fn cache_control(&self) -> Option<&'static str> {
        self.cache_control
    }

    /// Whether this is a query (`#[query]`): read with `GET`, never posted.
    pub fn is_query(&self) -> bool {
        self.query
    }

    /// Whether a multipart body is streamed, its files spooled to disk
    /// (the action takes an [`Upload`](crate::upload::Upload)).
    pub fn spools_uploads(&self) -> bool {
        self.spools
    }

    /// The Rust path of the function (`my_app::invoices::create`): the input
    /// of the id, so it is unique and stable.
    pub fn path(&self) -> &'static str {
        self.path
    }

    /// The action's public name: the function's name, or the one given with
    /// `#[action(name = "…")]`. Exposed modules and the TypeScript client
    /// name it so.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// `#[action(max_duration_ms = …)]`.
    pub fn max_duration(&self) -> Option<Duration> {
        self.max_duration
    }

    /// `#[action(body_limit = …)]`.
    pub fn body_limit(&self) -> Option<usize> {
        self.body_limit
    }

    /// How many `Bound<T>` parameters the action has: every call must bring
    /// exactly that many sealed values.
    pub fn bound_count(&self) -> usize {
        self.bound
    }

    pub(crate) fn invoke(&self, call: Call) -> ActionFuture {
        (self.invoke)(call)
    }
}

/// A registered action, collected at start-up.
#[doc(hidden)]
#[derive(Debug)]
pub struct Registration(pub &'static ActionDef);

inventory::collect!(Registration);
