//! The README's first example is this crate: its code and its dependencies
//! are the README's, and it does over HTTP what the README says.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serac_testkit::{client, free_port, hidden};

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).expect("README.md")
}

/// The fenced block of `lang` that follows `heading` in the README.
fn block(readme: &str, heading: &str, lang: &str) -> String {
    let at = readme.find(heading).unwrap_or_else(|| panic!("no {heading:?} in the README"));
    let fence = format!("```{lang}\n");
    let start = at + readme[at..].find(&fence).expect("a code block") + fence.len();
    let end = start + readme[start..].find("```").expect("its end");
    readme[start..end].to_string()
}

#[test]
fn the_readme_shows_this_crates_code() {
    let code = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/main.rs")).expect("main.rs");
    assert_eq!(
        block(&readme(), "## An action in", "rust"),
        code,
        "README and examples/hello/src/main.rs differ"
    );
}

#[test]
fn the_readme_shows_this_crates_dependencies() {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).expect("Cargo.toml");
    let dependencies = manifest.split("[dependencies]\n").nth(1).expect("dependencies");
    let dependencies = &dependencies[..dependencies.find("\n\n").expect("their end") + 1];
    // Outside this repository, serac comes from crates.io.
    let expected = format!(
        "[dependencies]\n{}",
        dependencies
            .replace("serac = { version = \"0.1\", path = \"../../crates/serac\" }", "serac = \"0.1\"")
    );
    assert_eq!(block(&readme(), "## An action in", "toml"), expected);
}

struct Hello(Child, String);

impl Drop for Hello {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start() -> Hello {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_serac-hello"))
        .env("SERAC_ADDR", format!("127.0.0.1:{port}"))
        .env("SERAC_SECRET", "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=")
        .stdout(Stdio::null())
        .spawn()
        .expect("the example starts");
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "the example did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Hello(child, format!("http://127.0.0.1:{port}"))
}

/// With JavaScript off: empty text is the page again (422) with the message
/// and the text as typed, never the built-in error page; text is a 303 back.
#[tokio::test]
async fn it_does_what_the_readme_says_without_javascript() {
    let hello = start();
    let page = client().get(&hello.1).send().await.expect("GET").text().await.expect("page");
    let form = page.find("<form").map(|i| &page[i..]).expect("a form");
    let mut fields = hidden(&format!("<form id=\"f\"{}", &form[5..]), "f");
    fields.push(("text".into(), "   ".into()));
    let res = client().post(&hello.1).header("origin", &hello.1).form(&fields).send().await.expect("POST");
    assert_eq!(res.status(), 422);
    let body = res.text().await.expect("body");
    assert!(body.contains("Write something first."), "{body}");
    assert!(body.contains("value=\"   \""), "the text as typed: {body}");
    assert!(!body.contains("Back button"), "the built-in error page: {body}");

    fields.pop();
    fields.push(("text".into(), "Buy milk".into()));
    let res = client().post(&hello.1).header("origin", &hello.1).form(&fields).send().await.expect("POST");
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/");
}
