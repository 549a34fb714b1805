//! The envelope the server emits: whatever strings and values it carries,
//! the JSON its writer makes reads back to the same envelope.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serac::__fuzz::{EnvelopeParts, envelope};
use serac::protocol::Envelope;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parts: Vec<&str> = text.split('\u{1}').collect();
    let part = |i: usize| parts.get(i).copied().unwrap_or("").to_string();
    let result = serde_json::from_slice(data).unwrap_or(serde_json::Value::String(part(0)));
    let (envelope, json) = envelope(EnvelopeParts {
        ok: data.first().is_some_and(|b| b % 2 == 0),
        result,
        error: (parts.len() > 2).then(|| {
            (part(1), u16::from(data.get(1).copied().unwrap_or(0)) + 400, part(2), (parts.len() > 3).then(|| part(3)))
        }),
        redirect: (parts.len() > 4).then(|| part(4)),
        replace: data.get(2).is_some_and(|b| b % 2 == 0),
        invalidated: (vec![part(5)], vec![part(6)], vec![part(7)]),
        html: (parts.len() > 8).then(|| part(8)),
        url: (parts.len() > 9).then(|| part(9)),
    });
    // What the server writes reads back to the same envelope.
    let back: Envelope = serde_json::from_slice(&json).expect("the server's JSON reads back");
    assert_eq!(back, envelope);
});
