// A `Bound` parameter cannot hold a `Secret`: it would be sealed into the page (B9).
use serac::prelude::*;

#[serac::action]
pub async fn use_key(Bound(_key): Bound<Secret<String>>) -> Result<(), ActionError> {
    Ok(())
}

fn main() {}
