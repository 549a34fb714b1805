//! maud helpers that write action forms and buttons.
//!
//! A form bound to an action is an ordinary `<form method="post">` with no
//! `action` attribute (it posts to the page's own URL, unless the app gives
//! it one: a permalink) whose first child is a hidden `$action` input, followed by a hidden `$bound` when values are
//! bound and `$state` when the form carries state. (`$action` first lets the
//! layer find the action of an oversized form from its first bytes, to
//! refuse it without reading the rest.) A submit button with its own action
//! is `name="$button"` with the id, and its sealed bound values, as its
//! value: a browser sends only the pressed button, so only its values are
//! used, even when several buttons of one form call one action.
//!
//! Every attribute is double-quoted and escaped by maud.

use maud::{Markup, PreEscaped, Render, html};
use serde::Serialize;

use super::Page;
use crate::action::{IntoTarget, Target};
use crate::protocol::fields;

impl Page {
    fn sealed_args(&self, target: &Target, id: &str) -> Option<String> {
        if target.args.is_empty() {
            return None;
        }
        let json = serde_json::to_vec(&target.args).expect("JSON values always serialize");
        Some(self.keys().seal(id, &json))
    }

    /// The hidden inputs that make a hand-written `<form method="post">` call
    /// `target`. Put them first inside the form.
    pub fn fields(&self, target: impl IntoTarget) -> Markup {
        let target = target.into_target();
        let id = self.id_of(target.def);
        let sealed = self.sealed_args(&target, id);
        // Ids are hex and sealed values base64url: nothing to escape.
        html! {
            input type="hidden" name=(fields::ACTION) value=(PreEscaped(id));
            @if let Some(sealed) = sealed {
                input type="hidden" name=(fields::BOUND) value=(PreEscaped(sealed));
            }
        }
    }

    /// A form that calls `target`. Finish with [`ActionForm::body`].
    pub fn form(&self, target: impl IntoTarget) -> ActionForm<'_> {
        ActionForm {
            page: self,
            target: Some(target.into_target()),
            state: None,
            multipart: false,
            attrs: Vec::new(),
        }
    }

    /// A form with no action of its own, whose submit buttons each call
    /// theirs ([`Page::button`]), like buttons with `formAction` in a React
    /// form. Pressing Enter in one of its fields presses its first button,
    /// as browsers do; a submit button without an action does nothing.
    pub fn form_without_action(&self) -> ActionForm<'_> {
        ActionForm { page: self, target: None, state: None, multipart: false, attrs: Vec::new() }
    }

    /// A submit button that calls `target` instead of its form's action.
    pub fn button(&self, target: impl IntoTarget) -> ActionButton<'_> {
        ActionButton { page: self, target: target.into_target(), attrs: Vec::new() }
    }
}

fn render_attrs(attrs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, value) in attrs {
        // Attribute names come from the app's code, never from input; still,
        // drop anything that is not a plain name rather than emit broken HTML.
        if name.is_empty()
            || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b':')
        {
            continue;
        }
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        out.push_str(&html! { (value) }.into_string());
        out.push('"');
    }
    out
}

/// A form bound to an action, being built.
#[derive(Debug)]
#[must_use]
pub struct ActionForm<'p> {
    page: &'p Page,
    target: Option<Target>,
    state: Option<String>,
    multipart: bool,
    attrs: Vec<(String, String)>,
}

impl ActionForm<'_> {
    /// Sends files: `enctype="multipart/form-data"`.
    pub fn multipart(mut self) -> Self {
        self.multipart = true;
        self
    }

    /// Carries `state` (sealed) so the action receives it as [`crate::PrevState`]
    /// on the next submit, with or without JavaScript. The state belongs to
    /// the form: an action called by one of its buttons ([`Page::button`])
    /// receives it too, so every action a stateful form can call takes the
    /// same `PrevState<T>`.
    ///
    /// # Panics
    /// When `state`'s `Serialize` implementation fails (a programming error).
    pub fn state<T: Serialize>(mut self, state: &T) -> Self {
        let id = self.target.as_ref().map_or("", |t| self.page.id_of(t.def));
        let json = serde_json::to_vec(state).expect("form state must serialize to JSON");
        self.state = Some(self.page.keys().seal(&crate::seal::state_purpose(id), &json));
        self
    }

    /// Marks the form as showing the action's result, like
    /// [`ActionForm::state`] with no initial state: without JavaScript the
    /// answer is the page rendered with the result (`200`) instead of a
    /// redirect back to it, and the action's [`crate::PrevState`] starts from
    /// `Default`.
    ///
    /// Forms without state or this mark get Post/Redirect/Get: whatever the
    /// action returns, the browser is sent back to the page (`303`), so a
    /// refresh never posts again.
    pub fn shows_result(mut self) -> Self {
        // No state to seal: an empty `$state` says "stateful, nothing yet",
        // which anyone may send (it is what every such form sends).
        self.state = Some(String::new());
        self
    }

    /// Any other attribute (`id`, `class`, `data-…`, `aria-…`).
    pub fn attr(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attrs.push((name.into(), value.into()));
        self
    }

    /// `id="…"`.
    pub fn id(self, id: impl Into<String>) -> Self {
        self.attr("id", id)
    }

    /// `class="…"`.
    pub fn class(self, class: impl Into<String>) -> Self {
        self.attr("class", class)
    }

    /// Keeps what was typed after a successful submit with JavaScript
    /// (`data-serac-keep-values`). By default the runtime then resets the
    /// form to the page as the server rendered it, which is where a browser
    /// without JavaScript ends too (after the redirect back to the page). A
    /// failed submit always keeps the values.
    pub fn keep_values(self) -> Self {
        self.attr("data-serac-keep-values", "")
    }

    /// The form with its content.
    pub fn body(self, content: Markup) -> Markup {
        let mut open = String::with_capacity(64);
        open.push_str("<form method=\"post\"");
        if self.multipart {
            open.push_str(" enctype=\"multipart/form-data\"");
        }
        open.push_str(" data-serac-form=\"\"");
        open.push_str(&render_attrs(&self.attrs));
        open.push('>');
        let state = self.state.clone();
        // The buttons of a stateful form calling other actions receive its
        // state; each says, sealed, which form it is in, so that a state is
        // never handed to an action whose button was not in its form.
        // An empty `$state` (`shows_result`) needs no proof: anyone may send
        // one. Nor does a body without action buttons.
        let content = match &state {
            Some(sealed) if !sealed.is_empty() && content.0.contains(BUTTON_VALUE) => {
                let owner = self.target.as_ref().map_or("", |t| self.page.id_of(t.def));
                PreEscaped(prove_buttons(self.page.keys(), &content.0, owner))
            }
            _ => content,
        };
        html! {
            (PreEscaped(open))
            @if let Some(target) = self.target.clone() {
                (self.page.fields(target))
            }
            @if let Some(state) = state {
                // base64url: nothing to escape.
                input type="hidden" name=(fields::STATE) value=(PreEscaped(state));
            }
            (content)
            (PreEscaped("</form>"))
        }
    }
}

/// What [`ActionButton::label`] writes before a button's value.
const BUTTON_VALUE: &str = "name=\"$button\" value=\"";

/// `html` with every action button's value (`$button`, written by
/// [`ActionButton::label`] as `value="<id>[.<bound>]"`) given a third part:
/// `<owner>` sealed for the button's action, the form its state belongs to.
/// A button of the form's own action needs none (the state is its own).
fn prove_buttons(keys: &crate::seal::KeyRing, html: &str, owner: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(at) = rest.find(BUTTON_VALUE) {
        let start = at + BUTTON_VALUE.len();
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find('"').unwrap_or(rest.len());
        let value = &rest[..end];
        out.push_str(value);
        let (id, bound) = value.split_once('.').unwrap_or((value, ""));
        if id != owner {
            out.push('.');
            if bound.is_empty() {
                // `<id>..<proof>`: no bound values.
                out.push('.');
            }
            out.push_str(&keys.seal(&crate::seal::in_form_purpose(id), owner.as_bytes()));
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A submit button bound to its own action, being built.
#[derive(Debug)]
#[must_use]
pub struct ActionButton<'p> {
    page: &'p Page,
    target: Target,
    attrs: Vec<(String, String)>,
}

impl ActionButton<'_> {
    /// Any other attribute.
    pub fn attr(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attrs.push((name.into(), value.into()));
        self
    }

    /// `class="…"`.
    pub fn class(self, class: impl Into<String>) -> Self {
        self.attr("class", class)
    }

    /// `id="…"`.
    pub fn id(self, id: impl Into<String>) -> Self {
        self.attr("id", id)
    }

    /// The button with its label.
    pub fn label(self, content: impl Render) -> Markup {
        let id = self.page.id_of(self.target.def);
        let sealed = self.page.sealed_args(&self.target, id);
        // Hex ids and base64url seals: nothing to escape.
        let mut open = String::with_capacity(96);
        open.push_str("<button type=\"submit\" name=\"");
        open.push_str(fields::BUTTON);
        open.push_str("\" value=\"");
        open.push_str(id);
        if let Some(sealed) = &sealed {
            open.push('.');
            open.push_str(sealed);
        }
        open.push('"');
        open.push_str(&render_attrs(&self.attrs));
        open.push('>');
        html! {
            (PreEscaped(open))
            (content)
            (PreEscaped("</button>"))
        }
    }
}
