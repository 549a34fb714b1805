// An action with a `Bound` parameter cannot become a form before it is bound (B17).
use serac::prelude::*;

#[serac::action]
pub async fn rename(Bound(_id): Bound<i64>) -> Result<(), ActionError> {
    Ok(())
}

async fn page(page: Page) -> maud::Markup {
    page.form(rename::action()).body(maud::html! {})
}

fn main() {
    let _ = page;
}
