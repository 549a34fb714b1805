//! A typed TypeScript client for the actions that opt in (B6).
//!
//! Mark an action `#[action(typescript)]` and derive [`ts_rs::TS`] on the
//! types of its arguments and result; [`module`] then writes one TypeScript
//! module with a typed `async` function per action, the declarations of those
//! types, and the small client they share (`client/typed.ts`): it speaks the
//! JSON protocol of `docs/protocol.md`, throws `ActionError` for failures,
//! and follows redirects.
//!
//! ```rust,ignore
//! #[derive(serde::Serialize, ts_rs::TS)]
//! struct Todo { id: u32, title: String, done: bool }
//!
//! /// Marks a todo done or not done.
//! #[serac::action(typescript)]
//! async fn toggle_todo(cx: Cx, id: u32, done: bool) -> Result<Todo, ActionError> { … }
//! ```
//!
//! becomes
//!
//! ```ts
//! export type Todo = { id: number, title: string, done: boolean, };
//! /** Marks a todo done or not done. */
//! export function toggleTodo(id: number, done: boolean): Promise<Todo> { … }
//! ```
//!
//! Ids are not in the generated file: they depend on `SERAC_SECRET`, so the
//! client reads them from the layer's manifest (`/_serac/actions.json`, see
//! [`MANIFEST_PATH`]) at its first call, and again once when the server says
//! an id is stale (after a rotation or a deploy, B3).
//!
//! What a TypeScript function takes follows the Rust parameters: `Cx` and
//! `Auth<U>` stay on the server; other plain parameters are JSON arguments in
//! order; `Form<T>` becomes `FormData | T` (what a `<form action={…}>` hands
//! over, or the typed object) and `FormData` becomes the browser's
//! `FormData`. An action takes a form or JSON arguments, not both, and no
//! `PrevState` (a React client keeps its own state): the macro says so.

mod types;

use std::collections::BTreeMap;
use std::fmt::Write as _;

pub use ts_rs::{self, TS};
pub use types::Types;

use crate::action::{ActionDef, Registry};

/// Where the layer serves the ids of the exported actions, as a JSON object
/// from the action's Rust name to its id. Revalidated by browsers on every
/// use (`no-cache`): the ids change with the secret.
pub use crate::client::MANIFEST_PATH;

/// The shared part of every generated module: `ActionError`, `configure` and
/// the call itself.
pub const CLIENT_SOURCE: &str = include_str!("../../client/typed.ts");

/// How an exported action receives the form, if it takes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormParam {
    /// No form: the action takes JSON arguments.
    None,
    /// `FormData`: any fields and files.
    FormData,
    /// `Form<T>`: the name of `T` in TypeScript.
    Typed(String),
}

/// The TypeScript view of one action's signature. Built by the code
/// `#[action(typescript)]` generates.
#[derive(Debug, Clone)]
pub struct Signature {
    /// The function's doc comment.
    pub docs: &'static str,
    /// The JSON arguments: the Rust name and the TypeScript type of each.
    pub params: Vec<(&'static str, String)>,
    /// The form parameter.
    pub form: FormParam,
    /// The TypeScript type of the result.
    pub output: String,
}

/// An action exported to TypeScript. Registered by `#[action(typescript)]`.
#[derive(Debug)]
pub struct Exported {
    /// The action.
    pub definition: &'static ActionDef,
    /// Its signature, resolved against a [`Types`] that collects the
    /// declarations it needs.
    pub signature: fn(&mut Types) -> Signature,
}

inventory::collect!(Exported);

/// Every exported action, by Rust name.
///
/// # Panics
/// When two exported actions have the same name: they would be the same
/// TypeScript function.
fn exported() -> BTreeMap<&'static str, &'static Exported> {
    let mut by_name: BTreeMap<&'static str, &'static Exported> = BTreeMap::new();
    for e in inventory::iter::<Exported> {
        let name = e.definition.name();
        if let Some(other) = by_name.insert(name, e) {
            panic!(
                "serac: two actions exported to TypeScript are named `{name}`: {} and {}; rename one",
                other.definition.path, e.definition.path
            );
        }
    }
    by_name
}

/// The manifest served at [`MANIFEST_PATH`], or `None` when no action is
/// exported. The ids are the registry's current ones.
pub(crate) fn manifest(registry: &Registry) -> Option<String> {
    let exported = exported();
    if exported.is_empty() {
        return None;
    }
    let ids: BTreeMap<&str, &str> =
        exported.iter().map(|(name, e)| (*name, registry.id_of(e.definition))).collect();
    Some(serde_json::to_string(&ids).expect("a map of strings always serializes"))
}

/// Names the client part of the module declares, besides `serac…` ones.
const RESERVED: [&str; 4] = ["ActionError", "ActionErrorKind", "ClientOptions", "configure"];

fn check_name(name: &str, what: &str) {
    assert!(
        !RESERVED.contains(&name) && !name.starts_with("serac") && !name.starts_with("Serac"),
        "serac: the {what} `{name}` would clash with the TypeScript client's own names \
         ({}, and names starting with `serac`); rename it",
        RESERVED.join(", ")
    );
}

/// `create_todo` → `createTodo`.
fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.trim_start_matches('_').chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A doc comment as JSDoc; `*/` inside it cannot end the comment early.
fn jsdoc(docs: &str) -> String {
    let docs = docs.trim();
    if docs.is_empty() {
        return String::new();
    }
    let mut out = String::from("/**\n");
    for line in docs.lines() {
        if line.is_empty() {
            out.push_str(" *\n");
        } else {
            out.push_str(" * ");
            out.push_str(&line.replace("*/", "*\\/"));
            out.push('\n');
        }
    }
    out.push_str(" */\n");
    out
}

/// The TypeScript module for every action of this binary marked
/// `#[action(typescript)]`: the client, the types, one function per action.
/// The text depends only on the Rust code (actions and types sorted by name),
/// so a test can regenerate it and compare it with the committed file.
///
/// # Panics
/// When two exported actions have the same name, or an action or type has a
/// name the client uses itself (`ActionError`, `configure`, `serac…`).
#[must_use]
pub fn module() -> String {
    let mut types = Types::new();
    let signatures: Vec<(&str, Signature)> =
        exported().into_iter().map(|(name, e)| (name, (e.signature)(&mut types))).collect();

    let mut out = String::from(
        "// Generated by serac from the Rust actions marked `#[action(typescript)]`.\n\
         // Do not edit: change the Rust code and generate it again.\n\
         /* eslint-disable */\n\n",
    );
    out.push_str(CLIENT_SOURCE.trim_end());
    out.push_str("\n\n// Types of the actions' arguments and results.\n\n");
    for (name, decl) in types.declarations() {
        check_name(name, "type");
        out.push_str(decl);
        out.push_str("\n\n");
    }
    out.push_str("// The actions.\n");
    for (name, sig) in &signatures {
        out.push('\n');
        out.push_str(&jsdoc(sig.docs));
        let output = if sig.output == "null" { "void".to_string() } else { sig.output.clone() };
        let fn_name = camel_case(name);
        check_name(&fn_name, "action");
        let (params, body) = match &sig.form {
            FormParam::None => {
                let params: Vec<String> =
                    sig.params.iter().map(|(label, ty)| format!("{}: {ty}", camel_case(label))).collect();
                let args: Vec<String> = sig.params.iter().map(|(label, _)| camel_case(label)).collect();
                (params.join(", "), format!("[{}]", args.join(", ")))
            }
            FormParam::FormData => ("form: FormData".to_string(), "form".to_string()),
            FormParam::Typed(ty) => (format!("form: FormData | {ty}"), "form".to_string()),
        };
        let _ = writeln!(
            out,
            "export function {fn_name}({params}): Promise<{output}> {{\n  return seracCall<{output}>(\"{name}\", {body});\n}}"
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_camel_case() {
        assert_eq!(camel_case("create_todo"), "createTodo");
        assert_eq!(camel_case("list"), "list");
        assert_eq!(camel_case("set_2fa_code"), "set2faCode");
    }

    #[test]
    fn doc_comments_become_jsdoc_that_cannot_be_closed_early() {
        assert_eq!(jsdoc(""), "");
        assert_eq!(
            jsdoc("Adds a todo.\n\nSee */ here."),
            "/**\n * Adds a todo.\n *\n * See *\\/ here.\n */\n"
        );
    }
}
