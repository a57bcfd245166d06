//! What the sources hold by hand. Comments are wrapped at 100 columns (code may run to
//! rustfmt's 120): what the project writes by hand reads in one width. Code in doc examples
//! is code (rustfmt's width), and a Markdown table row cannot be wrapped; generated files are
//! the generator's to format. The crate's README is the workspace's.

use std::path::{Path, PathBuf};

const WIDTH: usize = 100;
/// Written by `cargo xtask codegen`, never by hand.
const GENERATED: [&str; 5] = [
    "crates/zoom-api-gen/src/generated.rs",
    "crates/zoom-api-gen/src/operations.rs",
    "crates/zoom-api-gen/src/events.rs",
    "crates/zoom-api-gen/src/cards.rs",
    "crates/zoom-mock/src/generated.rs",
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() && name != "target" && !name.to_string_lossy().starts_with('.') {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn no_comment_runs_past_100_columns() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap();
    let mut files = Vec::new();
    for dir in ["crates", "xtask", "contract-tests", "fuzz/fuzz_targets"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 50, "the sources were not found under {}", root.display());
    let mut long = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        if GENERATED.contains(&relative.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        let mut in_example = false;
        for (n, line) in text.lines().enumerate() {
            let Some(comment) = line.trim_start().strip_prefix("//") else { continue };
            let prose = comment.trim_start_matches(['/', '!']).trim_start();
            if prose.starts_with("```") {
                in_example = !in_example;
                continue;
            }
            if !in_example && !prose.starts_with('|') && line.chars().count() > WIDTH {
                long.push(format!("{relative}:{}", n + 1));
            }
        }
    }
    assert!(long.is_empty(), "comment lines past {WIDTH} columns:\n{}", long.join("\n"));
}

#[test]
fn the_crates_readme_is_the_workspace_readme() {
    // crates/zoom-chatbot/README.md is a link to it: what the registry shows and what the
    // crate's doctests compile is the README users read. An editor that writes through the
    // link as a new file would leave a stale copy.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let workspace = std::fs::read_to_string(root.join("README.md")).unwrap();
    let crates = std::fs::read_to_string(root.join("crates/zoom-chatbot/README.md")).unwrap();
    assert!(workspace == crates, "crates/zoom-chatbot/README.md differs from README.md: make it a link again");
}
