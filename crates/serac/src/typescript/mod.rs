//! A typed TypeScript client for the actions that opt in.
//!
//! Mark an action `#[action(typescript)]` and derive [`ts_rs::TS`] on the
//! types of its arguments and result; [`module`] then writes one TypeScript
//! module with a typed `async` function per action, the declarations of those
//! types, and the small client they share (`client/typed.ts`): it speaks the
//! JSON protocol of `docs/protocol.md`, throws `ActionError` for failures,
//! and follows redirects.
//!
//! ```rust
//! use serac::prelude::*;
//! use serac::typescript::TS;
//!
//! #[derive(serde::Serialize, TS)]
//! #[ts(crate = "serac::typescript::ts_rs")]
//! struct Todo { id: u32, title: String, done: bool }
//!
//! /// Marks a todo done or not done.
//! #[serac::action(typescript)]
//! async fn toggle_todo(id: u32, done: bool) -> Result<Todo, ActionError> {
//!     Ok(Todo { id, title: "Write the docs".into(), done })
//! }
//! # fn main() {}
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
//! A query marked `#[query(typescript)]` becomes a function too, read with
//! `GET`: it returns the same promise for the same arguments until the
//! answer changes, so React's `use()` (with Suspense) or TanStack Query can
//! call it during render; the reads of one tick go out as one batch request.
//! Every action call then names the queries read so far, and its answer
//! brings their fresh results, which replace the cached ones and are
//! announced to `subscribeQueries` listeners (single flight; with React,
//! `useSyncExternalStore(subscribeQueries, queryVersion)`).
//! `invalidateQueries()` forgets them all. A batch query
//! (`#[query(batch, typescript)]`) becomes a function of one item for one
//! result: the items read in one tick are answered by one run.
//!
//! Ids are not in the generated file: they depend on `SERAC_SECRET`, so the
//! client reads them from the layer's manifest (`/_serac/actions.json`, see
//! [`MANIFEST_PATH`]) at its first call, and again once when the server says
//! an id is stale (after a rotation or a deploy).
//!
//! What a TypeScript function takes follows the Rust parameters, each
//! through [`TsParam`]: `Cx`, `State<T>` and `Auth<U>` stay on the server;
//! other plain parameters are JSON arguments in order; `Form<T>` becomes
//! `FormData | T` (what a `<form action={…}>` hands over, or the typed
//! object) and `FormData` becomes the browser's `FormData`. An action takes
//! a form or JSON arguments, not both, and no `PrevState` (a React client
//! keeps its own state) or `Bound` (a client has no server-rendered page to
//! bring sealed values from): each is a compile error that says so.

mod types;

use std::collections::BTreeMap;
use std::fmt::Write as _;

pub use ts_rs::{self, TS};
pub use types::Types;

use serde::de::DeserializeOwned;

use crate::action::{ActionDef, Form, FormData, Registry, State};
use crate::auth::Auth;
use crate::cx::Cx;

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

/// What a parameter is to a TypeScript caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// Taken on the server (`Cx`, `State<T>`, `Auth<U>`): not in TypeScript.
    Server,
    /// A JSON argument.
    Arg,
    /// `Form<T>`.
    Form,
    /// `FormData`.
    FormData,
}

/// A parameter type of an action exported to TypeScript, and what it is
/// there.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a parameter of an action exported to TypeScript",
    label = "not available to a TypeScript client",
    note = "a client keeps its own state (React's `useActionState`) instead of `PrevState`, and has no \
            server-rendered page to bring `Bound` values from; JSON arguments and forms must derive `ts_rs::TS`"
)]
pub trait TsParam {
    /// What the parameter is.
    const KIND: ParamKind;
    /// Its TypeScript type, for an argument or a typed form.
    fn type_name(types: &mut Types) -> String {
        let _ = types;
        String::new()
    }
}

impl TsParam for Cx {
    const KIND: ParamKind = ParamKind::Server;
}

impl<T> TsParam for State<T> {
    const KIND: ParamKind = ParamKind::Server;
}

impl<U> TsParam for Auth<U> {
    const KIND: ParamKind = ParamKind::Server;
}

impl TsParam for FormData {
    const KIND: ParamKind = ParamKind::FormData;
}

impl<T: TS + 'static> TsParam for Form<T> {
    const KIND: ParamKind = ParamKind::Form;
    fn type_name(types: &mut Types) -> String {
        types.name_of::<T>()
    }
}

#[cfg(feature = "garde")]
impl<T: TS + 'static> TsParam for crate::validate::ValidForm<T> {
    const KIND: ParamKind = ParamKind::Form;
    fn type_name(types: &mut Types) -> String {
        types.name_of::<T>()
    }
}

impl<T: DeserializeOwned + TS + 'static> TsParam for T {
    const KIND: ParamKind = ParamKind::Arg;
    fn type_name(types: &mut Types) -> String {
        types.name_of::<T>()
    }
}

/// Refuses, at compile time, an exported action that takes both a form and
/// JSON arguments.
///
/// # Panics
/// At compile time, with the reason, when it does.
pub const fn check(kinds: &[ParamKind]) {
    let (mut form, mut args) = (false, false);
    let mut i = 0;
    while i < kinds.len() {
        match kinds[i] {
            ParamKind::Form | ParamKind::FormData => form = true,
            ParamKind::Arg => args = true,
            ParamKind::Server => {}
        }
        i += 1;
    }
    assert!(
        !(form && args),
        "an action exported to TypeScript takes either a form (`Form<T>` or `FormData`) or JSON arguments, \
         not both: a browser sends one body"
    );
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
    /// The TypeScript type of the result (of one part, when streamed).
    pub output: String,
    /// The result is streamed ([`crate::Streaming`]): the function returns
    /// an `AsyncIterable` of its parts.
    pub streaming: bool,
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

/// Every exported action, by name, or the first two with one name.
fn exported() -> Result<BTreeMap<&'static str, &'static Exported>, String> {
    let mut by_name: BTreeMap<&'static str, &'static Exported> = BTreeMap::new();
    for e in inventory::iter::<Exported> {
        let name = e.definition.name();
        if let Some(other) = by_name.insert(name, e) {
            return Err(format!(
                "serac: two actions exported to TypeScript are named `{name}`: {} and {}; \
                 rename one with #[action(typescript, name = \"…\")]",
                other.definition.path(),
                e.definition.path()
            ));
        }
    }
    Ok(by_name)
}

/// The manifest served at [`MANIFEST_PATH`], or `None` when no action is
/// exported. The ids are the registry's current ones. Two exported actions
/// with one name are left out of it (and logged): no client can tell them
/// apart, and [`module`] refuses to write them.
pub(crate) fn manifest(registry: &Registry) -> Option<String> {
    let exported = match exported() {
        Ok(exported) => exported,
        Err(clash) => {
            tracing::error!("{clash}");
            return None;
        }
    };
    if exported.is_empty() {
        return None;
    }
    let ids: BTreeMap<&str, &str> =
        exported.iter().map(|(name, e)| (*name, registry.id_of(e.definition))).collect();
    Some(serde_json::to_string(&ids).expect("a map of strings always serializes"))
}

/// Names the client part of the module declares, besides `serac…` ones.
const RESERVED: [&str; 7] = [
    "ActionError",
    "ActionErrorKind",
    "ClientOptions",
    "configure",
    "subscribeQueries",
    "queryVersion",
    "invalidateQueries",
];

/// Words JavaScript reserves (in modules, strict mode) that are ordinary
/// identifiers in Rust: `fn delete` cannot be `export function delete`.
const JS_RESERVED: &[&str] = &[
    "arguments",
    "await",
    "case",
    "catch",
    "class",
    "const",
    "debugger",
    "default",
    "delete",
    "do",
    "eval",
    "export",
    "extends",
    "finally",
    "function",
    "implements",
    "import",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "static",
    "switch",
    "this",
    "throw",
    "typeof",
    "var",
    "void",
    "with",
    "yield",
];

fn check_name(name: &str, what: &str) {
    assert!(
        !RESERVED.contains(&name) && !name.starts_with("serac") && !name.starts_with("Serac"),
        "serac: the {what} `{name}` would clash with the TypeScript client's own names \
         ({}, and names starting with `serac`); rename it",
        RESERVED.join(", ")
    );
    assert!(
        !JS_RESERVED.contains(&name),
        "serac: the {what} `{name}` is a reserved word in JavaScript; rename it \
         (for an action, `#[action(name = \"…\")]`)"
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

/// A batch query as a browser calls it: one item (the last parameter's
/// element) for one result (the returned list's element). Its calls of one
/// tick are read in one request and answered by one run.
///
/// # Panics
/// When the last parameter or the result is not a list (the macro has
/// checked the parameter is written `Vec<T>`).
fn one_item(name: &str, mut sig: Signature) -> Signature {
    let element = |ts: &str| ts.strip_prefix("Array<").and_then(|t| t.strip_suffix('>')).map(str::to_string);
    let last = sig.params.last_mut().and_then(|(label, ty)| element(ty).map(|item| (label, ty, item)));
    let (Some((label, ty, item)), Some(output)) = (last, element(&sig.output)) else {
        panic!(
            "serac: the batch query `{name}` must take a `Vec<T>` last and return a `Vec<R>`, one result per item"
        );
    };
    // The Rust name is of the list (`ids`); the function takes one item.
    *label = "item";
    *ty = item;
    sig.output = output;
    sig
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
    let exported = exported().unwrap_or_else(|clash| panic!("{clash}"));
    let signatures: Vec<(&str, bool, bool, Signature)> = exported
        .into_iter()
        .map(|(name, e)| {
            let mut sig = (e.signature)(&mut types);
            if e.definition.is_batch() {
                sig = one_item(name, sig);
            }
            (name, e.definition.is_query(), e.definition.is_batch(), sig)
        })
        .collect();

    let mut out = String::from(
        "// Generated by serac from the Rust actions and queries marked `typescript`.\n\
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
    for (name, is_query, is_batch, sig) in &signatures {
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
        if sig.streaming {
            let params = if params.is_empty() {
                "options?: SeracStreamOptions".to_string()
            } else {
                format!("{params}, options?: SeracStreamOptions")
            };
            let _ = writeln!(
                out,
                "export function {fn_name}({params}): AsyncIterable<{output}> {{\n  return seracStream<{output}>(\"{name}\", {body}, options);\n}}"
            );
        } else {
            // A query is read with GET (and cached); an action is posted.
            let call = if *is_query { "seracQuery" } else { "seracCall" };
            // A batch query's reads are items: named for fresh results after
            // the page's other queries.
            let item = if *is_batch { ", true" } else { "" };
            let _ = writeln!(
                out,
                "export function {fn_name}({params}): Promise<{output}> {{\n  return {call}<{output}>(\"{name}\", {body}{item});\n}}"
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_javascript_reserves_are_refused_with_a_way_out() {
        for name in ["delete", "new", "default", "class", "function"] {
            let refused = std::panic::catch_unwind(|| check_name(name, "action")).expect_err(name);
            let message = refused.downcast_ref::<String>().cloned().unwrap_or_default();
            assert!(message.contains("reserved word in JavaScript"), "{message}");
            assert!(message.contains("#[action(name = "), "{message}");
        }
        for name in ["deleteTodo", "newest", "callMe", "type"] {
            check_name(name, "action");
        }
    }

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
