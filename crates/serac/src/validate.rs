//! Forms validated before the action runs, with [garde] rules (feature
//! `garde`).
//!
//! Derive `garde::Validate` and [`Constraints`](derive@crate::Constraints) on
//! the form type, and take it as [`ValidForm<T>`] instead of
//! [`Form<T>`](crate::Form):
//!
//! ```rust
//! use serac::prelude::*;
//!
//! #[derive(serde::Deserialize, garde::Validate, serac::Constraints)]
//! struct NewItem {
//!     #[garde(length(chars, min = 1, max = 100))]
//!     #[serac(message = "Name the item (up to 100 characters).")]
//!     name: String,
//!     #[garde(range(min = 1, max = 99))]
//!     quantity: u32,
//! }
//!
//! #[serac::action]
//! async fn add_item(form: ValidForm<NewItem>) -> Result<(), ActionError> {
//!     // Only reached with a valid form.
//!     assert!(!form.name.is_empty() && form.quantity >= 1);
//!     Ok(())
//! }
//! # fn main() {}
//! ```
//!
//! When a rule fails, the action does not run: the call is answered as if
//! it had returned [`ActionError::Validation`] (`422`), with one message per
//! field named like the form's inputs, so `page.field_error(action, "name")`
//! shows it and the typed values stay in the form; a JavaScript call gets
//! the same messages in the envelope's `fields`. A field that is missing or
//! does not read as its type (`"abc"` for a number) is that field's error
//! too, where [`Form<T>`](crate::Form) answers `400`.
//!
//! # Messages
//!
//! garde's own messages are for developers ("length is lower than 8"); the
//! ones people see are sentences: "Use at least 8 characters.", "Enter an
//! email address, like name@example.com.", "Enter a number from 1 to 99.",
//! "Fill in this field.". A field's `#[serac(message = "…")]` replaces them
//! with the app's own words, whatever rule failed. The message of a
//! `custom` rule is shown as the rule wrote it.
//!
//! # Constraint attributes
//!
//! The same rules give the HTML attributes that make a browser check the
//! input before sending (`required`, `minlength`, `maxlength`,
//! `type="email"`, `type="url"`, `type="number"`, `min`, `max`):
//! [`Page::input`](crate::Page::input) writes the whole `<input>`, with
//! the submitted value kept and `aria-invalid` on error, and
//! [`FieldConstraints`] gives them to templates that write their own. The
//! server checks again whatever the browser did.
//!
//! Rules that read a context (`Validate::Context` other than `()`) are
//! checked in the action: take [`Form<T>`](crate::Form), call
//! `validate_with`, and turn the report into messages with
//! [`field_errors`].

use std::future::{Future, ready};
use std::ops::Deref;

use serde::de::DeserializeOwned;

use crate::action::params::{FormError, decode_form};
use crate::action::{Call, FromCall};
use crate::error::{ActionError, FieldErrors};

/// The submitted form decoded into `T` and validated by its garde rules
/// before the action runs: `form: ValidForm<NewInvoice>`.
///
/// Decoding follows the rules of [`Form<T>`](crate::Form). On a failed rule
/// the action does not run and the call is answered `422` with a message
/// per field (see the [module documentation](self)). `T` derives both
/// `garde::Validate` (with no context) and
/// [`serac::Constraints`](derive@crate::Constraints).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ValidForm<T>(pub T);

impl<T> ValidForm<T> {
    /// The validated form.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for ValidForm<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> FromCall for ValidForm<T>
where
    T: DeserializeOwned + Send + garde::Validate<Context = ()> + Constraints,
{
    fn from_call(call: &mut Call) -> impl Future<Output = Result<Self, ActionError>> + Send {
        let decoded = decode_form::<T>(&call.payload, call.mode).map_err(|e| {
            let empty = |name: &str| {
                call.payload.fields.iter().filter(|(k, _)| k == name).all(|(_, v)| v.trim().is_empty())
            };
            unreadable::<T>(e, empty)
        });
        ready(decoded.and_then(|value| match value.validate() {
            Ok(()) => Ok(ValidForm(value)),
            Err(report) => Err(ActionError::Validation(field_errors::<T>(&report))),
        }))
    }
}

/// A form that did not decode: the field's message when serde names a field
/// of `T`, else the `400` of [`Form<T>`](crate::Form).
fn unreadable<T: Constraints>(error: FormError, empty: impl Fn(&str) -> bool) -> ActionError {
    let Some(path) = error.field.as_deref() else { return error.error };
    let name = top(path);
    let Some(field) = T::fields().into_iter().find(|f| f.name == name) else { return error.error };
    let message = match field.message {
        Some(message) => message.to_string(),
        None if error.missing || empty(name) => field.required_message(),
        None => match field.kind {
            FieldKind::Integer => "Enter a whole number.".to_string(),
            FieldKind::Decimal => "Enter a number.".to_string(),
            _ => "Enter a valid value.".to_string(),
        },
    };
    ActionError::invalid(field.name, message)
}

/// The first component of a path: the top-level field (`tags[0]` → `tags`).
fn top(path: &str) -> &str {
    path.split(['.', '[']).next().unwrap_or(path)
}

/// garde's report as messages for people, one list per form input: each
/// field under the name of its input, with its `#[serac(message = "…")]`
/// or a sentence made of the rule that failed (the same message once).
///
/// [`ValidForm`] does this for you; call it after validating with a
/// context yourself: `form.validate_with(&cx).map_err(|r|
/// ActionError::Validation(field_errors::<T>(&r)))?`.
pub fn field_errors<T: Constraints>(report: &garde::Report) -> FieldErrors {
    let fields = T::fields();
    let mut out = FieldErrors::new();
    for (path, error) in report.iter() {
        let path = path.to_string();
        let key = top(&path);
        let (name, message) = match fields.iter().find(|f| f.path == key) {
            Some(field) => (field.name, field.message_for(error.message())),
            None => (key, say(None, error.message())),
        };
        if !out.all(name).contains(&message) {
            out.add(name, message);
        }
    }
    out
}

/// The fields of a form type and their rules, as the browser's constraint
/// attributes and the messages people read. Written by
/// `#[derive(serac::Constraints)]`, which reads the struct's `#[garde(…)]`
/// attributes at compile time.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not tell Serac the rules of its fields",
    label = "needs `#[derive(serac::Constraints)]`",
    note = "derive `serac::Constraints` next to `garde::Validate`: it gives the messages people read and the \
            HTML constraint attributes"
)]
pub trait Constraints {
    /// Every input of the form, in the order of the struct's fields.
    fn fields() -> Vec<FieldConstraints>;

    /// The input named `name` (the field's serde name), if the form has one.
    fn field(name: &str) -> Option<FieldConstraints> {
        Self::fields().into_iter().find(|f| f.name == name)
    }
}

/// What a field holds, as the derive read it from its Rust type (under an
/// `Option`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldKind {
    /// Text (`String` and any other type).
    Text,
    /// Several values of one name (`Vec<T>`, a set): checkboxes, a multiple
    /// select.
    Items,
    /// A whole number: `type="number"`.
    Integer,
    /// A number with decimals: `type="number" step="any"`.
    Decimal,
    /// `bool`: a checkbox.
    Flag,
}

/// One input of a form and its constraints, as HTML has them.
///
/// For a template that writes its own `<input>` or `<textarea>`, in maud:
/// `textarea name="draft" required[c.required] maxlength=[c.max_length]`,
/// or every attribute at once with [`FieldConstraints::attrs`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldConstraints {
    /// The input's name: the field's serde name.
    pub name: &'static str,
    /// What the field holds.
    pub kind: FieldKind,
    /// `required`: the rule `required`, a minimum length of 1 or more, or
    /// a number that is not optional.
    pub required: bool,
    /// `minlength` (text only).
    pub min_length: Option<usize>,
    /// `maxlength` (text only). Browsers count UTF-16 units, which may
    /// differ a little from garde's count (`chars`, `bytes`…): the server's
    /// rule stays the one that decides.
    pub max_length: Option<usize>,
    /// `type`: `email`, `url`, `tel` or `number`.
    pub input_type: Option<&'static str>,
    /// `min`, from `range(min = …)`.
    pub min: Option<String>,
    /// `max`, from `range(max = …)`.
    pub max: Option<String>,
    /// `step`: `any` for numbers with decimals.
    pub step: Option<&'static str>,
    /// The app's message for this field (`#[serac(message = "…")]`).
    pub message: Option<&'static str>,
    /// The key garde reports the field under: its Rust name.
    path: &'static str,
    /// The length rule, whatever the kind (messages of lists need it).
    length: (Option<usize>, Option<usize>),
}

impl FieldConstraints {
    /// Used by `#[derive(serac::Constraints)]`: input `name`, reported by
    /// garde as `path`.
    #[doc(hidden)]
    pub fn __new(name: &'static str, path: &'static str, kind: FieldKind) -> Self {
        let (input_type, step) = match kind {
            FieldKind::Integer => (Some("number"), None),
            FieldKind::Decimal => (Some("number"), Some("any")),
            _ => (None, None),
        };
        Self {
            name,
            kind,
            required: false,
            min_length: None,
            max_length: None,
            input_type,
            min: None,
            max: None,
            step,
            message: None,
            path,
            length: (None, None),
        }
    }

    /// Used by the derive: the value must be given.
    #[doc(hidden)]
    pub fn __required(mut self) -> Self {
        if self.kind != FieldKind::Items && self.kind != FieldKind::Flag {
            self.required = true;
        }
        self
    }

    /// Used by the derive: a `length` rule (several combine, the strictest
    /// bound winning).
    #[doc(hidden)]
    pub fn __length(mut self, min: Option<usize>, max: Option<usize>) -> Self {
        let min = match (self.length.0, min) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let max = match (self.length.1, max) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.length = (min, max);
        if self.kind == FieldKind::Text {
            self.min_length = min.filter(|n| *n > 0);
            self.max_length = max;
            if min.is_some_and(|n| n > 0) {
                self.required = true;
            }
        }
        self
    }

    /// Used by the derive: a `range` rule, its bounds as written in HTML.
    #[doc(hidden)]
    pub fn __range(mut self, min: Option<String>, max: Option<String>) -> Self {
        self.min = min.or(self.min);
        self.max = max.or(self.max);
        self
    }

    /// Used by the derive: `type="…"` (`email`, `url`, `tel`).
    #[doc(hidden)]
    pub fn __input_type(mut self, input_type: &'static str) -> Self {
        if self.kind == FieldKind::Text {
            self.input_type = Some(input_type);
        }
        self
    }

    /// Used by the derive: `#[serac(message = "…")]`.
    #[doc(hidden)]
    pub fn __message(mut self, message: &'static str) -> Self {
        self.message = Some(message);
        self
    }

    /// The constraint attributes of the input, in HTML order, as
    /// `(name, value)`; `required` has the value `""`. Values are plain
    /// text: escape them as every attribute value (maud does).
    pub fn attrs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(t) = self.input_type {
            out.push(("type", t.to_string()));
        }
        if self.required {
            out.push(("required", String::new()));
        }
        if let Some(n) = self.min_length {
            out.push(("minlength", n.to_string()));
        }
        if let Some(n) = self.max_length {
            out.push(("maxlength", n.to_string()));
        }
        if let Some(v) = &self.min {
            out.push(("min", v.clone()));
        }
        if let Some(v) = &self.max {
            out.push(("max", v.clone()));
        }
        if let Some(s) = self.step {
            out.push(("step", s.to_string()));
        }
        out
    }

    /// The message for garde's `raw` message about this field.
    fn message_for(&self, raw: &str) -> String {
        match self.message {
            Some(message) => message.to_string(),
            None => say(Some(self), raw),
        }
    }

    fn required_message(&self) -> String {
        match self.kind {
            FieldKind::Items => "Choose at least one.".to_string(),
            _ => "Fill in this field.".to_string(),
        }
    }
}

/// A sentence for one of garde's messages (those of garde 0.22's rules);
/// any other message, such as a `custom` rule's, as it is.
fn say(field: Option<&FieldConstraints>, raw: &str) -> String {
    let items = field.is_some_and(|f| f.kind == FieldKind::Items);
    let number = |s: &str| s.trim().parse::<usize>().ok();
    let quoted = |s: &str| s.trim().trim_matches('"').to_string();
    let exactly = field.and_then(|f| match f.length {
        (Some(a), Some(b)) if a == b => Some(a),
        _ => None,
    });
    let range = field.and_then(|f| Some((f.min.as_deref()?, f.max.as_deref()?)));
    let unit = |n: usize| if n == 1 { "character" } else { "characters" };

    if raw == "not set" {
        return field.map_or_else(|| "Fill in this field.".to_string(), FieldConstraints::required_message);
    }
    if let Some(n) = raw.strip_prefix("length is lower than ").and_then(number) {
        return match (items, exactly) {
            (false, Some(n)) => format!("Use exactly {n} {}.", unit(n)),
            (true, Some(n)) => format!("Choose exactly {n}."),
            (true, None) if n <= 1 => "Choose at least one.".to_string(),
            (true, None) => format!("Choose at least {n}."),
            (false, None) if n <= 1 => "Fill in this field.".to_string(),
            (false, None) => format!("Use at least {n} {}.", unit(n)),
        };
    }
    if let Some(n) = raw.strip_prefix("length is greater than ").and_then(number) {
        return match (items, exactly) {
            (false, Some(n)) => format!("Use exactly {n} {}.", unit(n)),
            (true, Some(n)) => format!("Choose exactly {n}."),
            (true, None) => format!("Choose at most {n}."),
            (false, None) => format!("Use at most {n} {}.", unit(n)),
        };
    }
    if let Some(v) = raw.strip_prefix("lower than ") {
        return match range {
            Some((min, max)) if min == max => format!("Enter {min}."),
            Some((min, max)) => format!("Enter a number from {min} to {max}."),
            None => format!("Enter {v} or more."),
        };
    }
    if let Some(v) = raw.strip_prefix("greater than ") {
        return match range {
            Some((min, max)) if min == max => format!("Enter {min}."),
            Some((min, max)) => format!("Enter a number from {min} to {max}."),
            None => format!("Enter {v} or less."),
        };
    }
    if raw.starts_with("not a valid email") {
        return "Enter an email address, like name@example.com.".to_string();
    }
    if raw.starts_with("not a valid url") {
        return "Enter a web address, like https://example.com.".to_string();
    }
    if raw.starts_with("not a valid phone number") {
        return "Enter a phone number.".to_string();
    }
    if raw.starts_with("not a valid credit card number") {
        return "Enter a valid card number.".to_string();
    }
    if let Some(kind) = raw.strip_prefix("not a valid ").and_then(|r| r.strip_suffix(" address")) {
        return format!("Enter a valid {kind} address.");
    }
    if raw == "not ascii" {
        return "Use only ASCII letters, digits and punctuation.".to_string();
    }
    if raw == "not alphanumeric" {
        return "Use only letters and digits.".to_string();
    }
    if let Some(pat) = raw.strip_prefix("does not contain ") {
        return format!("Include “{}”.", quoted(pat));
    }
    if let Some(pat) = raw.strip_prefix("value does not begin with ") {
        return format!("Start with “{}”.", quoted(pat));
    }
    if let Some(pat) = raw.strip_prefix("does not end with ") {
        return format!("End with “{}”.", quoted(pat));
    }
    if raw.starts_with("does not match pattern") {
        return "This is not in the expected format.".to_string();
    }
    if let Some(other) = raw.strip_prefix("does not match ").and_then(|r| r.strip_suffix(" field")) {
        return format!("Enter the same as in {other}.");
    }
    raw.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the derive writes for a form like the demo's sign-up, by hand.
    struct Signup;

    impl Constraints for Signup {
        fn fields() -> Vec<FieldConstraints> {
            vec![
                FieldConstraints::__new("email", "email", FieldKind::Text)
                    .__input_type("email")
                    .__length(None, Some(200)),
                FieldConstraints::__new("pass-word", "password", FieldKind::Text)
                    .__length(Some(8), Some(200))
                    .__message("Password must be at least 8 characters."),
                FieldConstraints::__new("age", "age", FieldKind::Integer)
                    .__required()
                    .__range(Some("18".into()), Some("130".into())),
                FieldConstraints::__new("tags", "tags", FieldKind::Items).__length(Some(1), Some(3)),
            ]
        }
    }

    fn report(errors: &[(&str, &str)]) -> garde::Report {
        let mut report = garde::Report::new();
        for (path, message) in errors {
            report.append(garde::Path::new(*path), garde::Error::new(*message));
        }
        report
    }

    #[test]
    fn garde_messages_become_sentences_under_the_inputs_names() {
        let fields = field_errors::<Signup>(&report(&[
            ("email", "not a valid email: value is missing `@`"),
            ("email", "length is greater than 200"),
            ("password", "length is lower than 8"),
            ("age", "lower than 18"),
            ("tags", "length is lower than 1"),
            ("nickname", "length is greater than 20"),
        ]));
        assert_eq!(
            fields.all("email"),
            ["Enter an email address, like name@example.com.", "Use at most 200 characters."]
        );
        assert_eq!(
            fields.all("pass-word"),
            ["Password must be at least 8 characters."],
            "renamed, overridden"
        );
        assert!(fields.get("password").is_none());
        assert_eq!(fields.get("age"), Some("Enter a number from 18 to 130."));
        assert_eq!(fields.get("tags"), Some("Choose at least one."));
        assert_eq!(fields.get("nickname"), Some("Use at most 20 characters."), "a field the derive missed");
    }

    #[test]
    fn one_message_is_given_once_per_field() {
        let fields = field_errors::<Signup>(&report(&[
            ("password", "length is lower than 8"),
            ("password", "not alphanumeric"),
        ]));
        assert_eq!(fields.all("pass-word"), ["Password must be at least 8 characters."]);
    }

    #[test]
    fn custom_messages_are_kept_as_written() {
        assert_eq!(say(None, "Choose pending or paid."), "Choose pending or paid.");
    }

    #[test]
    fn every_rule_of_garde_reads_as_a_sentence() {
        let cases = [
            ("not set", "Fill in this field."),
            ("length is lower than 1", "Fill in this field."),
            ("length is lower than 2", "Use at least 2 characters."),
            ("length is greater than 1", "Use at most 1 character."),
            ("lower than 5", "Enter 5 or more."),
            ("greater than 2.5", "Enter 2.5 or less."),
            (
                "not a valid url: relative URL without a base",
                "Enter a web address, like https://example.com.",
            ),
            ("not a valid IPv4 address", "Enter a valid IPv4 address."),
            ("not ascii", "Use only ASCII letters, digits and punctuation."),
            ("does not contain \"@\"", "Include “@”."),
            ("value does not begin with \"+\"", "Start with “+”."),
            ("does not end with \".pdf\"", "End with “.pdf”."),
            ("does not match pattern /^[a-z]+$/", "This is not in the expected format."),
            ("does not match password field", "Enter the same as in password."),
        ];
        for (raw, sentence) in cases {
            assert_eq!(say(None, raw), sentence, "{raw}");
        }
    }

    #[test]
    fn attributes_follow_the_rules_and_the_kind() {
        let fields = Signup::fields();
        let attrs = |i: usize| fields[i].attrs();
        assert_eq!(attrs(0), [("type", "email".to_string()), ("maxlength", "200".to_string())]);
        assert_eq!(
            attrs(1),
            [("required", String::new()), ("minlength", "8".to_string()), ("maxlength", "200".to_string())]
        );
        assert_eq!(
            attrs(2),
            [
                ("type", "number".to_string()),
                ("required", String::new()),
                ("min", "18".to_string()),
                ("max", "130".to_string())
            ]
        );
        assert!(attrs(3).is_empty(), "a list's length is not an input's");
        assert_eq!(Signup::field("pass-word").map(|f| f.min_length), Some(Some(8)));
        assert!(Signup::field("password").is_none(), "inputs are found by their own name");
    }
}
