//! The modules of zoom-chatbot, of zoom-mock (its fake) and of zoom-api-gen form no cycle: no
//! module imports one that (directly or through others) imports it back. One reader, given a
//! crate's `src/` folder (a binary's `main.rs` there is a crate of its own and left out). Read
//! from the sources: every `use` and every `crate::` path in code (comments, doc examples and
//! `mod tests` left out), each resolved to the file that defines the item (a folder's `pub use
//! child::Item` leads to the child). A folder declaring or re-exporting its own children is its
//! surface, not an import; using a child's item is.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module: its path from the crate root (`client::builder`; the root is empty).
type Module = Vec<String>;

/// The `src/` folder of the workspace's crate `name`.
fn src(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name).join("src")
}

/// Every module file under `src/`, by module path.
fn modules(dir: &Path, prefix: &Module, out: &mut BTreeMap<Module, PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut module = prefix.clone();
        if path.is_dir() {
            module.push(name);
            modules(&path, &module, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            // The binary's root is another crate.
            if prefix.is_empty() && name == "main" {
                continue;
            }
            if name != "mod" && name != "lib" {
                module.push(name);
            }
            out.insert(module, path);
        }
    }
}

/// The code of a file: comments, string literals and the trailing `mod tests` removed.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    let mut out = String::new();
    for line in text.lines() {
        let mut kept = String::new();
        let mut in_string = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if in_string => {
                    chars.next();
                }
                // A quote as a char literal (`'"'`) opens no string.
                '\'' if !in_string && chars.peek() == Some(&'"') => {
                    chars.next();
                    chars.next();
                }
                '"' => in_string = !in_string,
                '/' if !in_string && chars.peek() == Some(&'/') => break,
                c if !in_string => kept.push(c),
                _ => {}
            }
        }
        out.push_str(&kept);
        out.push('\n');
    }
    out
}

/// The paths a `use` tree names, braces expanded (`a::{b, c::d}` → `a::b`, `a::c::d`).
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = tree.find('{') else { return vec![tree] };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap()];
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts.iter().filter(|p| !p.is_empty()).flat_map(|p| expand(p)).map(|p| format!("{prefix}{p}")).collect()
}

/// What `use` statements and inline paths of `code` name, as segment lists: an inline path is
/// one that starts at `crate::`, `super::`, `self::` or any other name followed by `::`
/// (`resolve` keeps those that lead to a child module, `router::router(..)`).
fn named_paths(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    // The code outside `use` statements, for the inline paths.
    let mut inline = String::new();
    let mut rest = code;
    // `use` statements (also `pub use`, `pub(crate) use`), up to their `;`.
    while let Some(at) = rest.find("use ") {
        let before = &rest[..at];
        inline.push_str(before);
        rest = &rest[at + 4..];
        if before.chars().last().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            inline.push_str("use ");
            continue;
        }
        let end = rest.find(';').unwrap_or(rest.len());
        // A re-export of a child (`pub use child::Item`) is the folder's surface, not an
        // import: `reexports` follows it instead.
        let public = before.trim_end().ends_with("pub") || before.trim_end().ends_with("pub(crate)");
        let relative = !["crate::", "super::", "self::"].iter().any(|p| rest.trim_start().starts_with(p));
        if !(public && relative) {
            paths.extend(expand(&rest[..end]));
        }
        rest = &rest[end..];
    }
    inline.push_str(rest);
    // Inline paths in code: `crate::metrics::observe(..)`, `super::page::csp()`,
    // `serve::serve(..)`.
    let path_char = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    let mut previous = ' ';
    for (at, c) in inline.char_indices() {
        let starts = (c.is_alphabetic() || c == '_') && !path_char(previous) && previous != '$';
        previous = c;
        if !starts {
            continue;
        }
        let tail = &inline[at..];
        let path = &tail[..tail.find(|c: char| !path_char(c)).unwrap_or(tail.len())];
        if path.contains("::") && !path.starts_with("::") {
            paths.push(path.trim_end_matches(':').to_owned());
        }
    }
    paths.into_iter().map(|p| p.split(" as ").next().unwrap().split("::").map(str::to_owned).collect()).collect()
}

/// The children a folder module re-exports items from: item name → child.
fn reexports(code: &str, module: &Module, files: &BTreeMap<Module, PathBuf>) -> BTreeMap<String, Module> {
    let mut out = BTreeMap::new();
    for line in code.split(';') {
        let line = line.trim();
        let Some(tree) = line.strip_prefix("pub use ").or_else(|| line.strip_prefix("pub(crate) use ")) else {
            continue;
        };
        for path in expand(tree) {
            let segments: Vec<&str> = path.split(" as ").next().unwrap().split("::").collect();
            let mut child = module.clone();
            child.push(segments[0].to_owned());
            if segments.len() == 2 && files.contains_key(&child) {
                let name = path.rsplit(" as ").next().unwrap().rsplit("::").next().unwrap().to_owned();
                out.insert(name, child);
            }
        }
    }
    out
}

/// The module file a path leads to, from `module`, or `None` for outside the crate.
fn resolve(
    module: &Module,
    path: &[String],
    files: &BTreeMap<Module, PathBuf>,
    reexported: &BTreeMap<Module, BTreeMap<String, Module>>,
) -> Option<Module> {
    let (mut at, rest): (Module, &[String]) = match path.first().map(String::as_str) {
        Some("crate") => (Vec::new(), &path[1..]),
        Some("super") => {
            let mut parent = module.clone();
            parent.pop();
            (parent, &path[1..])
        }
        Some("self") => (module.clone(), &path[1..]),
        // A child declared here (`use child::Item`), else another crate.
        Some(first) => {
            let mut child = module.clone();
            child.push(first.to_owned());
            files.contains_key(&child).then_some(())?;
            (module.clone(), path)
        }
        None => return None,
    };
    for segment in rest {
        let mut next = at.clone();
        next.push(segment.clone());
        if files.contains_key(&next) {
            at = next;
            continue;
        }
        // An item: defined here, or re-exported from a child.
        while let Some(child) = reexported.get(&at).and_then(|r| r.get(segment)) {
            at = child.clone();
        }
        break;
    }
    Some(at)
}

/// Each module of the crate whose sources are in `src`, with the modules it imports.
fn graph(src: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut files = BTreeMap::new();
    modules(src, &Vec::new(), &mut files);
    let codes: BTreeMap<Module, String> =
        files.iter().map(|(m, p)| (m.clone(), code(&std::fs::read_to_string(p).unwrap()))).collect();
    let reexported = codes.iter().map(|(m, c)| (m.clone(), reexports(c, m, &files))).collect();
    let mut edges = BTreeMap::new();
    for (module, code) in &codes {
        let mut to = BTreeSet::new();
        for path in named_paths(code) {
            let Some(target) = resolve(module, &path, &files, &reexported) else { continue };
            // Itself and the crate root (`crate::Error`, re-exported there) do not count.
            if target == *module || target.is_empty() {
                continue;
            }
            to.insert(target);
        }
        edges.insert(module.clone(), to);
    }
    edges
}

/// A cycle from `start` back to it, if any (depth first; `path` ends at `at`).
fn cycle(
    edges: &BTreeMap<Module, BTreeSet<Module>>,
    start: &Module,
    path: &mut Vec<Module>,
    seen: &mut BTreeSet<Module>,
) -> Option<Vec<Module>> {
    let at = path.last().unwrap_or(start).clone();
    for next in edges.get(&at).into_iter().flatten() {
        if next == start {
            let mut found = vec![start.clone()];
            found.extend(path.iter().cloned());
            found.push(start.clone());
            return Some(found);
        }
        if seen.insert(next.clone()) {
            path.push(next.clone());
            if let Some(found) = cycle(edges, start, path, seen) {
                return Some(found);
            }
            path.pop();
        }
    }
    None
}

/// Every cycle of `edges`, one per set of modules it goes through, as `a -> b -> a`.
fn cycles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<String> {
    let mut cycles = BTreeMap::new();
    for module in edges.keys() {
        if let Some(found) = cycle(edges, module, &mut Vec::new(), &mut BTreeSet::new()) {
            let members: BTreeSet<Module> = found.iter().cloned().collect();
            cycles
                .entry(members)
                .or_insert_with(|| found.iter().map(|m| m.join("::")).collect::<Vec<_>>().join(" -> "));
        }
    }
    cycles.into_values().collect()
}

fn module(path: &str) -> Module {
    path.split("::").map(str::to_owned).collect()
}

/// Reads the crate `name`, checks that the reader saw each of `known` (importer, imported: so
/// that an empty or misread graph cannot pass), and finds no cycle.
fn assert_no_cycle(name: &str, known: &[(&str, &str)]) -> BTreeMap<Module, BTreeSet<Module>> {
    let edges = graph(&src(name));
    assert!(edges.len() > 5, "the sources of {name} were read: {:?}", edges.keys());
    for (from, to) in known {
        let imports = &edges[&module(from)];
        assert!(imports.contains(&module(to)), "{name}: {from} imports {to}; read {imports:?}");
    }
    let cycles = cycles(&edges);
    assert!(cycles.is_empty(), "module cycles of {name}:\n{}", cycles.join("\n"));
    edges
}

#[test]
fn no_module_of_zoom_chatbot_imports_one_that_imports_it() {
    // A known import, through a folder's re-export.
    let edges = assert_no_cycle("zoom-chatbot", &[("policy", "auth::cache")]);
    assert!(edges.len() > 20, "{:?}", edges.keys());
}

#[test]
fn no_module_of_zoom_mock_imports_one_that_imports_it() {
    // Imports through `super::{..}` naming sibling modules.
    let edges = assert_no_cycle("zoom-mock", &[("fake::router", "fake::http"), ("fake::router", "fake::page")]);
    assert!(edges.len() > 20, "{:?}", edges.keys());
    assert!(!edges.contains_key(&module("main")), "the binary is a crate of its own");
}

#[test]
fn no_module_of_zoom_api_gen_imports_one_that_imports_it() {
    assert_no_cycle("zoom-api-gen", &[("ids", "jid"), ("hooks", "operations")]);
}

#[test]
fn the_reader_finds_a_cycle_when_there_is_one() {
    let mut edges = BTreeMap::new();
    let (a, b, c) = (vec!["a".to_owned()], vec!["b".to_owned()], vec!["c".to_owned()]);
    edges.insert(a.clone(), BTreeSet::from([b.clone()]));
    edges.insert(b.clone(), BTreeSet::from([c.clone()]));
    edges.insert(c.clone(), BTreeSet::from([a.clone()]));
    let found = cycle(&edges, &a, &mut Vec::new(), &mut BTreeSet::new()).unwrap();
    assert_eq!(found, vec![a.clone(), b, c, a]);
    assert_eq!(expand("crate::x::{A, y::{B, C}}"), vec!["crate::x::A", "crate::x::y::B", "crate::x::y::C"]);
}
