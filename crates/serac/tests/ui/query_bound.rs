// A query's arguments come from its URL: it cannot take sealed `Bound`
// values, and says so (B19). `cache_control` and `batch` are for queries
// only; `cache_control` must be a header value; a batch query takes its
// items as a last `Vec` parameter; a
// query with `tags` cannot read the caller, and `keep_secs` needs `tags`.

use serac::prelude::*;

#[serac::query]
async fn post(Bound(id): Bound<u32>) -> Result<u32, ActionError> {
    Ok(id)
}

#[serac::query(batch)]
async fn one_at_a_time(id: u32) -> Result<Vec<u32>, ActionError> {
    Ok(vec![id])
}

#[serac::action(batch)]
async fn batched_action(ids: Vec<u32>) -> Result<(), ActionError> {
    let _ = ids;
    Ok(())
}

#[serac::action(cache_control = "public")]
async fn cached() -> Result<(), ActionError> {
    Ok(())
}

#[serac::query(cache_control = "max-age=60\n")]
async fn broken() -> Result<u32, ActionError> {
    Ok(1)
}

#[serac::query(tags = ["plans"])]
async fn per_caller(cx: Cx) -> Result<Vec<String>, ActionError> {
    Ok(cx.cookies().get("user").into_iter().collect())
}

#[serac::action(tags = ["plans"])]
async fn tagged_action() -> Result<(), ActionError> {
    Ok(())
}

#[serac::query(keep_secs = 60)]
async fn kept() -> Result<u32, ActionError> {
    Ok(1)
}

fn main() {}
