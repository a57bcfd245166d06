//! `cargo xtask package`: every published crate packaged, then each checked from its package
//! alone, against the others' packages, as a user's build would see them.
//!
//! `cargo package` makes the `.crate` files (`target/package/`); they are unpacked into
//! `target/package-check/`, which becomes a workspace of its own where each package's
//! dependencies on the others point at their unpacked packages (`[patch]`), with the
//! workspace's lock file, so the versions are the ones the workspace tests. `cargo check` of
//! each package there, with its own features, fails on any file a package lacks (a module, an
//! `include_str!`, a build script's input). It checks rather than builds, in the workspace's
//! target directory, so it reuses what the lint and feature checks compiled instead of
//! building every dependency again with each package's own features (the step took six
//! minutes on two cores that way). A build script that writes into its package's sources
//! fails the command, as it fails `cargo package`'s own verification.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// The workspace's crates that are not published.
const UNPUBLISHED: [&str; 3] = ["xtask", "contract-tests", "zoom-chatbot-tests"];

fn run(command: &mut Command) -> Result<(), String> {
    let status = command.status().map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{command:?} failed ({status})")) }
}

/// Every file under `dir` with its size and time of change.
fn snapshot(dir: &Path) -> Result<BTreeMap<PathBuf, (u64, SystemTime)>, String> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))? {
            let entry = entry.map_err(|e| e.to_string())?;
            let meta = entry.metadata().map_err(|e| e.to_string())?;
            if meta.is_dir() {
                pending.push(entry.path());
            } else {
                files.insert(entry.path(), (meta.len(), meta.modified().map_err(|e| e.to_string())?));
            }
        }
    }
    Ok(files)
}

/// `name = "…"` and `version = "…"` of each package of a lock file.
fn locked_versions(lock: &str) -> BTreeMap<(String, String), ()> {
    let mut versions = BTreeMap::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_owned());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name.take()) {
            versions.insert((n, v.trim_matches('"').to_owned()), ());
        }
    }
    versions
}

pub fn run_package(root: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let packaged = root.join("target/package");
    let checked = root.join("target/package-check");
    for dir in [&packaged, &checked] {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| format!("cannot remove {}: {e}", dir.display()))?;
        }
    }
    let mut package = Command::new(&cargo);
    package.current_dir(root).args(["package", "--workspace", "--no-verify", "--locked"]);
    for crate_name in UNPUBLISHED {
        package.args(["--exclude", crate_name]);
    }
    run(&mut package)?;

    std::fs::create_dir_all(&checked).map_err(|e| e.to_string())?;
    let mut members = Vec::new();
    for entry in std::fs::read_dir(&packaged).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let Some(file) = path.file_name().and_then(|f| f.to_str()).and_then(|f| f.strip_suffix(".crate")) else {
            continue;
        };
        // Unpacked with the time of now (`-m`): the archive's older times would let cargo take
        // an earlier check of the same path as fresh.
        run(Command::new("tar").arg("-xzmf").arg(&path).arg("-C").arg(&checked))?;
        let name = file.rsplit_once('-').map_or(file, |(name, _version)| name).to_owned();
        members.push((name, file.to_owned()));
    }
    members.sort();
    if members.is_empty() {
        return Err("cargo package made no .crate file".into());
    }
    let list = |f: &dyn Fn(&(String, String)) -> String| members.iter().map(f).collect::<Vec<_>>().join("\n");
    let manifest = format!(
        "# Written by `cargo xtask package`: the packages, unpacked, as a workspace.\n[workspace]\nresolver = \"3\"\nmembers = [\n{}\n]\n\n[patch.crates-io]\n{}\n",
        list(&|(_, dir)| format!("    {dir:?},")),
        list(&|(name, dir)| format!("{name} = {{ path = {dir:?} }}")),
    );
    std::fs::write(checked.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::copy(root.join("Cargo.lock"), checked.join("Cargo.lock")).map_err(|e| e.to_string())?;

    // Cargo itself writes the lock file; nothing else may change.
    let sources = |dir: &Path| {
        snapshot(dir).map(|mut files| {
            files.retain(|path, _| !path.ends_with("Cargo.lock"));
            files
        })
    };
    let before = sources(&checked)?;
    // One package at a time, its library and programs (cargo's default targets), so each builds
    // with its own features, as a user's build of it would, not the union of all six.
    for (name, _) in &members {
        let mut check = Command::new(&cargo);
        check.current_dir(&checked).args(["check", "--quiet", "-p", name]);
        run(check.arg("--target-dir").arg(root.join("target")))?;
    }
    let after = sources(&checked)?;
    if before != after {
        let changed: Vec<String> = after
            .iter()
            .filter(|(path, meta)| before.get(*path) != Some(meta))
            .map(|(path, _)| path.display().to_string())
            .collect();
        return Err(format!("the check changed the packages' sources: {changed:?}"));
    }

    // The packages were checked on the versions the workspace tests: every package of the
    // new lock that the workspace's lock holds is at the same version there.
    let read = |p: PathBuf| std::fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    let tested = locked_versions(&read(root.join("Cargo.lock"))?);
    let used = locked_versions(&read(checked.join("Cargo.lock"))?);
    let tested_names: std::collections::BTreeSet<&String> = tested.keys().map(|(n, _)| n).collect();
    let differ: Vec<String> = used
        .keys()
        .filter(|(name, _)| tested_names.contains(name))
        .filter(|key| !tested.contains_key(*key))
        .map(|(name, version)| format!("{name} {version}"))
        .collect();
    if !differ.is_empty() {
        return Err(format!("the packages resolved versions the workspace does not test: {differ:?}"));
    }
    println!(
        "package: {} crates packaged and checked from their packages: {}",
        members.len(),
        members.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(", ")
    );
    Ok(())
}
