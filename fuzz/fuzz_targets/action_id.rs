//! Action id parsing: the shape check and the `$action` scan of a form's
//! first bytes must never panic, and what they accept must be well formed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if serac::__fuzz::looks_like_id(text) {
            assert!(text.len() >= 32 && text.bytes().all(|b| b.is_ascii_hexdigit()));
        }
    }
    if let Some(id) = serac::__fuzz::action_in_prefix(data) {
        assert!(!id.is_empty());
    }
});
