// A `Secret` must never be sealed into a page, not even encrypted (S30).
use serac::prelude::*;

#[serac::action]
pub async fn use_key(Bound(_key): Bound<String>) -> Result<(), ActionError> {
    Ok(())
}

fn main() {
    let key = Secret::new(String::from("sk_live_123"));
    let _ = use_key::action().bind(key);
}
