//! Action id parsing: the shape check and the search for `$action` in the
//! first complete fields of a form (both encodings, chosen by the first
//! byte) must never panic, and what they accept must be well formed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if serac::__fuzz::looks_like_id(text) {
            assert!(text.len() >= 32 && text.bytes().all(|b| b.is_ascii_hexdigit()));
        }
    }
    let (kind, prefix) = data.split_first().map_or((0, data), |(k, rest)| (*k, rest));
    let content_type =
        if kind % 2 == 0 { "application/x-www-form-urlencoded" } else { "multipart/form-data; boundary=XyZ" };
    if let Some(id) = serac::__fuzz::action_in_prefix(content_type, prefix) {
        assert!(!id.is_empty());
    }
});
