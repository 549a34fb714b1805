use serac::typescript::TS;
use serac::{ActionError, Form};

#[derive(serde::Deserialize, TS)]
#[ts(crate = "serac::typescript::ts_rs")]
pub struct Note {
    pub text: String,
}

#[serac::action(typescript)]
pub async fn add(list: u32, form: Form<Note>) -> Result<(), ActionError> {
    let _ = (list, &form.text);
    Ok(())
}

fn main() {}
