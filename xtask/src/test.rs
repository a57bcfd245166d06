//! `cargo xtask test [ARGS]`: the whole test suite, on a machine that may never have run it.
//! The tests use real components: headless Chromium and its WebDriver (the browser test),
//! `redis-server` (the replica tests), OpenSSL's headers (the `native-tls` feature). What is
//! missing is installed from Debian's packages when this runs as root with `apt-get`;
//! otherwise it stops before testing and prints the one command that installs it. Then
//! `cargo test --workspace --all-features --locked ARGS` runs.

use std::path::Path;
use std::process::Command;

/// A component the tests need: how to tell it is there, and the Debian package that brings it.
struct Component {
    what: &'static str,
    present: fn() -> bool,
    package: &'static str,
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

const COMPONENTS: [Component; 5] = [
    Component { what: "Chromium (the browser test)", present: || on_path("chromium"), package: "chromium" },
    Component {
        what: "ChromeDriver (the browser test)",
        present: || on_path("chromedriver"),
        package: "chromium-driver",
    },
    Component {
        what: "redis-server (the replica tests)",
        present: || on_path("redis-server"),
        package: "redis-server",
    },
    Component {
        what: "pkg-config (the native-tls feature's build)",
        present: || on_path("pkg-config"),
        package: "pkg-config",
    },
    Component {
        what: "OpenSSL's headers (the native-tls feature's build)",
        present: || Path::new("/usr/include/openssl/ssl.h").is_file(),
        package: "libssl-dev",
    },
];

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn run(command: &mut Command) -> Result<(), String> {
    let status = command.status().map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{command:?} failed ({status})")) }
}

/// Installs what is missing, or says how.
fn set_up() -> Result<(), String> {
    let missing: Vec<&Component> = COMPONENTS.iter().filter(|c| !(c.present)()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let packages: Vec<&str> = missing.iter().map(|c| c.package).collect();
    for c in &missing {
        eprintln!("xtask test: missing {} (Debian package {})", c.what, c.package);
    }
    if !(is_root() && on_path("apt-get")) {
        return Err(format!(
            "the tests need these first; install them and run again:\n    sudo apt-get update && sudo apt-get install -y {}",
            packages.join(" ")
        ));
    }
    eprintln!("xtask test: installing {} with apt-get", packages.join(" "));
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq"])
        .args(&packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    let still: Vec<&str> = COMPONENTS.iter().filter(|c| !(c.present)()).map(|c| c.what).collect();
    if still.is_empty() { Ok(()) } else { Err(format!("still missing after the install: {}", still.join(", "))) }
}

pub fn run_tests(root: &Path, args: &[&str]) -> Result<(), String> {
    set_up()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(Command::new(cargo).current_dir(root).args(["test", "--workspace", "--all-features", "--locked"]).args(args))
}
