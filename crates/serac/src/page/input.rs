//! `page.input::<T>(action, "field")`: an `<input>` (or `<textarea>`) whose
//! constraint attributes come from the form type's garde rules, so that a
//! browser checks the value before sending it, with the value kept after a
//! submission and `aria-invalid` when the server refused it.
//!
//! Every attribute is double-quoted and its value escaped.

use maud::{Markup, PreEscaped, Render, html};

use super::Page;
use crate::action::ActionRef;
use crate::validate::{Constraints, FieldConstraints};

impl Page {
    /// An `<input>` for the field `field` of the form type `T` of `action`,
    /// with the HTML constraint attributes of its garde rules (`required`,
    /// `minlength`, `maxlength`, `type="email"`, `min`, `max`…):
    /// `(page.input::<NewInvoice>(create, "customer").id("customer"))`.
    ///
    /// After a submission of `action` the input shows the value as typed
    /// (except a password: `.attr("type", "password")`), and
    /// `aria-invalid="true"` when the field has a message. Show the message
    /// itself where the page wants it, with [`Page::field_error`].
    ///
    /// In debug builds, a `field` that `T` does not have panics: the name is
    /// a typo in the page.
    pub fn input<T: Constraints>(&self, action: ActionRef<impl Sized>, field: &str) -> Input {
        let constraints = T::field(field);
        debug_assert!(
            constraints.is_some(),
            "page.input::<{}>(.., {field:?}): the form type has no input of that name",
            std::any::type_name::<T>()
        );
        let submission = self.submitted(action);
        Input {
            name: field.to_string(),
            constraints,
            submitted: submission.map(|s| s.value(field).unwrap_or_default().to_string()),
            // Read without marking the message shown: showing it is the page's.
            invalid: submission.is_some_and(|s| s.field_errors.get(field).is_some()),
            initial: None,
            textarea: false,
            attrs: Vec::new(),
        }
    }
}

/// An input of a validated form, being built by [`Page::input`]. Renders in
/// maud as `(input)`.
#[derive(Debug, Clone)]
#[must_use]
pub struct Input {
    name: String,
    constraints: Option<FieldConstraints>,
    submitted: Option<String>,
    invalid: bool,
    initial: Option<String>,
    textarea: bool,
    attrs: Vec<(String, String)>,
}

impl Input {
    /// Any other attribute (`id`, `class`, `autocomplete`, `placeholder`,
    /// `aria-describedby`…). One of the same name as a constraint attribute
    /// replaces it (`.attr("type", "password")`).
    pub fn attr(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attrs.push((name.into(), value.into()));
        self
    }

    /// `id="…"`.
    pub fn id(self, id: impl Into<String>) -> Self {
        self.attr("id", id)
    }

    /// The value before the form was submitted (a record's current value).
    /// After a submission of the action, the input shows what was typed.
    pub fn initial(mut self, value: impl Into<String>) -> Self {
        self.initial = Some(value.into());
        self
    }

    /// A `<textarea>` instead of an `<input>` (only the length and
    /// `required` constraints apply).
    pub fn textarea(mut self) -> Self {
        self.textarea = true;
        self
    }

    fn own(&self, name: &str) -> Option<&str> {
        self.attrs.iter().rev().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// ` name="value"`, escaped; nothing for a name that is not a plain
/// attribute name (they come from the app's code, never from input).
fn push_attr(out: &mut String, name: &str, value: &str) {
    if name.is_empty()
        || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b':')
    {
        return;
    }
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    out.push_str(&html! { (value) }.into_string());
    out.push('"');
}

impl Render for Input {
    fn render(&self) -> Markup {
        let password = self.own("type").is_some_and(|t| t.eq_ignore_ascii_case("password"));
        let value = match &self.submitted {
            Some(typed) if !password => Some(typed.as_str()),
            _ => self.initial.as_deref(),
        };
        let mut out = String::with_capacity(128);
        out.push_str(if self.textarea { "<textarea" } else { "<input" });
        push_attr(&mut out, "name", &self.name);
        for (name, value) in self.constraints.iter().flat_map(FieldConstraints::attrs) {
            let textarea_has = matches!(name, "required" | "minlength" | "maxlength");
            if (self.textarea && !textarea_has) || self.own(name).is_some() {
                continue;
            }
            push_attr(&mut out, name, &value);
        }
        if !self.textarea {
            push_attr(&mut out, "value", value.unwrap_or_default());
        }
        if self.invalid && self.own("aria-invalid").is_none() {
            push_attr(&mut out, "aria-invalid", "true");
        }
        for (name, value) in &self.attrs {
            if name != "name" {
                push_attr(&mut out, name, value);
            }
        }
        out.push('>');
        if self.textarea {
            out.push_str(&html! { (value.unwrap_or_default()) }.into_string());
            out.push_str("</textarea>");
        }
        PreEscaped(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::FieldKind;

    fn input(constraints: FieldConstraints) -> Input {
        Input {
            name: constraints.name.to_string(),
            constraints: Some(constraints),
            submitted: None,
            invalid: false,
            initial: None,
            textarea: false,
            attrs: Vec::new(),
        }
    }

    fn customer() -> FieldConstraints {
        FieldConstraints::__new("customer", "customer", FieldKind::Text).__length(Some(1), Some(100))
    }

    #[test]
    fn the_rules_become_quoted_attributes() {
        let html = input(customer()).id("c").render().into_string();
        assert_eq!(
            html,
            r#"<input name="customer" required="" minlength="1" maxlength="100" value="" id="c">"#
        );
        let email = FieldConstraints::__new("email", "email", FieldKind::Text).__input_type("email");
        assert_eq!(input(email).render().into_string(), r#"<input name="email" type="email" value="">"#);
    }

    #[test]
    fn values_and_attributes_are_escaped() {
        let mut i = input(customer()).attr("placeholder", "\"><script>");
        i.submitted = Some("a\"b<c>&".into());
        i.invalid = true;
        let html = i.render().into_string();
        assert!(html.contains(r#"value="a&quot;b&lt;c&gt;&amp;""#), "{html}");
        assert!(html.contains(r#"placeholder="&quot;&gt;&lt;script&gt;""#), "{html}");
        assert!(html.contains(r#"aria-invalid="true""#), "{html}");
        let html = input(customer()).attr("on\"x", "y").attr("name", "other").render().into_string();
        assert!(!html.contains("on\"x") && !html.contains("other"), "{html}");
    }

    #[test]
    fn the_apps_attributes_win_and_passwords_are_not_sent_back() {
        let mut i = input(FieldConstraints::__new("email", "email", FieldKind::Text).__input_type("email"))
            .attr("type", "password");
        i.submitted = Some("hunter2".into());
        let html = i.render().into_string();
        assert_eq!(html, r#"<input name="email" value="" type="password">"#);
    }

    #[test]
    fn a_textarea_keeps_only_length_and_required() {
        let mut i = input(customer().__input_type("email")).textarea().initial("draft");
        assert_eq!(
            i.render().into_string(),
            r#"<textarea name="customer" required="" minlength="1" maxlength="100">draft</textarea>"#
        );
        i.submitted = Some("</textarea>".into());
        assert!(i.render().into_string().ends_with(">&lt;/textarea&gt;</textarea>"));
    }
}
