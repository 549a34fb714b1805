//! B20: `#[derive(serac::Constraints)]` reads garde's rules at compile time.
//! Each input gets the HTML constraint attributes of its rules under the
//! name serde reads it by, and garde's reports become sentences under the
//! same names (with garde itself producing the reports, so a garde whose
//! messages changed fails here).

use garde::Validate as _;
use serac::validate::{Constraints, FieldConstraints, FieldKind, field_errors};

const PIN: usize = 4;

#[derive(Debug, serde::Deserialize, garde::Validate, serac::Constraints)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // Some fields are only read by garde and serde.
struct Profile {
    #[garde(length(chars, min = 2, max = 40))]
    display_name: String,
    #[garde(email, length(max = 200))]
    #[serde(rename = "mail")]
    email: String,
    #[garde(url)]
    home_page: Option<String>,
    #[garde(range(min = 0.5, max = 2.5))]
    ratio: f64,
    #[garde(required, range(min = 1))]
    count: Option<u8>,
    #[garde(length(min = 1, max = 3))]
    tags: Vec<String>,
    #[garde(skip)]
    #[serde(default)]
    subscribe: bool,
    #[garde(length(equal = PIN))]
    pin: String,
    #[garde(ascii, length(bytes, max = 10))]
    #[serac(message = "Promotion codes are up to 10 letters and digits.")]
    promo: String,
    #[garde(skip)]
    #[serde(skip)]
    internal: u8,
    #[garde(length(max = 20))]
    r#type: String,
}

fn attrs(name: &str) -> Vec<(&'static str, String)> {
    Profile::field(name).unwrap_or_else(|| panic!("no input {name}")).attrs()
}

fn pairs(list: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    list.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

#[test]
fn inputs_are_named_as_serde_reads_them_in_field_order() {
    let names: Vec<_> = Profile::fields().iter().map(|f| f.name).collect();
    assert_eq!(
        names,
        ["displayName", "mail", "homePage", "ratio", "count", "tags", "subscribe", "pin", "promo", "type"]
    );
}

#[test]
fn length_rules_are_required_minlength_and_maxlength() {
    assert_eq!(attrs("displayName"), pairs(&[("required", ""), ("minlength", "2"), ("maxlength", "40")]));
    assert_eq!(
        attrs("pin"),
        pairs(&[("required", ""), ("minlength", "4"), ("maxlength", "4")]),
        "equal, a const"
    );
    assert_eq!(attrs("promo"), pairs(&[("maxlength", "10")]));
}

#[test]
fn email_and_url_rules_are_input_types() {
    assert_eq!(attrs("mail"), pairs(&[("type", "email"), ("maxlength", "200")]));
    assert_eq!(attrs("homePage"), pairs(&[("type", "url")]), "optional: not required");
}

#[test]
fn numbers_are_number_inputs_with_their_range() {
    assert_eq!(
        attrs("ratio"),
        pairs(&[("type", "number"), ("required", ""), ("min", "0.5"), ("max", "2.5"), ("step", "any")])
    );
    assert_eq!(
        attrs("count"),
        pairs(&[("type", "number"), ("required", ""), ("min", "1")]),
        "rule `required`"
    );
}

#[test]
fn lists_flags_and_skipped_fields_get_nothing_a_browser_would_misread() {
    let tags = Profile::field("tags").expect("tags");
    assert_eq!(tags.kind, FieldKind::Items);
    assert!(tags.attrs().is_empty(), "`required` on a checkbox would require each one");
    assert!(attrs("subscribe").is_empty());
    assert!(Profile::field("internal").is_none(), "serde never reads it");
}

#[test]
fn a_fields_message_is_kept() {
    let promo = Profile::field("promo").expect("promo");
    assert_eq!(promo.message, Some("Promotion codes are up to 10 letters and digits."));
    let FieldConstraints { required, max_length, .. } = promo;
    assert_eq!((required, max_length), (false, Some(10)));
}

#[test]
fn garde_reports_read_as_sentences_under_the_inputs_names() {
    let profile = Profile {
        display_name: "A".into(),
        email: "nope".into(),
        home_page: Some("not a url".into()),
        ratio: 3.0,
        count: None,
        tags: Vec::new(),
        subscribe: false,
        pin: "12345".into(),
        promo: "ÉTÉ-2024-SOLDES".into(),
        internal: 0,
        r#type: "x".repeat(21),
    };
    let report = profile.validate().expect_err("invalid");
    let fields = field_errors::<Profile>(&report);
    assert_eq!(fields.all("displayName"), ["Use at least 2 characters."]);
    assert_eq!(fields.all("mail"), ["Enter an email address, like name@example.com."]);
    assert_eq!(fields.all("homePage"), ["Enter a web address, like https://example.com."]);
    assert_eq!(fields.all("ratio"), ["Enter a number from 0.5 to 2.5."]);
    assert_eq!(fields.all("count"), ["Fill in this field."]);
    assert_eq!(fields.all("tags"), ["Choose at least one."]);
    assert_eq!(fields.all("pin"), ["Use exactly 4 characters."]);
    assert_eq!(
        fields.all("promo"),
        ["Promotion codes are up to 10 letters and digits."],
        "two rules failed, one message"
    );
    assert_eq!(fields.all("type"), ["Use at most 20 characters."], "a raw identifier");
    assert_eq!(fields.iter().count(), 9, "{fields:?}");
}
