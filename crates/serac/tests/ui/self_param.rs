pub struct Todos;

impl Todos {
    #[serac::action]
    pub async fn add(&self) -> Result<(), serac::ActionError> {
        Ok(())
    }
}

fn main() {}
