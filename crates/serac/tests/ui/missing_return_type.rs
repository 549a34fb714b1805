#[serac::action]
pub async fn like() {}

fn main() {}
