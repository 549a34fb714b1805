//! The generated TypeScript client is committed in `web/src/serac.gen.ts`.
//! These tests fail when it no longer matches the Rust actions and types, and
//! when it (with the app that uses it) does not type-check.
//!
//! After changing an action, write it again with
//! `cargo run -p serac-react -- typescript` (or run this test with
//! `SERAC_BLESS=1`).

#![allow(unreachable_pub)]

mod common;

use std::process::Command;

#[test]
fn the_generated_client_is_up_to_date() {
    // Using the crate's actions links them, which registers them.
    assert_eq!(serac_react::actions::list_todos::query().path(), "serac_react::actions::list_todos");
    let generated = serac::typescript::module();
    let path = common::web_dir().join("src/serac.gen.ts");
    if std::env::var("SERAC_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write the generated client");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let first = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "{} is out of date (first difference at line {}): run `cargo run -p serac-react -- typescript`",
            path.display(),
            first + 1
        );
    }
    for name in ["addTodo", "setDone", "archiveDone", "listTodos", "archived"] {
        assert!(generated.contains(&format!("export function {name}(")), "{name} is generated");
    }
    assert!(generated.contains("export function setDone(id: number, done: boolean): Promise<Todo>"));
    assert!(generated.contains("export function addTodo(form: FormData | NewTodo): Promise<Todo>"));
    assert!(generated.contains("export function archiveDone(): Promise<void>"));
    // Queries are read with GET (B19), actions posted.
    assert!(generated.contains("export function listTodos(): Promise<Array<Todo>> {\n  return seracQuery<"));
    // A batch query takes one item for one result.
    assert!(
        generated
            .contains("export function timesDone(item: string): Promise<number> {\n  return seracQuery<")
    );
    assert!(generated.contains(
        "export function setDone(id: number, done: boolean): Promise<Todo> {\n  return seracCall<"
    ));
    assert!(generated.contains("export type Todo = { id: number, title: string, done: boolean, };"));
    assert!(
        generated.contains("export function suggest(options?: SeracStreamOptions): AsyncIterable<string>")
    );
}

#[test]
fn the_client_and_the_app_type_check() {
    let Some(modules) = common::node_modules() else { return };
    let output = Command::new(modules.join(".bin/tsc"))
        .arg("--noEmit")
        .current_dir(common::web_dir())
        .output()
        .expect("run tsc");
    assert!(
        output.status.success(),
        "tsc --noEmit failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The check above can fail: a call with the wrong argument types, or a
/// wrong use of the result, is refused.
#[test]
fn a_wrongly_typed_call_does_not_type_check() {
    let Some(modules) = common::node_modules() else { return };
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("typecheck-probe");
    std::fs::create_dir_all(&dir).expect("probe dir");
    let web = common::web_dir();
    let config = serde_json::json!({
        "extends": web.join("tsconfig.json"),
        "compilerOptions": { "types": [] },
        "include": ["probe.ts"],
    });
    std::fs::write(dir.join("tsconfig.json"), config.to_string()).expect("tsconfig");
    let import = web.join("src/serac.gen");
    let probe = |body: &str| {
        let source = format!(
            "import {{ addTodo, listTodos, setDone }} from {};\n{body}\n",
            serde_json::to_string(&import).expect("path")
        );
        std::fs::write(dir.join("probe.ts"), source).expect("probe");
        let output = Command::new(modules.join(".bin/tsc"))
            .args(["--noEmit", "-p"])
            .arg(dir.join("tsconfig.json"))
            .output()
            .expect("run tsc");
        (output.status.success(), String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let (ok, text) = probe(
        "export const p = setDone(1, true).then((t) => t.title.length);\nexport const q = addTodo({ title: \"x\" });\n\
         export const r = listTodos().then((list) => list[0].done);",
    );
    assert!(ok, "the well-typed probe is accepted: {text}");
    let (ok, text) = probe("export const p = setDone(\"1\", true);");
    assert!(!ok && text.contains("probe.ts"), "a string id is refused: {text}");
    let (ok, text) = probe("export const p = setDone(1, true).then((t) => t.name);");
    assert!(!ok && text.contains("name"), "a field the result lacks is refused: {text}");
    let (ok, text) = probe("export const p = listTodos().then((list) => list.title);");
    assert!(!ok && text.contains("title"), "a query's result is typed too: {text}");
}
