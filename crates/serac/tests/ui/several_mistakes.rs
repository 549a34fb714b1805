// Every mistake of one action is reported at once, each at its own tokens.
use serac::prelude::*;

#[serac::action]
pub fn save<T>(&self, name: &str, list: impl Iterator<Item = u8>) -> Result<(), ActionError> {
    Ok(())
}

fn main() {}
