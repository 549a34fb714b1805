//! The documentation keeps up with the code: every `data-serac-*` attribute
//! the runtime (`serac.js`, `stream.js`) reads is documented in `docs/attributes.md`, and the page
//! documents no attribute the runtime does not read.

use std::collections::BTreeSet;

fn attributes(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("data-serac-") {
        rest = &rest[i..];
        let end = rest.find(|c: char| !(c.is_ascii_lowercase() || c == '-')).unwrap_or(rest.len());
        found.insert(rest[..end].trim_end_matches('-').to_string());
        rest = &rest[end..];
    }
    found
}

#[test]
fn every_attribute_the_runtime_reads_is_documented_and_no_other() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let docs = std::fs::read_to_string(root.join("docs/attributes.md")).expect("docs/attributes.md");
    let mut runtime = attributes(serac::client::RUNTIME_SOURCE);
    runtime.extend(attributes(serac::client::STREAM_SOURCE));
    runtime.extend(attributes(serac::client::QUERY_SOURCE));
    let documented = attributes(&docs);
    let undocumented: Vec<_> = runtime.difference(&documented).collect();
    let stale: Vec<_> = documented.difference(&runtime).collect();
    assert!(undocumented.is_empty(), "read by serac.js, missing from docs/attributes.md: {undocumented:?}");
    assert!(stale.is_empty(), "in docs/attributes.md, not read by serac.js: {stale:?}");
}
