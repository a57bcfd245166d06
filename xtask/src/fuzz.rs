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
struct Run<'a> {
    tag: &'a str,
    base: String,
    auth: Vec<String>,
}

pub fn run(root: &Path, o: Options) -> Result<(), String> {
    let st = schemathesis(root)?;
    let fake = start_fake(root)?;
    let origin = format!("http://127.0.0.1:{}", fake.port);
    let bot = fake_token_for(fake.port, "grant_type=client_credentials")?;
    let api = fake_token_for(fake.port, "grant_type=account_credentials&account_id=FakeAccount01")?;
    let runs = [
        Run {
            tag: "chatbot",
            base: format!("{origin}/v2"),
            auth: vec!["-H".into(), format!("Authorization: Bearer {bot}")],
        },
        Run {
            tag: "chat",
            base: format!("{origin}/v2"),
            auth: vec!["-H".into(), format!("Authorization: Bearer {api}")],
        },
        Run {
            tag: "users",
            base: format!("{origin}/v2"),
            auth: vec!["-H".into(), format!("Authorization: Bearer {api}")],
        },
        Run {
            tag: "channels",
            base: format!("{origin}/v2"),
            auth: vec!["-H".into(), format!("Authorization: Bearer {api}")],
        },
        // The file host's paths are served on the fake's one listener, as its API's; the
        // uploads' multipart bodies are built by schemathesis from the spec's schemas.
        Run {
            tag: "files",
            base: format!("{origin}/v2"),
            auth: vec!["-H".into(), format!("Authorization: Bearer {api}")],
        },
        Run { tag: "callback", base: format!("{origin}/v2"), auth: vec![] },
        Run { tag: "oauth", base: origin.clone(), auth: vec!["-a".into(), "fake_client_id:fake_client_secret".into()] },
        Run { tag: "incoming-webhook", base: origin.clone(), auth: vec![] },
    ];
    // Every tag of the spec is fuzzed: a new tag without its run (and token) fails here.
    let spec_tags: Vec<String> = zoom_spec::spec().tags.iter().map(|t| t.name.clone()).collect();
    let missing: Vec<&String> = spec_tags.iter().filter(|t| !runs.iter().any(|r| r.tag == t.as_str())).collect();
    if !missing.is_empty() {
        return Err(format!("the spec's tags {missing:?} have no schemathesis run in xtask/src/fuzz.rs"));
    }
    let mut failed = Vec::new();
    for r in &runs {
        println!("\n==> schemathesis: {} operations at {}", r.tag, r.base);
        let mut command = Command::new(&st);
        command
            .current_dir(root.join("target"))
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
        let status = command.status().map_err(|e| format!("cannot run schemathesis: {e}"))?;
        if !status.success() {
            failed.push(r.tag);
        }
    }
    drop(fake);
    if failed.is_empty() {
        println!("\nschemathesis: 0 failures in {} runs", runs.len());
        Ok(())
    } else {
        Err(format!("schemathesis found failures in: {}", failed.join(", ")))
    }
}
