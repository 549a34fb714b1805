//! Finding the action a form names in its first complete fields (both
//! encodings, chosen by the first byte) must never panic, and never name an
//! empty id.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (kind, prefix) = data.split_first().map_or((0, data), |(k, rest)| (*k, rest));
    let content_type =
        if kind % 2 == 0 { "application/x-www-form-urlencoded" } else { "multipart/form-data; boundary=XyZ" };
    if let Some(id) = serac::__fuzz::action_in_prefix(content_type, prefix) {
        assert!(!id.is_empty());
    }
});
