//! Accounts and sessions.
//!
//! Passwords are hashed with argon2id on a few threads of their own, one
//! per core: each hash takes about 19 MiB, and unbounded, 40 parallel
//! sign-ins took the demo to 3 GB. (Tokio's blocking pool would bound the
//! number at once but not the number of threads, and each new thread's
//! allocator arena keeps its own 19 MiB.) Sessions live in the database: the cookie holds a
//! random token, the `sessions` table its SHA-256, so signing out revokes
//! the session (the cookie stops working even if it was copied), and a
//! session expires after [`SESSION_TTL`]. The cookie is `HttpOnly`,
//! `SameSite=Lax`, and `Secure` unless the demo serves on a loopback address
//! (see `Settings::secure_cookies`). Nothing about the session is in the
//! HTML.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use argon2::password_hash::{Output, PasswordHash};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use axum::http::HeaderMap;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use serac::cookie::SameSite;
use serac::{ActionError, Cookie, Cx, Identify};
use sha2::{Digest as _, Sha256};

use crate::{Db, Demo};

/// The cookie holding the session token.
pub const SESSION_COOKIE: &str = "session";
/// How long a session lasts.
pub const SESSION_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Sign-in email: shown to this user only.
    pub email: String,
}

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads: one per core, fed through one queue.
fn hashers() -> &'static Mutex<mpsc::Sender<Job>> {
    static QUEUE: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..std::thread::available_parallelism().map_or(2, |n| n.get()) {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new().name(format!("argon2-{i}")).spawn(move || {
                loop {
                    let job = rx.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "a password hashing thread could not start");
            }
        }
        Mutex::new(tx)
    })
}

/// Runs an argon2 computation on a hashing thread.
async fn hashed<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, ActionError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(work());
    });
    hashers()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .send(job)
        .map_err(|_| ActionError::internal("the password hashing threads are gone"))?;
    rx.await.map_err(|_| ActionError::internal("a password hash was not computed"))
}

/// Computes argon2id into `out`, in memory kept by the hashing thread:
/// the allocator would not give back a fresh 19 MiB block per hash (RSS grew
/// by 19 MiB with every sign-in, measured), so each thread allocates it once.
fn argon2id(params: Params, password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<(), argon2::Error> {
    thread_local! {
        static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
    }
    BLOCKS.with_borrow_mut(|blocks| {
        let needed = params.block_count();
        if blocks.len() < needed {
            blocks.resize(needed, Block::default());
        }
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params).hash_password_into_with_memory(
            password,
            salt,
            out,
            &mut blocks[..needed],
        )
    })
}

/// Hashes a password with argon2id and a random salt, as a PHC string.
pub async fn hash_password(password: String) -> Result<String, ActionError> {
    hashed(move || {
        let salt = rand::random::<[u8; 16]>();
        let params = Params::default();
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        argon2id(params.clone(), password.as_bytes(), &salt, &mut out)
            .map_err(|e| ActionError::internal(format!("hashing failed: {e}")))?;
        Ok(format!(
            "$argon2id$v=19$m={},t={},p={}${}${}",
            params.m_cost(),
            params.t_cost(),
            params.p_cost(),
            STANDARD_NO_PAD.encode(salt),
            STANDARD_NO_PAD.encode(out)
        ))
    })
    .await?
}

/// A real hash of nothing anyone can type, verified against when an email
/// has no account.
pub async fn decoy_hash() -> Result<String, ActionError> {
    static DECOY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DECOY.get_or_try_init(|| hash_password(format!("{:x}", rand::random::<u128>()))).await.cloned()
}

/// Whether `password` matches the stored PHC string.
pub async fn verify_password(password: String, hash: String) -> Result<bool, ActionError> {
    hashed(move || {
        let Ok(parsed) = PasswordHash::new(&hash) else { return false };
        let (Ok(params), Some(salt), Some(expected)) = (Params::try_from(&parsed), parsed.salt, parsed.hash)
        else {
            return false;
        };
        let mut salt_buf = [0u8; 64];
        let Ok(salt) = salt.decode_b64(&mut salt_buf) else { return false };
        let mut out = vec![0u8; expected.len()];
        argon2id(params, password.as_bytes(), salt, &mut out).is_ok()
            && Output::new(&out).is_ok_and(|computed| computed == expected)
    })
    .await
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn token_hash(token: &str) -> String {
    hex_of(&Sha256::digest(token.as_bytes()))
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How the session cookie is written.
#[derive(Debug, Clone, Copy)]
pub struct CookiePolicy {
    /// `Secure`: sent over HTTPS only.
    pub secure: bool,
}

/// Signs `user_id` in: a new session row and its cookie.
pub async fn sign_in(cx: &Cx, demo: &Demo, user_id: i64) -> Result<(), ActionError> {
    let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let ttl = i64::try_from(SESSION_TTL.as_secs()).unwrap_or(i64::MAX);
    sqlx::query("INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(now() + ttl)
        .execute(demo.db.pool())
        .await?;
    let cookie = Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(demo.cookies.secure)
        .path("/")
        .max_age(serac::cookie::time::Duration::seconds(ttl))
        .build();
    cx.cookies().set(cookie);
    Ok(())
}

/// Signs out: the session is deleted (the token no longer works anywhere)
/// and so is the cookie.
pub async fn sign_out(cx: &Cx, demo: &Demo) -> Result<(), ActionError> {
    if let Some(token) = cx.cookies().get(SESSION_COOKIE) {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(&token))
            .execute(demo.db.pool())
            .await?;
    }
    cx.cookies().delete(SESSION_COOKIE);
    Ok(())
}

async fn user_from_token(db: &Db, token: Option<String>) -> Option<User> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT users.id, users.email FROM sessions JOIN users ON users.id = sessions.user_id \
         WHERE sessions.token_hash = $1 AND sessions.expires_at > $2",
    )
    .bind(token_hash(&token?))
    .bind(now())
    .fetch_optional(db.pool())
    .await
    .ok()?;
    row.map(|(id, email)| User { id, email })
}

/// The user of a page request, if signed in.
pub async fn current_user(demo: &Demo, headers: &HeaderMap) -> Option<User> {
    user_from_token(&demo.db, cookie(headers, SESSION_COOKIE)).await
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
        Ok(user_from_token(&demo.db, cx.cookies().get(SESSION_COOKIE)).await)
    }
}

/// How a user is shown to others: their chosen name, or "User N". Never
/// their email.
pub fn display_name(id: i64, name: &str) -> String {
    if name.trim().is_empty() { format!("User {id}") } else { name.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse".into()).await.expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_password("correct horse".into(), hash.clone()).await.expect("verify"));
        assert!(!verify_password("correct horsf".into(), hash).await.expect("verify"));
        assert!(!verify_password("x".into(), "!".into()).await.expect("verify"));
    }

    /// Hashes made by the argon2 crate's own `PasswordHasher` (the demo's
    /// earlier format) still verify.
    #[tokio::test]
    async fn hashes_from_the_argon2_crate_verify() {
        use argon2::password_hash::{PasswordHasher as _, SaltString};
        let salt = SaltString::encode_b64(&[9; 16]).expect("salt");
        let hash = Argon2::default().hash_password(b"pass phrase", &salt).expect("hash").to_string();
        assert!(verify_password("pass phrase".into(), hash.clone()).await.expect("verify"));
        assert!(!verify_password("pass phrasf".into(), hash).await.expect("verify"));
    }
}
