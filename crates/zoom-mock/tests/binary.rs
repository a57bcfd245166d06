//! The `zoom-mock` program itself: its arguments parse, it serves, and `event` sends.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_zoom-mock");

#[tokio::test]
async fn the_binary_starts_with_its_options_and_serves() {
    let mut child = Command::new(BIN)
        .args(["--port", "0", "--plan", "pro", "--rate", "medium=5", "--force-429", "1", "--seed", "7"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    // Kept until the end: the binary keeps printing, and a closed pipe would make it fail.
    let mut output = BufReader::new(child.stdout.take().unwrap());
    output.read_line(&mut first).unwrap();
    let addr = first.trim().rsplit(' ').next().unwrap().to_owned();
    let token = reqwest::Client::new()
        .post(format!("http://{addr}/oauth/token"))
        .basic_auth("fake_client_id", Some("fake_client_secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200, "{first}");
    let limited = reqwest::Client::new().get(format!("http://{addr}/v2/chat/users/me/messages")).send().await.unwrap();
    assert_eq!(limited.status(), 429, "--force-429 1 holds the first API request");
    child.kill().unwrap();
    child.wait().unwrap();
    drop(output);
}

#[test]
fn a_wrong_plan_is_refused_with_a_clear_message() {
    let out = Command::new(BIN).args(["--port", "0", "--plan", "platinum"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown plan \"platinum\""), "{err}");
}

#[test]
fn event_reports_an_endpoint_it_cannot_reach() {
    let out = Command::new(BIN)
        .args(["event", "--url", "http://127.0.0.1:1/zoom/events", "--secret", "s", "slash", "hello"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not be reached"));
}
