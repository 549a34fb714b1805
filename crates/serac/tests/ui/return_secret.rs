// An action's result goes to the browser, so it cannot be a `Secret`.
use serac::prelude::*;

#[serac::action]
pub async fn leak() -> Result<Secret<String>, ActionError> {
    Ok(Secret::new(String::from("sk_live_123")))
}

fn main() {}
