//! Opening `$bound`: any string must either fail or give back exactly what
//! was sealed for that action, never panic; a sealed value opens only for
//! its own purpose.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serac::KeyRing;

fn keys() -> &'static KeyRing {
    static KEYS: OnceLock<KeyRing> = OnceLock::new();
    KEYS.get_or_init(|| KeyRing::from_secrets(&[[1; 32], [2; 32]]).expect("keys"))
}

fuzz_target!(|data: &[u8]| {
    let keys = keys();
    let id = keys.action_id("fuzz::target");
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = keys.open(&id, text);
    }
    let sealed = keys.seal(&id, data);
    assert_eq!(keys.open(&id, &sealed).as_deref(), Ok(data));
    assert!(keys.open(&keys.action_id("fuzz::other"), &sealed).is_err());
});
