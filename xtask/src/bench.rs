//! `cargo xtask bench-mock`: loads the fake Zoom with chatbot sends over loopback and prints
//! sends per second and memory, side by side with Prism serving the same spec, in one run.
//!
//! Both servers run as their own processes, so each one's memory is its own (read from
//! /proc). Both are loaded by the same generator, wrk (Debian package `wrk`), with the same
//! connections and the same request bodies: a card sent to ten channels in turn.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Options {
    pub sends: u64,
    pub prism_seconds: u64,
    pub connections: usize,
    pub prism: bool,
}

impl Options {
    pub fn parse(args: &[&str]) -> Result<Self, String> {
        let mut o = Self { sends: 1_000_000, prism_seconds: 10, connections: 32, prism: true };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            match *arg {
                "--sends" => o.sends = crate::number(&mut it, "--sends")?,
                "--prism-seconds" => o.prism_seconds = crate::number(&mut it, "--prism-seconds")?,
                "--connections" => o.connections = crate::number(&mut it, "--connections")?,
                "--no-prism" => o.prism = false,
                other => return Err(format!("bench-mock: unknown option {other}")),
            }
        }
        Ok(o)
    }
}

/// A server process being measured; killed when dropped.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resident and peak resident memory of a process and its children, in MiB, from /proc.
fn memory_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(0.0)
    };
    let mut total = (field("VmRSS:"), field("VmHWM:"));
    let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    for child in children.split_whitespace().filter_map(|c| c.parse::<u32>().ok()) {
        let (rss, hwm) = memory_mib(child);
        total.0 += rss;
        total.1 += hwm;
    }
    total
}

pub(crate) fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).map_err(|e| e.to_string())
}

pub(crate) fn wait_until_listening(port: u16, what: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("{what} did not start listening on port {port}"))
}

fn present(tool: &str) -> bool {
    Command::new(tool).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

fn require(tool: &str, install: &str) -> Result<(), String> {
    if present(tool) { Ok(()) } else { Err(format!("bench-mock needs `{tool}`: {install}")) }
}

/// wrk comes from Debian's packages; on a fresh machine (as root, with apt) it is installed.
fn ensure_wrk() -> Result<(), String> {
    if present("wrk") {
        return Ok(());
    }
    println!("wrk is missing; installing it with apt-get ...");
    let installed = Command::new("apt-get")
        .args(["install", "-y", "-q", "wrk"])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if installed && present("wrk") {
        Ok(())
    } else {
        Err("bench-mock needs `wrk` and could not install it: run `apt-get install wrk` (as root)".into())
    }
}

fn start_fake(root: &Path) -> Result<Server, String> {
    start_fake_binary(root, true, &["--plan", "unlimited", "--retention", "1000"])
}

/// Builds the `zoom-mock` binary (release or debug) and starts it on a free port with `args`.
pub(crate) fn start_fake_binary(root: &Path, release: bool, args: &[&str]) -> Result<Server, String> {
    let profile = if release { "release" } else { "debug" };
    let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    build.args(["build", "--quiet", "-p", "zoom-mock", "--bin", "zoom-mock"]).current_dir(root);
    if release {
        build.arg("--release");
    }
    if !build.status().map_err(|e| format!("cannot run cargo: {e}"))?.success() {
        return Err("building the fake failed".into());
    }
    let port = free_port()?;
    let child = Command::new(root.join("target").join(profile).join("zoom-mock"))
        .args(["--port", &port.to_string()])
        .args(args)
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the fake: {e}"))?;
    Ok(Server { child, port })
}

fn start_prism(root: &Path) -> Result<Server, String> {
    let dir = root.join("target/prism");
    let bin = dir.join("node_modules/.bin/prism");
    if !bin.exists() {
        println!("installing @stoplight/prism-cli@5 into target/prism (once) ...");
        let status = Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg("@stoplight/prism-cli@5")
            .status()
            .map_err(|e| format!("cannot run npm: {e}"))?;
        if !status.success() {
            return Err("npm install @stoplight/prism-cli failed".into());
        }
    }
    let port = free_port()?;
    let child = Command::new(bin)
        .args(["mock", "crates/zoom-spec/spec/chatbot.yaml", "-h", "127.0.0.1", "-p", &port.to_string()])
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start prism: {e}"))?;
    Ok(Server { child, port })
}

/// A chatbot token from the fake, over a plain HTTP/1.1 exchange.
fn fake_token(port: u16) -> Result<String, String> {
    fake_token_for(port, "grant_type=client_credentials")
}

/// A token from the fake for a form-encoded grant, with the binary's default credentials.
pub(crate) fn fake_token_for(port: u16, body: &str) -> Result<String, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    // Basic base64("fake_client_id:fake_client_secret"), the binary's default credentials.
    write!(
        stream,
        "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic ZmFrZV9jbGllbnRfaWQ6ZmFrZV9jbGllbnRfc2VjcmV0\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).map_err(|e| e.to_string())?;
    let json = answer.split("\r\n\r\n").nth(1).ok_or("the token answer has no body")?;
    let json: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    json["access_token"].as_str().map(str::to_owned).ok_or_else(|| format!("the fake gave no token: {json}"))
}

/// The wrk script: POST a card, to ten channels in turn.
fn wrk_script(root: &Path, token: &str) -> Result<std::path::PathBuf, String> {
    let bodies: Vec<String> = (0..10)
        .map(|c| {
            let body = serde_json::json!({
                "robot_jid": "v1fakebot@xmpp.zoom.us",
                "to_jid": format!("bench{c}@conference.xmpp.zoom.us"),
                "account_id": "FakeAccount01",
                "content": {
                    "head": {"text": "Build finished", "sub_head": {"text": "main"}},
                    "body": [
                        {"type": "message", "text": "All 312 tests passed."},
                        {"type": "actions", "items": [{"text": "Deploy", "value": "deploy", "style": "Primary"}]}
                    ]
                }
            });
            format!("[{c}] = [[{body}]]")
        })
        .collect();
    let script = format!(
        "local n = 0\nlocal bodies = {{ {} }}\nlocal headers = {{ [\"Content-Type\"] = \"application/json\", [\"Authorization\"] = \"Bearer {token}\" }}\nrequest = function()\n  n = n + 1\n  return wrk.format(\"POST\", nil, headers, bodies[n % 10])\nend\n",
        bodies.join(", ")
    );
    let dir = root.join("target/bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("send.lua");
    std::fs::write(&path, script).map_err(|e| e.to_string())?;
    Ok(path)
}

/// What one wrk run reported.
struct Run {
    requests: u64,
    seconds: f64,
    non_2xx: u64,
    socket_errors: bool,
}

fn wrk(url: &str, script: &Path, connections: usize, seconds: u64) -> Result<Run, String> {
    let out = Command::new("wrk")
        .args(["-t1", &format!("-c{connections}"), &format!("-d{seconds}s"), "-s"])
        .arg(script)
        .arg(url)
        .output()
        .map_err(|e| format!("cannot run wrk: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // "  1234567 requests in 5.00s, 300.12MB read"
    let line =
        text.lines().find(|l| l.contains(" requests in ")).ok_or_else(|| format!("unexpected wrk output:\n{text}"))?;
    let mut words = line.split_whitespace();
    let requests = words.next().and_then(|n| n.parse().ok()).ok_or("wrk: no request count")?;
    let seconds = words
        .nth(2)
        .and_then(|s| s.trim_end_matches(',').trim_end_matches('s').parse().ok())
        .ok_or("wrk: no duration")?;
    let non_2xx = text
        .lines()
        .find(|l| l.contains("Non-2xx or 3xx responses:"))
        .and_then(|l| l.split(':').nth(1))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    Ok(Run { requests, seconds, non_2xx, socket_errors: text.contains("Socket errors") })
}

pub fn run(root: &Path, o: Options) -> Result<(), String> {
    ensure_wrk()?;
    if o.prism {
        require("npm", "install Node.js and npm, or pass --no-prism")?;
    }
    println!("bench-mock: chatbot sends over loopback, wrk with 1 thread and {} connections", o.connections);

    let fake = start_fake(root)?;
    wait_until_listening(fake.port, "the fake")?;
    let script = wrk_script(root, &fake_token(fake.port)?)?;
    let url = format!("http://127.0.0.1:{}/v2/im/chat/messages", fake.port);
    let pid = fake.child.id();
    let (_, start_hwm) = memory_mib(pid);
    wrk(&url, &script, o.connections, 2)?; // warm-up
    let (warm_rss, _) = memory_mib(pid);
    let (mut sends, mut seconds) = (0u64, 0f64);
    let mut samples = Vec::new();
    while sends < o.sends {
        let run = wrk(&url, &script, o.connections, 5)?;
        if run.non_2xx > 0 || run.socket_errors {
            return Err(format!("the fake refused {} sends (or sockets failed); the benchmark is void", run.non_2xx));
        }
        sends += run.requests;
        seconds += run.seconds;
        let (rss, _) = memory_mib(pid);
        println!(
            "  fake: {sends:>9} sends, {:>8.0} sends/s, resident {rss:6.1} MiB",
            run.requests as f64 / run.seconds
        );
        samples.push(rss);
    }
    let (end_rss, peak) = memory_mib(pid);
    let fake_rate = sends as f64 / seconds;
    drop(fake);

    let prism = if o.prism {
        let prism = start_prism(root)?;
        wait_until_listening(prism.port, "prism")?;
        // Prism serves paths without the server's `/v2`, and checks only that a bearer is present.
        let script = wrk_script(root, "benchmark")?;
        let url = format!("http://127.0.0.1:{}/im/chat/messages", prism.port);
        wrk(&url, &script, o.connections, 2)?;
        let run = wrk(&url, &script, o.connections, o.prism_seconds)?;
        let (rss, hwm) = memory_mib(prism.child.id());
        if run.non_2xx > 0 {
            return Err(format!("prism refused {} sends; the comparison is void", run.non_2xx));
        }
        Some((run.requests, run.requests as f64 / run.seconds, rss, hwm))
    } else {
        None
    };

    let first = samples.first().copied().unwrap_or(warm_rss);
    println!();
    println!("| server | sends | sends/s | resident MiB after warm-up / first 5 s / end | peak MiB |");
    println!("|---|---|---|---|---|");
    println!(
        "| zoom-mock (fake Zoom) | {sends} | {fake_rate:.0} | {warm_rss:.1} / {first:.1} / {end_rss:.1} | {peak:.1} (at start {start_hwm:.1}) |"
    );
    if let Some((requests, rate, rss, hwm)) = prism {
        println!("| Prism 5 (same spec) | {requests} | {rate:.0} | - / - / {rss:.1} | {hwm:.1} |");
        println!();
        println!("ratio fake / Prism: {:.1}x", fake_rate / rate);
    }
    Ok(())
}
