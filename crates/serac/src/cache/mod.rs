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
//! Readers' tags are bounded, since anyone can request any path: a page
//! whose path is longer than 256 bytes or deeper than 16 segments, and any
//! reader past an entry's [`MAX_ENTRY_TAGS`], tags the entry with
//! [`ANY_PAGE_TAG`] instead, which every `revalidate_path` and
//! `revalidate_layout` drops. Such an entry is refreshed more often than
//! needed, never less, and never grows.
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

/// The tag of an entry read by more pages than it keeps tags for, or by a
/// page whose path is too long or deep to tag: any `revalidate_path` or
/// `revalidate_layout` drops it.
pub const ANY_PAGE_TAG: &str = "path:*";

/// How many tags a store keeps on one entry; past that, [`Store::add_tags`]
/// adds [`ANY_PAGE_TAG`] instead.
pub const MAX_ENTRY_TAGS: usize = 64;

/// The longest and deepest paths a reader of data is tagged with.
const MAX_TAGGED_PATH: usize = 256;
const MAX_TAGGED_DEPTH: usize = 16;

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
    if !invalidated.paths.is_empty() || !invalidated.layouts.is_empty() {
        tags.push(ANY_PAGE_TAG.to_string());
    }
    tags
}

/// The tags data read by the page at `path` carries: [`page_tags`], or
/// [`ANY_PAGE_TAG`] alone for a path too long or too deep to tag.
pub(crate) fn reader_tags(path: &str) -> Vec<String> {
    let path = normalize(path);
    if path.len() > MAX_TAGGED_PATH || path.matches('/').count() > MAX_TAGGED_DEPTH {
        return vec![ANY_PAGE_TAG.to_string()];
    }
    page_tags(path)
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
        assert_eq!(tags_of(&inv), ["path:/a", "layout:/b", "tag:posts", ANY_PAGE_TAG]);
        let only_tags = Invalidated { tags: vec!["posts".into()], ..Invalidated::default() };
        assert_eq!(tags_of(&only_tags), ["tag:posts"], "a tag alone drops no page's data");
    }

    #[test]
    fn readers_with_paths_too_long_or_deep_are_any_page() {
        assert_eq!(reader_tags("/posts/1"), page_tags("/posts/1"));
        assert_eq!(reader_tags(&format!("/{}", "a".repeat(300))), [ANY_PAGE_TAG]);
        assert_eq!(reader_tags(&"/a".repeat(17)), [ANY_PAGE_TAG]);
        assert_eq!(reader_tags(&"/a".repeat(16)).len(), 18);
    }
}
