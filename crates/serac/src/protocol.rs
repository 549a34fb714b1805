//! The wire protocol, in one place: every header and field name a client
//! sends or reads, and the JSON envelope every JavaScript call is answered
//! with. `docs/protocol.md` describes the same things for people writing
//! other clients.
//!
//! Every call writes an envelope, so it has its own writer: the keys are
//! constant text and only the values go through serde_json. A test checks
//! that the writer and serde's derived serializer give the same bytes.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cache::Invalidated;
use crate::error::FieldErrors;

/// The header a JavaScript call carries, with the action id as value.
pub const ACTION_HEADER: &str = "serac-action";

/// With the value `none` on a JavaScript call, the envelope never carries the
/// page's HTML: for clients that render themselves (the typed TypeScript
/// client), so the server does not render a page nobody reads. With `page`,
/// it always does: the runtime asks for it when the page shows the outcome
/// of an earlier call (an error next to a field), which a success must clear
/// even when it changed nothing else.
pub const RENDER_HEADER: &str = "serac-render";

/// The request header holding an idempotency key: a repeat of the same
/// request with the same key gets the first answer instead of running the
/// action again.
pub const IDEMPOTENCY_HEADER: &str = "serac-idempotency-key";

/// The queries whose fresh results a JavaScript call wants back with its
/// answer (single flight): their URLs (`/_serac/q/<id>?a=…`, as
/// `page.query_url` writes them), separated by spaces, at most
/// [`MAX_QUERIES`]. They are read after the action, with the call's own
/// cookies and headers, exactly as a `GET` of each would be; the envelope's
/// `queries` holds the results.
pub const QUERIES_HEADER: &str = "serac-queries";

/// The most queries one request reads: in a batch (`/_serac/qb`) or along
/// with an action (`serac-queries`).
pub const MAX_QUERIES: usize = 32;

/// The headers above, parsed once: a lookup by `&str` parses the name on
/// every call, and these are looked up on every request.
pub(crate) mod names {
    use http::HeaderName;

    pub(crate) static ACTION: HeaderName = HeaderName::from_static(super::ACTION_HEADER);
    pub(crate) static RENDER: HeaderName = HeaderName::from_static(super::RENDER_HEADER);
    pub(crate) static IDEMPOTENCY: HeaderName = HeaderName::from_static(super::IDEMPOTENCY_HEADER);
    pub(crate) static QUERIES: HeaderName = HeaderName::from_static(super::QUERIES_HEADER);
}

/// Names of the framework's own form fields. Every one starts with `$`, and
/// no `$` field ever reaches an action's `Form<T>` or `FormData`.
pub mod fields {
    /// The action id of the form.
    pub const ACTION: &str = "$action";
    /// Sealed bound values of the form's action.
    pub const BOUND: &str = "$bound";
    /// Sealed previous state of the form's action; empty for a form that
    /// shows its action's result but has no state yet.
    pub const STATE: &str = "$state";
    /// The name of a submit button with its own action. Its value is the
    /// action id, followed by `.` and the sealed bound values when it has
    /// any: only the pressed button is sent, so only its values are used.
    pub const BUTTON: &str = "$button";
}

/// The JSON answer to a JavaScript action call. See `docs/protocol.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Envelope {
    /// True when the action returned normally (or redirected).
    pub ok: bool,
    /// The action's return value (`null` for `()`).
    pub result: Value,
    /// Set when the call failed.
    pub error: Option<EnvelopeError>,
    /// Where to go next, when the action redirected.
    pub redirect: Option<String>,
    /// The redirect replaces the current history entry (only written when
    /// true).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replace: bool,
    /// Exactly what the action invalidated.
    pub invalidated: Invalidated,
    /// The page at `url`, rendered after the action, when it changed.
    pub html: Option<String>,
    /// The URL `html` belongs to.
    pub url: Option<String>,
    /// The fresh results of the queries the call named in `serac-queries`
    /// (only written when it named some and the action succeeded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queries: Option<Vec<QueryResult>>,
}

/// One query's answer, in a batch (`/_serac/qb`) or in an action's
/// envelope (`queries`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct QueryResult {
    /// The query's URL, as the request named it.
    pub url: String,
    /// True when the query answered a result.
    pub ok: bool,
    /// The result (`null` on an error).
    pub result: Value,
    /// The `ETag` a `GET` of `url` answers with this result: a later `GET`
    /// may send it as `If-None-Match`.
    pub etag: Option<String>,
    /// Set when the query failed, or was refused.
    pub error: Option<EnvelopeError>,
}

/// The error part of an [`Envelope`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EnvelopeError {
    /// Machine-readable kind: `validation`, `unauthorized`, `forbidden`,
    /// `not_found`, `conflict`, `bad_request`, `timeout`, `internal`, or a
    /// rejection (`unknown_action`, `bad_seal`, `origin_mismatch`, …).
    pub kind: String,
    /// The HTTP status of the response.
    pub status: u16,
    /// A message for people.
    pub message: String,
    /// Per-field messages of a validation failure.
    pub fields: Option<FieldErrors>,
    /// The reference of an internal error, as logged.
    pub digest: Option<String>,
}

impl EnvelopeError {
    /// A request refused before anything ran, as the envelope says it.
    pub(crate) fn refused(rejection: &crate::error::Rejection) -> Self {
        Self {
            kind: rejection.kind().to_string(),
            status: rejection.status().as_u16(),
            message: rejection.to_string(),
            fields: None,
            digest: None,
        }
    }
}

impl Envelope {
    /// The envelope of a call that failed with `error` and nothing else.
    pub(crate) fn failed(error: EnvelopeError) -> Self {
        Self {
            ok: false,
            result: Value::Null,
            error: Some(error),
            redirect: None,
            replace: false,
            invalidated: Invalidated::default(),
            html: None,
            url: None,
            queries: None,
        }
    }

    /// Appends the envelope as JSON to `out`: the same bytes as
    /// `serde_json::to_vec(self)`, without serde's per-key work.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(if self.ok {
            b"{\"ok\":true,\"result\":"
        } else {
            b"{\"ok\":false,\"result\":"
        });
        json(out, &self.result);
        out.extend_from_slice(b",\"error\":");
        match &self.error {
            None => out.extend_from_slice(b"null"),
            Some(e) => json(out, e),
        }
        out.extend_from_slice(b",\"redirect\":");
        optional_str(out, self.redirect.as_deref());
        if self.replace {
            out.extend_from_slice(b",\"replace\":true");
        }
        out.extend_from_slice(b",\"invalidated\":{\"paths\":");
        strings(out, &self.invalidated.paths);
        out.extend_from_slice(b",\"layouts\":");
        strings(out, &self.invalidated.layouts);
        out.extend_from_slice(b",\"tags\":");
        strings(out, &self.invalidated.tags);
        out.extend_from_slice(b"},\"html\":");
        optional_str(out, self.html.as_deref());
        out.extend_from_slice(b",\"url\":");
        optional_str(out, self.url.as_deref());
        if let Some(queries) = &self.queries {
            out.extend_from_slice(b",\"queries\":");
            json(out, queries);
        }
        out.push(b'}');
    }
}

fn json(out: &mut Vec<u8>, value: &impl Serialize) {
    // Writing to a Vec cannot fail, and these values (JSON values, strings,
    // maps of strings) always serialize.
    serde_json::to_writer(&mut *out, value).expect("an envelope value always serializes");
}

fn optional_str(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        None => out.extend_from_slice(b"null"),
        Some(s) => json(out, &s),
    }
}

fn strings(out: &mut Vec<u8>, values: &[String]) {
    out.push(b'[');
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json(out, v);
    }
    out.push(b']');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn written(e: &Envelope) -> String {
        let mut out = Vec::new();
        e.write_json(&mut out);
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn the_writer_gives_the_same_bytes_as_serde() {
        let mut fields = FieldErrors::new();
        fields.add("title", "Write \"something\"\n</script>");
        let cases = [
            Envelope {
                ok: true,
                result: json!(42),
                error: None,
                redirect: None,
                replace: false,
                invalidated: Invalidated::default(),
                html: None,
                url: None,
                queries: None,
            },
            Envelope {
                ok: false,
                result: json!({"a": [1.5, "x\u{7}"], "b": null}),
                error: Some(EnvelopeError {
                    kind: "validation".into(),
                    status: 422,
                    message: "Some fields are invalid.".into(),
                    fields: Some(fields),
                    digest: Some("ab12".into()),
                }),
                redirect: Some("/done?x=\"1\"".into()),
                replace: true,
                invalidated: Invalidated {
                    paths: vec!["/a".into(), "/b\u{2028}".into()],
                    layouts: vec!["/".into()],
                    tags: vec!["t\\".into()],
                },
                html: Some("<!DOCTYPE html><p class=\"x\">é</p>".into()),
                url: Some("/".into()),
                queries: Some(vec![
                    QueryResult {
                        url: "/_serac/q/ab?a=%5B1%5D".into(),
                        ok: true,
                        result: json!(["x"]),
                        etag: Some("\"12\"".into()),
                        error: None,
                    },
                    QueryResult {
                        url: "/_serac/q/cd".into(),
                        ok: false,
                        result: Value::Null,
                        etag: None,
                        error: Some(EnvelopeError {
                            kind: "unknown_action".into(),
                            status: 404,
                            message: "gone".into(),
                            fields: None,
                            digest: None,
                        }),
                    },
                ]),
            },
        ];
        for case in &cases {
            assert_eq!(written(case), serde_json::to_string(case).expect("serde"));
        }
    }
}
