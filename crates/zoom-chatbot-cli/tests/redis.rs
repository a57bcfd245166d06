//! Several `zoom-chatbot` processes sharing one Redis (a real `redis-server` per test, on a
//! free port, no persistence) against one fake account: one token request for all of them,
//! one rate budget, and Redis killed and restarted mid-run.

use crate::redis_server;

use std::collections::HashMap;
use std::process::{Output, Stdio};
use std::time::Duration;

use redis_server::RedisServer;
use zoom_mock::fake::{ConversationId, OperationId, RateLabel, ZoomMock};

use crate::support;
use support::{CHANNEL, bulk_file, err, program};

/// Starts the program with the fake's configuration and, when given, Redis's URL.
fn spawn(fake: &ZoomMock, redis: Option<&RedisServer>, args: &[String]) -> std::process::Child {
    let mut command = program(fake);
    command.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    if let Some(redis) = redis {
        command.env("ZOOM_REDIS_URL", redis.url());
    }
    command.spawn().unwrap()
}

/// Waits for every process, off the test's runtime (which serves the fake).
async fn wait_all(children: Vec<std::process::Child>) -> Vec<Output> {
    let waits =
        children.into_iter().map(|child| tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()));
    futures_util::future::join_all(waits).await.into_iter().map(Result::unwrap).collect()
}

fn sends(fake: &ZoomMock) -> Vec<u16> {
    fake.requests().iter().filter(|r| r.operation == Some(OperationId::SendChatbotMessage)).map(|r| r.status).collect()
}

/// How many times each text reached the channel.
fn delivered(fake: &ZoomMock) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for message in fake.conversation(&ConversationId::channel("general").unwrap()) {
        let card = serde_json::to_value(message.card().unwrap()).unwrap();
        *counts.entry(card["body"][0]["text"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    counts
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|a| (*a).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_sharing_redis_make_one_token_request_between_them() {
    let redis = RedisServer::start();
    let fake = ZoomMock::start().await.unwrap();
    let children = (0..4).map(|_| spawn(&fake, Some(&redis), &args(&["token"]))).collect();
    for output in wait_all(children).await {
        assert!(output.status.success(), "{}", err(&output));
    }
    assert_eq!(fake.token_count(), 1, "four processes, one token request");

    // The same four without Redis: one each.
    let children = (0..4).map(|_| spawn(&fake, None, &args(&["token"]))).collect();
    wait_all(children).await;
    assert_eq!(fake.token_count(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_bulk_sending_at_the_accounts_limit_meet_no_429() {
    let redis = RedisServer::start();
    let fake = ZoomMock::builder().rate(RateLabel::Medium, 20).start().await.unwrap();
    // Each process paces at the account's 20/s; Redis makes it 20/s for the three together.
    let children = (0..3)
        .map(|r| {
            let file = bulk_file(r, 30);
            spawn(&fake, Some(&redis), &args(&["bulk", file.to_str().unwrap(), "--rate", "20"]))
        })
        .collect();
    for output in wait_all(children).await {
        assert!(output.status.success(), "{}", err(&output));
    }
    let statuses = sends(&fake);
    assert_eq!(statuses.len(), 90, "each message went out once");
    assert!(statuses.iter().all(|s| *s == 201), "no 429: {statuses:?}");
    let counts = delivered(&fake);
    assert_eq!(counts.len(), 90);
    assert!(counts.values().all(|n| *n == 1), "delivered exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_and_restarted_mid_run_loses_and_repeats_nothing() {
    let mut redis = RedisServer::start();
    let fake = ZoomMock::builder().rate(RateLabel::Medium, 20).start().await.unwrap();
    let children = (0..3)
        .map(|r| {
            let file = bulk_file(10 + r, 40);
            let list = ["bulk", file.to_str().unwrap(), "--rate", "20", "--redis-fallback"];
            spawn(&fake, Some(&redis), &args(&list))
        })
        .collect();
    // 120 messages at 20/s take six seconds: Redis goes away after one, is back after three.
    tokio::time::sleep(Duration::from_secs(1)).await;
    redis.kill();
    tokio::time::sleep(Duration::from_secs(2)).await;
    redis.restart();
    let outputs = wait_all(children).await;
    for output in &outputs {
        assert!(output.status.success(), "{}", err(output));
    }
    assert!(
        outputs.iter().any(|o| err(o).contains("Redis is unavailable")),
        "a replica said it went on alone: {:?}",
        outputs.iter().map(err).collect::<Vec<_>>()
    );
    let counts = delivered(&fake);
    assert_eq!(counts.len(), 120, "nothing lost");
    assert!(counts.values().all(|n| *n == 1), "nothing sent twice");
    let statuses = sends(&fake);
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 120);
    assert!(statuses.iter().all(|s| *s == 201 || *s == 429), "{statuses:?}");

    // Without the fallback, a process fails at once with Redis gone, and sends nothing.
    redis.kill();
    let before = sends(&fake).len();
    let child = spawn(&fake, Some(&redis), &args(&["send", "--to", CHANNEL, "--text", "refused"]));
    let output = wait_all(vec![child]).await.remove(0);
    assert_eq!(output.status.code(), Some(5), "{}", err(&output));
    assert!(err(&output).contains("shared state unavailable"), "{}", err(&output));
    assert_eq!(sends(&fake).len(), before, "nothing was sent");
}
