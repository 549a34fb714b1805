// `#[derive(serac::Constraints)]` goes on a form struct, and its field
// setting is `message`: anything else is a readable compile error (B20).

#[derive(serac::Constraints)]
enum Choice {
    Yes,
    No,
}

#[derive(serde::Deserialize, garde::Validate, serac::Constraints)]
struct NewItem {
    #[garde(length(min = 1))]
    #[serac(mesage = "Name the item.")]
    name: String,
}

fn main() {}
