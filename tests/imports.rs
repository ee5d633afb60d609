//! The crate's import graph: modules form a DAG, and each layer imports only from the layers
//! below it. `cargo test --release --test imports -- --nocapture` prints the graph.
//!
//! A module is a file (`src/a/b.rs` and `src/a/b/mod.rs` are `a::b`). An edge `m -> n` is
//! any path to `n` written in `m`: `use crate::n::...`, `crate::n::x` in code, or
//! `super::...`. A parent declaring or re-exporting its own children is structure, not a
//! dependency, so edges from a module into its own descendants are left out; a child using
//! its parent's items is a dependency like any other.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Module path (`a::b`, empty for the crate root) of every source file of the library.
fn modules(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_stem().unwrap().to_string_lossy().to_string();
        let join = |n: &str| {
            if prefix.is_empty() {
                n.to_string()
            } else {
                format!("{prefix}::{n}")
            }
        };
        if p.is_dir() {
            if name != "bin" {
                modules(&p, &join(&name), out);
            }
        } else if p.extension().is_some_and(|e| e == "rs") {
            let m = match name.as_str() {
                "lib" | "main" if prefix.is_empty() => continue,
                "mod" => prefix.to_string(),
                _ => join(&name),
            };
            out.insert(m, fs::read_to_string(&p).unwrap());
        }
    }
}

/// Source without comments (doc links such as [`crate::job`] are not imports) and without
/// the `#[cfg(test)]` module at the end of a file (tests may reach anywhere).
fn code(src: &str) -> String {
    let src = match src.find("#[cfg(test)]\nmod tests") {
        Some(i) => &src[..i],
        None => src,
    };
    src.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The longest known module that `path` (a `::` path from the crate root) names.
fn resolve(path: &[&str], known: &BTreeMap<String, String>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|m| known.contains_key(m))
}

/// Every `crate::` and `super::` path in `src`, expanded through one level of braces
/// (`use super::{a, b::C}` gives `super::a` and `super::b::C`).
fn paths(src: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes: Vec<char> = src.chars().collect();
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < bytes.len() {
        let rest: String = bytes[i..bytes.len().min(i + 7)].iter().collect();
        let starts = (rest.starts_with("crate::") || rest.starts_with("super::"))
            && (i == 0 || !ident(bytes[i - 1]) && bytes[i - 1] != ':');
        if !starts {
            i += 1;
            continue;
        }
        // Read the path: idents and `::`, stopping at anything else; a `{` expands.
        let mut segs: Vec<String> = Vec::new();
        let mut cur = String::new();
        let mut j = i;
        while j < bytes.len() {
            let c = bytes[j];
            if ident(c) {
                cur.push(c);
                j += 1;
            } else if c == ':' && bytes.get(j + 1) == Some(&':') {
                segs.push(std::mem::take(&mut cur));
                j += 2;
            } else {
                break;
            }
        }
        if !cur.is_empty() {
            segs.push(cur);
        }
        if bytes.get(j) == Some(&'{') {
            let end = (j..bytes.len())
                .find(|&k| bytes[k] == '}')
                .unwrap_or(bytes.len());
            let inner: String = bytes[j + 1..end].iter().collect();
            for item in inner.split(',') {
                let item = item.trim().split(" as ").next().unwrap().trim();
                if item.is_empty() || item.contains('{') {
                    continue;
                }
                let mut p = segs.clone();
                p.extend(item.split("::").map(|s| s.trim().to_string()));
                out.push(p);
            }
        } else {
            out.push(segs);
        }
        i = j.max(i + 1);
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut known = BTreeMap::new();
    modules(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        "",
        &mut known,
    );
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, src) in &known {
        let here: Vec<&str> = if m.is_empty() {
            vec![]
        } else {
            m.split("::").collect()
        };
        let edges = g.entry(m.clone()).or_default();
        for p in paths(&code(src)) {
            let mut abs: Vec<&str> = here.clone();
            let mut segs = p.iter().map(String::as_str).peekable();
            match segs.next() {
                Some("crate") => abs.clear(),
                Some("super") => {
                    abs.pop();
                    while segs.peek() == Some(&"super") {
                        segs.next();
                        abs.pop();
                    }
                }
                _ => continue,
            }
            abs.extend(segs.filter(|s| *s != "self" && *s != "*"));
            let Some(n) = resolve(&abs, &known).or_else(|| {
                // `super::Item` where the parent is the crate root or not a file of its own.
                let parent = abs[..abs.len().saturating_sub(1)].join("::");
                known.contains_key(&parent).then_some(parent)
            }) else {
                continue;
            };
            let into_own_child =
                n.starts_with(&format!("{m}::")) || (m.is_empty() && !n.is_empty());
            if n != *m && !into_own_child {
                edges.insert(n);
            }
        }
    }
    g
}

/// A cycle through `start`, if any (depth-first search).
fn cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|s| s == m).unwrap();
                    let mut c = stack[at..].to_vec();
                    c.push(m.clone());
                    return Some(c);
                }
                0 => {
                    if let Some(c) = visit(m, g, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in g.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(n, g, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn import_graph_has_no_cycles() {
    let g = graph();
    for (m, es) in &g {
        let name = if m.is_empty() { "(crate)" } else { m };
        println!(
            "{name} -> {}",
            es.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    assert!(
        g.contains_key("job::resolve"),
        "the module scan found the job modules"
    );
    assert!(
        g["engine"].contains("job"),
        "the scan sees engine's imports: {:?}",
        g["engine"]
    );
    if let Some(c) = cycle(&g) {
        panic!("import cycle: {}", c.join(" -> "));
    }
}

/// The layers, lowest first. A module may import from its own layer's modules (without
/// cycles) and from lower layers, never from higher ones.
const LAYERS: &[&[&str]] = &[
    &["geom", "units", "schema"],
    &["mesh", "demo", "drawing"],
    &["cutter", "index"],
    &["toolpath", "arcfit", "post", "gcode"],
    &["job"],
    &["model"],
    &["sim", "replay"],
    &["strategy"],
    &["engine"],
    &["registry", "web"],
];

fn layer(m: &str) -> Option<usize> {
    let top = m.split("::").next().unwrap();
    LAYERS.iter().position(|l| l.contains(&top))
}

#[test]
fn layers_import_only_downwards() {
    let g = graph();
    let mut bad = Vec::new();
    for (m, es) in &g {
        let Some(lm) = layer(m) else {
            assert!(m.is_empty(), "module {m} is in no layer: add it to LAYERS");
            continue;
        };
        for n in es {
            let ln = layer(n).unwrap_or_else(|| panic!("module {n} is in no layer"));
            if ln > lm {
                bad.push(format!("{m} (layer {lm}) imports {n} (layer {ln})"));
            }
        }
    }
    assert!(bad.is_empty(), "upward imports:\n{}", bad.join("\n"));
}
