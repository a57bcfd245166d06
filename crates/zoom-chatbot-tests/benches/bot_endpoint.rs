//! `cargo bench -p zoom-chatbot-tests --bench bot_endpoint`: signed events per second that a `Bot`
//! verifies, acknowledges and dispatches, and the p99 time to its 200, against a plain axum
//! handler that reads the body and answers 200 (the floor any endpoint pays), in the same run.
//!
//! Both servers run on this process's runtime, on loopback, loaded by the same client with the
//! same requests: distinct slash commands, each signed as Zoom signs them (the bot would refuse
//! a repeated one as a replay). The bot's handler counts the events it gets, so every
//! acknowledged event is also checked as dispatched. A third run serves the same bot with
//! `serve::Server` (header-read and request timeouts, a connection cap) instead of
//! `axum::serve`, to show what the safety costs. The runs alternate in rounds, so that drift on
//! a noisy machine hits them alike; the figures are the medians of the rounds.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use zoom_chatbot::bot::Bot;
use zoom_chatbot::webhook::sign;
use zoom_chatbot::{SecretString, ZoomClient};

const SECRET: &str = "bench-secret";
const EVENTS: usize = 5_000;
const CONCURRENCY: usize = 32;
const ROUNDS: usize = 5;

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/zoom/events", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// `app` behind the server that is safe on the open internet.
async fn serve_safely(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/zoom/events", listener.local_addr().unwrap());
    tokio::spawn(zoom_chatbot::serve::Server::new().serve(listener, app));
    url
}

/// One round: `EVENTS` signed events to `url`; events per second and the p99 latency.
async fn load(http: &reqwest::Client, url: &str, round: usize) -> (f64, Duration) {
    let secret = SecretString::from(SECRET.to_owned());
    let started = Instant::now();
    let mut latencies: Vec<Duration> = futures_util::stream::iter(0..EVENTS)
        .map(|i| {
            let body = serde_json::to_vec(&serde_json::json!({
                "event": "bot_notification", "event_ts": round * EVENTS + i,
                "payload": {"accountId": "a", "robotJid": "bot@xmpp.zoom.us", "toJid": "c@conference.xmpp.zoom.us",
                            "userJid": "u@xmpp.zoom.us", "cmd": format!("ping {i}")}}))
            .unwrap();
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
            let request = http
                .post(url)
                .header("x-zm-request-timestamp", now.to_string())
                .header("x-zm-signature", sign(&secret, now, &body))
                .header("content-type", "application/json")
                .body(body);
            async move {
                let sent = Instant::now();
                let status = request.send().await.expect("an answer").status();
                assert_eq!(status, 200);
                sent.elapsed()
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let elapsed = started.elapsed();
    latencies.sort();
    (EVENTS as f64 / elapsed.as_secs_f64(), latencies[latencies.len() * 99 / 100])
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

async fn bench() {
    let dispatched = Arc::new(AtomicUsize::new(0));
    let counter = dispatched.clone();
    let zoom = ZoomClient::builder()
        .credentials("id", SecretString::from("secret".to_owned()))
        .api_url("http://127.0.0.1:9/v2")
        .build()
        .unwrap();
    let bot = Bot::new(zoom, SecretString::from(SECRET.to_owned())).on_command("ping", move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
        async { Ok(()) }
    });
    let safe_url = serve_safely(bot.clone().router("/zoom/events")).await;
    let bot_url = serve(bot.router("/zoom/events")).await;
    let plain_url =
        serve(axum::Router::new().route(
            "/zoom/events",
            axum::routing::post(|_body: axum::body::Bytes| async { axum::http::StatusCode::OK }),
        ))
        .await;

    let http = reqwest::Client::new();
    load(&http, &plain_url, 0).await; // warm-up (connections, allocator)
    load(&http, &bot_url, ROUNDS + 1).await;
    load(&http, &safe_url, 2 * ROUNDS + 2).await;
    let (mut bot_rate, mut plain_rate, mut bot_p99, mut plain_p99) = (vec![], vec![], vec![], vec![]);
    let (mut safe_rate, mut safe_p99) = (vec![], vec![]);
    for round in 1..=ROUNDS {
        let (rate, p99) = load(&http, &safe_url, round + 2 * ROUNDS + 2).await;
        safe_rate.push(rate);
        safe_p99.push(p99.as_secs_f64() * 1e3);
        let (rate, p99) = load(&http, &plain_url, round).await;
        plain_rate.push(rate);
        plain_p99.push(p99.as_secs_f64() * 1e3);
        let (rate, p99) = load(&http, &bot_url, round + ROUNDS + 1).await;
        bot_rate.push(rate);
        bot_p99.push(p99.as_secs_f64() * 1e3);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let expected = 2 * EVENTS * (ROUNDS + 1);
    assert_eq!(dispatched.load(Ordering::Relaxed), expected, "every acknowledged event was dispatched");

    let (bot_rate, plain_rate) = (median(bot_rate), median(plain_rate));
    let (bot_p99, plain_p99) = (median(bot_p99), median(plain_p99));
    let (safe_rate, safe_p99) = (median(safe_rate), median(safe_p99));
    println!("bot endpoint: {EVENTS} signed events a round, {CONCURRENCY} at a time, {ROUNDS} rounds, medians");
    println!("  plain axum handler: {plain_rate:>8.0} events/s, p99 {plain_p99:.2} ms");
    println!(
        "  zoom-chatbot Bot:   {bot_rate:>8.0} events/s, p99 {bot_p99:.2} ms (verified, acknowledged, dispatched)"
    );
    println!("  Bot behind Server:  {safe_rate:>8.0} events/s, p99 {safe_p99:.2} ms (timeouts, connection cap)");
    println!("  ratio (Bot / plain): throughput {:.2}, p99 {:.2}", bot_rate / plain_rate, bot_p99 / plain_p99);
    println!(
        "  ratio (Server / axum::serve, same bot): throughput {:.2}, p99 {:.2}",
        safe_rate / bot_rate,
        safe_p99 / bot_p99
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(bench());
}
