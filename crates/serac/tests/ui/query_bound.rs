// A query's arguments come from its URL: it cannot take sealed `Bound`
// values, and says so (B19). `cache_control` is for queries only, and must
// be a header value.

use serac::prelude::*;

#[serac::query]
async fn post(Bound(id): Bound<u32>) -> Result<u32, ActionError> {
    Ok(id)
}

#[serac::query(typescript)]
async fn typed() -> Result<u32, ActionError> {
    Ok(1)
}

#[serac::action(cache_control = "public")]
async fn cached() -> Result<(), ActionError> {
    Ok(())
}

#[serac::query(cache_control = "max-age=60\n")]
async fn broken() -> Result<u32, ActionError> {
    Ok(1)
}

fn main() {}
