//! `cargo xtask fuzz [--max-examples N | --max-time SECONDS]`: schemathesis, a property-based
//! API tester we did not write, drives the `zoom-mock` binary from
//! `crates/zoom-spec/spec/chatbot.yaml` and checks every answer: positive and negative data, no
//! server errors, status codes, content types, headers and bodies conforming to the spec.
//!
//! schemathesis comes from PyPI, pinned, into a virtual environment under `target/` (made
//! once). Each family of operations runs with the credentials Zoom gives it: chatbot
//! operations with a chatbot token, chat, users, channels and files operations with a
//! server-to-server token, the OAuth host with the app's credentials; the incoming webhook and
//! the callback reply run with tokens the fake does not know, so their refusals are what is
//! checked. `xtask/fuzz/hooks.py`
//! teaches it the two rules the spec states as extensions (see that file). Any failure fails
//! the command.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::bench::{Server, fake_token_for, start_fake_binary, wait_until_listening};

/// The schemathesis release this project is checked with.
const SCHEMATHESIS: &str = "schemathesis==4.32.5";

pub struct Options {
    pub max_examples: u32,
    pub max_time: Option<u32>,
}

impl Options {
    pub fn parse(args: &[&str]) -> Result<Self, String> {
        let mut o = Self { max_examples: 25, max_time: None };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            match *arg {
                "--max-examples" => o.max_examples = crate::number(&mut it, "--max-examples")?,
                "--max-time" => o.max_time = Some(crate::number(&mut it, "--max-time")?),
                other => return Err(format!("fuzz: unknown option {other}")),
            }
        }
        Ok(o)
    }
}

/// The schemathesis program in the project's virtual environment, installed when missing.
fn schemathesis(root: &Path) -> Result<PathBuf, String> {
    let venv = root.join("target/schemathesis-venv");
    let bin = venv.join("bin/schemathesis");
    let pinned = venv.join("pinned");
    if bin.exists() && std::fs::read_to_string(&pinned).is_ok_and(|p| p == SCHEMATHESIS) {
        return Ok(bin);
    }
    println!("installing {SCHEMATHESIS} into target/schemathesis-venv (once) ...");
    let ok = |c: &mut Command| c.status().is_ok_and(|s| s.success());
    if !ok(Command::new("python3").args(["-m", "venv", "--clear"]).arg(&venv)) {
        return Err("python3 -m venv failed: install Python 3 and its venv module (Debian: python3-venv)".into());
    }
    if !ok(Command::new(venv.join("bin/pip")).args(["install", "--quiet", "--disable-pip-version-check", SCHEMATHESIS]))
    {
        return Err(format!("pip install {SCHEMATHESIS} failed"));
    }
    std::fs::write(&pinned, SCHEMATHESIS).map_err(|e| e.to_string())?;
    Ok(bin)
}

fn start_fake(root: &Path) -> Result<Server, String> {
    // No plan: rate limits would only turn the run into 429s (which conform, and prove little).
    let server = start_fake_binary(root, false, &["--plan", "unlimited"])?;
    wait_until_listening(server.port, "the fake")?;
    Ok(server)
}

/// One schemathesis run: the operations of `tag`, at `base`, with `auth` arguments.
struct Run {
    tag: &'static str,
    base: String,
    auth: Vec<String>,
}

/// The run of `tag` against the fake on `port`, with the credentials Zoom gives its family of
/// operations.
fn run_for(tag: &'static str, port: u16) -> Result<Run, String> {
    let origin = format!("http://127.0.0.1:{port}");
    let bearer = |grant: &str| -> Result<Vec<String>, String> {
        Ok(vec!["-H".into(), format!("Authorization: Bearer {}", fake_token_for(port, grant)?)])
    };
    let server_to_server = "grant_type=account_credentials&account_id=FakeAccount01";
    let (base, auth) = match tag {
        "chatbot" => (format!("{origin}/v2"), bearer("grant_type=client_credentials")?),
        // The file host's paths are served on the fake's one listener, as its API's; the
        // uploads' multipart bodies are built by schemathesis from the spec's schemas.
        "chat" | "users" | "channels" | "files" => (format!("{origin}/v2"), bearer(server_to_server)?),
        "callback" => (format!("{origin}/v2"), vec![]),
        "oauth" => (origin, vec!["-a".into(), "fake_client_id:fake_client_secret".into()]),
        "incoming-webhook" => (origin, vec![]),
        other => return Err(format!("no schemathesis run for the tag {other} in xtask/src/fuzz.rs")),
    };
    Ok(Run { tag, base, auth })
}

/// The spec's tags, each of which must have a run.
const TAGS: [&str; 8] = ["chatbot", "chat", "users", "channels", "files", "callback", "oauth", "incoming-webhook"];

pub fn run(root: &Path, o: Options) -> Result<(), String> {
    let st = schemathesis(root)?;
    // Every tag of the spec is fuzzed: a new tag without its run (and token) fails here.
    let spec_tags: Vec<String> = zoom_spec::spec().tags.iter().map(|t| t.name.clone()).collect();
    let missing: Vec<&String> = spec_tags.iter().filter(|t| !TAGS.contains(&t.as_str())).collect();
    if !missing.is_empty() {
        return Err(format!("the spec's tags {missing:?} have no schemathesis run in xtask/src/fuzz.rs"));
    }
    // Each run has a fake of its own, so a run sees the same state (and, with its fixed seed,
    // repeats exactly) however the runs are spread over the cores: two at a time on two.
    let mut work = Vec::new();
    for tag in TAGS {
        let fake = start_fake(root)?;
        work.push((run_for(tag, fake.port)?, fake));
    }
    let jobs = crate::jobs::at_a_time(work.len());
    println!("\n==> schemathesis: {} runs, {jobs} at a time, each against a fake of its own", work.len());
    let passed = crate::jobs::each(&work, |(r, _)| {
        let (ok, report) = run_one(root, &st, r, &o);
        println!("\n==> schemathesis: {} operations at {}\n{report}", r.tag, r.base);
        ok
    });
    let failed: Vec<&str> = work.iter().zip(passed).filter(|(_, ok)| !ok).map(|((r, _), _)| r.tag).collect();
    drop(work);
    if failed.is_empty() {
        println!("\nschemathesis: 0 failures in {} runs", TAGS.len());
        Ok(())
    } else {
        Err(format!("schemathesis found failures in: {}", failed.join(", ")))
    }
}

/// One schemathesis run, in a directory of its own under `target/schemathesis/`: whether it
/// passed, and what it printed.
fn run_one(root: &Path, st: &Path, r: &Run, o: &Options) -> (bool, String) {
    let dir = root.join("target/schemathesis").join(r.tag);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return (false, format!("cannot make {}: {e}", dir.display()));
    }
    let mut command = Command::new(st);
    command
        .current_dir(&dir)
        .env("ZOOM_SPEC", root.join(crate::SPEC))
        .env("PYTHONPATH", root.join("xtask/fuzz"))
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .arg("run")
        .arg(root.join(crate::SPEC))
        .args(["--url", &r.base, "--include-tag", r.tag, "--checks", "all"])
        // One worker: runs repeat exactly (the tool has shown a race of its own with two).
        .args(["--phases", "examples,coverage,fuzzing", "--workers", "1", "--no-color", "--warnings", "off"])
        .args(&r.auth);
    match o.max_time {
        // The short run is the same every time (a fixed seed), so CI is repeatable.
        None => command.args(["--seed", "20261130", "--max-examples", &o.max_examples.to_string()]),
        // A longer run explores: a fresh seed (printed by schemathesis), until the time is
        // spent.
        Some(seconds) => command.args(["--max-time", &seconds.to_string()]),
    };
    match command.output() {
        Ok(out) => {
            let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            (out.status.success(), text)
        }
        Err(e) => (false, format!("cannot run schemathesis: {e}")),
    }
}
