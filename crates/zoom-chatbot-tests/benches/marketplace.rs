//! One bot, many accounts: the example echo bot as three replica processes sharing Redis,
//! answering slash commands from 1,000 installed accounts of mixed plans (Free, Pro and
//! Business in turn) on the fake Zoom, ten of them (Free accounts) saturated: each sends 30
//! commands in its first second, 15 s of Free's 2/s. Every other account sends two commands
//! at random times in a 30 s window. One delivery in twenty is delivered twice, to two
//! replicas, as Zoom redelivers.
//!
//! Three runs, each with its own fake and its own Redis prefix:
//! 1. per-account budgets, ten accounts saturated;
//! 2. per-account budgets, every account quiet (the saturated ones send like the others): the
//!    baseline of the quiet accounts' reply latency;
//! 3. one budget for every account (`Pacing::one_budget`, Business's 60/s), ten saturated.
//!
//! Printed for each: replies in the right account (account, bot and conversation of their
//! event), the 429s Zoom answered, replies delivered once / more than once / never, the
//! quiet accounts' reply latency (p50, p99: from posting the event to the reply stored in the
//! fake), the replicas' memory growth over the run (all 1,000 accounts active), and Redis
//! round trips per send (the commands the replicas sent, counted on Redis's `MONITOR` feed;
//! the client pipelines none).
//!
//! `cargo bench -p zoom-chatbot-tests --bench marketplace` (needs `redis-server`).

#[path = "../tests/child/mod.rs"]
mod child;
#[path = "../../zoom-chatbot/examples/echo_bot.rs"]
#[allow(dead_code)]
mod echo_bot;
#[path = "../tests/redis_server/mod.rs"]
mod redis_server;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use child::KillOnDrop;
use chrono::{DateTime, Utc};
use redis_server::RedisServer;
use zoom_chatbot::installs::{InstallStore, Installation, Update};
use zoom_chatbot::pacing::{Pacing, Plan};
use zoom_chatbot::shared::RedisStore;
use zoom_chatbot::webhook::sign;
use zoom_chatbot::{SecretString, ZoomClient};
use zoom_mock::fake::{AccountSpec, ConversationId, EventContext, ZoomMock, bot_installed_event, slash_command_event};

const ACCOUNTS: usize = 1_000;
const SATURATED: usize = 10;
const SATURATED_EVENTS: usize = 30;
const QUIET_EVENTS: usize = 2;
const WINDOW: Duration = Duration::from_secs(30);
const REPLICAS: usize = 3;
/// One delivery in this many is delivered a second time, to another replica.
const REDELIVER_EVERY: usize = 20;
const SECRET: &str = "marketplace-bench-secret";
const CHANNEL: &str = "team";
const PLANS: [Plan; 3] = [Plan::Free, Plan::Pro, Plan::Business];

fn account_id(i: usize) -> String {
    format!("BenchAcct{i:04}")
}

/// The saturated accounts: the first ten Free ones (plans go Free, Pro, Business in turn).
fn is_saturated(i: usize) -> bool {
    i.is_multiple_of(PLANS.len()) && i / PLANS.len() < SATURATED
}

// ---- A replica: the example echo bot, its budgets, tokens, dedup and installs in Redis ----

fn replica() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async {
        let redis = std::env::var("ZOOM_REDIS_URL")?;
        let prefix = std::env::var("BENCH_PREFIX")?;
        let store = RedisStore::builder(redis).prefix(prefix).build()?;
        let pacing = Pacing::plan(Plan::Business).one_budget(std::env::var("BENCH_ONE_BUDGET").is_ok());
        let zoom = ZoomClient::builder()
            .credentials(std::env::var("ZOOM_CLIENT_ID")?, SecretString::from(std::env::var("ZOOM_CLIENT_SECRET")?));
        let zoom = zoom
            .api_url(std::env::var("ZOOM_API_URL")?)
            .oauth_url(std::env::var("ZOOM_OAUTH_URL")?)
            .pacing(pacing)
            .shared_state(store.clone())
            .build()?;
        let secret = SecretString::from(std::env::var("ZOOM_WEBHOOK_SECRET_TOKEN")?);
        let bot = echo_bot::echo_bot(zoom, secret).deduplicate(store.clone()).installations(store.installs());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        println!("listening {}", listener.local_addr()?.port());
        echo_bot::serve(listener, bot).await?;
        Ok(())
    })
}

// ---- The driver ----

struct Replica {
    child: KillOnDrop,
    url: String,
}

fn start_replica(fake: &ZoomMock, redis: &RedisServer, prefix: &str, one_budget: bool) -> Replica {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .arg("--replica")
        .env("ZOOM_CLIENT_ID", fake.client_id())
        .env("ZOOM_CLIENT_SECRET", fake.client_secret())
        .env("ZOOM_API_URL", fake.api_base_url())
        .env("ZOOM_OAUTH_URL", fake.oauth_base_url())
        .env("ZOOM_WEBHOOK_SECRET_TOKEN", SECRET)
        .env("ZOOM_REDIS_URL", redis.url())
        .env("BENCH_PREFIX", prefix)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if one_budget {
        command.env("BENCH_ONE_BUDGET", "1");
    }
    let mut child = command.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port = line.trim().strip_prefix("listening ").unwrap_or_else(|| panic!("replica said {line:?}"));
    Replica { url: format!("http://127.0.0.1:{port}/zoom/events"), child: KillOnDrop(child) }
}

/// Resident memory of a process (KiB), from `/proc`.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap_or("VmRSS: 0 kB");
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// Counts the commands clients send Redis (its round trips), by command, while it runs:
/// Redis's `MONITOR` feed, without the commands scripts run inside Redis (`[0 lua]`).
fn count_redis_round_trips(redis: &RedisServer) -> (tokio::task::JoinHandle<()>, Arc<Mutex<HashMap<String, u64>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let counts: Arc<Mutex<HashMap<String, u64>>> = Arc::default();
    let address = redis.url().trim_start_matches("redis://").trim_end_matches('/').to_owned();
    let task = {
        let counts = counts.clone();
        tokio::spawn(async move {
            let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
            stream.write_all(b"MONITOR\r\n").await.unwrap();
            let mut lines = tokio::io::BufReader::new(stream).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                // +1700000000.123456 [0 127.0.0.1:40000] "evalsha" "..." ...
                let Some((who, command)) = line.split_once("] \"") else { continue };
                if who.ends_with(" lua") {
                    continue;
                }
                let name = command.split('"').next().unwrap_or_default().to_ascii_lowercase();
                *counts.lock().unwrap().entry(name).or_default() += 1;
            }
        })
    };
    (task, counts)
}

/// A small deterministic generator, so each run offers the same schedule.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// One command: who sends it, when (from the start), and its text (unique in the run).
struct Planned {
    account: usize,
    at: Duration,
    text: String,
    quiet: bool,
}

fn schedule(saturate: bool) -> Vec<Planned> {
    let mut rng = Lcg(19);
    let mut planned = Vec::new();
    for account in 0..ACCOUNTS {
        if saturate && is_saturated(account) {
            for n in 0..SATURATED_EVENTS {
                let at = Duration::from_millis((n * 1_000 / SATURATED_EVENTS) as u64);
                planned.push(Planned { account, at, text: format!("busy-{account}-{n}"), quiet: false });
            }
        } else {
            for n in 0..QUIET_EVENTS {
                let at = Duration::from_millis(rng.below(WINDOW.as_millis() as u64));
                planned.push(Planned { account, at, text: format!("quiet-{account}-{n}"), quiet: true });
            }
        }
    }
    planned.sort_by_key(|p| p.at);
    planned
}

fn context(fake: &ZoomMock, account: usize) -> EventContext {
    let id = account_id(account);
    EventContext {
        user_jid: fake.account(&id).user_jid(),
        account_id: id,
        robot_jid: fake.robot_jid(),
        to_jid: format!("{CHANNEL}@conference.xmpp.zoom.us"),
    }
}

/// Posts `body` to `url` signed as Zoom signs it; the status, or 0 when it did not arrive.
async fn post(http: &reqwest::Client, url: &str, body: Vec<u8>) -> u16 {
    let secret = SecretString::from(SECRET.to_owned());
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let signature = sign(&secret, now, &body);
    let sent = http
        .post(url)
        .header("content-type", "application/json")
        .header("x-zm-request-timestamp", now.to_string())
        .header("x-zm-signature", signature)
        .body(body)
        .send()
        .await;
    sent.map_or(0, |r| r.status().as_u16())
}

struct Figures {
    replies: usize,
    right_account: usize,
    limited: usize,
    once: usize,
    more: usize,
    lost: usize,
    refused_deliveries: usize,
    quiet_p50: f64,
    quiet_p99: f64,
    quiet_max: f64,
    memory_growth_kib: u64,
    redis_per_send: f64,
    redis_by_command: Vec<(String, f64)>,
    elapsed: Duration,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn run(redis: &RedisServer, label: &str, saturate: bool, one_budget: bool) -> Figures {
    let mut fake = ZoomMock::builder().request_log(200_000).retention(100);
    for i in 1..ACCOUNTS {
        fake = fake.account(AccountSpec::new(account_id(i)).plan(PLANS[i % PLANS.len()]));
    }
    // The first account is the fake's own: its id and plan set here.
    let fake = fake.account_id(account_id(0)).plan(PLANS[0]).start().await.unwrap();
    assert_eq!(fake.accounts().len(), ACCOUNTS);

    // The app's install records, with each account's plan (the app knows its customers').
    let prefix = format!("bench-{label}");
    let store = RedisStore::builder(redis.url()).prefix(&prefix).build().unwrap();
    let installs = store.installs();
    for i in 0..ACCOUNTS {
        let id = account_id(i);
        let event = bot_installed_event(&id, &fake.robot_jid(), &fake.account(&id).user_jid(), "Admin");
        installs.record(Installation::from_event(&event, Utc::now()).unwrap()).await.unwrap();
        installs.update(&id.parse().unwrap(), Update::new().plan(Some(PLANS[i % PLANS.len()]))).await.unwrap();
    }

    let replicas: Vec<Replica> = (0..REPLICAS).map(|_| start_replica(&fake, redis, &prefix, one_budget)).collect();
    let http = reqwest::Client::new();
    // Warm-up: each replica answers one command (its token, its connections), from an
    // account whose replies are not counted.
    for (r, replica) in replicas.iter().enumerate() {
        let event = slash_command_event(&context(&fake, ACCOUNTS - 1), &format!("warm-{r}"));
        assert_eq!(post(&http, &replica.url, serde_json::to_vec(&event).unwrap()).await, 200);
    }
    let team = ConversationId::channel(CHANNEL).unwrap();
    while fake.account(&account_id(ACCOUNTS - 1)).conversation(&team).len() < REPLICAS {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pids: Vec<u32> = replicas.iter().map(|r| r.child.0.id()).collect();
    let memory_before: u64 = pids.iter().map(|p| rss_kib(*p)).sum();
    let (monitor, round_trips) = count_redis_round_trips(redis);
    let sends_before = fake.message_count();
    let peak = Arc::new(Mutex::new(memory_before));
    let sampling = {
        let (peak, pids) = (peak.clone(), pids.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                let now: u64 = pids.iter().map(|p| rss_kib(*p)).sum();
                let mut peak = peak.lock().unwrap();
                *peak = (*peak).max(now);
            }
        })
    };

    let planned = schedule(saturate);
    let posted_at: Arc<Mutex<HashMap<String, DateTime<Utc>>>> = Arc::default();
    let refused = Arc::new(Mutex::new(0usize));
    let start = tokio::time::Instant::now();
    let started = Instant::now();
    let mut posts = Vec::new();
    for (n, p) in planned.iter().enumerate() {
        let event = slash_command_event(&context(&fake, p.account), &p.text);
        let body = serde_json::to_vec(&event).unwrap();
        let mut urls = vec![replicas[n % REPLICAS].url.clone()];
        if n.is_multiple_of(REDELIVER_EVERY) {
            urls.push(replicas[(n + 1) % REPLICAS].url.clone());
        }
        let (http, posted_at, refused, text, at) =
            (http.clone(), posted_at.clone(), refused.clone(), p.text.clone(), p.at);
        posts.push(tokio::spawn(async move {
            tokio::time::sleep_until(start + at).await;
            posted_at.lock().unwrap().insert(text, Utc::now());
            for url in urls {
                if post(&http, &url, body.clone()).await != 200 {
                    *refused.lock().unwrap() += 1;
                }
            }
        }));
    }
    for p in posts {
        p.await.unwrap();
    }
    let expected = planned.len();
    let deadline = Instant::now() + Duration::from_secs(180);
    while fake.message_count() < sends_before + expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Anything still in flight (a retry after a 429) gets a little longer; then what is
    // there is what was delivered.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let elapsed = started.elapsed();
    sampling.abort();
    monitor.abort();
    let mut by_command: Vec<(String, u64)> = round_trips.lock().unwrap().clone().into_iter().collect();
    by_command.sort_by_key(|b| std::cmp::Reverse(b.1));
    let commands: u64 = by_command.iter().map(|(_, n)| n).sum();
    let memory_peak = *peak.lock().unwrap();

    // What arrived, account by account.
    let posted_at = posted_at.lock().unwrap().clone();
    let quiet: HashMap<&str, bool> = planned.iter().map(|p| (p.text.as_str(), p.quiet)).collect();
    let mut counts: HashMap<String, usize> = HashMap::new();
    let (mut replies, mut right_account) = (0, 0);
    let mut quiet_latency = Vec::new();
    for i in 0..ACCOUNTS {
        let id = account_id(i);
        for message in fake.account(&id).conversation(&team) {
            let card = serde_json::to_value(message.card().unwrap()).unwrap();
            let said = card["body"][0]["text"].as_str().unwrap_or_default().trim_start_matches("You said: ").to_owned();
            if said.starts_with("warm-") {
                continue;
            }
            replies += 1;
            let from = said.split('-').nth(1).and_then(|n| n.parse::<usize>().ok());
            let robot = message.sender == zoom_mock::fake::Sender::Bot(fake.robot_jid());
            if from == Some(i) && message.account == id && robot {
                right_account += 1;
            }
            let count = counts.entry(said.clone()).or_default();
            *count += 1;
            if *count == 1
                && quiet.get(said.as_str()) == Some(&true)
                && let Some(at) = posted_at.get(&said)
            {
                quiet_latency.push((message.sent_at - *at).num_microseconds().unwrap_or(0) as f64 / 1_000.0);
            }
        }
    }
    quiet_latency.sort_by(f64::total_cmp);
    let sends = fake.message_count() - sends_before;
    let limited = fake.requests().iter().filter(|r| r.status == 429).count();
    let refused_deliveries = *refused.lock().unwrap();
    drop(replicas);
    Figures {
        replies,
        right_account,
        limited,
        once: counts.values().filter(|n| **n == 1).count(),
        more: counts.values().filter(|n| **n > 1).count(),
        lost: expected - counts.len(),
        refused_deliveries,
        quiet_p50: percentile(&quiet_latency, 0.50),
        quiet_p99: percentile(&quiet_latency, 0.99),
        quiet_max: quiet_latency.last().copied().unwrap_or(f64::NAN),
        memory_growth_kib: memory_peak.saturating_sub(memory_before),
        redis_per_send: commands as f64 / sends.max(1) as f64,
        redis_by_command: by_command.into_iter().map(|(name, n)| (name, n as f64 / sends.max(1) as f64)).collect(),
        elapsed,
    }
}

fn print(label: &str, f: &Figures) {
    println!(
        "{label:<44} {:>5.1} s  replies {} (right account {})  429s {}  once {}  more than once {}  never {}  \
         deliveries refused {}  quiet latency p50 {:.1} ms p99 {:.1} ms max {:.1} ms  memory growth {:.1} MiB \
         (3 replicas)  Redis round trips per send {:.2}",
        f.elapsed.as_secs_f64(),
        f.replies,
        f.right_account,
        f.limited,
        f.once,
        f.more,
        f.lost,
        f.refused_deliveries,
        f.quiet_p50,
        f.quiet_p99,
        f.quiet_max,
        f.memory_growth_kib as f64 / 1024.0,
        f.redis_per_send
    );
    let by: Vec<String> = f.redis_by_command.iter().map(|(name, n)| format!("{name} {n:.2}")).collect();
    println!("    Redis round trips per send, by command: {}", by.join(", "));
}

fn main() {
    if std::env::args().any(|a| a == "--replica") {
        if let Err(e) = replica() {
            eprintln!("replica: {e}");
            std::process::exit(1);
        }
        return;
    }
    // `cargo test` runs benches once as tests with `--bench` absent: nothing to measure then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        println!(
            "{ACCOUNTS} accounts (Free, Pro, Business in turn), {REPLICAS} replicas on Redis; {SATURATED} Free accounts \
             saturated ({SATURATED_EVENTS} commands in 1 s), the others {QUIET_EVENTS} commands each in {} s; one \
             delivery in {REDELIVER_EVERY} delivered twice",
            WINDOW.as_secs()
        );
        let redis = RedisServer::start();
        let saturated = run(&redis, "per-account", true, false).await;
        print("per-account budgets, 10 saturated", &saturated);
        let calm = run(&redis, "all-quiet", false, false).await;
        print("per-account budgets, all quiet", &calm);
        let one = run(&redis, "one-budget", true, true).await;
        print("one budget for all accounts, 10 saturated", &one);
        println!(
            "quiet accounts' reply latency, saturated / all quiet: p50 {:.2}x, p99 {:.2}x; one budget / all quiet: p50 \
             {:.0}x, p99 {:.0}x",
            saturated.quiet_p50 / calm.quiet_p50,
            saturated.quiet_p99 / calm.quiet_p99,
            one.quiet_p50 / calm.quiet_p50,
            one.quiet_p99 / calm.quiet_p99
        );
    });
}
