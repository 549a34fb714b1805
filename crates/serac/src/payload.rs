//! The body of an action call, read under a limit and decoded.
//!
//! Three encodings arrive: `application/x-www-form-urlencoded` and
//! `multipart/form-data` from forms (with or without the runtime), and
//! `application/json` from programmatic calls (an array of arguments). All of
//! them become one [`Payload`]: text fields in order, files, and call
//! arguments. Typed decoding into the action's parameters happens later, with
//! error messages that name the field.
//!
//! Reading never buffers past the limit: a `Content-Length` above it is
//! refused before reading, and a body without one (chunked) is cut off as soon
//! as it passes the limit.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt as _;
use http::HeaderMap;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http_body::Body as _;
use http_body_util::BodyExt as _;
use serde_json::Value;

use crate::error::Rejection;
use crate::protocol::fields;

/// Fields beyond this number are refused: a form never needs that many, and
/// a flood of tiny fields is a cheap way to make a server allocate.
pub const MAX_FIELDS: usize = 1000;

/// An uploaded file, held in memory (bounded by the body limit).
#[derive(Clone, PartialEq, Eq)]
pub struct UploadedFile {
    field: String,
    file_name: String,
    content_type: Option<String>,
    bytes: Bytes,
}

impl std::fmt::Debug for UploadedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadedFile")
            .field("field", &self.field)
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl UploadedFile {
    /// The form field the file was sent under.
    pub fn field(&self) -> &str {
        &self.field
    }
    /// The file name as the browser sent it, reduced to its last path
    /// component so that `../../etc/passwd` arrives as `passwd`. Never use it
    /// as a path without further checks of your own.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }
    /// The declared content type, if any (not verified).
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }
    /// The file's bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
    /// Size in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }
    /// True for the empty part a browser sends when no file was chosen.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// Keeps the last path component of a client-supplied file name, whichever
/// separator the client's OS used, and drops control characters.
pub(crate) fn sanitize_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last.chars().filter(|c| !c.is_control()).collect();
    match cleaned.as_str() {
        "." | ".." => String::new(),
        _ => cleaned,
    }
}

/// A decoded action call body.
#[derive(Debug, Default, Clone)]
pub(crate) struct Payload {
    /// Text fields in order, including the framework's `$`-prefixed ones.
    pub(crate) fields: Vec<(String, String)>,
    pub(crate) files: Vec<UploadedFile>,
    /// Arguments of a JSON call.
    pub(crate) args: Vec<Value>,
    /// `$bound` / `$state` of a JSON call given in an object body.
    pub(crate) json_bound: Option<String>,
    pub(crate) json_state: Option<String>,
    /// Files spooled to disk, for an action that takes
    /// [`Upload`](crate::upload::Upload)s.
    pub(crate) spool: Arc<crate::spool::Spool>,
}

impl Payload {
    /// The value of a field that may appear at most once, such as the
    /// framework's own: `Err` when it appears several times (a form does
    /// not send two, so a request that does is refused rather than guessed
    /// at).
    pub(crate) fn single(&self, name: &str) -> Result<Option<&str>, Rejection> {
        let mut found = self.fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let first = found.next();
        if found.next().is_some() {
            return Err(Rejection::BadPayload(format!("the field {name} appears more than once")));
        }
        Ok(first)
    }

    /// Whether the body has a text field that makes it an action call.
    pub(crate) fn names_action(&self) -> bool {
        self.fields.iter().any(|(k, _)| names_action(k))
    }
}

/// The kinds of body an action accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Encoding {
    UrlEncoded,
    Multipart(String),
    Json,
    Empty,
}

/// Works out the encoding from `Content-Type`.
pub(crate) fn encoding(headers: &HeaderMap) -> Result<Encoding, Rejection> {
    let Some(ct) = headers.get(CONTENT_TYPE) else {
        return Ok(Encoding::Empty);
    };
    let ct = ct
        .to_str()
        .map_err(|_| Rejection::BadPayload("the Content-Type header is not readable text".into()))?;
    // Case-insensitive comparisons: no lower-cased copy on every request.
    let essence = ct.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        Ok(Encoding::UrlEncoded)
    } else if essence.eq_ignore_ascii_case("application/json") {
        Ok(Encoding::Json)
    } else if essence.eq_ignore_ascii_case("multipart/form-data") {
        multer::parse_boundary(ct)
            .map(Encoding::Multipart)
            .map_err(|_| Rejection::BadPayload("the multipart Content-Type has no boundary".into()))
    } else if essence.is_empty() {
        Ok(Encoding::Empty)
    } else {
        Err(Rejection::BadPayload(format!(
            "the content type {:?} is not accepted; use a form or application/json",
            essence.to_ascii_lowercase()
        )))
    }
}

/// Whether a field of this name makes a form post an action call: the
/// form's `$action`, or the `$button` of a submit button with its own action.
pub(crate) fn names_action(name: &str) -> bool {
    name == fields::ACTION || name == fields::BUTTON
}

/// The id a form names in the complete fields at the start of its body, for
/// a body too large to read whole: `$action` or `$button` as a text field
/// (never a file's contents). Serac's forms put `$action` first, so a
/// prefix is enough to tell an oversized action call (`413`) from a large
/// post to one of the app's own routes (handed over untouched).
///
/// With `whole`, the bytes are the whole body, so its last field counts too.
pub(crate) async fn action_in_prefix(encoding: &Encoding, prefix: Bytes, whole: bool) -> Option<String> {
    let id =
        |value: &str| Some(value.split('.').next().unwrap_or("").to_string()).filter(|id| !id.is_empty());
    match encoding {
        Encoding::UrlEncoded => {
            // Complete `name=value` pairs only (the last may be cut off).
            let end = if whole { prefix.len() } else { prefix.iter().rposition(|&b| b == b'&')? };
            let complete = &prefix[..end];
            for pair in complete.split(|&b| b == b'&') {
                let (name, value) = match pair.iter().position(|&b| b == b'=') {
                    Some(i) => (&pair[..i], &pair[i + 1..]),
                    None => (pair, &[][..]),
                };
                if urldecode(name).is_some_and(|n| names_action(&n)) {
                    return urldecode(value).and_then(|v| id(&v));
                }
            }
            None
        }
        Encoding::Multipart(boundary) => {
            let stream =
                futures_util::stream::once(async move { Ok::<Bytes, std::convert::Infallible>(prefix) });
            let mut multipart = multer::Multipart::new(stream, boundary.as_str());
            // Stops at the first part that is not complete in the prefix.
            while let Ok(Some(field)) = multipart.next_field().await {
                let wanted = field.file_name().is_none() && field.name().is_some_and(names_action);
                let value = field.text().await.ok()?;
                if wanted {
                    return id(&value);
                }
            }
            None
        }
        Encoding::Json | Encoding::Empty => None,
    }
}

/// How many bytes of an oversized form are parsed to find its action.
pub(crate) const PREFIX_BYTES: usize = 16 * 1024;

/// Reads the front of a form body until its complete fields name an
/// action, or [`PREFIX_BYTES`] were read without one, or the body ends;
/// gives back the action's id, what was read and the unread rest.
///
/// Stopping early matters: a client that declares a huge length and sends
/// slowly must get its 413 from the first packet, not after 16 KB.
pub(crate) async fn peek_action(
    encoding: &Encoding,
    body: axum::body::Body,
) -> Result<(Option<String>, Bytes, axum::body::Body), Rejection> {
    let mut body = body;
    let mut read = BytesMut::new();
    while read.len() < PREFIX_BYTES {
        match body.frame().await {
            Some(Ok(frame)) => {
                let Ok(data) = frame.into_data() else { continue };
                read.extend_from_slice(&data);
                let prefix = Bytes::copy_from_slice(&read[..read.len().min(PREFIX_BYTES)]);
                if let Some(id) = action_in_prefix(encoding, prefix, false).await {
                    return Ok((Some(id), read.freeze(), body));
                }
            }
            Some(Err(e)) => return Err(Rejection::BadPayload(format!("the body could not be read ({e})"))),
            None => break,
        }
    }
    let read = read.freeze();
    let id = action_in_prefix(encoding, read.slice(..read.len().min(PREFIX_BYTES)), false).await;
    Ok((id, read, body))
}

/// A body that gives `read` and then the rest of `body`.
pub(crate) fn replay(read: Bytes, body: axum::body::Body) -> axum::body::Body {
    let head = futures_util::stream::once(async move { Ok::<Bytes, axum::Error>(read) });
    axum::body::Body::from_stream(head.chain(body.into_data_stream()))
}

/// What [`read_up_to`] found.
pub(crate) enum Read {
    /// The whole body, within the limit.
    Whole(Bytes),
    /// The body went past the limit: what was read (more than the limit,
    /// less than the limit plus one frame) and the unread rest.
    Over { read: Bytes, rest: axum::body::Body },
}

/// Reads the body up to `limit` bytes; past it, stops and gives back what
/// was read and the rest, for the caller to refuse or replay.
pub(crate) async fn read_up_to(body: axum::body::Body, limit: usize) -> Result<Read, Rejection> {
    let mut body = body;
    let mut read = BytesMut::new();
    loop {
        match body.frame().await {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    if read.is_empty() && data.len() <= limit && body.is_end_stream() {
                        // One frame, the whole body: no copy.
                        return Ok(Read::Whole(data));
                    }
                    read.extend_from_slice(&data);
                    if read.len() > limit {
                        return Ok(Read::Over { read: read.freeze(), rest: body });
                    }
                }
            }
            Some(Err(e)) => return Err(Rejection::BadPayload(format!("the body could not be read ({e})"))),
            None => return Ok(Read::Whole(read.freeze())),
        }
    }
}

/// The declared length, when there is one.
pub(crate) fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok())
}

/// Reads a multipart body as a stream, for an action that spools its
/// uploads: text fields into memory (at most `text_limit` bytes of them),
/// each file to a temporary file, the whole body at most `limit` bytes.
/// Gives back the payload, the body's length and its SHA-256 (for the
/// idempotency fingerprint).
pub(crate) async fn spool_multipart(
    boundary: &str,
    body: axum::body::Body,
    limit: usize,
    text_limit: usize,
    budget: &crate::spool::DiskBudget,
) -> Result<(Payload, usize, [u8; 32]), Rejection> {
    use sha2::Digest as _;
    use tokio::io::AsyncWriteExt as _;

    let too_large = || Rejection::PayloadTooLarge { limit: crate::error::human_bytes(limit) };
    let counted = Arc::new(std::sync::Mutex::new((0usize, sha2::Sha256::new(), false)));
    let seen = counted.clone();
    // Every byte is counted and hashed as it goes by; past the limit the
    // stream ends in an error, and nothing more is read.
    let stream = body.into_data_stream().map(move |chunk| {
        let chunk = chunk.map_err(|e| std::io::Error::other(e.to_string()))?;
        let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.0 += chunk.len();
        if seen.0 > limit {
            seen.2 = true;
            return Err(std::io::Error::other("over the limit"));
        }
        seen.1.update(&chunk);
        Ok(chunk)
    });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut payload = Payload::default();
    let over = || counted.lock().unwrap_or_else(|e| e.into_inner()).2;
    let bad = |e: multer::Error| {
        if over() { too_large() } else { Rejection::BadPayload(format!("malformed multipart body: {e}")) }
    };
    let mut text = 0usize;
    let mut parts = 0usize;
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        parts += 1;
        if parts > MAX_FIELDS {
            return Err(too_many_fields());
        }
        let name = part_name(&field)?;
        match field.file_name() {
            Some(file_name) => {
                let file_name = sanitize_file_name(file_name);
                let content_type = field.content_type().map(ToString::to_string);
                let (mut temp, mut file) =
                    crate::spool::TempFile::create(budget).await.map_err(not_stored)?;
                let mut len = 0u64;
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    len += chunk.len() as u64;
                    if !temp.grow(chunk.len() as u64) {
                        return Err(Rejection::UploadsBusy);
                    }
                    file.write_all(&chunk).await.map_err(not_stored)?;
                }
                file.flush().await.map_err(not_stored)?;
                payload.spool.push(crate::spool::Spooled {
                    field: name,
                    file_name,
                    content_type,
                    len,
                    file: temp,
                });
            }
            None => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    text += chunk.len();
                    if text > text_limit {
                        return Err(Rejection::PayloadTooLarge {
                            limit: crate::error::human_bytes(text_limit),
                        });
                    }
                    bytes.extend_from_slice(&chunk);
                }
                let text = String::from_utf8(bytes).map_err(|_| {
                    Rejection::BadPayload(format!("the field {name:?} is not valid UTF-8 text"))
                })?;
                payload.fields.push((name, text));
            }
        }
    }
    let (len, hash, _) = std::mem::take(&mut *counted.lock().unwrap_or_else(|e| e.into_inner()));
    Ok((payload, len, hash.finalize().into()))
}

/// A temporary file that could not be written: logged, and the call
/// refused.
fn not_stored(e: std::io::Error) -> Rejection {
    tracing::error!(error = %e, "an upload could not be written to a temporary file");
    Rejection::UploadNotStored
}

/// Moves the files of a body read into memory to temporary files, for an
/// action that takes them as [`Upload`](crate::upload::Upload)s.
pub(crate) async fn spool_files(
    payload: &mut Payload,
    budget: &crate::spool::DiskBudget,
) -> Result<(), Rejection> {
    use tokio::io::AsyncWriteExt as _;
    for file in std::mem::take(&mut payload.files) {
        let (mut temp, mut out) = crate::spool::TempFile::create(budget).await.map_err(not_stored)?;
        if !temp.grow(file.bytes.len() as u64) {
            return Err(Rejection::UploadsBusy);
        }
        out.write_all(&file.bytes).await.map_err(not_stored)?;
        out.flush().await.map_err(not_stored)?;
        payload.spool.push(crate::spool::Spooled {
            field: file.field,
            file_name: file.file_name,
            content_type: file.content_type,
            len: file.bytes.len() as u64,
            file: temp,
        });
    }
    Ok(())
}

/// Decodes a fully read body.
pub(crate) async fn decode(encoding: &Encoding, bytes: Bytes) -> Result<Payload, Rejection> {
    match encoding {
        Encoding::Empty => Ok(Payload::default()),
        Encoding::UrlEncoded => decode_urlencoded(&bytes),
        // Boxed: the multipart parser's future is large, and every call's
        // future would otherwise carry its size.
        Encoding::Multipart(boundary) => Box::pin(decode_multipart(boundary, bytes)).await,
        Encoding::Json => decode_json(&bytes),
    }
}

fn too_many_fields() -> Rejection {
    Rejection::BadPayload(format!("the form has more than {MAX_FIELDS} fields"))
}

/// Decodes one name or value of an urlencoded body, refusing invalid UTF-8
/// (rather than replacing it, as lenient decoders do: bad input is an error).
fn urldecode(raw: &[u8]) -> Option<String> {
    // Most names and values (ids, sealed values, plain words) have nothing
    // to decode: one copy, and the UTF-8 check. `bench/instructions` (b)
    // measured the byte-by-byte loop at about 30 instructions a byte.
    if !raw.iter().any(|&b| b == b'%' || b == b'+') {
        return String::from_utf8(raw.to_vec()).ok();
    }
    // One pass: `+` is a space, `%XY` a byte, a `%` without two hex digits
    // stays as it is (as browsers and `form_urlencoded` treat it).
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => match (raw.get(i + 1).copied().and_then(hex), raw.get(i + 2).copied().and_then(hex)) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn decode_urlencoded(bytes: &[u8]) -> Result<Payload, Rejection> {
    let mut fields = Vec::new();
    for pair in bytes.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        if fields.len() == MAX_FIELDS {
            return Err(too_many_fields());
        }
        let (raw_name, raw_value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        let name = urldecode(raw_name)
            .ok_or_else(|| Rejection::BadPayload("a field name is not valid UTF-8 text".into()))?;
        let value = urldecode(raw_value)
            .ok_or_else(|| Rejection::BadPayload(format!("the field {name:?} is not valid UTF-8 text")))?;
        fields.push((name, value));
    }
    Ok(Payload { fields, ..Payload::default() })
}

/// The longest field name or file name a multipart part may declare.
pub(crate) const MAX_PART_NAME: usize = 1024;

/// A part's field name, refused when it or its file name is too long.
fn part_name(field: &multer::Field<'_>) -> Result<String, Rejection> {
    let name = field.name().unwrap_or("");
    if name.len() > MAX_PART_NAME || field.file_name().is_some_and(|f| f.len() > MAX_PART_NAME) {
        return Err(Rejection::BadPayload(format!(
            "a part of the form has a name or file name longer than {MAX_PART_NAME} bytes"
        )));
    }
    Ok(name.to_string())
}

async fn decode_multipart(boundary: &str, bytes: Bytes) -> Result<Payload, Rejection> {
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::convert::Infallible>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut payload = Payload::default();
    let bad = |e: multer::Error| Rejection::BadPayload(format!("malformed multipart body: {e}"));
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        if payload.fields.len() + payload.files.len() == MAX_FIELDS {
            return Err(too_many_fields());
        }
        let name = part_name(&field)?;
        match field.file_name() {
            Some(file_name) => {
                let file_name = sanitize_file_name(file_name);
                let content_type = field.content_type().map(ToString::to_string);
                let bytes = field.bytes().await.map_err(bad)?;
                payload.files.push(UploadedFile { field: name, file_name, content_type, bytes });
            }
            None => {
                let bytes = field.bytes().await.map_err(bad)?;
                let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                    Rejection::BadPayload(format!("the field {name:?} is not valid UTF-8 text"))
                })?;
                payload.fields.push((name, text));
            }
        }
    }
    Ok(payload)
}

fn decode_json(bytes: &[u8]) -> Result<Payload, Rejection> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Payload::default());
    }
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| Rejection::BadPayload(format!("the JSON body is invalid: {e}")))?;
    let shape = || {
        Rejection::BadPayload(
            "a JSON action call must be an array of arguments, or an object \
             {\"args\": [...], \"$bound\": \"...\", \"$state\": \"...\"}"
                .into(),
        )
    };
    match value {
        Value::Array(args) => Ok(Payload { args, ..Payload::default() }),
        Value::Object(mut map) => {
            let args = match map.remove("args") {
                Some(Value::Array(args)) => args,
                None => Vec::new(),
                Some(_) => return Err(shape()),
            };
            let text = |v: Option<Value>| match v {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(_) => Err(shape()),
            };
            Ok(Payload {
                args,
                json_bound: text(map.remove("$bound"))?,
                json_state: text(map.remove("$state"))?,
                ..Payload::default()
            })
        }
        _ => Err(shape()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_directories() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("C:\\Users\\me\\a.txt"), "a.txt");
        assert_eq!(sanitize_file_name(".."), "");
        assert_eq!(sanitize_file_name("a\u{0}b.txt"), "ab.txt");
    }

    #[tokio::test]
    async fn the_action_is_found_in_the_first_complete_fields_of_both_encodings() {
        let url = |s: &'static str| {
            action_in_prefix(&Encoding::UrlEncoded, Bytes::from_static(s.as_bytes()), false)
        };
        assert_eq!(url("%24action=abc&x=1").await.as_deref(), Some("abc"));
        assert_eq!(url("x=1&%24button=def.sealed&y").await.as_deref(), Some("def"));
        assert_eq!(url("x=1&%24action=abc").await, None, "cut off: the value may go on");
        assert_eq!(url("action=abc&x=1").await, None);
        assert_eq!(url("x=%2524action%3Dabc&y=1").await, None, "a value that looks like a field");
        let encoding = Encoding::Multipart("b".into());
        let multipart =
            |s: &'static str| action_in_prefix(&encoding, Bytes::from_static(s.as_bytes()), false);
        let text =
            "--b\r\nContent-Disposition: form-data; name=\"$action\"\r\n\r\nabc\r\n--b\r\nContent-Disp";
        assert_eq!(multipart(text).await.as_deref(), Some("abc"));
        let file = "--b\r\nContent-Disposition: form-data; name=\"$action\"; filename=\"a.txt\"\r\n\r\nabc\r\n--b\r\nContent-Disp";
        assert_eq!(multipart(file).await, None, "a file is never the action field");
        let inside = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"page.html\"\r\n\r\nname=\"$action\" %24action=abc&\r\n--b\r\nContent-Disp";
        assert_eq!(multipart(inside).await, None, "nor bytes inside a file");
    }

    #[test]
    fn json_shapes() {
        assert!(decode_json(b"[1,\"a\"]").is_ok());
        assert!(decode_json(b"{\"args\":[1],\"$bound\":\"x\"}").is_ok());
        assert!(decode_json(b"42").is_err());
        assert!(decode_json(b"{\"args\":3}").is_err());
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(decode_json(deep.as_bytes()).is_err(), "recursion limit");
        assert!(decode_json(b"[\"\xff\"]").is_err(), "invalid UTF-8");
    }

    #[test]
    fn too_many_urlencoded_fields() {
        let body = "a=1&".repeat(MAX_FIELDS + 1);
        assert!(decode_urlencoded(body.as_bytes()).is_err());
        let ok = "a=1&".repeat(MAX_FIELDS);
        assert!(decode_urlencoded(ok.as_bytes()).is_ok());
    }

    proptest::proptest! {
        /// The one-pass decoder reads a value exactly as `form_urlencoded`
        /// (the reference) does, whenever the result is text.
        #[test]
        fn urldecode_agrees_with_form_urlencoded(raw in "[a-zA-Z0-9%+._~$:-]{0,40}|(%[0-9a-fA-F]{2}){0,8}") {
            let reference: String =
                form_urlencoded::parse(format!("k={raw}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default();
            match urldecode(raw.as_bytes()) {
                Some(decoded) => proptest::prop_assert_eq!(decoded, reference),
                None => proptest::prop_assert!(reference.contains(char::REPLACEMENT_CHARACTER), "{}", reference),
            }
        }
    }
}
