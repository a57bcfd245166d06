//! The `zoom-chatbot` program itself, against an in-process fake Zoom (the same server the
//! `zoom-mock` binary runs): every sub-command, and every exit code.

use std::process::{Command, Output};

use zoom_mock::fake::{ConversationId, OperationId, RateLabel, ZoomMock};

use crate::support;
use support::{BIN, CHANNEL, err, program, temp_file as temp};

/// The program with the fake's `ZOOM_*` configuration; run off the test's runtime, which
/// serves the fake.
async fn run(fake: &ZoomMock, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = program(fake);
    command.args(args);
    let input = stdin.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn().unwrap();
        let mut pipe = child.stdin.take().unwrap();
        if let Some(text) = input {
            pipe.write_all(text.as_bytes()).unwrap();
        }
        drop(pipe);
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

fn general(fake: &ZoomMock) -> Vec<zoom_mock::fake::StoredMessage> {
    fake.conversation(&ConversationId::channel("general").unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_edit_delete_and_their_exit_codes() {
    let fake = ZoomMock::start().await.unwrap();
    let sent = run(&fake, &["send", "--to", CHANNEL, "--text", "hi"], None).await;
    assert_eq!(sent.status.code(), Some(0), "{}", err(&sent));
    let id = out(&sent);
    assert!(fake.message(&id).is_some(), "the printed id is a message the fake holds");

    let flags = ["send", "--to", CHANNEL, "--head", "Build #42", "--field", "branch=main", "--button", "Logs=logs"];
    let json = run(&fake, &[&flags[..], &["--color", "#00FF00", "--json", "--reply-to", &id]].concat(), None).await;
    assert_eq!(json.status.code(), Some(0), "{}", err(&json));
    let answer: serde_json::Value = serde_json::from_str(&out(&json)).unwrap();
    let reply = fake.message(answer["message_id"].as_str().unwrap()).unwrap();
    assert_eq!(reply.reply_to.as_deref(), Some(id.as_str()));
    let card = serde_json::to_value(reply.card().unwrap()).unwrap();
    assert_eq!(card["body"][0]["type"], "section");
    assert_eq!(card["body"][0]["sections"][1]["items"][0]["value"], "logs");

    let file = temp("card.json", r#"{"head": {"text": "From a file"}}"#);
    let edited = run(&fake, &["edit", &id, "--card", file.to_str().unwrap()], None).await;
    assert_eq!(edited.status.code(), Some(0), "{}", err(&edited));
    assert_eq!(fake.message(&id).unwrap().text(), "From a file");
    let from_stdin =
        run(&fake, &["send", "--to", CHANNEL, "--card", "-"], Some(r#"{"head": {"text": "piped"}}"#)).await;
    assert_eq!(from_stdin.status.code(), Some(0), "{}", err(&from_stdin));

    let deleted = run(&fake, &["delete", &id], None).await;
    assert_eq!(deleted.status.code(), Some(0));
    assert!(fake.message(&id).unwrap().deleted_at.is_some());

    // 2: invalid input, refused before anything is sent.
    let before = fake.requests().len();
    let bad = run(&fake, &["send", "--to", "nobody", "--text", "x"], None).await;
    assert_eq!(bad.status.code(), Some(2));
    assert!(err(&bad).contains("to_jid"), "the field is named: {}", err(&bad));
    let no_content = run(&fake, &["send", "--to", CHANNEL], None).await;
    assert_eq!(no_content.status.code(), Some(2));
    let usage = run(&fake, &["send", "--text", "x"], None).await;
    assert_eq!(usage.status.code(), Some(2), "clap's usage error");
    assert_eq!(fake.requests().len(), before, "nothing was sent");

    // 3: Zoom refused, with its code and tracking id.
    let gone = run(&fake, &["delete", "NOPE"], None).await;
    assert_eq!(gone.status.code(), Some(3));
    assert!(err(&gone).contains("code 8001") && err(&gone).contains("tracking id fake-"), "{}", err(&gone));

    // 4: rate limited after the retries.
    fake.force_rate_limit(100);
    let limited = run(&fake, &["send", "--to", CHANNEL, "--text", "x"], None).await;
    assert_eq!(limited.status.code(), Some(4), "{}", err(&limited));
    fake.force_rate_limit(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_failure_is_exit_5_and_secrets_come_from_files() {
    let fake = ZoomMock::start().await.unwrap();
    let down = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let url = format!("http://{down}");
    let failed =
        run(&fake, &["--oauth-url", &url, "--api-url", &url, "send", "--to", CHANNEL, "--text", "x"], None).await;
    assert_eq!(failed.status.code(), Some(5), "{}", err(&failed));

    // The secret from a file (and the environment's one is wrong).
    let secret = temp("secret", &format!("{}\n", fake.client_secret()));
    let mut command = Command::new(BIN);
    command
        .args(["--client-secret-file", secret.to_str().unwrap(), "send", "--to", CHANNEL, "--text", "from a file"])
        .env_clear()
        .env("ZOOM_CLIENT_ID", fake.client_id())
        .env("ZOOM_CLIENT_SECRET", "wrong")
        .env("ZOOM_ACCOUNT_ID", fake.account_id())
        .env("ZOOM_ROBOT_JID", fake.robot_jid())
        .env("ZOOM_API_URL", fake.api_base_url())
        .env("ZOOM_OAUTH_URL", fake.oauth_base_url());
    let sent = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    assert_eq!(sent.status.code(), Some(0), "{}", err(&sent));
    // A Marketplace app's credentials name no account: each call does (--account), and a
    // send without one is refused before anything is sent.
    let marketplace = |args: &[&str]| {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .env_clear()
            .env("ZOOM_CLIENT_ID", fake.client_id())
            .env("ZOOM_CLIENT_SECRET", fake.client_secret())
            .env("ZOOM_ROBOT_JID", fake.robot_jid())
            .env("ZOOM_API_URL", fake.api_base_url())
            .env("ZOOM_OAUTH_URL", fake.oauth_base_url());
        tokio::task::spawn_blocking(move || command.output().unwrap())
    };
    let before = fake.requests().len();
    let refused = marketplace(&["send", "--to", CHANNEL, "--text", "x"]).await.unwrap();
    assert_ne!(refused.status.code(), Some(0));
    assert!(err(&refused).contains("--account") || err(&refused).contains("account"), "{}", err(&refused));
    assert_eq!(fake.requests().len(), before, "nothing was sent");
    let account = fake.account_id();
    let sent =
        marketplace(&["--account", &account, "send", "--to", CHANNEL, "--text", "to one account"]).await.unwrap();
    assert_eq!(sent.status.code(), Some(0), "{}", err(&sent));
    // No flag takes a secret.
    let help = run(&fake, &["--help"], None).await;
    assert!(!out(&help).contains("--client-secret "), "{}", out(&help));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfurl_webhook_token_card_check_and_completions() {
    let fake = ZoomMock::start().await.unwrap();
    let trigger = fake.link_shared_trigger();
    let unfurled = run(&fake, &["unfurl", "--user-id", "me", "--trigger-id", &trigger, "--head", "PR #42"], None).await;
    assert_eq!(unfurled.status.code(), Some(0), "{}", err(&unfurled));
    assert_eq!(fake.unfurls().len(), 1);
    let unknown = run(&fake, &["unfurl", "--user-id", "me", "--trigger-id", "nope", "--head", "x"], None).await;
    assert_eq!(unknown.status.code(), Some(3));

    let (hook, token) = fake.incoming_webhook("alerts");
    let url = format!("{}/chat/webhooks/incomingwebhook/{hook}", fake.webhook_base_url());
    let token_file = temp("hook-token", &token);
    let tf = token_file.to_str().unwrap();
    for args in [
        vec!["webhook", &url, "--token-file", tf, "--head", "Disk full"],
        vec!["webhook", &url, "--token-file", tf, "--format", "message", "--text", "Backup done"],
        vec!["webhook", &url, "--token-file", tf, "--format", "fields", "--field", "host=db1"],
    ] {
        let posted = run(&fake, &args, None).await;
        assert_eq!(posted.status.code(), Some(0), "{args:?}: {}", err(&posted));
    }
    assert_eq!(fake.conversation_of_jid("alerts@conference.xmpp.zoom.us").len(), 3);
    let wrong = temp("wrong-token", "not-it");
    let refused = run(
        &fake,
        &["webhook", &url, "--token-file", wrong.to_str().unwrap(), "--text", "x", "--format", "message"],
        None,
    )
    .await;
    assert_eq!(refused.status.code(), Some(3));

    let shown = run(&fake, &["token"], None).await;
    assert_eq!(shown.status.code(), Some(0));
    assert!(out(&shown).contains("imchat:bot") && !out(&shown).contains("token: "), "{}", out(&shown));
    let issued: Vec<String> = fake
        .requests()
        .iter()
        .filter(|r| r.operation == Some(OperationId::RequestToken))
        .filter_map(|r| serde_json::from_slice::<serde_json::Value>(&r.response_body).ok())
        .filter_map(|v| v["access_token"].as_str().map(str::to_owned))
        .collect();
    assert!(issued.iter().all(|t| !out(&shown).contains(t.as_str())), "the token is not printed without --show");
    let with_token = run(&fake, &["token", "--show"], None).await;
    assert!(out(&with_token).contains("token: "));

    let good = run(&fake, &["card", "check", "-"], Some(r#"{"head": {"text": "ok"}}"#)).await;
    assert_eq!(good.status.code(), Some(0));
    let bad = run(&fake, &["card", "check", "-"], Some(r#"{"body": [{"type": "message"}]}"#)).await;
    assert_eq!(bad.status.code(), Some(2));
    assert!(err(&bad).contains("content.body[0].text: is required"), "{}", err(&bad));

    let completions = run(&fake, &["completions", "bash"], None).await;
    assert_eq!(completions.status.code(), Some(0));
    assert!(out(&completions).contains("zoom-chatbot"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_at_the_limit_meets_no_429_and_writes_ids_and_what_failed() {
    let fake = ZoomMock::builder().rate(RateLabel::Medium, 40).start().await.unwrap();
    let mut lines: Vec<String> =
        (0..120).map(|i| serde_json::json!({"to": CHANNEL, "text": format!("bulk {i}")}).to_string()).collect();
    lines.push(r#"{"to": "nobody", "text": "lost"}"#.into());
    lines.push(r#"{"to": "general@conference.xmpp.zoom.us"}"#.into());
    let input = temp("bulk.jsonl", &lines.join("\n"));
    let (ids, failed) = (input.with_file_name("ids.tsv"), input.with_file_name("failed.jsonl"));
    let args = [
        "bulk",
        input.to_str().unwrap(),
        "--rate",
        "40",
        "--ids",
        ids.to_str().unwrap(),
        "--failed",
        failed.to_str().unwrap(),
    ];
    let ran = run(&fake, &args, None).await;
    assert_eq!(ran.status.code(), Some(2), "two lines are invalid: {}", err(&ran));
    assert!(err(&ran).contains("sent 120 of 122"), "{}", err(&ran));
    let statuses: Vec<u16> = fake
        .requests()
        .iter()
        .filter(|r| r.operation == Some(OperationId::SendChatbotMessage))
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses.len(), 120);
    assert!(statuses.iter().all(|s| *s == 201), "no 429 at the limit");
    let written: Vec<String> = std::fs::read_to_string(&ids).unwrap().lines().map(str::to_owned).collect();
    assert_eq!(written.len(), 120);
    let (_, first) = written[0].split_once('\t').unwrap();
    assert!(fake.message(first).is_some());
    assert_eq!(general(&fake).len(), 120);

    // The failed lines, with their errors, resume: fixed, they go.
    let resumed = std::fs::read_to_string(&failed).unwrap();
    assert_eq!(resumed.lines().count(), 2);
    assert!(resumed.contains("\"error\"") && resumed.contains("to_jid"), "{resumed}");
    let fixed: Vec<String> = resumed
        .lines()
        .map(|line| {
            let mut entry: serde_json::Value = serde_json::from_str(line).unwrap();
            entry["to"] = CHANNEL.into();
            if entry.get("text").is_none() {
                entry["text"] = "added".into();
            }
            entry.to_string()
        })
        .collect();
    let fixed = fixed.join("\n");
    let again = temp("again.jsonl", &fixed);
    let rerun = run(&fake, &["bulk", again.to_str().unwrap()], None).await;
    assert_eq!(rerun.status.code(), Some(0), "{} / {fixed}", err(&rerun));
    assert_eq!(general(&fake).len(), 122);
}

/// The issue's own check, with the `zoom-mock` binary as the fake: a send prints a message id
/// that the fake then holds (read back through the fake's chat API).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_against_the_fake_binary_prints_an_id_the_fake_holds() {
    let fake_bin = std::path::Path::new(BIN).with_file_name("zoom-mock");
    if !fake_bin.exists() {
        // `cargo test -p zoom-chatbot-cli` alone does not build the other package's binary.
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let built = Command::new(cargo).args(["build", "-p", "zoom-mock", "--bin", "zoom-mock"]).status().unwrap();
        assert!(built.success());
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut fake = Command::new(&fake_bin)
        .args(["--port", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let origin = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // The binary's default credentials, as it prints them.
    let output = Command::new(BIN)
        .args(["send", "--to", CHANNEL, "--text", "hi"])
        .env_clear()
        .env("ZOOM_CLIENT_ID", "fake_client_id")
        .env("ZOOM_CLIENT_SECRET", "fake_client_secret")
        .env("ZOOM_ACCOUNT_ID", "FakeAccount01")
        .env("ZOOM_ROBOT_JID", "v1fakebot@xmpp.zoom.us")
        .env("ZOOM_API_URL", format!("{origin}/v2"))
        .env("ZOOM_OAUTH_URL", &origin)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    let id = out(&output);

    let http = reqwest_free_get(&origin, "/v2/chat/users/me/messages?to_channel=general");
    let _ = fake.kill();
    let _ = fake.wait();
    assert!(http.contains(&id), "the fake holds {id}: {http}");
}

/// A server-to-server token from the fake binary, then a GET with it, over plain HTTP/1.1.
fn reqwest_free_get(origin: &str, path: &str) -> String {
    use std::io::{Read as _, Write as _};
    let host = origin.trim_start_matches("http://");
    let exchange = |request: String| {
        let mut stream = std::net::TcpStream::connect(host).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned()
    };
    let form = "grant_type=account_credentials&account_id=FakeAccount01";
    // Basic base64("fake_client_id:fake_client_secret").
    let token = exchange(format!(
        "POST /oauth/token HTTP/1.1\r\nHost: {host}\r\nAuthorization: Basic ZmFrZV9jbGllbnRfaWQ6ZmFrZV9jbGllbnRfc2VjcmV0\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    ));
    let token: serde_json::Value = serde_json::from_str(&token).unwrap();
    let token = token["access_token"].as_str().unwrap();
    exchange(format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_lookup_prints_the_jid_or_zooms_refusal() {
    let fake = ZoomMock::builder().user("AnaId", "ana@example.com").start().await.unwrap();
    let found = run(&fake, &["users", "lookup", "ana@example.com"], None).await;
    assert!(found.status.success(), "{}", err(&found));
    assert!(
        out(&found).contains("jid:   anaid@xmpp.zoom.us") && out(&found).contains("id:    AnaId"),
        "{}",
        out(&found)
    );
    let json = run(&fake, &["users", "lookup", "ana@example.com", "--json"], None).await;
    let user: serde_json::Value = serde_json::from_str(&out(&json)).unwrap();
    assert_eq!(user["jid"], "anaid@xmpp.zoom.us");

    let unknown = run(&fake, &["users", "lookup", "bob@example.com"], None).await;
    assert_eq!(unknown.status.code(), Some(3), "Zoom's refusal");
    assert!(err(&unknown).contains("code 1001"), "{}", err(&unknown));
    let before = fake.requests().len();
    let malformed = run(&fake, &["users", "lookup", "bob"], None).await;
    assert_eq!(malformed.status.code(), Some(2));
    assert!(err(&malformed).contains("email"), "{}", err(&malformed));
    assert_eq!(fake.requests().len(), before, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channels_create_list_and_invite_print_what_zoom_answered() {
    let fake =
        ZoomMock::builder().user("AnaId", "ana@example.com").user("BoId", "bo@example.com").start().await.unwrap();
    let made = run(&fake, &["channels", "create", "incident-7", "--member", "ana@example.com"], None).await;
    assert!(made.status.success(), "{}", err(&made));
    let id_line = out(&made).lines().find_map(|l| l.strip_prefix("id:    ").map(str::to_owned)).unwrap();
    assert!(out(&made).contains(&format!("jid:   {id_line}@conference.xmpp.zoom.us")), "{}", out(&made));
    let held = fake.channel(&id_line).expect("the fake made the channel");
    assert_eq!(held.name, "incident-7");
    assert!(held.has_member("AnaId"));

    let listed = run(&fake, &["channels", "list"], None).await;
    assert!(listed.status.success(), "{}", err(&listed));
    assert_eq!(out(&listed).trim(), format!("{id_line}  {id_line}@conference.xmpp.zoom.us  incident-7"));

    let invited = run(&fake, &["channels", "invite", &id_line, "bo@example.com"], None).await;
    assert!(invited.status.success(), "{}", err(&invited));
    assert_eq!(out(&invited).trim(), "invited: BoId");
    assert!(fake.channel(&id_line).unwrap().has_member("bo@example.com"));

    let unknown = run(&fake, &["channels", "invite", "0123456789abcdef", "bo@example.com"], None).await;
    assert_eq!(unknown.status.code(), Some(3), "Zoom's refusal");
    assert!(err(&unknown).contains("code 4130"), "{}", err(&unknown));
    let before = fake.requests().len();
    for bad in [&["channels", "invite", "a/b", "bo@example.com"][..], &["channels", "create", "x", "--member", "bo"]] {
        let refused = run(&fake, bad, None).await;
        assert_eq!(refused.status.code(), Some(2), "{bad:?}: {}", err(&refused));
    }
    assert_eq!(fake.requests().len(), before, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_file_lands_in_the_conversation_with_its_bytes_and_no_bar_off_a_terminal() {
    let fake = ZoomMock::start().await.unwrap();
    let text = "line\n".repeat(50_000);
    let path = temp("build.log", &text);
    let sent = run(&fake, &["send", "--to", CHANNEL, "--file", path.to_str().unwrap()], None).await;
    assert_eq!(sent.status.code(), Some(0), "{}", err(&sent));
    let id = out(&sent);
    let message = general(&fake).into_iter().find(|m| m.id == id).expect("the printed id is the file's message");
    let zoom_mock::fake::MessageContent::Text(body) = &message.content else { panic!("a user's message") };
    let file = fake.file(&body.file_ids[0]).unwrap();
    assert_eq!((file.name.as_str(), &file.bytes[..]), ("build.log", text.as_bytes()));
    assert!(!err(&sent).contains('['), "no bar when stderr is not a terminal: {}", err(&sent));

    // A reply in the thread, and the JSON answer.
    let json =
        run(&fake, &["send", "--to", CHANNEL, "--file", path.to_str().unwrap(), "--reply-to", &id, "--json"], None)
            .await;
    let answer: serde_json::Value = serde_json::from_str(&out(&json)).unwrap();
    assert_eq!(fake.message(answer["message_id"].as_str().unwrap()).unwrap().reply_to.as_deref(), Some(id.as_str()));

    // Refused before sending: an empty file (2), a card's flags with a file (clap's usage, 2).
    let before = fake.requests().len();
    let empty = temp("empty.txt", "");
    let refused = run(&fake, &["send", "--to", CHANNEL, "--file", empty.to_str().unwrap()], None).await;
    assert_eq!(refused.status.code(), Some(2), "{}", err(&refused));
    assert!(err(&refused).contains("must not be empty"), "{}", err(&refused));
    let both = run(&fake, &["send", "--to", CHANNEL, "--file", path.to_str().unwrap(), "--text", "x"], None).await;
    assert_eq!(both.status.code(), Some(2), "{}", err(&both));
    assert_eq!(fake.requests().len(), before, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channels_update_archive_remove_and_delete_change_the_channel() {
    let fake = ZoomMock::builder()
        .user("AnaId", "ana@example.com")
        .user("BoId", "bo@example.com")
        .user("CyId", "cy@example.com")
        .start()
        .await
        .unwrap();
    let members = ["--member", "ana@example.com", "--member", "bo@example.com", "--member", "cy@example.com"];
    let made = run(&fake, &[&["channels", "create", "incident-8"][..], &members].concat(), None).await;
    let id = out(&made).lines().find_map(|l| l.strip_prefix("id:    ").map(str::to_owned)).unwrap();

    let renamed = run(&fake, &["channels", "update", &id, "--name", "incident-8-resolved"], None).await;
    assert!(renamed.status.success(), "{}", err(&renamed));
    assert_eq!(out(&renamed), format!("renamed: {id}  incident-8-resolved"));
    assert_eq!(fake.channel(&id).unwrap().name, "incident-8-resolved");

    let archived = run(&fake, &["channels", "archive", &id], None).await;
    assert!(archived.status.success(), "{}", err(&archived));
    assert_eq!(out(&archived), format!("archived: {id}"));
    assert!(fake.channel(&id).unwrap().archived);
    // Zoom names the channel it could not change in a 200 answer; the CLI says so as a refusal.
    let again = run(&fake, &["channels", "archive", &id], None).await;
    assert_eq!(again.status.code(), Some(3), "{}", err(&again));
    assert!(err(&again).contains("code 3205"), "{}", err(&again));
    let unarchived = run(&fake, &["channels", "unarchive", &id], None).await;
    assert!(unarchived.status.success(), "{}", err(&unarchived));
    assert!(!fake.channel(&id).unwrap().archived);

    let one = run(&fake, &["channels", "remove", &id, "ana@example.com"], None).await;
    assert!(one.status.success(), "{}", err(&one));
    assert_eq!(out(&one), "removed: ana@example.com");
    let many = run(&fake, &["channels", "remove", &id, "BoId", "CyId"], None).await;
    assert!(many.status.success(), "{}", err(&many));
    let held = fake.channel(&id).unwrap();
    assert!(["AnaId", "BoId", "CyId"].iter().all(|u| !held.has_member(u)), "{:?}", held.members);
    assert_eq!(held.members.len(), 1, "the owner stays");

    let deleted = run(&fake, &["channels", "delete", &id], None).await;
    assert!(deleted.status.success(), "{}", err(&deleted));
    assert!(fake.channel(&id).is_none());
    let unknown = run(&fake, &["channels", "delete", &id], None).await;
    assert_eq!(unknown.status.code(), Some(3), "Zoom's refusal");
    assert!(err(&unknown).contains("code 4130"), "{}", err(&unknown));

    let before = fake.requests().len();
    for bad in [
        &["channels", "update", "a/b", "--name", "x"][..],
        &["channels", "archive", "a/b"],
        &["channels", "remove", &id, "a b"],
        &["channels", "remove", &id, "a,b", "c"],
    ] {
        let refused = run(&fake, bad, None).await;
        assert_eq!(refused.status.code(), Some(2), "{bad:?}: {}", err(&refused));
    }
    assert_eq!(fake.requests().len(), before, "nothing was sent");
}
