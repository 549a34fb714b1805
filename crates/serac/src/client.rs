//! Serving the browser runtime (`client/serac.js`) and the module of
//! exposed actions.
//!
//! The runtime is served at a URL that contains a hash of its content, with a
//! one-year immutable cache lifetime: a new version gets a new URL, so
//! browsers never run a stale copy. Whole-line comments and indentation are
//! dropped when serving (the file in the repository stays the readable one),
//! and a gzip copy is made once, at first use.

use std::io::Write as _;
use std::sync::OnceLock;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, VARY};
use http::{HeaderMap, HeaderValue, StatusCode};
use maud::{Markup, PreEscaped, html};
use sha2::{Digest as _, Sha256};

use crate::action::ActionRef;
use crate::seal::KeyRing;

/// Where the layer serves its own files.
pub const PREFIX: &str = "/_serac/";

/// The runtime as it is in the repository.
pub const RUNTIME_SOURCE: &str = include_str!("../client/serac.js");

/// The stream reader, for pages with actions that stream their result
/// (`client/stream.js`): loaded only where [`stream_tags`] puts it.
pub const STREAM_SOURCE: &str = include_str!("../client/stream.js");

/// The query reader, for pages that read queries from scripts or have live
/// GET forms (`client/query.js`): loaded only where [`query_tags`] puts it.
pub const QUERY_SOURCE: &str = include_str!("../client/query.js");

/// Catches submits made before the runtime has loaded, for it to replay.
/// Inline, so it runs before the first paint; `client/queue.js` is the
/// readable source.
pub const QUEUE_SOURCE: &str = include_str!("../client/queue.js");

/// [`QUEUE_SOURCE`] as put in pages: without comments and indentation.
pub fn queue_snippet() -> &'static str {
    static SNIPPET: OnceLock<String> = OnceLock::new();
    SNIPPET.get_or_init(|| strip_comments(QUEUE_SOURCE))
}

/// A file served by the layer: its bytes, their gzip, and its URL.
#[derive(Debug)]
pub(crate) struct Asset {
    pub(crate) path: String,
    content_type: &'static str,
    plain: Bytes,
    gzip: Bytes,
    etag: String,
}

impl Asset {
    fn new(name: &str, ext: &str, content_type: &'static str, text: String) -> Self {
        let hash = hex::encode(&Sha256::digest(text.as_bytes())[..8]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(text.as_bytes()).expect("writing to memory cannot fail");
        let gzip = Bytes::from(gz.finish().expect("writing to memory cannot fail"));
        Self {
            path: format!("{PREFIX}{name}.{hash}.{ext}"),
            content_type,
            plain: Bytes::from(text),
            gzip,
            etag: format!("\"{hash}\""),
        }
    }

    /// The bytes a browser downloads when it accepts gzip.
    pub(crate) fn gzip_len(&self) -> usize {
        self.gzip.len()
    }

    pub(crate) fn respond(&self, headers: &HeaderMap) -> Response {
        let gzip = headers
            .get(ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
        let body = if gzip { self.gzip.clone() } else { self.plain.clone() };
        let mut response = Body::from(body).into_response();
        let h = response.headers_mut();
        h.insert(CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        h.insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
        h.insert(VARY, HeaderValue::from_static("accept-encoding"));
        if let Ok(etag) = HeaderValue::from_str(&self.etag) {
            h.insert(ETAG, etag);
        }
        if gzip {
            h.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        response
    }
}

/// The runtime without whole-line comments and indentation: about 1.5 KB
/// less gzipped, which keeps it within its 5 KB budget.
///
/// Safe for the client files because they have no template literals and no
/// strings continued over lines, the only places where a line starting with
/// `//` would not be a comment; a test keeps them so.
pub fn strip_comments(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("//")) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

pub(crate) fn runtime() -> &'static Asset {
    static RUNTIME: OnceLock<Asset> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Asset::new("serac", "js", "text/javascript; charset=utf-8", strip_comments(RUNTIME_SOURCE))
    })
}

pub(crate) fn stream() -> &'static Asset {
    static STREAM: OnceLock<Asset> = OnceLock::new();
    STREAM.get_or_init(|| {
        Asset::new("serac-stream", "js", "text/javascript; charset=utf-8", strip_comments(STREAM_SOURCE))
    })
}

/// The stream reader's `<script>`, for pages whose forms or scripts read
/// streamed results (`data-serac-stream`, `serac.stream`). Put it after
/// [`runtime_tags`]: it extends the runtime.
pub fn stream_tags() -> Markup {
    html! { script src=(stream().path) defer {} }
}

/// [`stream_tags`] with a CSP nonce.
pub fn stream_tags_with_nonce(nonce: &str) -> Markup {
    html! { script src=(stream().path) defer nonce=(nonce) {} }
}

pub(crate) fn query() -> &'static Asset {
    static QUERY: OnceLock<Asset> = OnceLock::new();
    QUERY.get_or_init(|| {
        Asset::new("serac-query", "js", "text/javascript; charset=utf-8", strip_comments(QUERY_SOURCE))
    })
}

/// The query reader's `<script>`, for pages that read queries from scripts
/// (`serac.query`) or have live GET forms (`data-serac-live`). Put it after
/// [`runtime_tags`]: it extends the runtime.
pub fn query_tags() -> Markup {
    html! { script src=(query().path) defer {} }
}

/// The size in bytes of the query reader as browsers download it (gzip).
pub fn query_gzip_len() -> usize {
    query().gzip_len()
}

/// The size in bytes of the stream reader as browsers download it (gzip).
pub fn stream_gzip_len() -> usize {
    stream().gzip_len()
}

/// The URL the runtime is served at (it changes with its content).
pub fn runtime_url() -> &'static str {
    &runtime().path
}

/// The size in bytes of the runtime as browsers download it (gzip).
pub fn runtime_gzip_len() -> usize {
    runtime().gzip_len()
}

/// What a page puts in its `<head>` to load the runtime: the queue for early
/// submits and the deferred script.
pub fn runtime_tags() -> Markup {
    html! {
        script { (PreEscaped(queue_snippet())) }
        script src=(runtime_url()) defer {}
    }
}

/// [`runtime_tags`] for pages served with a Content-Security-Policy that
/// allows scripts by nonce (`script-src 'nonce-…'`): both tags carry `nonce`.
/// Use a fresh random nonce per response, the one the header names.
pub fn runtime_tags_with_nonce(nonce: &str) -> Markup {
    html! {
        script nonce=(nonce) { (PreEscaped(queue_snippet())) }
        script src=(runtime_url()) defer nonce=(nonce) {}
    }
}

/// The ES module of actions exposed to client code: one named export per
/// action, calling it through `serac.call`.
pub(crate) fn actions_module(exposed: &[(String, ActionRef)], keys: &KeyRing) -> Asset {
    // Local names start with `$`, which no action name has, and exports are
    // `export { $0 as name }`, valid for any name, reserved words included
    // (`delete`, `new`, `default`, `call` all work).
    let mut text = String::from(
        "// Actions exposed by the server. Each returns a promise of the result,\n\
         // or rejects with serac.SeracError.\n\
         const $call = (id) => (...args) => window.serac.call(id, ...args);\n",
    );
    for (i, (name, action)) in exposed.iter().enumerate() {
        let id = keys.action_id(action.path());
        text.push_str(&format!("const ${i} = $call(\"{id}\");\nexport {{ ${i} as {name} }};\n"));
    }
    Asset::new("actions", "mjs", "text/javascript; charset=utf-8", text)
}

/// Where the ids of the actions exported to TypeScript are served.
pub const MANIFEST_PATH: &str = "/_serac/actions.json";

/// The manifest of exported action ids: revalidated on every use, since the
/// ids change with the secret while the URL stays.
pub(crate) fn manifest_response(json: Bytes) -> Response {
    let mut response = Body::from(json).into_response();
    let h = response.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The answer for a path under [`PREFIX`] that names nothing.
pub(crate) fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "No such Serac file. Its URL changes with its content: reload the page.")
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What makes dropping `//` lines safe: no line of the client files is
    /// inside a template literal or a string continued over lines.
    #[test]
    fn the_client_files_can_lose_their_comment_lines_safely() {
        for (name, source) in [
            ("serac.js", RUNTIME_SOURCE),
            ("queue.js", QUEUE_SOURCE),
            ("stream.js", STREAM_SOURCE),
            ("query.js", QUERY_SOURCE),
        ] {
            let code: String =
                source.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
            assert!(!code.contains('`'), "{name} has a template literal");
            assert!(
                !source.lines().any(|l| l.trim_end().ends_with('\\')),
                "{name} continues a string over lines"
            );
        }
        assert!(!queue_snippet().contains("//"), "{}", queue_snippet());
    }

    #[test]
    fn stripping_keeps_code_and_drops_comment_lines() {
        let out = strip_comments("// a comment\n  var x = 1; // kept\n\n    // another\n  f();\n");
        assert_eq!(out, "var x = 1; // kept\nf();\n");
    }

    #[test]
    fn the_runtime_url_changes_with_its_content() {
        let a = Asset::new("serac", "js", "text/javascript", "a".into());
        let b = Asset::new("serac", "js", "text/javascript", "b".into());
        assert_ne!(a.path, b.path);
        assert!(a.path.starts_with("/_serac/serac.") && a.path.ends_with(".js"));
    }

    #[test]
    fn both_runtime_tags_carry_the_csp_nonce() {
        let tags = runtime_tags_with_nonce("r4nd\"om").into_string();
        assert_eq!(tags.matches("nonce=\"r4nd&quot;om\"").count(), 2, "{tags}");
        assert!(tags.contains(runtime_url()));
    }

    /// The query reader stays small: pages that read queries pay for it
    /// alone. (1.5 KB until it batched reads and watched queries.)
    #[test]
    fn the_query_reader_is_within_2_kb_gzipped() {
        let len = query_gzip_len();
        assert!(len <= 2 * 1024, "serac-query.js is {len} bytes gzipped, over its 2 KB budget");
    }

    /// The stream reader stays small: pages that stream pay for it alone.
    #[test]
    fn the_stream_reader_is_within_2_kb_gzipped() {
        let len = stream_gzip_len();
        assert!(len <= 2 * 1024, "serac-stream.js is {len} bytes gzipped, over its 2 KB budget");
    }

    /// The budget of issue #3: what a browser downloads for the runtime.
    #[test]
    fn the_runtime_is_within_5_kb_gzipped() {
        let len = runtime_gzip_len();
        assert!(len <= 5 * 1024, "serac.js is {len} bytes gzipped, over the 5 KB budget");
    }
}
