//! Secrets: the key ring, action ids and sealed values.
//!
//! One secret (32 bytes) yields two independent keys, derived with HKDF: an
//! HMAC key that turns an action's path into its public id, and an
//! AES-256-GCM key that seals bound values and form state before they are
//! written into a page. Deriving both
//! from one secret keeps configuration to a single variable (`SERAC_SECRET`)
//! while never using one key for two purposes.
//!
//! A ring holds several secrets so that keys can be rotated: ids are computed
//! and values sealed with the first (newest) secret; ids and sealed values made
//! with any secret of the ring are still accepted, so pages rendered before a
//! rotation keep working until the old secret is removed.

use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sha2::Sha256;

/// Length of the public action id in bytes (hex-encoded it is twice as long).
/// 20 bytes = 160 bits, comfortably above the 128 bits an id must carry.
pub(crate) const ID_BYTES: usize = 20;
/// Length of an action id as sent: hex.
pub(crate) const ID_LEN: usize = ID_BYTES * 2;
const NONCE_BYTES: usize = 12;
const TAG_BYTES: usize = 16;

/// The environment variable that holds the secret(s).
pub const SECRET_ENV: &str = "SERAC_SECRET";

/// Why a secret could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// The ring must contain at least one secret.
    #[error("no secret given")]
    Empty,
    /// An entry was not valid standard base64.
    #[error("secret #{index} is not valid base64")]
    NotBase64 {
        /// Position of the entry in the comma-separated list, from 1.
        index: usize,
    },
    /// An entry did not decode to exactly 32 bytes.
    #[error("secret #{index} decodes to {len} bytes; it must be exactly 32")]
    WrongLength {
        /// Position of the entry in the comma-separated list, from 1.
        index: usize,
        /// How many bytes it decoded to.
        len: usize,
    },
    /// `SERAC_SECRET` is not set in a release build.
    #[error(
        "SERAC_SECRET is not set. Set it to the same value on every instance \
         (head -c32 /dev/urandom | base64), or to `random` to accept action ids and \
         sealed values that change at every restart"
    )]
    NotSet,
}

/// Why a sealed value was refused. Public messages are deliberately vague
/// about which check failed: an attacker learns nothing from the difference.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpenError {
    /// Not base64url, or too short to hold a nonce and a tag.
    #[error("the sealed value is malformed")]
    Malformed,
    /// No key of the ring authenticates it for this purpose (edited, truncated,
    /// sealed for another action, or sealed with a key no longer in the ring).
    #[error("the sealed value was not sealed by this server for this action")]
    Rejected,
}

struct Key {
    id_key: Hmac<Sha256>,
    seal_key: Aes256Gcm,
}

/// A ring of secrets: the first seals and names, all of them open.
#[derive(Clone)]
pub struct KeyRing {
    keys: std::sync::Arc<Vec<Key>>,
    generated: bool,
}

impl fmt::Debug for KeyRing {
    // Never print key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing").field("keys", &self.keys.len()).field("generated", &self.generated).finish()
    }
}

/// A key for one purpose from the secret: HKDF-SHA256 (RFC 5869), with the
/// purpose as `info`.
fn derive(secret: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut key = [0u8; 32];
    Hkdf::<Sha256>::new(None, secret)
        .expand(label, &mut key)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    key
}

impl KeyRing {
    /// A ring from raw 32-byte secrets, newest first.
    pub fn from_secrets(secrets: &[[u8; 32]]) -> Result<Self, KeyError> {
        if secrets.is_empty() {
            return Err(KeyError::Empty);
        }
        let keys = secrets
            .iter()
            .map(|secret| {
                let id_key = derive(secret, b"serac action id v1");
                let seal_key = derive(secret, b"serac seal v1");
                Key {
                    id_key: <Hmac<Sha256> as Mac>::new_from_slice(&id_key)
                        .expect("HMAC accepts any key length"),
                    seal_key: Aes256Gcm::new(&seal_key.into()),
                }
            })
            .collect();
        Ok(Self { keys: std::sync::Arc::new(keys), generated: false })
    }

    /// Parses the `SERAC_SECRET` format: standard base64 of 32 bytes, several
    /// separated by commas for rotation (newest first).
    pub fn parse(list: &str) -> Result<Self, KeyError> {
        let mut secrets = Vec::new();
        for (i, entry) in list.split(',').map(str::trim).filter(|e| !e.is_empty()).enumerate() {
            let bytes = STANDARD.decode(entry).map_err(|_| KeyError::NotBase64 { index: i + 1 })?;
            let secret: [u8; 32] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| KeyError::WrongLength { index: i + 1, len: bytes.len() })?;
            secrets.push(secret);
        }
        Self::from_secrets(&secrets)
    }

    /// A ring with one random secret: fine for one process, but every restart
    /// changes all ids and every instance disagrees with the others.
    pub fn generate() -> Self {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let mut ring = Self::from_secrets(&[secret]).expect("one secret");
        ring.generated = true;
        ring
    }

    /// Reads `SERAC_SECRET`. Set to `random`, or unset in a debug build, a
    /// secret is made for this process, with a warning: ids and sealed values
    /// then change at every restart and instances disagree. Unset in a
    /// release build, it is an error ([`KeyError::NotSet`]): a server that
    /// forgets its secret would fail every page open during a deploy.
    pub fn from_env() -> Result<Self, KeyError> {
        let value = std::env::var(SECRET_ENV).unwrap_or_default();
        let value = value.trim();
        if value.is_empty() && !cfg!(debug_assertions) {
            return Err(KeyError::NotSet);
        }
        if !value.is_empty() && value != "random" {
            return Self::parse(value);
        }
        let warning = format!(
            "{SECRET_ENV} is {}: using a random secret for this process. Action ids and sealed \
             values change at every restart; deployments with several instances must set \
             {SECRET_ENV} (base64 of 32 random bytes) to the same value everywhere.",
            if value.is_empty() { "not set" } else { "`random`" }
        );
        // Seen even by an app that installed no tracing subscriber.
        if tracing::dispatcher::has_been_set() {
            tracing::warn!("{warning}");
        } else {
            eprintln!("warning: {warning}");
        }
        Ok(Self::generate())
    }

    /// Whether this ring was generated at start rather than configured.
    pub fn is_generated(&self) -> bool {
        self.generated
    }

    /// Number of secrets in the ring.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Always false: a ring holds at least one secret.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The id of an action path under the secret at `index` (0 = newest).
    pub(crate) fn action_id_with(&self, index: usize, path: &str) -> String {
        let mut mac = self.keys[index].id_key.clone();
        mac.update(path.as_bytes());
        let digest = mac.finalize().into_bytes();
        hex::encode(&digest[..ID_BYTES])
    }

    /// The public id of an action path under the newest secret.
    pub fn action_id(&self, path: &str) -> String {
        self.action_id_with(0, path)
    }

    /// Seals `plain` so that only this ring can open it, and only for the same
    /// `purpose` (the associated data: an action id, or an action id with a
    /// suffix). Output: base64url(nonce ‖ ciphertext ‖ tag).
    pub fn seal(&self, purpose: &str, plain: &[u8]) -> String {
        // A fresh random nonce from the thread's CSPRNG (ChaCha, seeded and
        // reseeded from the OS): no system call per seal.
        let mut nonce = [0u8; NONCE_BYTES];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self.keys[0]
            .seal_key
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad: purpose.as_bytes() })
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut out = Vec::with_capacity(NONCE_BYTES + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        URL_SAFE_NO_PAD.encode(out)
    }

    /// Opens a value made by [`KeyRing::seal`] with the same `purpose`, trying
    /// every secret of the ring.
    pub fn open(&self, purpose: &str, sealed: &str) -> Result<Vec<u8>, OpenError> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed.trim()).map_err(|_| OpenError::Malformed)?;
        if bytes.len() < NONCE_BYTES + TAG_BYTES {
            return Err(OpenError::Malformed);
        }
        let (nonce, body) = bytes.split_at(NONCE_BYTES);
        self.keys
            .iter()
            .find_map(|key| {
                key.seal_key
                    .decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad: purpose.as_bytes() })
                    .ok()
            })
            .ok_or(OpenError::Rejected)
    }
}

/// The purpose a form's `$state` is sealed for: the action id and `:state`
/// (built without `format!`, which costs more than the seal's own AAD work on
/// every rendered form).
pub(crate) fn state_purpose(id: &str) -> String {
    let mut purpose = String::with_capacity(id.len() + 6);
    purpose.push_str(id);
    purpose.push_str(":state");
    purpose
}

/// The purpose a button's proof of its stateful form is sealed for: the
/// button's action id and `:in-form`. The proof's plain text is the id the
/// form's state is sealed for (empty for a form without an action).
pub(crate) fn in_form_purpose(id: &str) -> String {
    let mut purpose = String::with_capacity(id.len() + 8);
    purpose.push_str(id);
    purpose.push_str(":in-form");
    purpose
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(byte: u8) -> KeyRing {
        KeyRing::from_secrets(&[[byte; 32]]).expect("one secret")
    }

    #[test]
    fn ids_are_stable_long_and_secret_dependent() {
        let a = ring(1).action_id("app::create");
        assert_eq!(a, ring(1).action_id("app::create"));
        assert_eq!(a.len(), 40);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_ne!(a, ring(2).action_id("app::create"));
        assert_ne!(a, ring(1).action_id("app::delete"));
    }

    #[test]
    fn seal_round_trips_and_binds_purpose() {
        let r = ring(1);
        let sealed = r.seal("id-a", b"[1,2]");
        assert_eq!(r.open("id-a", &sealed).as_deref(), Ok(&b"[1,2]"[..]));
        assert_eq!(r.open("id-b", &sealed), Err(OpenError::Rejected));
        assert_ne!(sealed, r.seal("id-a", b"[1,2]"), "fresh nonce each time");
    }

    #[test]
    fn every_flipped_byte_is_rejected() {
        let r = ring(1);
        let sealed = r.seal("id", b"{\"v\":7}");
        let raw = URL_SAFE_NO_PAD.decode(&sealed).expect("base64");
        for i in 0..raw.len() {
            let mut edited = raw.clone();
            edited[i] ^= 0x01;
            let s = URL_SAFE_NO_PAD.encode(&edited);
            assert!(r.open("id", &s).is_err(), "flip at byte {i} accepted");
        }
        for cut in 0..raw.len() {
            let s = URL_SAFE_NO_PAD.encode(&raw[..cut]);
            assert!(r.open("id", &s).is_err(), "truncation to {cut} accepted");
        }
    }

    #[test]
    fn rotation_seals_with_newest_and_opens_with_any() {
        let old = ring(1);
        let sealed_by_old = old.seal("id", b"x");
        let rotated = KeyRing::from_secrets(&[[2; 32], [1; 32]]).expect("two");
        assert_eq!(rotated.open("id", &sealed_by_old).as_deref(), Ok(&b"x"[..]));
        assert_eq!(rotated.action_id("p"), ring(2).action_id("p"));
        let sealed_by_new = rotated.seal("id", b"y");
        assert_eq!(old.open("id", &sealed_by_new), Err(OpenError::Rejected));
        let removed = ring(2);
        assert_eq!(removed.open("id", &sealed_by_old), Err(OpenError::Rejected));
    }

    #[test]
    fn parse_accepts_lists_and_explains_mistakes() {
        let one = STANDARD.encode([7u8; 32]);
        let two = STANDARD.encode([8u8; 32]);
        assert_eq!(KeyRing::parse(&format!("{one}, {two}")).map(|r| r.len()), Ok(2));
        assert_eq!(KeyRing::parse("").map(|r| r.len()), Err(KeyError::Empty));
        assert_eq!(KeyRing::parse("not base64!").map(|r| r.len()), Err(KeyError::NotBase64 { index: 1 }));
        assert_eq!(
            KeyRing::parse(&format!("{one},{}", STANDARD.encode([1u8; 16]))).map(|r| r.len()),
            Err(KeyError::WrongLength { index: 2, len: 16 })
        );
    }
}
