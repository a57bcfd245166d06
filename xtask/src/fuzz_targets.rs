//! `cargo xtask fuzz-targets [--seconds N] [--target NAME]... [--seeds-only]`: the cargo-fuzz
//! (libFuzzer) targets of `fuzz/`, built once on the nightly toolchain, then each run for a
//! bounded time. Prints, per target, the executions run and the result; fails if any target
//! finds a crash, naming the artifact and printing the input in hex.
//!
//! Seeds are written before each run into `fuzz/seeds/TARGET/` (not committed) from their one
//! source: Zoom's published event examples (`crates/zoom-spec/spec/zoom-published/`) and the
//! examples of `crates/zoom-spec/spec/chatbot.yaml`, read through `zoom_spec`. libFuzzer's grown
//! corpus goes to `fuzz/corpus/TARGET/`, crashes to `fuzz/artifacts/TARGET/` (both ignored by
//! git). The input layouts the seeds follow are in each target's file (`fuzz/fuzz_targets/`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The cargo-fuzz release the project is checked with (`.ci/run` installs it when missing).
pub const CARGO_FUZZ: &str = "0.13.1";

/// Every target, in the order they run.
const TARGETS: &[&str] = &["webhook_event", "bot_handle", "signature", "spec_validator", "jid", "card_html"];

const EVENTS: &str = "crates/zoom-spec/spec/zoom-published/event-examples.json";

pub struct Options {
    pub seconds: u32,
    pub targets: Vec<String>,
    pub seeds_only: bool,
}

impl Options {
    pub fn parse(args: &[&str]) -> Result<Self, String> {
        let mut o = Self { seconds: 30, targets: Vec::new(), seeds_only: false };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            match *arg {
                "--seconds" => o.seconds = crate::number(&mut it, "--seconds")?,
                "--target" => {
                    let name = it.next().ok_or("--target takes a target's name")?;
                    if !TARGETS.contains(name) {
                        return Err(format!("fuzz-targets: no target {name}; the targets: {}", TARGETS.join(", ")));
                    }
                    o.targets.push((*name).to_owned());
                }
                "--seeds-only" => o.seeds_only = true,
                other => return Err(format!("fuzz-targets: unknown option {other}")),
            }
        }
        if o.targets.is_empty() {
            o.targets = TARGETS.iter().map(|t| (*t).to_owned()).collect();
        }
        Ok(o)
    }
}

/// `cargo +nightly fuzz ...` in `root`, without the variables of the stable cargo that runs
/// the xtask (its `CARGO` would make cargo-fuzz build with stable).
fn cargo_fuzz(root: &Path) -> Command {
    let mut command = Command::new("cargo");
    command.current_dir(root).args(["+nightly", "fuzz"]);
    for var in ["CARGO", "RUSTC", "RUSTDOC", "RUSTUP_TOOLCHAIN", "CARGO_MANIFEST_DIR", "CARGO_PKG_NAME"] {
        command.env_remove(var);
    }
    command
}

/// How the targets are built: release, with debug assertions and overflow checks. No
/// sanitizer: the workspace has no `unsafe` code of its own, so AddressSanitizer would watch
/// only the dependencies' (fuzzed upstream), at the price of a slower build and half the
/// executions per second (README.md has the figures).
const BUILD: &[&str] = &["--release", "--debug-assertions", "--sanitizer", "none"];

pub fn run(root: &Path, o: Options) -> Result<(), String> {
    let seeds = write_seeds(root)?;
    for (target, n) in &seeds {
        println!("seeds: {n:>3} for {target} in fuzz/seeds/{target}/");
    }
    if o.seeds_only {
        return Ok(());
    }
    let installed = cargo_fuzz(root).arg("--version").output().is_ok_and(|out| out.status.success());
    if !installed {
        return Err(format!(
            "cargo-fuzz is not installed for the nightly toolchain: cargo install cargo-fuzz --locked --version {CARGO_FUZZ} (and `rustup toolchain list` must show a nightly)"
        ));
    }
    // The fuzz crate's lock file is not committed: it starts from the workspace's, so the
    // targets build on the versions the workspace tests, and cargo adds only the fuzzer's own.
    let lock = root.join("fuzz/Cargo.lock");
    if !lock.exists() {
        std::fs::copy(root.join("Cargo.lock"), &lock).map_err(|e| format!("cannot seed fuzz/Cargo.lock: {e}"))?;
    }
    println!("\n==> building the fuzz targets (nightly, {})", BUILD.join(" "));
    let built =
        cargo_fuzz(root).arg("build").args(BUILD).status().map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
    if !built.success() {
        return Err("the fuzz targets do not build".into());
    }

    // Each target runs on one core: two at a time on a machine with two.
    let jobs = crate::jobs::at_a_time(o.targets.len());
    println!("\n==> {} target(s), {} s each, {jobs} at a time", o.targets.len(), o.seconds);
    let passed = crate::jobs::each(&o.targets, |target| {
        let (ok, report) = run_one(root, target, o.seconds);
        println!("{report}");
        ok
    });
    let crashed: Vec<&str> = o.targets.iter().zip(passed).filter(|(_, ok)| !ok).map(|(t, _)| t.as_str()).collect();
    if crashed.is_empty() {
        println!("\nfuzz-targets: {} target(s), {} s each, no crash", o.targets.len(), o.seconds);
        Ok(())
    } else {
        Err(format!("fuzz targets found crashes: {}", crashed.join(", ")))
    }
}

/// Runs one target for `seconds`: whether it found no crash, and its report.
fn run_one(root: &Path, target: &str, seconds: u32) -> (bool, String) {
    use std::fmt::Write as _;
    let corpus = root.join("fuzz/corpus").join(target);
    if let Err(e) = std::fs::create_dir_all(&corpus) {
        return (false, format!("{target}: cannot make {}: {e}", corpus.display()));
    }
    let output = cargo_fuzz(root)
        .arg("run")
        .args(BUILD)
        .arg(target)
        .arg(&corpus)
        .arg(root.join("fuzz/seeds").join(target))
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        // An input that takes ten seconds is a hang in these parsers; it fails the target.
        .arg("-timeout=10")
        .arg("-print_final_stats=1")
        .stdin(Stdio::null())
        .output();
    let output = match output {
        Ok(output) => output,
        Err(e) => return (false, format!("{target}: cannot run cargo fuzz: {e}")),
    };
    let log = String::from_utf8_lossy(&output.stderr);
    let runs = executions(&log).map_or_else(|| "? executions".to_owned(), |n| format!("{n} executions"));
    if output.status.success() {
        return (true, format!("{target}: ok, {runs} in {seconds} s, no crash"));
    }
    let mut report = format!("{target}: CRASH after {runs}");
    for line in what_happened(&log) {
        let _ = write!(report, "\n    {line}");
    }
    match artifact(&log) {
        Some(path) => {
            let input = std::fs::read(&path).unwrap_or_default();
            let _ = write!(report, "\n  artifact: {path}\n  input ({} bytes, hex): {}", input.len(), hex(&input));
            let _ = write!(report, "\n  again: cargo +nightly fuzz run {} {target} {path}", BUILD.join(" "));
        }
        None => report.push_str("\n  (libFuzzer named no artifact)"),
    }
    (false, report)
}

/// The executions libFuzzer reports at its end (`stat::number_of_executed_units`, or its
/// `Done N runs` line).
fn executions(log: &str) -> Option<u64> {
    log.lines().rev().find_map(|line| {
        if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            return n.trim().parse().ok();
        }
        line.strip_prefix("Done ")?.split_whitespace().next()?.parse().ok()
    })
}

/// The lines that say what went wrong: the panic's message (not its backtrace) and
/// libFuzzer's summary, or the end of the log when there is neither.
fn what_happened(log: &str) -> Vec<&str> {
    let lines: Vec<&str> = log.lines().collect();
    let mut shown = Vec::new();
    if let Some(start) = lines.iter().position(|l| l.contains("panicked at")) {
        shown.extend(lines[start..].iter().take_while(|l| !l.starts_with("stack backtrace")).take(20));
    }
    shown.extend(lines.iter().filter(|l| l.starts_with("SUMMARY:") || l.starts_with("==") && l.contains("ERROR")));
    if shown.is_empty() {
        shown.extend(lines.iter().rev().take(20).rev());
    }
    shown
}

/// The crash's input file, from libFuzzer's `Test unit written to PATH`.
fn artifact(log: &str) -> Option<String> {
    log.lines().find_map(|line| Some(line.split("Test unit written to ").nth(1)?.trim().to_owned()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A field of a target's input: a length byte, then the bytes (at most 255).
fn field(out: &mut Vec<u8>, bytes: &[u8]) {
    let bytes = &bytes[..bytes.len().min(255)];
    out.push(bytes.len() as u8);
    out.extend_from_slice(bytes);
}

/// A seed: its file name and its bytes.
type Seed = (String, Vec<u8>);

/// Writes every target's seeds afresh; returns how many each has.
fn write_seeds(root: &Path) -> Result<Vec<(&'static str, usize)>, String> {
    let text = std::fs::read_to_string(root.join(EVENTS)).map_err(|e| format!("cannot read {EVENTS}: {e}"))?;
    let events: serde_json::Map<String, Value> =
        serde_json::from_str(&text).map_err(|e| format!("{EVENTS} is not a JSON object: {e}"))?;
    let spec = zoom_spec::spec();
    let validator = zoom_spec::Validator::new(spec);
    let spec_json = serde_json::to_value(spec).map_err(|e| e.to_string())?;
    let mut examples = Vec::new();
    collect_examples(&spec_json, &mut examples);

    let mut seeds: Vec<(&'static str, Vec<Seed>)> = TARGETS.iter().map(|t| (*t, Vec::new())).collect();
    let mut add = |target: &str, name: String, bytes: Vec<u8>| {
        if let Some((_, list)) = seeds.iter_mut().find(|(t, _)| *t == target) {
            list.push((name, bytes));
        }
    };

    for (name, body) in &events {
        let body = serde_json::to_vec(body).map_err(|e| e.to_string())?;
        add("webhook_event", format!("event-{name}"), body.clone());
        // Signed by the target, and once unsigned with headers of Zoom's form.
        add("bot_handle", format!("signed-{name}"), [&[1u8, 0][..], &body].concat());
        let mut unsigned = vec![0u8];
        field(&mut unsigned, b"x-zm-request-timestamp: 1700000000\nx-zm-signature: v0=00\nx-zm-request-id: r1");
        unsigned.extend_from_slice(&body);
        add("bot_handle", format!("unsigned-{name}"), unsigned);
        let mut signed = Vec::new();
        field(&mut signed, b"seed-secret");
        field(&mut signed, b"1700000000");
        field(&mut signed, format!("v0={}", "0".repeat(64)).as_bytes());
        signed.extend_from_slice(&1_700_000_000u64.to_le_bytes());
        signed.extend_from_slice(&[7, 0, 1]);
        signed.extend_from_slice(&body);
        add("signature", format!("event-{name}"), signed);
        let mut valid = Vec::new();
        field(&mut valid, b"ZoomEvent");
        valid.extend_from_slice(&body);
        add("spec_validator", format!("event-{name}"), valid);
    }

    // The spec's request examples, by operation; every example of a component, by name.
    for (_, _, op) in spec.operations() {
        let (Some(id), Some(body)) = (&op.operation_id, op.request_body.as_ref().and_then(|b| b.as_item())) else {
            continue;
        };
        for media in body.content.values() {
            if let Some(example) = &media.example {
                let mut seed = Vec::new();
                field(&mut seed, id.as_bytes());
                seed.extend_from_slice(&serde_json::to_vec(example).map_err(|e| e.to_string())?);
                add("spec_validator", format!("op-{id}"), seed);
            }
        }
    }
    for (name, schema) in spec.components.iter().flat_map(|c| c.schemas.iter()) {
        if let Some(example) = schema.as_item().and_then(|s| s.schema_data.example.as_ref()) {
            let mut seed = Vec::new();
            field(&mut seed, name.as_bytes());
            seed.extend_from_slice(&serde_json::to_vec(example).map_err(|e| e.to_string())?);
            add("spec_validator", format!("component-{name}"), seed);
        }
    }
    let mut cards = BTreeSet::new();
    for example in &examples {
        // The cards: examples that are cards, a request's `content`, and elements in a card.
        let candidates = [
            example.clone(),
            example.get("content").cloned().unwrap_or(Value::Null),
            serde_json::json!({ "body": [example] }),
        ];
        for card in candidates {
            let looks_like_one = card.get("body").is_some() || card.get("head").is_some();
            if looks_like_one && validator.validate_component("Card", &card, "").is_some_and(|v| v.is_empty()) {
                cards.insert(serde_json::to_string(&card).map_err(|e| e.to_string())?);
            }
        }
    }
    // And each kind of element the spec's `CardBodyItem` names, with every field it has: once
    // of the field's type, once with every field a string (which the target then marks).
    for element in elements(&spec_json) {
        for typed in [true, false] {
            let item = skeleton(&spec_json, element, typed, 0);
            cards.insert(serde_json::json!({ "head": { "text": "h" }, "body": [item] }).to_string());
        }
    }
    for (i, card) in cards.iter().enumerate() {
        add("card_html", format!("card-{i}"), card.clone().into_bytes());
        let mut seed = Vec::new();
        field(&mut seed, b"Card");
        seed.extend_from_slice(card.as_bytes());
        add("spec_validator", format!("card-{i}"), seed);
    }

    // Ids and JIDs: the short strings of the events and the spec's examples.
    let mut strings = BTreeSet::new();
    for value in events.values().chain(examples.iter()) {
        collect_strings(value, &mut strings);
    }
    for (i, s) in strings.iter().enumerate() {
        add("jid", format!("text-{i}"), s.clone().into_bytes());
    }

    let mut counts = Vec::new();
    for (target, list) in seeds {
        let dir: PathBuf = root.join("fuzz/seeds").join(target);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
        for (name, bytes) in &list {
            std::fs::write(dir.join(name), bytes).map_err(|e| format!("cannot write a seed of {target}: {e}"))?;
        }
        counts.push((target, list.len()));
    }
    Ok(counts)
}

/// Every `example` value in the spec, and each value of its `examples` maps.
fn collect_examples(value: &Value, out: &mut Vec<Value>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match key.as_str() {
                    "example" => out.push(v.clone()),
                    "examples" if v.is_object() => {
                        out.extend(v.as_object().into_iter().flatten().filter_map(|(_, e)| e.get("value").cloned()));
                    }
                    _ => collect_examples(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_examples(v, out)),
        _ => {}
    }
}

/// The strings of `value` (and the example itself, when it is one) of at most 100 bytes.
fn collect_strings(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::String(s) if s.len() <= 100 => {
            out.insert(s.clone());
        }
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

/// The variants of the spec's `CardBodyItem`, `$ref`s followed.
fn elements(spec: &Value) -> Vec<&Value> {
    let variants = spec["components"]["schemas"]["CardBodyItem"]["oneOf"].as_array();
    variants.into_iter().flatten().map(|v| resolved(spec, v)).collect()
}

fn resolved<'s>(spec: &'s Value, schema: &'s Value) -> &'s Value {
    match schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
        Some(name) => &spec["components"]["schemas"][name],
        None => schema,
    }
}

/// A value with every field `schema` names: of its type (an enum's first value), or, unless
/// `typed`, a string wherever a scalar stands (but the one-value `type` tags).
fn skeleton(spec: &Value, schema: &Value, typed: bool, depth: usize) -> Value {
    let schema = resolved(spec, schema);
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    if let Some(variant) = ["oneOf", "anyOf", "allOf"].iter().find_map(|k| schema[*k].as_array()?.first()) {
        return skeleton(spec, variant, typed, depth);
    }
    match schema["type"].as_str() {
        Some("object") | None if depth < 4 => {
            let properties = schema["properties"].as_object().into_iter().flatten();
            Value::Object(properties.map(|(k, v)| (k.clone(), skeleton(spec, v, typed, depth + 1))).collect())
        }
        Some("array") if depth < 4 => Value::Array(vec![skeleton(spec, &schema["items"], typed, depth + 1)]),
        _ if !typed => Value::String("x".into()),
        Some("integer") => Value::from(1),
        Some("number") => Value::from(1.5),
        Some("boolean") => Value::Bool(true),
        _ => Value::String("x".into()),
    }
}
