//! `cargo bench -p zoom-chatbot --bench client`: the three figures of BENCHMARKS.md, against
//! the in-process fake Zoom over loopback, in one run.
//!
//! 1. Overhead: time per send through `zoom-chatbot` divided by time per send of the same JSON
//!    through a hand-written `reqwest` call (rounds alternate, so drift hits both alike).
//! 2. Tokens: token requests made by 1,000 concurrent sends from clones of one client.
//! 3. Bulk at the limit: 2,000 sends with the fake's Medium limit at 200/s and the client
//!    pacing at 200/s: elapsed time against the ideal 10 s, 429 answers, deliveries.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use zoom_chatbot::card::{Actions, Button, Card, Text};
use zoom_chatbot::pacing::{Pacing, RateLabel};
use zoom_chatbot::{SecretString, ZoomClient, types};
use zoom_mock::fake::ZoomMock;

const CHANNEL: &str = "bench@conference.xmpp.zoom.us";

fn client(fake: &ZoomMock, pacing: Option<Pacing>) -> ZoomClient {
    let mut b = ZoomClient::builder()
        .credentials(fake.client_id(), SecretString::from(fake.client_secret()))
        .account_id(fake.account_id())
        .robot_jid(fake.robot_jid())
        .api_url(fake.api_base_url())
        .oauth_url(fake.oauth_base_url());
    if let Some(p) = pacing {
        b = b.pacing(p);
    }
    b.build().expect("a client")
}

fn card() -> types::Card {
    Card::new()
        .head("Build finished")
        .sub_head("main")
        .push(Text::new("All 312 tests passed."))
        .push(Actions::new().button(Button::primary("Deploy", "deploy")))
        .build()
        .expect("a card")
}

async fn overhead() {
    let fake = ZoomMock::builder().unlimited().request_log(0).start().await.unwrap();
    let zoom = client(&fake, None);
    let card = card();
    // The hand-written baseline: the same JSON (serialised per send, as `.json()` does), the
    // same bearer, a plain reqwest POST whose JSON answer is parsed.
    let http = reqwest::Client::new();
    let url = format!("{}/im/chat/messages", fake.api_base_url());
    let body = serde_json::json!({
        "robot_jid": fake.robot_jid(), "to_jid": CHANNEL, "account_id": fake.account_id(), "content": card,
    });
    let token: serde_json::Value = http
        .post(format!("{}/oauth/token", fake.oauth_base_url()))
        .basic_auth(fake.client_id(), Some(fake.client_secret()))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap());
    let raw = || async {
        let r = http.post(&url).header("authorization", &bearer).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let sent: serde_json::Value = r.json().await.unwrap();
        assert!(sent["message_id"].is_string());
    };
    // A third path, to see where any overhead lives: the generated client alone (no policy).
    let generated = {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("authorization", bearer.parse().unwrap());
        let http =
            reqwest::Client::builder().default_headers(headers).timeout(Duration::from_secs(30)).build().unwrap();
        zoom_chatbot::api::Client::new_with_client(&fake.api_base_url(), http, zoom_chatbot::api::hooks::Hooks::none())
    };
    let request: types::SendChatbotMessageRequest = serde_json::from_value(body.clone()).unwrap();
    let bare = || async {
        generated.send_chatbot_message().body(request.clone()).send().await.unwrap();
    };
    // Warm every path (connections, token).
    for _ in 0..500 {
        raw().await;
        bare().await;
        zoom.send(CHANNEL, card.clone()).await.unwrap();
    }
    // Each iteration sends once through each path, in an order that rotates, and times each
    // send on its own: drift and noise then touch the three paths alike. Medians resist the
    // scheduler's occasional long wake-ups; means are printed too.
    let iterations = 10_000usize;
    let mut times: [Vec<Duration>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for i in 0..iterations {
        for turn in 0..3 {
            let path = (i + turn) % 3;
            let t = Instant::now();
            match path {
                0 => raw().await,
                1 => bare().await,
                _ => {
                    zoom.send(CHANNEL, card.clone()).await.unwrap();
                }
            }
            times[path].push(t.elapsed());
        }
    }
    let stats = |v: &mut Vec<Duration>| {
        v.sort();
        let median = v[v.len() / 2].as_secs_f64() * 1e6;
        let mean = v.iter().map(Duration::as_secs_f64).sum::<f64>() * 1e6 / v.len() as f64;
        (median, mean)
    };
    let [raw_t, bare_t, ours_t] = &mut times;
    let ((raw_med, raw_mean), (bare_med, bare_mean), (ours_med, ours_mean)) =
        (stats(raw_t), stats(bare_t), stats(ours_t));
    println!("1. overhead: {iterations} sends through each path, the paths interleaved send by send");
    println!("   hand-written reqwest:        median {raw_med:.1} us, mean {raw_mean:.1} us");
    println!(
        "   generated client, no policy: median {bare_med:.1} us, mean {bare_mean:.1} us (median ratio {:.3})",
        bare_med / raw_med
    );
    println!("   zoom-chatbot:                median {ours_med:.1} us, mean {ours_mean:.1} us");
    println!(
        "   ratio zoom-chatbot / hand-written: median {:.3}, mean {:.3} (target at most 1.05)",
        ours_med / raw_med,
        ours_mean / raw_mean
    );
}

async fn tokens() {
    let fake = ZoomMock::builder().unlimited().start().await.unwrap();
    let zoom = client(&fake, None);
    let card = card();
    let sends: Vec<_> = (0..1_000)
        .map(|_| {
            let (zoom, card) = (zoom.clone(), card.clone());
            tokio::spawn(async move { zoom.send(CHANNEL, card).await })
        })
        .collect();
    for s in sends {
        s.await.unwrap().unwrap();
    }
    println!("2. tokens: 1,000 concurrent sends from clones of one client");
    println!(
        "   token requests seen by the fake: {} (client counted {}; target exactly 1)",
        fake.token_count(),
        zoom.token_requests()
    );
}

async fn bulk() {
    let fake = ZoomMock::builder()
        .unlimited()
        .rate(RateLabel::Medium, 200)
        .retention(5_000)
        .request_log(5_000)
        .start()
        .await
        .unwrap();
    let zoom = client(&fake, Some(Pacing::custom().rate(RateLabel::Medium, 200)));
    zoom.bot_user_id().await.unwrap(); // the token, outside the timing
    let card = card();
    let started = Instant::now();
    let sends: Vec<_> = (0..2_000)
        .map(|_| {
            let (zoom, card) = (zoom.clone(), card.clone());
            tokio::spawn(async move { zoom.send(CHANNEL, card).await.map(|s| s.id) })
        })
        .collect();
    let mut ids = Vec::new();
    for s in sends {
        ids.push(s.await.unwrap().unwrap());
    }
    let elapsed = started.elapsed();
    let limited = fake.requests().iter().filter(|r| r.status == 429).count();
    let stored = fake.conversation_of_jid(CHANNEL);
    let distinct: HashSet<&str> = stored.iter().map(|m| m.id.as_str()).collect();
    let all_ours = ids.iter().all(|id| distinct.contains(id.as_str()));
    println!("3. bulk at the limit: 2,000 sends, fake limit 200/s, client pacing 200/s");
    println!(
        "   elapsed {:.3} s, ideal 10 s, ratio {:.3} (target at most 1.05)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() / 10.0
    );
    println!("   429 answers: {limited} (target 0)");
    println!(
        "   delivered: {} messages, {} distinct, every returned id among them: {all_ours} (target 2,000 exactly once)",
        stored.len(),
        distinct.len()
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    // BENCH=overhead|tokens|bulk runs one part only (all three by default).
    let only = std::env::var("BENCH").unwrap_or_default();
    runtime.block_on(async {
        if only.is_empty() || only == "overhead" {
            overhead().await;
        }
        if only.is_empty() || only == "tokens" {
            tokens().await;
        }
        if only.is_empty() || only == "bulk" {
            bulk().await;
        }
    });
}
