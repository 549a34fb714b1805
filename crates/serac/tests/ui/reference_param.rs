#[serac::action]
pub async fn greet(name: &str) -> Result<String, serac::ActionError> {
    Ok(format!("Hello, {name}"))
}

fn main() {}
