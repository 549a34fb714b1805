// `.bind()` takes the types of the action's `Bound` parameters, in order, once each (B17).
use serac::prelude::*;

#[serac::action]
pub async fn publish(Bound(_post): Bound<i64>, Bound(_version): Bound<u32>) -> Result<(), ActionError> {
    Ok(())
}

#[serac::action]
pub async fn like() -> Result<(), ActionError> {
    Ok(())
}

fn main() {
    let _ = publish::action().bind("seven");
    let _ = publish::action().bind(7).bind(3).bind(1);
    let _ = like::action().bind(1);
}
