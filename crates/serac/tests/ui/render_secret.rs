// A `Secret` cannot be written into a page.
use serac::Secret;

fn main() {
    let key = Secret::new(String::from("sk_live_123"));
    let _ = maud::html! { p { (key) } };
}
