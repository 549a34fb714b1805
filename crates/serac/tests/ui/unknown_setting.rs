#[serac::action(typescrpt)]
pub async fn ping() -> Result<(), serac::ActionError> {
    Ok(())
}

fn main() {}
