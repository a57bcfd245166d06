//! Three replicas, one account: three `zoom-chatbot bulk` processes send 3,000 messages
//! together into one fake account whose Medium label allows 200 a second. Once sharing one
//! rate budget and one token through Redis, once each pacing alone at the account's rate.
//! Prints, for each: the time against the ideal (3,000 / 200 = 15 s), the 429s Zoom answered,
//! the messages delivered once, twice or not at all, and the token requests.
//!
//! `cargo bench -p zoom-chatbot-cli --bench replicas` (needs `redis-server`).

#[path = "../../zoom-chatbot-tests/tests/redis_server/mod.rs"]
mod redis_server;

use std::collections::HashMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use redis_server::RedisServer;
use zoom_mock::fake::{ConversationId, OperationId, RateLabel, ZoomMock};

#[path = "../tests/support/mod.rs"]
mod support;
use support::{bulk_file, program};
const REPLICAS: usize = 3;
const MESSAGES: usize = 3_000;
const RATE: u32 = 200;

struct Figures {
    elapsed: Duration,
    limited: usize,
    once: usize,
    twice: usize,
    lost: usize,
    tokens: u64,
}

async fn run(redis: Option<&RedisServer>) -> Figures {
    let fake = ZoomMock::builder()
        .rate(RateLabel::Medium, RATE)
        .retention(MESSAGES * 2)
        .request_log(MESSAGES * 20)
        .start()
        .await
        .unwrap();
    let started = Instant::now();
    let children: Vec<std::process::Child> = (0..REPLICAS)
        .map(|r| {
            let file = bulk_file(r, MESSAGES / REPLICAS);
            let mut command = program(&fake);
            command
                .args(["bulk", file.to_str().unwrap(), "--rate", &RATE.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            if let Some(redis) = redis {
                command.env("ZOOM_REDIS_URL", redis.url());
            }
            command.spawn().unwrap()
        })
        .collect();
    let waits = children.into_iter().map(|mut child| tokio::task::spawn_blocking(move || child.wait().unwrap()));
    futures_util::future::join_all(waits).await;
    let elapsed = started.elapsed();

    let limited = fake
        .requests()
        .iter()
        .filter(|r| r.operation == Some(OperationId::SendChatbotMessage) && r.status == 429)
        .count();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for message in fake.conversation(&ConversationId::channel("general").unwrap()) {
        let card = serde_json::to_value(message.card().unwrap()).unwrap();
        *counts.entry(card["body"][0]["text"].as_str().unwrap_or_default().to_owned()).or_default() += 1;
    }
    Figures {
        elapsed,
        limited,
        once: counts.values().filter(|n| **n == 1).count(),
        twice: counts.values().filter(|n| **n > 1).count(),
        lost: MESSAGES - counts.len(),
        tokens: fake.token_count(),
    }
}

fn print(label: &str, f: &Figures) {
    let ideal = Duration::from_secs_f64(MESSAGES as f64 / f64::from(RATE));
    println!(
        "{label:<28} {:>7.2} s ({:.2}x ideal {:.0} s)  429s {:>5}  delivered once {:>5}  more than once {}  lost {}  token requests {}",
        f.elapsed.as_secs_f64(),
        f.elapsed.as_secs_f64() / ideal.as_secs_f64(),
        ideal.as_secs_f64(),
        f.limited,
        f.once,
        f.twice,
        f.lost,
        f.tokens
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // `cargo test` runs benches once as tests with `--bench` absent: nothing to measure then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    println!("{REPLICAS} replicas (separate processes), {MESSAGES} messages, account limit {RATE}/s (Medium)");
    let redis = RedisServer::start();
    let shared = run(Some(&redis)).await;
    print("shared budget (Redis)", &shared);
    let alone = run(None).await;
    print("each replica pacing alone", &alone);
}
