//! B17 / R1: which parameters are bound is part of the action's signature.
//! A call that does not bring a `$bound` sealed for that action, with exactly
//! its values, is refused and nothing runs: whether the field is left out,
//! replaced by JSON arguments, posted to another URL, or taken from another
//! action. And the pressed button's values, only those, are used.

use base64::Engine as _;
use serac::KeyRing;
use serde_json::json;

use crate::support::*;

fn keys() -> KeyRing {
    KeyRing::from_secrets(&[SECRET]).expect("keys")
}

#[tokio::test]
async fn a_form_without_its_bound_values_is_refused_r1() {
    let s = start().await;
    let html = get(&s, "/").await;
    let fields: Vec<_> = hidden(&html, "rename").into_iter().filter(|(k, _)| k != "$bound").collect();
    let mut fields = fields;
    fields.push(("text".into(), "Mallory".into()));
    let (status, body) = read(post_form(&s, "/", &fields).await).await;
    assert_eq!(status, 400);
    assert!(body.contains("values sealed into its page"), "{body}");
    assert!(s.log().is_empty(), "nothing ran: {:?}", s.log());
}

#[tokio::test]
async fn json_arguments_never_fill_a_bound_slot_r1() {
    let s = start().await;
    let html = get(&s, "/").await;
    let publish = hidden(&html, "publish")[0].1.clone();
    *s.state.version.lock().expect("version") = 3;
    // The cheapest ways: the values as arguments, as an array or an object,
    // to the page's URL or to another one.
    for (path, body) in [
        ("/", json!([7, 3])),
        ("/", json!({"args": [7, 3]})),
        ("/own", json!([7, 3])),
        ("/cookies", json!({"args": [7, 3], "$bound": null})),
    ] {
        let (status, envelope) = call_json(&s, path, &publish, body.clone()).await;
        assert_eq!(status, 400, "{path} {body}: {envelope:?}");
        assert_eq!(envelope.error.expect("error").kind, "missing_bound");
    }
    assert!(s.log().is_empty(), "nothing ran: {:?}", s.log());
}

#[tokio::test]
async fn a_sealed_value_with_the_wrong_count_is_refused_r1() {
    let s = start().await;
    let html = get(&s, "/").await;
    let publish = hidden(&html, "publish")[0].1.clone();
    *s.state.version.lock().expect("version") = 3;
    // Sealed with the server's own key (as a leak of the key would allow),
    // but one value short, or one too many, or with arguments beside it.
    for (sealed, args) in [("[7]", json!([])), ("[7,3,1]", json!([])), ("[7]", json!([3]))] {
        let bound = keys().seal(&publish, sealed.as_bytes());
        let (status, envelope) = call_json(&s, "/", &publish, json!({"args": args, "$bound": bound})).await;
        assert_eq!(status, 400, "{sealed} {args}: {envelope:?}");
    }
    assert!(s.log().is_empty(), "nothing ran: {:?}", s.log());
}

#[tokio::test]
async fn bound_values_of_another_action_do_not_open_r1() {
    let s = start().await;
    let html = get(&s, "/").await;
    let rename = hidden(&html, "rename");
    let publish_id = hidden(&html, "publish")[0].1.clone();
    // rename's sealed [42], posted to publish: another action's seal.
    let moved = json!({"args": [], "$bound": rename[1].1});
    let (status, envelope) = call_json(&s, "/", &publish_id, moved).await;
    assert_eq!(status, 400, "{envelope:?}");
    assert_eq!(envelope.error.expect("error").kind, "bad_seal");
    // And a plain action given a `$bound`: it takes no bound values.
    let increment = action_id(&s, "/", "f-increment").await;
    let (status, _) = call_json(&s, "/", &increment, json!({"args": [], "$bound": rename[1].1})).await;
    assert_eq!(status, 400);
    assert!(s.log().is_empty(), "nothing ran: {:?}", s.log());
}

#[tokio::test]
async fn the_pressed_buttons_values_and_only_those_are_used() {
    let s = start().await;
    let html = get(&s, "/").await;
    let form = hidden(&html, "points");
    // The form's own submit: the form's bound value.
    assert_eq!(post_form(&s, "/", &form).await.status(), 303);
    // Each button, pressed: its own, even with the form's `$bound` beside it
    // and the other buttons of the same action in the same form.
    for id in ["plus-100", "plus-10"] {
        let mut fields = form.clone();
        fields.push(serac_testkit::button(&html, id));
        assert_eq!(post_form(&s, "/", &fields).await.status(), 303, "{id}");
    }
    assert_eq!(s.log(), ["points:1", "points:100", "points:10"]);
}

#[tokio::test]
async fn the_pressed_buttons_values_are_used_by_javascript_calls_too() {
    let s = start().await;
    let html = get(&s, "/").await;
    let (name, value) = serac_testkit::button(&html, "plus-100");
    let id = value.split('.').next().expect("id").to_string();
    let mut fields: Vec<(String, String)> = hidden(&html, "points");
    fields.push((name, value));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = call_form(&s, "/", &id, &pairs).await;
    assert_eq!(res.status(), 200);
    assert_eq!(s.log(), ["points:100"]);
}

#[tokio::test]
async fn a_button_value_with_its_seal_cut_off_or_edited_is_refused() {
    let s = start().await;
    let html = get(&s, "/").await;
    let form = hidden(&html, "points");
    let (name, value) = serac_testkit::button(&html, "plus-100");
    let (id, sealed) = value.split_once('.').expect("sealed part");
    let mut raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sealed).expect("base64");
    raw[14] ^= 1;
    let edited = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    for button in [id.to_string(), format!("{id}."), format!("{id}.{edited}")] {
        let mut fields = form.clone();
        fields.push((name.clone(), button.clone()));
        let (status, _) = read(post_form(&s, "/", &fields).await).await;
        assert_eq!(status, 400, "{button}");
    }
    // Two buttons at once is not something a browser sends.
    let mut fields = form.clone();
    fields.push(serac_testkit::button(&html, "plus-100"));
    fields.push(serac_testkit::button(&html, "plus-10"));
    let (status, body) = read(post_form(&s, "/", &fields).await).await;
    assert_eq!(status, 400, "{body}");
    assert!(s.log().is_empty(), "nothing ran: {:?}", s.log());
}
