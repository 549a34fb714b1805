//! Caching and revalidation: memoised data with tags, an
//! opt-in page cache for GET routes, and the invalidations actions make with
//! `revalidate_path`, `revalidate_layout` and `revalidate_tag`.
//!
//! Everything goes through a [`Store`]: [`MemoryStore`] (the default, per
//! process) or a shared one such as `serac-redis`. A store only knows keys
//! and tags; revalidation is expressed as tags:
//!
//! | call | tag dropped |
//! |---|---|
//! | `revalidate_tag("posts")` | `tag:posts` |
//! | `revalidate_path("/posts/1")` | `path:/posts/1` (the page at that path, any query) |
//! | `revalidate_layout("/posts")` | `layout:/posts` (every page at or below `/posts`) |
//!
//! A cached page carries its path and each of its ancestors as a layout
//! ([`page_tags`]). So does data a page loads through `page.cache()`
//! ([`ForPath`]), as Next.js's `revalidatePath` refreshes the data a path
//! read: the entry is tagged with the page that stored it, and with each
//! other page that reads it later ([`Store::add_tags`]), so revalidating any
//! of them drops it. Data loaded through the plain [`Cache::load`] (in an
//! action, or outside requests) is dropped by its tags only.
//!
//! Read-your-writes: the layer applies an action's invalidations before it
//! renders the page again or answers, so the acting user never sees a stale
//! entry. A load that started before an invalidation does not store its
//! (possibly stale) result.

mod invalidation;
mod load;
mod memory;
pub(crate) mod page;
mod store;

pub use invalidation::{Invalidated, Invalidation, InvalidationHook};
pub use load::{Cache, ForPath};
pub use memory::{DEFAULT_CAPACITY, MemoryStore};
pub use page::{CACHE_STATUS_HEADER, PageCache};
pub use store::{NoStore, Store, StoreError, StoreFuture};

/// The tag of data tagged `tag` by the app.
pub fn data_tag(tag: &str) -> String {
    format!("tag:{tag}")
}

/// The tag of the cached page at `path`.
pub fn path_tag(path: &str) -> String {
    format!("path:{}", normalize(path))
}

/// The tag of every cached page at or below `prefix`.
pub fn layout_tag(prefix: &str) -> String {
    format!("layout:{}", normalize(prefix))
}

fn normalize(path: &str) -> &str {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    if path.len() > 1 { path.trim_end_matches('/') } else { path }
}

/// Every store tag an action's invalidations drop.
pub fn tags_of(invalidated: &Invalidated) -> Vec<String> {
    let mut tags = Vec::new();
    tags.extend(invalidated.paths.iter().map(|p| path_tag(p)));
    tags.extend(invalidated.layouts.iter().map(|p| layout_tag(p)));
    tags.extend(invalidated.tags.iter().map(|t| data_tag(t)));
    tags
}

/// The tags of the page at `path`: its path and each of its ancestors as a
/// layout (`/a/b` → `path:/a/b`, `layout:/`, `layout:/a`, `layout:/a/b`).
pub fn page_tags(path: &str) -> Vec<String> {
    let path = normalize(path);
    let mut tags = vec![path_tag(path), layout_tag("/")];
    let mut at = 0;
    while let Some(i) = path[at + 1..].find('/').map(|i| i + at + 1) {
        tags.push(layout_tag(&path[..i]));
        at = i;
    }
    if path != "/" {
        tags.push(layout_tag(path));
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_tagged_with_its_path_and_every_ancestor() {
        assert_eq!(
            page_tags("/posts/1/edit?x=1"),
            ["path:/posts/1/edit", "layout:/", "layout:/posts", "layout:/posts/1", "layout:/posts/1/edit"]
        );
        assert_eq!(page_tags("/"), ["path:/", "layout:/"]);
        assert_eq!(page_tags("/posts/"), ["path:/posts", "layout:/", "layout:/posts"]);
    }

    #[test]
    fn invalidations_become_store_tags() {
        let inv =
            Invalidated { paths: vec!["/a/".into()], layouts: vec!["/b".into()], tags: vec!["posts".into()] };
        assert_eq!(tags_of(&inv), ["path:/a", "layout:/b", "tag:posts"]);
    }
}
