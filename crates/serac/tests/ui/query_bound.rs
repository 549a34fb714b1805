// A query's arguments come from its URL: it cannot take sealed `Bound`
// values, and says so (B19).

use serac::prelude::*;

#[serac::query]
async fn post(Bound(id): Bound<u32>) -> Result<u32, ActionError> {
    Ok(id)
}

#[serac::query(typescript)]
async fn typed() -> Result<u32, ActionError> {
    Ok(1)
}

fn main() {}
