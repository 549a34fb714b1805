#[serac::action]
pub async fn count() -> u32 {
    1
}

fn main() {}
