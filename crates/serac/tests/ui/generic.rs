#[serac::action]
pub async fn echo<T: serde::Serialize>(value: T) -> Result<T, serac::ActionError> {
    Ok(value)
}

fn main() {}
