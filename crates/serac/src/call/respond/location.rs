//! Where an answer may send the browser: a path on this site, or an
//! absolute `http(s)` URL that the action named itself. Nothing else ever
//! becomes a `Location` or a navigation: not a protocol-relative `//host`
//! (which browsers read as another site, and which a request path such as
//! `POST //evil.example/x` would otherwise echo back), not `/\host` (the
//! same to browsers), not `javascript:` or any other scheme.

/// A redirect target the answer may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Location {
    /// A path (and query) on this site, always starting with exactly one `/`.
    Local(String),
    /// An absolute `http` or `https` URL the action named.
    External(String),
}

impl Location {
    /// The target of `redirect(location)` from a page at `page` (its path
    /// and query). `None` for a target no browser should be sent to.
    /// `own_origin` tells whether an absolute URL is on this site: it then
    /// becomes a local path, answered like any other (with the page, in one
    /// round trip).
    pub(super) fn of_redirect(location: &str, page: &str, own_origin: impl Fn(&str) -> bool) -> Option<Self> {
        let location = location.trim();
        if location.chars().any(char::is_control) {
            return None;
        }
        if let Some((scheme, rest)) = location.split_once(':') {
            let is_scheme = !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
            if is_scheme {
                let web = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
                if !(web && rest.starts_with("//") && rest.len() > 2) {
                    return None;
                }
                if own_origin(location) {
                    let after = &rest[2..];
                    let path = &after[after.find(['/', '\\', '?', '#']).unwrap_or(after.len())..];
                    return Some(Self::Local(local_path(path)));
                }
                return Some(Self::External(location.into()));
            }
        }
        if location.starts_with(['/', '\\']) {
            return Some(Self::Local(local_path(location)));
        }
        // Relative to the page, as a browser resolves it: nothing is the
        // page itself, a query replaces the page's, a fragment is added.
        let base = page.split(['?', '#']).next().unwrap_or("/");
        let page = page.split('#').next().unwrap_or(page);
        if location.is_empty() {
            return Some(Self::of_page(page));
        }
        if location.starts_with('?') {
            return Some(Self::Local(local_path(&format!("{base}{location}"))));
        }
        if location.starts_with('#') {
            return Some(Self::Local(local_path(&format!("{page}{location}"))));
        }
        let dir = &base[..base.rfind('/').map_or(0, |i| i + 1)];
        Some(Self::Local(local_path(&format!("{dir}{location}"))))
    }

    /// The page's own URL as a redirect target.
    pub(super) fn of_page(page: &str) -> Self {
        Self::Local(local_path(page))
    }

    pub(super) fn as_str(&self) -> &str {
        match self {
            Self::Local(path) | Self::External(path) => path,
        }
    }
}

/// `path` as a path on this site: `\\` read as `/` (as browsers read it in
/// `http(s)` URLs), `.` and `..` segments resolved (never above the root),
/// and the empty segments that leaves at the front dropped, so the result
/// starts with exactly one `/` — `/.//evil.example` and `/x/..//evil.example`
/// included, not only `//evil.example`.
fn local_path(path: &str) -> String {
    let (path, tail) = match path.find(['?', '#']) {
        Some(i) => path.split_at(i),
        None => (path, ""),
    };
    let path: std::borrow::Cow<'_, str> =
        if path.contains('\\') { path.replace('\\', "/").into() } else { path.into() };
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    for (i, segment) in parts.iter().enumerate() {
        match *segment {
            "." => {
                if i + 1 == parts.len() {
                    segments.push("");
                }
            }
            ".." => {
                segments.pop();
                if i + 1 == parts.len() {
                    segments.push("");
                }
            }
            s => segments.push(s),
        }
    }
    let leading = segments.iter().take_while(|s| s.is_empty()).count().min(segments.len().saturating_sub(1));
    let segments = &segments[leading..];
    let mut out = String::with_capacity(path.len() + tail.len() + 1);
    out.push('/');
    out.push_str(&segments.join("/"));
    out.push_str(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(location: &str) -> Option<String> {
        Location::of_redirect(location, "/a/b?x=1", |url| url.starts_with("http://own.example"))
            .map(|l| l.as_str().to_string())
    }

    #[test]
    fn paths_stay_on_the_site() {
        assert_eq!(of("/posts/1").as_deref(), Some("/posts/1"));
        assert_eq!(of("//evil.example/x").as_deref(), Some("/evil.example/x"));
        assert_eq!(of("/\\evil.example").as_deref(), Some("/evil.example"));
        assert_eq!(of("\\\\evil.example").as_deref(), Some("/evil.example"));
        assert_eq!(of("/a/../../etc?q=1").as_deref(), Some("/etc?q=1"));
        assert_eq!(Location::of_page("//evil.example/x").as_str(), "/evil.example/x");
    }

    // Regression: the leading slashes were trimmed before `.` and `..` were
    // resolved, so these became `//evil.example…` again.
    #[test]
    fn dot_segments_cannot_rebuild_a_protocol_relative_url() {
        assert_eq!(Location::of_page("/.//evil.example/x").as_str(), "/evil.example/x");
        assert_eq!(Location::of_page("/x/..//evil.example").as_str(), "/evil.example");
        assert_eq!(Location::of_page("/./\\evil.example").as_str(), "/evil.example");
        assert_eq!(Location::of_page("/a/b/../..//.//evil.example?q").as_str(), "/evil.example?q");
        assert_eq!(of("/.//evil.example").as_deref(), Some("/evil.example"));
        assert_eq!(of("..//evil.example").as_deref(), Some("/evil.example"));
        // Inside the path a double slash is harmless: still this site.
        assert_eq!(of(".\\/evil.example").as_deref(), Some("/a//evil.example"));
    }

    /// Every string of up to seven characters from `/`, `\\`, `.`, `e`:
    /// the result starts with one `/` and never with `//` or `/\\`.
    #[test]
    fn no_combination_of_slashes_and_dots_leaves_the_site() {
        let alphabet = ['/', '\\', '.', 'e'];
        let mut inputs = vec![String::new()];
        let mut last = inputs.clone();
        for _ in 0..7 {
            last = last.iter().flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}"))).collect();
            inputs.extend(last.iter().cloned());
        }
        for input in &inputs {
            for out in
                [Location::of_page(&format!("/{input}")).as_str().to_string(), of(input).unwrap_or_default()]
            {
                assert!(out.starts_with('/'), "{input:?} gave {out:?}");
                assert!(!out.starts_with("//") && !out.starts_with("/\\"), "{input:?} gave {out:?}");
            }
        }
    }

    #[test]
    fn relative_targets_resolve_against_the_page() {
        assert_eq!(of("./x").as_deref(), Some("/a/x"));
        assert_eq!(of("x?y=2").as_deref(), Some("/a/x?y=2"));
        assert_eq!(of("../x").as_deref(), Some("/x"));
        assert_eq!(of("../../../x").as_deref(), Some("/x"));
        assert_eq!(of("").as_deref(), Some("/a/b?x=1"));
        assert_eq!(of("?y=2").as_deref(), Some("/a/b?y=2"));
        assert_eq!(of("#f").as_deref(), Some("/a/b?x=1#f"));
    }

    #[test]
    fn absolute_urls_of_this_site_become_paths() {
        assert_eq!(of("http://own.example/x?y=1").as_deref(), Some("/x?y=1"));
        assert_eq!(of("http://own.example").as_deref(), Some("/"));
        assert_eq!(of("http://own.example?q").as_deref(), Some("/?q"));
        assert_eq!(of("http://own.example/a/../b").as_deref(), Some("/b"));
        assert_eq!(of("http://own.example//evil.example/x").as_deref(), Some("/evil.example/x"));
        assert_eq!(of("http://own.example\\\\evil.example").as_deref(), Some("/evil.example"));
    }

    #[test]
    fn only_absolute_web_urls_leave_the_site() {
        assert_eq!(of("https://example.com/a").as_deref(), Some("https://example.com/a"));
        assert_eq!(of("HTTP://example.com").as_deref(), Some("HTTP://example.com"));
        assert_eq!(of("javascript:alert(1)"), None);
        assert_eq!(of(" JavaScript:alert(1)"), None);
        assert_eq!(of("data:text/html,<p>x"), None);
        assert_eq!(of("https:evil.example"), None);
        assert_eq!(of("/a\r\nSet-Cookie: x=1"), None);
    }
}
