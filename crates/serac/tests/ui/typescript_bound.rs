// An action exported to TypeScript cannot take a `Bound` value: a client has no page to bring it from.
use serac::prelude::*;

#[serac::action(typescript)]
pub async fn rename(Bound(_id): Bound<u32>, _name: String) -> Result<(), ActionError> {
    Ok(())
}

fn main() {}
