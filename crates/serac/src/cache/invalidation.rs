//! What an action invalidates: the list reported to the browser and
//! the hook that lets other caches hear of each invalidation as it happens.

use std::sync::Arc;

use serde::Serialize;

/// What an action invalidated, reported exactly in the JSON envelope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Invalidated {
    /// Single pages (`revalidate_path`).
    pub paths: Vec<String>,
    /// Subtrees (`revalidate_layout`): the prefix and everything below it.
    pub layouts: Vec<String>,
    /// Tags (`revalidate_tag`).
    pub tags: Vec<String>,
}

impl Invalidated {
    /// Whether nothing was invalidated.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && self.layouts.is_empty() && self.tags.is_empty()
    }

    /// Adds one invalidation, once.
    pub(crate) fn add(&mut self, what: Invalidation<'_>) {
        let (list, value) = match what {
            Invalidation::Path(p) => (&mut self.paths, p),
            Invalidation::Layout(p) => (&mut self.layouts, p),
            Invalidation::Tag(t) => (&mut self.tags, t),
        };
        if !list.iter().any(|v| v == value) {
            list.push(value.to_string());
        }
    }
}

/// Called for each invalidation, so a cache can drop entries as they happen.
pub type InvalidationHook = Arc<dyn Fn(&Invalidation<'_>) + Send + Sync>;

/// One invalidation, as passed to an [`InvalidationHook`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Invalidation<'a> {
    /// `revalidate_path`.
    Path(&'a str),
    /// `revalidate_layout`.
    Layout(&'a str),
    /// `revalidate_tag`.
    Tag(&'a str),
}
