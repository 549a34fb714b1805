// `ValidForm<T>` needs the messages and names of `#[derive(serac::Constraints)]`
// as well as garde's rules; the error says to add it (B20).

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
