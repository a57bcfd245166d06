//! The `zoom-chatbot` program set up for a fake Zoom, and the files it is given: for the tests
//! and the replicas bench.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

use zoom_mock::fake::ZoomMock;

pub const BIN: &str = env!("CARGO_BIN_EXE_zoom-chatbot");

/// The channel of the fake's that the bulk files send to.
pub const CHANNEL: &str = "general@conference.xmpp.zoom.us";

/// The program with nothing from this environment but the fake's `ZOOM_*` configuration.
pub fn program(fake: &ZoomMock) -> Command {
    let mut command = Command::new(BIN);
    command.env_clear().envs(fake.client_env());
    command
}

/// What the program wrote to standard error.
pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A file of this process named `name`, holding `text`.
pub fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zoom-chatbot-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `n` lines of a bulk file for replica `r`, to [`CHANNEL`], each text unique.
pub fn bulk_file(r: usize, n: usize) -> PathBuf {
    let lines: Vec<String> =
        (0..n).map(|i| serde_json::json!({"to": CHANNEL, "text": format!("r{r}-{i}")}).to_string()).collect();
    temp_file(&format!("replica-{r}.jsonl"), &lines.join("\n"))
}
