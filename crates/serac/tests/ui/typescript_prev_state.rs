use serac::{ActionError, PrevState};

#[serac::action(typescript)]
pub async fn count(prev: PrevState<u32>) -> Result<u32, ActionError> {
    Ok(prev.0 + 1)
}

fn main() {}
