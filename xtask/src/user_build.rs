//! `cargo xtask user-build`: what a user's first build costs. Two cold builds, each in a
//! target directory of its own under `target/user-build/`:
//! - a user's crate that depends on `zoom-chatbot` with its default features and sends one card
//!   (the crate is written there, with the workspace's lock file, so the versions are the ones the
//!   workspace tests);
//! - the README's first command, the quickstart example.
//!
//! Prints each one's seconds and the number of crates it compiled. The machine's other load
//! counts too: compare figures taken on the same machine, in one run.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

const MAIN: &str = r#"use zoom_chatbot::card::{Card, Text};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let zoom = zoom_chatbot::ZoomClient::from_env()?;
    let card = Card::new().head("Deployed").push(Text::new("1.4.2 is live")).build()?;
    let sent = zoom.send("ops@conference.xmpp.zoom.us", card).await?;
    println!("{}", sent.id);
    Ok(())
}
"#;

/// One cold build: seconds, crates compiled.
fn cold_build(mut command: Command, target: &Path) -> Result<(f64, usize), String> {
    let _ = std::fs::remove_dir_all(target);
    let started = Instant::now();
    let output = command
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let log = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("{command:?} failed:\n{log}"));
    }
    let crates = log.lines().filter(|l| l.trim_start().starts_with("Compiling ")).count();
    Ok((seconds, crates))
}

pub fn run(root: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let base = root.join("target/user-build");
    let user = base.join("user-bot");
    std::fs::create_dir_all(user.join("src")).map_err(|e| e.to_string())?;
    let manifest = format!(
        "[package]\nname = \"user-bot\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\nzoom-chatbot = {{ path = {:?} }}\ntokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n\n[workspace]\n",
        root.join("crates/zoom-chatbot").display().to_string()
    );
    std::fs::write(user.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(user.join("src/main.rs"), MAIN).map_err(|e| e.to_string())?;
    std::fs::copy(root.join("Cargo.lock"), user.join("Cargo.lock")).map_err(|e| e.to_string())?;

    let mut build = Command::new(&cargo);
    build.current_dir(&user).args(["build", "--offline"]);
    let (user_seconds, user_crates) = cold_build(build, &base.join("user-target"))?;

    let mut quickstart = Command::new(&cargo);
    quickstart.current_dir(root).args(["build", "--locked", "-p", "zoom-chatbot", "--example", "quickstart"]);
    let (quick_seconds, quick_crates) = cold_build(quickstart, &base.join("quickstart-target"))?;

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("cold builds on {cores} cores (dev profile):");
    println!(
        "  a user's crate (zoom-chatbot, default features, one send): {user_seconds:>6.1} s, {user_crates} crates"
    );
    println!(
        "  the quickstart example (cargo build --example quickstart):  {quick_seconds:>6.1} s, {quick_crates} crates"
    );
    Ok(())
}
