//! The `zoom-mock` program itself: its arguments parse, it serves, and `event` sends.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};

use crate::common;
use common::{http, recording_bot};

const BIN: &str = env!("CARGO_BIN_EXE_zoom-mock");

/// A file of this test process holding `text`.
fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("zoom-mock-binary-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The binary serving: the process, its output (kept until the end: the binary keeps printing,
/// and a closed pipe would make it fail), its first line and the address that line ends with.
struct Serving {
    child: Child,
    output: BufReader<ChildStdout>,
    first: String,
    addr: String,
}

/// Starts `command` (the binary, serving) and reads the address it listens on.
fn serving(command: &mut Command) -> Serving {
    let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
    let mut output = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    output.read_line(&mut first).unwrap();
    let addr = first.trim().rsplit(' ').next().unwrap().to_owned();
    Serving { child, output, first, addr }
}

/// Runs the binary with `args` (no secret in its environment) and waits for it to exit: a
/// program still running after ten seconds is killed and reported.
fn exits_with(args: &[&str], secret_variable: Option<&str>) -> std::process::Output {
    let mut command = Command::new(BIN);
    command.args(args).env_remove("ZOOM_WEBHOOK_SECRET_TOKEN").stdout(Stdio::piped()).stderr(Stdio::piped());
    if let Some(secret) = secret_variable {
        command.env("ZOOM_WEBHOOK_SECRET_TOKEN", secret);
    }
    let mut child = command.spawn().unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(10) {
            child.kill().unwrap();
            panic!("zoom-mock {args:?} did not exit: it took what it was given");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_secret_on_the_command_line_is_refused_with_where_to_put_it() {
    for (args, flag, file_flag) in [
        (
            &["--port", "0", "--bot-url", "http://127.0.0.1:1/e", "--bot-secret", "hunter2"][..],
            "--bot-secret",
            "--bot-secret-file",
        ),
        (
            &["event", "--url", "http://127.0.0.1:1/e", "--secret", "hunter2", "validate"][..],
            "--secret",
            "--secret-file",
        ),
    ] {
        let out = exits_with(args, None);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("{flag} is refused")), "{err}");
        assert!(err.contains("ZOOM_WEBHOOK_SECRET_TOKEN") && err.contains(file_flag), "{err}");
        assert!(!err.contains("hunter2") && !String::from_utf8_lossy(&out.stdout).contains("hunter2"), "{err}");
    }
    // No secret anywhere: the reason, before anything starts.
    let out = exits_with(&["--port", "0", "--bot-url", "http://127.0.0.1:1/e"], None);
    assert!(String::from_utf8_lossy(&out.stderr).contains("set ZOOM_WEBHOOK_SECRET_TOKEN, or give --bot-secret-file"));
    let empty = temp_file("empty", "\n");
    let out = exits_with(
        &["event", "--url", "http://127.0.0.1:1/e", "--secret-file", empty.to_str().unwrap(), "validate"],
        None,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("the file is empty"), "{out:?}");
    // From the file, the secret signs the event (the endpoint is unreachable: the signing went).
    let file = temp_file("secret", "s");
    let out = exits_with(
        &["event", "--url", "http://127.0.0.1:1/e", "--secret-file", file.to_str().unwrap(), "validate"],
        None,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not be reached"), "{out:?}");
}

#[tokio::test]
async fn the_binary_starts_with_its_options_and_serves() {
    let Serving { mut child, output, first, addr } = serving(Command::new(BIN).args([
        "--port",
        "0",
        "--plan",
        "pro",
        "--rate",
        "medium=5",
        "--force-429",
        "1",
        "--seed",
        "7",
    ]));
    let token = http()
        .post(format!("http://{addr}/oauth/token"))
        .basic_auth("fake_client_id", Some("fake_client_secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200, "{first}");
    let limited = http().get(format!("http://{addr}/v2/chat/users/me/messages")).send().await.unwrap();
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
        .args(["event", "--url", "http://127.0.0.1:1/zoom/events", "slash", "hello"])
        .env("ZOOM_WEBHOOK_SECRET_TOKEN", "s")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not be reached"));
}

#[tokio::test]
async fn event_sends_every_kind_in_zooms_shape() {
    let (url, seen) = recording_bot("/zoom/events").await;
    let kinds: [&[&str]; 5] = [
        &["slash", "hello"],
        &["click", "--message-id", "M1", "--value", "add"],
        &["select", "--message-id", "M1", "--value", "lions", "--value", "bears"],
        &["edit", "--message-id", "M1", "edited text"],
        &["edit", "--message-id", "M1", "--field", "Title", "Engineer"],
    ];
    let installs: [&[&str]; 2] =
        [&["installed", "--account-id", "AcmeAccount"], &["deauthorized", "--account-id", "AcmeAccount"]];
    let link: &[&str] = &["link", "https://example.com/x", "--trigger-id", "T1"];
    for args in kinds.iter().copied().chain([link]).chain(installs) {
        let (url, owned): (String, Vec<String>) = (url.clone(), args.iter().map(|a| a.to_string()).collect());
        // The endpoint runs on this test's runtime: the program is waited for off it.
        let out = tokio::task::spawn_blocking(move || {
            Command::new(BIN)
                .args(["event", "--url", &url])
                .args(&owned)
                .env("ZOOM_WEBHOOK_SECRET_TOKEN", "s")
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("HTTP 200"), "{args:?}");
    }
    let seen = seen.lock().unwrap();
    let names: Vec<&str> = seen.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "bot_notification",
            "interactive_message_actions",
            "interactive_message_select",
            "interactive_message_editable",
            "interactive_message_fields_editable",
            "team_chat.link_shared",
            "bot_installed",
            "app_deauthorized"
        ]
    );
    // Every body is an event of the spec, and holds what the command said.
    let validator = zoom_spec::Validator::new(zoom_spec::spec());
    for event in seen.iter() {
        assert!(validator.validate_component("ZoomEvent", event, "").unwrap().is_empty(), "{event}");
        serde_json::from_value::<zoom_api_gen::types::ZoomEvent>(event.clone()).unwrap();
    }
    assert_eq!(seen[2]["payload"]["selectedItems"], serde_json::json!([{"value": "lions"}, {"value": "bears"}]));
    assert_eq!(seen[3]["payload"]["editItem"]["target"], "edited text");
    assert_eq!(seen[4]["payload"]["fieldEditItem"]["key"], "Title");
    assert_eq!(seen[5]["payload"]["object"]["trigger_id"], "T1");
    assert!(seen[5]["response_url"].as_str().unwrap().ends_with("/unfurls/T1"));
    assert_eq!(seen[6]["payload"]["accountId"], "AcmeAccount");
    assert_eq!(seen[7]["payload"]["account_id"], "AcmeAccount");
}

#[test]
fn card_check_names_each_broken_rule_and_exits_2() {
    let good = temp_file("good.json", r#"{"head": {"text": "ok"}}"#);
    let bad = temp_file("bad.json", r#"{"body": [{"type": "message"}]}"#);
    let ok = Command::new(BIN).args(["card", "check", good.to_str().unwrap()]).output().unwrap();
    assert_eq!(ok.status.code(), Some(0));
    let refused = Command::new(BIN).args(["card", "check", bad.to_str().unwrap()]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("content.body[0].text: is required"));
}

#[tokio::test]
async fn bot_url_connects_the_pages_user_to_a_bot() {
    let (url, seen) = recording_bot("/zoom/events").await;
    // The secret from a file, its line's end not part of it.
    let file = temp_file("bot-secret", "s\n");
    let Serving { mut child, mut output, addr, .. } = serving(
        Command::new(BIN)
            .args(["--port", "0", "--bot-url", &url, "--bot-secret-file", file.to_str().unwrap()])
            .env_remove("ZOOM_WEBHOOK_SECRET_TOKEN"),
    );
    // The bot line comes after the handshake, which runs on this test's runtime.
    let bot_line = tokio::task::spawn_blocking(move || {
        let line = (&mut output).lines().map(Result::unwrap).find(|l| l.trim_start().starts_with("bot:"));
        (line, output)
    })
    .await
    .unwrap();
    assert!(bot_line.0.as_deref().unwrap_or("").ends_with("(validated)"), "{:?}", bot_line.0);
    let answer = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("http://{addr}/_fake/act/command"))
        .header("origin", format!("http://{addr}"))
        .form(&[("to_jid", "general@conference.xmpp.zoom.us"), ("text", "/deploy api")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
    let names: Vec<(String, String)> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|e| (e["event"].as_str().unwrap().to_owned(), e["payload"]["cmd"].as_str().unwrap_or("").to_owned()))
        .collect();
    assert_eq!(names, [("endpoint.url_validation".into(), "".into()), ("bot_notification".into(), "api".into())]);
    child.kill().unwrap();
    child.wait().unwrap();
    drop(bot_line.1);
}

#[tokio::test]
async fn allow_host_adds_a_name_the_page_answers_on() {
    let Serving { mut child, output, addr, .. } =
        serving(Command::new(BIN).args(["--port", "0", "--allow-host", "zoom-mock.test", "--allow-host", "10.1.2.3"]));
    let page = |host: &'static str| http().get(format!("http://{addr}/")).header("host", host).send();
    assert_eq!(page("zoom-mock.test:9090").await.unwrap().status(), 200);
    assert_eq!(page("10.1.2.3").await.unwrap().status(), 200);
    assert_eq!(page("evil.example").await.unwrap().status(), 403);
    child.kill().unwrap();
    child.wait().unwrap();
    drop(output);

    let refused = Command::new(BIN).args(["--port", "0", "--allow-host", "http://x/"]).output().unwrap();
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("is not a host name or address"), "{err}");
}

#[tokio::test]
async fn accounts_n_serves_n_accounts_with_the_app_installed_on_each() {
    let mut child = Command::new(BIN).args(["--port", "0", "--accounts", "3"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut output = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    while !printed.contains("Ctrl-C") {
        assert_ne!(output.read_line(&mut printed).unwrap(), 0, "the binary stopped: {printed}");
    }
    let addr = printed.lines().next().unwrap().trim().rsplit(' ').next().unwrap().to_owned();
    // Mixed plans, printed at start.
    for line in ["FakeAccount01 (business", "FakeAccount02 (pro", "FakeAccount03 (free"] {
        assert!(printed.contains(line), "{line:?} in {printed}");
    }
    let client = http();
    let token = |form: Vec<(&'static str, &'static str)>| {
        client
            .post(format!("http://{addr}/oauth/token"))
            .basic_auth("fake_client_id", Some("fake_client_secret"))
            .form(&form)
            .send()
    };
    let s2s = token(vec![("grant_type", "account_credentials"), ("account_id", "FakeAccount03")]).await.unwrap();
    assert_eq!(s2s.status(), 200);
    let bot: serde_json::Value = token(vec![("grant_type", "client_credentials")]).await.unwrap().json().await.unwrap();
    let send = |account: &str| {
        client
            .post(format!("http://{addr}/v2/im/chat/messages"))
            .bearer_auth(bot["access_token"].as_str().unwrap())
            .json(
                &serde_json::json!({"robot_jid": "v1fakebot@xmpp.zoom.us", "to_jid": "general@conference.xmpp.zoom.us",
                "account_id": account, "content": {"head": {"text": "hi"}}}),
            )
            .send()
    };
    assert_eq!(send("FakeAccount03").await.unwrap().status(), 201, "installed on the third");
    assert_eq!(send("FakeAccount04").await.unwrap().status(), 403, "there is no fourth");
    child.kill().unwrap();
    child.wait().unwrap();
    drop(output);
}
