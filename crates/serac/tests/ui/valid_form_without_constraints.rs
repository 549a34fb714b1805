// `ValidForm<T>` needs `#[derive(serac::Constraints)]` (the messages and the
// input names) as well as garde's rules; the error shows the impl's bounds,
// `Constraints` among them (B20).

use serac::prelude::*;

#[derive(serde::Deserialize, garde::Validate)]
struct NewItem {
    #[garde(length(min = 1))]
    name: String,
}

#[serac::action]
async fn add_item(form: ValidForm<NewItem>) -> Result<(), ActionError> {
    let _ = form.into_inner().name;
    Ok(())
}

fn main() {}
