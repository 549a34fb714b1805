//! The library is layered: `src/lib.rs` lists its modules bottom to top, and
//! a module may only use the modules listed before it. Inside a folder, the
//! sibling files must not use each other in a circle either. This test reads
//! the sources and fails on any `crate::…` or `super::…` path that breaks
//! either rule, naming the file and the path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level modules in the order `lib.rs` declares them.
fn layers() -> Vec<String> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("lib.rs");
    lib.lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix("pub mod ").or_else(|| l.strip_prefix("mod ")))
        .filter_map(|l| l.strip_suffix(';'))
        .map(str::to_string)
        .collect()
}

/// Every `.rs` file under `dir`, with its module path (`call::respond`).
fn files(dir: &Path, prefix: &[String], out: &mut Vec<(Vec<String>, PathBuf)>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().and_then(|s| s.to_str()).expect("name").to_string();
        if path.is_dir() {
            let mut p = prefix.to_vec();
            p.push(name);
            files(&path, &p, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let mut p = prefix.to_vec();
            if name != "mod" && !(prefix.is_empty() && name == "lib") {
                p.push(name);
            }
            out.push((p, path));
        }
    }
}

/// The code of a file without comments and string contents, so that paths
/// mentioned in docs do not count.
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .map(|l| {
            let mut out = String::new();
            let mut in_str = false;
            for c in l.chars() {
                if c == '"' {
                    in_str = !in_str;
                } else if !in_str {
                    out.push(c);
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first segments of every `crate::a::b` and `super::x` path in `code`
/// (a `use crate::{a, b}` group counts each member).
fn paths<'a>(code: &'a str, root: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let needle = format!("{root}::");
    let mut rest = code;
    while let Some(i) = rest.find(&needle) {
        let before = rest[..i].chars().last();
        rest = &rest[i + needle.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for member in group[..end].split(',') {
                let first = member.trim().split("::").next().unwrap_or("").trim();
                if !first.is_empty() {
                    out.push(first);
                }
            }
            continue;
        }
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        out.push(&rest[..end]);
    }
    out
}

#[test]
fn modules_only_use_the_layers_below_them() {
    let layers = layers();
    assert!(layers.len() > 10, "lib.rs lists its modules: {layers:?}");
    let rank = |m: &str| layers.iter().position(|l| l == m);
    let mut all = Vec::new();
    files(&src(), &[], &mut all);
    let mut broken = Vec::new();
    for (module, path) in &all {
        let Some(own) = module.first() else { continue };
        let own_rank = rank(own).unwrap_or_else(|| panic!("{} is not declared in lib.rs", path.display()));
        let text = std::fs::read_to_string(path).expect("source");
        for used in paths(&code(&text), "crate") {
            // `crate::__serac_…!` macros and the root's own items are fine.
            let Some(used_rank) = rank(used) else { continue };
            if used_rank > own_rank {
                broken.push(format!("{} uses crate::{used}, which is above `{own}`", path.display()));
            }
        }
    }
    assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));
}

#[test]
fn files_of_one_folder_do_not_use_each_other_in_a_circle() {
    let mut all = Vec::new();
    files(&src(), &[], &mut all);
    // folder → sibling → siblings it uses
    let mut graph: BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let modules: BTreeSet<Vec<String>> = all.iter().map(|(m, _)| m.clone()).collect();
    for (module, path) in &all {
        if path.file_name().is_some_and(|n| n == "mod.rs" || n == "lib.rs") {
            continue;
        }
        let Some((name, folder)) = module.split_last() else { continue };
        let text = code(&std::fs::read_to_string(path).expect("source"));
        let mut used = BTreeSet::new();
        for first in paths(&text, "super") {
            let mut sibling = folder.to_vec();
            sibling.push(first.to_string());
            if first != name && modules.contains(&sibling) {
                used.insert(first.to_string());
            }
        }
        let own = format!("{}::", folder.join("::"));
        for line in text.lines() {
            if let Some(i) = line.find(&format!("crate::{own}")) {
                let rest = &line[i + 7 + own.len()..];
                let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
                let mut sibling = folder.to_vec();
                sibling.push(rest[..end].to_string());
                if rest[..end] != *name && modules.contains(&sibling) {
                    used.insert(rest[..end].to_string());
                }
            }
        }
        graph.entry(folder.to_vec()).or_default().insert(name.clone(), used);
    }
    for (folder, edges) in &graph {
        // Kahn's algorithm: what is left over sits on a circle.
        let mut left: BTreeMap<&String, BTreeSet<&String>> =
            edges.iter().map(|(k, v)| (k, v.iter().filter(|u| edges.contains_key(*u)).collect())).collect();
        loop {
            let free: Vec<&String> = left.iter().filter(|(_, v)| v.is_empty()).map(|(k, _)| *k).collect();
            if free.is_empty() {
                break;
            }
            for f in &free {
                left.remove(f);
            }
            for v in left.values_mut() {
                for f in &free {
                    v.remove(f);
                }
            }
        }
        assert!(left.is_empty(), "files of src/{} use each other in a circle: {left:?}", folder.join("/"));
    }
}
