//! Payload decoding: urlencoded, multipart and JSON bodies. The first byte
//! picks the encoding; the rest is the body. Decoding must never panic, and
//! what it accepts must respect the field limit.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, body)) = data.split_first() else { return };
    let content_type = match kind % 3 {
        0 => "application/x-www-form-urlencoded",
        1 => "multipart/form-data; boundary=XyZ",
        _ => "application/json",
    };
    if let Ok((fields, files)) = serac::__fuzz::decode(content_type, body) {
        assert!(fields.len() + files <= serac::MAX_FIELDS);
    }
});
