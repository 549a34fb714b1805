//! `serac::typescript::module()` (B6) over a set of actions and types that
//! covers each kind of parameter and the usual serde shapes. Runs with the
//! `typescript` feature (`cargo test --workspace` turns it on).

#![cfg(feature = "typescript")]
// A test binary exports nothing: `pub` here only makes the actions public items.
#![allow(unreachable_pub)]

use std::collections::BTreeMap;

use serac::typescript::TS;
use serac::{ActionError, Auth, Cx, Form, FormData, Identify};
use serde::{Deserialize, Serialize};

/// A user of the app.
#[derive(Debug, Serialize, Deserialize, TS)]
#[ts(crate = "serac::typescript::ts_rs")]
pub struct User {
    pub id: u64,
    pub name: String,
    pub email: Option<String>,
    pub roles: Vec<Role>,
    pub settings: BTreeMap<String, bool>,
}

#[derive(Debug, Serialize, Deserialize, TS)]
#[ts(crate = "serac::typescript::ts_rs")]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Editor,
}

#[derive(Debug, Deserialize, TS)]
#[ts(crate = "serac::typescript::ts_rs")]
pub struct Rename {
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Me;

impl Identify for Me {
    async fn identify(_cx: &Cx) -> Result<Option<Self>, ActionError> {
        Ok(Some(Me))
    }
}

/// Finds a user.
///
/// Returns `not_found` when there is none.
#[serac::action(typescript)]
pub async fn find_user(_cx: Cx, user_id: u64, with_roles: bool) -> Result<User, ActionError> {
    let _ = with_roles;
    Err(ActionError::not_found(format!("no user {user_id}")))
}

#[serac::action(typescript)]
pub async fn rename_me(_me: Auth<Me>, form: Form<Rename>) -> Result<(), ActionError> {
    let _ = &form.name;
    Ok(())
}

#[serac::action(typescript)]
pub async fn upload_avatar(form: FormData) -> Result<Option<String>, ActionError> {
    Ok(form.file("avatar").map(|f| f.file_name().to_string()))
}

/// Streams the user's activity, a line at a time.
#[serac::action(typescript)]
pub async fn activity(user_id: u64) -> Result<serac::Streaming<String>, ActionError> {
    Ok(serac::Streaming::new(futures_util::stream::iter([Ok(format!("user {user_id}"))])))
}

/// Streams, without arguments.
#[serac::action(typescript)]
pub async fn ticks() -> Result<serac::Streaming<u32>, ActionError> {
    Ok(serac::Streaming::new(futures_util::stream::iter([Ok(1)])))
}

/// Not exported: absent from the module.
/// The names of the users `ids`, read one id at a time from TypeScript and
/// answered by one run for the ids of one tick.
#[serac::query(typescript, batch)]
pub async fn user_names(ids: Vec<u64>) -> Result<Vec<Option<String>>, ActionError> {
    Ok(ids.iter().map(|id| Some(format!("user {id}"))).collect())
}

/// The users whose name starts with `prefix`.
#[serac::query(typescript)]
pub async fn users(prefix: String) -> Result<Vec<User>, ActionError> {
    let _ = prefix;
    Ok(Vec::new())
}

#[serac::action]
pub async fn internal_only() -> Result<(), ActionError> {
    Ok(())
}

fn module() -> String {
    serac::typescript::module()
}

#[test]
fn each_exported_action_is_one_typed_function_with_its_docs() {
    let ts = module();
    assert!(
        ts.contains(
            "/**\n * Finds a user.\n *\n * Returns `not_found` when there is none.\n */\n\
             export function findUser(userId: number, withRoles: boolean): Promise<User> {"
        ),
        "{ts}"
    );
    assert!(ts.contains("  return seracCall<User>(\"find_user\", [userId, withRoles]);"), "{ts}");
    // Server-side parameters (`Cx`, `Auth`) are not in the signature; a typed
    // form takes `FormData` or the object.
    assert!(ts.contains("export function renameMe(form: FormData | Rename): Promise<void> {"), "{ts}");
    assert!(ts.contains("export function uploadAvatar(form: FormData): Promise<string | null> {"), "{ts}");
    assert!(!ts.contains("internalOnly") && !ts.contains("internal_only"), "not exported");
}

/// B19: a query is read with GET (`seracQuery`); a batch query is called
/// with one item for one result.
#[test]
fn queries_are_read_and_a_batch_query_takes_one_item() {
    let ts = module();
    assert!(
        ts.contains(
            "export function users(prefix: string): Promise<Array<User>> {\n  return seracQuery<Array<User>>(\"users\", [prefix]);\n}"
        ),
        "{ts}"
    );
    assert!(
        ts.contains(
            "export function userNames(item: number): Promise<string | null> {\n  return seracQuery<string | null>(\"user_names\", [item], true);\n}"
        ),
        "{ts}"
    );
}

/// B18: a streamed result is an async iterable of its parts, with an abort
/// signal.
#[test]
fn a_streamed_result_is_an_async_iterable_of_its_parts() {
    let ts = module();
    assert!(
        ts.contains(
            "export function activity(userId: number, options?: SeracStreamOptions): AsyncIterable<string> {\n  \
             return seracStream<string>(\"activity\", [userId], options);\n}"
        ),
        "{ts}"
    );
    assert!(
        ts.contains("export function ticks(options?: SeracStreamOptions): AsyncIterable<number> {"),
        "{ts}"
    );
    assert!(ts.contains("export async function* seracStream<T>("), "{ts}");
}

#[test]
fn every_reached_type_is_declared_once_in_name_order() {
    let ts = module();
    let user = ts.find("export type User = ").expect("User");
    let role = ts.find("export type Role = ").expect("Role");
    let rename = ts.find("export type Rename = ").expect("Rename");
    assert!(rename < role && role < user, "sorted by name");
    assert_eq!(ts.matches("export type Role = ").count(), 1);
    assert!(ts.contains("export type Role = \"admin\" | \"editor\";"), "{ts}");
    // 64-bit integers are numbers, as JSON.parse reads them; Option is `| null`.
    assert!(ts.contains("id: number"), "{ts}");
    assert!(ts.contains("email: string | null"), "{ts}");
    assert!(ts.contains("roles: Array<Role>"), "{ts}");
    assert!(ts.contains("/**\n * A user of the app.\n */\nexport type User"), "{ts}");
}

#[test]
fn the_module_starts_with_the_client_and_is_stable() {
    let ts = module();
    assert!(ts.starts_with("// Generated by serac"));
    assert!(ts.contains("export class ActionError extends Error"));
    assert!(ts.contains("export function configure("));
    assert_eq!(ts, module(), "the same text every time");
}

#[tokio::test]
async fn the_layer_serves_the_ids_of_exported_actions_only() {
    use tower::ServiceExt as _;
    let keys = serac::KeyRing::from_secrets(&[[3; 32]]).expect("key");
    let layer = serac::ActionLayer::new(serac::Config::new(keys.clone()));
    let app = layer.wrap(axum::Router::new());
    let req = http::Request::get("/_serac/actions.json").body(axum::body::Body::empty()).expect("req");
    let res = app.oneshot(req).await.unwrap_or_else(|e| match e {});
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-cache");
    let body = http_body_util::BodyExt::collect(res.into_body()).await.expect("body").to_bytes();
    let ids: BTreeMap<String, String> = serde_json::from_slice(&body).expect("json");
    let names: Vec<&str> = ids.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["activity", "find_user", "rename_me", "ticks", "upload_avatar", "user_names", "users"]
    );
    assert_eq!(ids["find_user"], keys.action_id(find_user::action().path()));
}
