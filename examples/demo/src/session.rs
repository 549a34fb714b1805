//! Accounts and sign-in: argon2 password hashes, and a session cookie whose
//! value is the user id sealed with the app's key ring (AES-256-GCM), so it
//! can be neither read nor forged. Nothing about the session is in the HTML.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use axum::http::HeaderMap;
use serac::{ActionError, Cookie, Cx, Identify};

use crate::Demo;

/// The cookie holding the sealed session.
pub const SESSION_COOKIE: &str = "session";
const PURPOSE: &str = "demo session v1";

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Sign-in email.
    pub email: String,
}

/// Hashes a password with argon2id and a random salt (on a blocking thread:
/// hashing is slow on purpose).
pub async fn hash_password(password: String) -> Result<String, ActionError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
            .map_err(|e| ActionError::internal(format!("salt: {e}")))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ActionError::internal(format!("hashing failed: {e}")))
    })
    .await
    .map_err(|e| ActionError::internal(format!("hashing task failed: {e}")))?
}

/// A real hash of nothing anyone can type, verified against when an email
/// has no account.
pub async fn decoy_hash() -> Result<String, ActionError> {
    static DECOY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DECOY.get_or_try_init(|| hash_password(format!("{:x}", rand::random::<u128>()))).await.cloned()
}

/// Whether `password` matches the stored hash.
pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// Signs `user_id` in: sets the sealed session cookie.
pub fn sign_in(cx: &Cx, demo: &Demo, user_id: i64) {
    let sealed = demo.keys.seal(PURPOSE, &user_id.to_be_bytes());
    cx.cookies().set(Cookie::build((SESSION_COOKIE, sealed)).http_only(true).path("/").build());
}

/// Signs out: deletes the cookie.
pub fn sign_out(cx: &Cx) {
    cx.cookies().delete(SESSION_COOKIE);
}

async fn user_from_cookie(demo: &Demo, sealed: Option<String>) -> Option<User> {
    let plain = demo.keys.open(PURPOSE, &sealed?).ok()?;
    let id = i64::from_be_bytes(plain.try_into().ok()?);
    let row: Option<(i64, String)> = sqlx::query_as("SELECT id, email FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(demo.db.pool())
        .await
        .ok()?;
    row.map(|(id, email)| User { id, email })
}

/// The user of a page request, if signed in.
pub async fn current_user(demo: &Demo, headers: &HeaderMap) -> Option<User> {
    user_from_cookie(demo, cookie(headers, SESSION_COOKIE)).await
}

/// A cookie of a request, decoded.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse_encoded)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

impl Identify for User {
    async fn identify(cx: &Cx) -> Result<Option<Self>, ActionError> {
        let demo = cx.state::<Demo>()?;
        Ok(user_from_cookie(&demo, cx.cookies().get(SESSION_COOKIE)).await)
    }
}
