//! A real `redis-server` for one test: on a free loopback port, with no persistence, stopped
//! when dropped; it can be killed and started again on the same port mid-test. Needs Debian's
//! `redis-server` package (`.ci/run` installs it when missing) or `REDIS_SERVER` naming one.
//! Shared by this crate's tests and the command line's tests and bench, which use parts of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    /// `(certificate, key)` files: the server answers only TLS on its port.
    tls: Option<(PathBuf, PathBuf)>,
}

fn binary() -> PathBuf {
    let path = std::env::var_os("REDIS_SERVER").map(PathBuf::from).unwrap_or_else(|| "/usr/bin/redis-server".into());
    assert!(
        path.exists(),
        "{} not found: install Debian's redis-server package (`.ci/run` does), or set REDIS_SERVER",
        path.display()
    );
    path
}

impl RedisServer {
    /// A server on a free port, answering before this returns.
    pub fn start() -> Self {
        Self::start_with(None)
    }

    /// A server that speaks only TLS, with this certificate and key.
    pub fn start_tls(certificate: PathBuf, key: PathBuf) -> Self {
        Self::start_with(Some((certificate, key)))
    }

    fn start_with(tls: Option<(PathBuf, PathBuf)>) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut server = Self { child: None, port, tls };
        server.restart();
        server
    }

    /// `redis://127.0.0.1:PORT` (`rediss://` with TLS).
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "rediss" } else { "redis" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// Stops the server at once (SIGKILL: as a crash).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server (again) on its port, empty, and waits until it answers.
    pub fn restart(&mut self) {
        self.kill();
        let mut command = Command::new(binary());
        command.args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
        match &self.tls {
            None => command.args(["--port", &self.port.to_string()]),
            Some((certificate, key)) => command
                .args(["--port", "0", "--tls-port", &self.port.to_string(), "--tls-auth-clients", "no"])
                .arg("--tls-cert-file")
                .arg(certificate)
                .arg("--tls-key-file")
                .arg(key),
        };
        let child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("redis-server starts");
        self.child = Some(child);
        let started = Instant::now();
        if self.tls.is_some() {
            // A TLS port: listening is all that can be checked without a TLS client.
            while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                assert!(started.elapsed() < Duration::from_secs(10), "redis-server did not listen on {}", self.port);
                std::thread::sleep(Duration::from_millis(20));
            }
            return;
        }
        loop {
            if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
                use std::io::{Read, Write};
                let mut answer = [0u8; 7];
                if stream.write_all(b"PING\r\n").is_ok()
                    && stream.read_exact(&mut answer).is_ok()
                    && &answer == b"+PONG\r\n"
                {
                    return;
                }
            }
            assert!(started.elapsed() < Duration::from_secs(10), "redis-server did not answer on {}", self.port);
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
