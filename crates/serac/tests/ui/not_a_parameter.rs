// A parameter type that is neither a serac parameter nor `Deserialize` says what is accepted.
use serac::prelude::*;

pub struct Connection;

#[serac::action]
pub async fn save(_db: Connection) -> Result<(), ActionError> {
    Ok(())
}

fn main() {}
