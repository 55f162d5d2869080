//! The layering of the domain groups, checked on the source: a module may
//! name (`crate::<group>::…`) only its own group and the groups below it.

use std::{fs, path::Path};

/// Bottom to top; docs/architecture.md draws the same order.
const GROUPS: &[&str] = &[
    "platform",
    "access",
    "outbox",
    "sales",
    "after_sales",
    "performance",
    "engine",
    "demo",
];

/// The first path segments named after each `crate::` in `source`,
/// including every top-level name inside `crate::{…}`.
fn groups_named(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(inner) = rest.strip_prefix('{') {
            let mut depth = 1usize;
            let mut item = String::new();
            for ch in inner.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 || (depth == 1 && ch == ',') {
                    let name = first_segment(&item);
                    if !name.is_empty() {
                        names.push(name);
                    }
                    item.clear();
                    if depth == 0 {
                        break;
                    }
                } else {
                    item.push(ch);
                }
            }
        } else {
            names.push(first_segment(rest));
        }
    }
    names
}

fn first_segment(path: &str) -> String {
    path.trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).expect("source folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every use of a group above the module's own, as `file -> group`.
fn upward_uses(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    sources(src, &mut files);
    let mut found = Vec::new();
    for file in files {
        let relative = file.strip_prefix(src).expect("under src");
        let Some(own) = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .and_then(|g| GROUPS.iter().position(|x| *x == g))
        else {
            continue;
        };
        let source = fs::read_to_string(&file).expect("readable source");
        for name in groups_named(&source) {
            if let Some(used) = GROUPS.iter().position(|g| *g == name)
                && used > own
            {
                found.push(format!("{} -> {name}", relative.display()));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn a_group_uses_only_the_groups_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    assert_eq!(upward_uses(&src), Vec::<String>::new());
}

#[test]
fn names_inside_braces_and_paths_are_both_seen() {
    let source = "use crate::{\n    sales::customers::{self, X},\n    engine::{dispatch, periodic},\n};\nfn f() { crate::demo::load(); }";
    assert_eq!(groups_named(source), ["sales", "engine", "demo"]);
}
