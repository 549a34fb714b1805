#[serac::action]
pub fn increment() -> Result<u32, serac::ActionError> {
    Ok(1)
}

fn main() {}
