//! Property tests over the functions the fuzz targets in `fuzz/` exercise:
//! a short smoke run of the same checks in the normal suite (issue 6). The
//! long runs and their findings are in `docs/security.md`.

use proptest::prelude::*;
use serac::KeyRing;
use serac::config::MAX_FIELDS;
use serac::protocol::Envelope;

const TYPES: [&str; 3] =
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=XyZ", "application/json"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decoding_never_panics_and_respects_the_field_limit(kind in 0usize..3, body in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok((fields, files)) = serac::__fuzz::decode(TYPES[kind], &body) {
            prop_assert!(fields.len() + files <= MAX_FIELDS);
        }
    }

    #[test]
    fn urlencoded_fields_come_back_as_sent(fields in proptest::collection::vec(("[a-z$]{1,8}", "\\PC{0,20}"), 0..20)) {
        let body = serde_urlencoded_like(&fields);
        let (decoded, files) = serac::__fuzz::decode(TYPES[0], body.as_bytes()).expect("valid form");
        prop_assert_eq!(files, 0);
        prop_assert_eq!(decoded, fields);
    }

    #[test]
    fn sealed_values_open_only_unchanged_and_for_their_action(plain in proptest::collection::vec(any::<u8>(), 0..200), at in any::<usize>()) {
        let keys = KeyRing::from_secrets(&[[3; 32]]).expect("keys");
        let id = keys.action_id("props::action");
        let sealed = keys.seal(&id, &plain);
        prop_assert_eq!(keys.open(&id, &sealed).expect("opens"), plain);
        prop_assert!(keys.open(&keys.action_id("props::other"), &sealed).is_err());
        let mut chars: Vec<char> = sealed.chars().collect();
        let i = at % chars.len();
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let changed: String = chars.into_iter().collect();
        prop_assert!(keys.open(&id, &changed).is_err());
    }

    #[test]
    fn id_scans_never_panic(kind in 0usize..3, prefix in proptest::collection::vec(any::<u8>(), 0..256)) {
        if let Some(id) = serac::__fuzz::action_in_prefix(TYPES[kind], &prefix) {
            prop_assert!(!id.is_empty());
        }
    }

    #[test]
    fn envelopes_round_trip(message in "\\PC{0,50}", html in proptest::option::of("\\PC{0,80}"), tag in "\\PC{0,10}", status in 400u16..600) {
        let (envelope, json) = serac::__fuzz::envelope(serac::__fuzz::EnvelopeParts {
            result: serde_json::Value::String(message.clone()),
            error: Some(("conflict".into(), status, message, None)),
            invalidated: (vec!["/".into()], vec![], vec![tag]),
            html,
            url: Some("/x".into()),
            replace: status % 2 == 0,
            ..Default::default()
        });
        prop_assert_eq!(serde_json::from_slice::<Envelope>(&json).expect("reads back"), envelope);
    }
}

/// `application/x-www-form-urlencoded` as browsers write it.
fn serde_urlencoded_like(fields: &[(String, String)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        out.append_pair(k, v);
    }
    out.finish()
}

/// Found by the `envelope` fuzz target: without serde_json's correctly
/// rounded float parsing, a number argument could arrive one ulp off and an
/// envelope would not read back equal.
#[test]
fn regression_large_floats_round_trip_exactly() {
    let value: serde_json::Value = serde_json::from_str("9999989999999999989999999989998").expect("number");
    let text = serde_json::to_string(&value).expect("serializes");
    let again: serde_json::Value = serde_json::from_str(&text).expect("reads back");
    assert_eq!(again, value);
    let parsed: f64 = serde_json::from_str("9999989999999999989999999989998").expect("f64");
    assert_eq!(parsed, 9_999_989_999_999_999_989_999_999_989_998.0_f64, "correctly rounded");
}
