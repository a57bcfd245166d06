//! `cargo bench -p zoom-chatbot-tests --bench client`: the three figures of BENCHMARKS.md, against
//! the in-process fake Zoom over loopback, in one run.
//!
//! 1. Overhead: time per send through `zoom-chatbot` divided by time per send of the same JSON
//!    through a hand-written `reqwest` call (sends interleaved, so drift hits all paths alike),
//!    with two paths between them that show where the difference lives.
//! 2. Tokens: token requests made by 1,000 concurrent sends from clones of one client.
//! 3. Bulk at the limit: 2,000 sends with the fake's Medium limit at 200/s and the client pacing at
//!    200/s: elapsed time against the ideal 10 s, 429 answers, deliveries.
//! 4. Accounts: one client pacing at 50/s per account, one account saturated (250 sends queued, 5 s
//!    of its budget) while a quiet account sends one message every 100 ms: the quiet sends' latency
//!    with per-account budgets, against the same load on one shared budget (the quiet sends naming
//!    the busy account, as one budget for the client did). It runs against httpmock, which answers
//!    any account (the fake serves one).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use zoom_chatbot::card::{Actions, Button, Card, Text};
use zoom_chatbot::pacing::{Pacing, RateLabel};
use zoom_chatbot::{ZoomClient, types};
use zoom_mock::fake::ZoomMock;

const CHANNEL: &str = "bench@conference.xmpp.zoom.us";

fn client(fake: &ZoomMock, pacing: Option<Pacing>) -> ZoomClient {
    let mut b = zoom_chatbot::ClientBuilder::from_vars(fake.client_env());
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
    let url = format!("{}/im/chat/messages", fake.api_base_url());
    let body = serde_json::json!({
        "robot_jid": fake.robot_jid(), "to_jid": CHANNEL, "account_id": fake.account_id(), "content": card,
    });
    let plain = reqwest::Client::new();
    let token: serde_json::Value = plain
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
    // The hand-written call: the same JSON (serialised per send, as `.json()` does), the same
    // bearer, a POST whose JSON answer is parsed. It runs on a plain `reqwest::Client` (the
    // baseline), and on the HTTP client `zoom-chatbot` itself sends through (its timeouts,
    // no redirects, its pool), which tells reqwest's share of the overhead from ours.
    let hand_written = |http: &reqwest::Client| {
        let request = http.post(&url).header("authorization", &bearer).json(&body);
        async {
            let r = request.send().await.unwrap();
            assert_eq!(r.status(), 201);
            let sent: serde_json::Value = r.json().await.unwrap();
            assert!(sent["message_id"].is_string());
        }
    };
    let configured = zoom.http().clone();
    // The generated client alone (no policy), on that same HTTP client, with the bearer fixed.
    let generated = {
        struct Bearer(reqwest::header::HeaderValue);
        impl zoom_chatbot::api::hooks::RequestPolicy for Bearer {
            fn execute<'a>(
                &'a self,
                client: &'a reqwest::Client,
                mut request: reqwest::Request,
                _operation: zoom_chatbot::api::operations::OperationId,
            ) -> zoom_chatbot::api::hooks::BoxFuture<'a, reqwest::Result<reqwest::Response>> {
                request.headers_mut().insert("authorization", self.0.clone());
                Box::pin(client.execute(request))
            }
        }
        let policy = std::sync::Arc::new(Bearer(bearer.parse().unwrap()));
        zoom_chatbot::api::Client::new_with_client(
            &fake.api_base_url(),
            configured.clone(),
            zoom_chatbot::api::hooks::Hooks::with_policy(policy),
        )
    };
    let request: types::SendChatbotMessageRequest = serde_json::from_value(body.clone()).unwrap();
    // Warm every path (connections, token).
    for _ in 0..500 {
        hand_written(&plain).await;
        hand_written(&configured).await;
        generated.send_chatbot_message().body(request.clone()).send().await.unwrap();
        zoom.send(CHANNEL, card.clone()).await.unwrap();
    }
    // Each iteration sends once through each path, in an order that rotates, and times each
    // send on its own: drift and noise then touch the paths alike. Medians resist the
    // scheduler's occasional long wake-ups; means are printed too.
    const PATHS: usize = 4;
    let iterations = 10_000usize;
    let mut times: [Vec<Duration>; PATHS] = Default::default();
    for i in 0..iterations {
        for turn in 0..PATHS {
            let path = (i + turn) % PATHS;
            // Sending consumes the typed paths' values: their copies are made before the clock
            // starts, as building the content is not part of sending it.
            let (request, card) = (request.clone(), card.clone());
            let t = Instant::now();
            match path {
                0 => hand_written(&plain).await,
                1 => hand_written(&configured).await,
                2 => {
                    generated.send_chatbot_message().body(request).send().await.unwrap();
                }
                _ => {
                    zoom.send(CHANNEL, card).await.unwrap();
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
    let figures: Vec<(f64, f64)> = times.iter_mut().map(stats).collect();
    let (base_median, base_mean) = figures[0];
    println!("1. overhead: {iterations} sends through each path, the paths interleaved send by send");
    let names = [
        "hand-written, plain reqwest::Client",
        "hand-written, zoom-chatbot's HTTP client",
        "generated client, no policy",
        "zoom-chatbot",
    ];
    for (name, (median, mean)) in names.iter().zip(&figures) {
        println!(
            "   {name:<42} median {median:6.1} us (ratio {:.3}), mean {mean:6.1} us (ratio {:.3})",
            median / base_median,
            mean / base_mean
        );
    }
    println!(
        "   ratio zoom-chatbot / hand-written: median {:.3}, mean {:.3} (target at most 1.05)",
        figures[3].0 / base_median,
        figures[3].1 / base_mean
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

/// Sends a card to `account` through the generated operation (which names any account).
async fn send_to(zoom: &ZoomClient, account: &str, card: &types::Card) {
    let body = types::SendChatbotMessageRequest {
        robot_jid: "bench-bot@xmpp.zoom.us".into(),
        to_jid: CHANNEL.into(),
        account_id: account.into(),
        content: card.clone(),
        visible_to_user: None,
        user_jid: None,
        reply_to: None,
        is_markdown_support: None,
    };
    zoom.api().send_chatbot_message().body(body).send().await.expect("a send");
}

/// The quiet sends' latencies (sorted) while `busy` sends are queued for BUSYACCT; the quiet
/// sends name `quiet_account`.
async fn quiet_latencies(server: &httpmock::MockServer, busy: usize, quiet_account: &str) -> Vec<Duration> {
    let zoom = zoom_chatbot::ClientBuilder::default()
        .bot_tokens(zoom_chatbot::auth::StaticToken(zoom_chatbot::SecretString::from("t".to_owned())))
        .account_id("OWNACCT".parse().unwrap())
        .robot_jid("bench-bot@xmpp.zoom.us".parse().unwrap())
        .api_url(server.base_url())
        .pacing(Pacing::custom().rate(RateLabel::Medium, 50))
        .build()
        .expect("a client");
    let card = card();
    let queued: Vec<_> = (0..busy)
        .map(|_| {
            let (zoom, card) = (zoom.clone(), card.clone());
            tokio::spawn(async move { send_to(&zoom, "BUSYACCT", &card).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await; // the busy sends have their slots
    // One quiet send every 100 ms, each on its own (a slow one does not delay the next).
    let mut quiet = Vec::new();
    for _ in 0..40 {
        let (zoom, card, account) = (zoom.clone(), card.clone(), quiet_account.to_owned());
        quiet.push(tokio::spawn(async move {
            let t = Instant::now();
            send_to(&zoom, &account, &card).await;
            t.elapsed()
        }));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut latencies = Vec::new();
    for q in quiet {
        latencies.push(q.await.unwrap());
    }
    for q in queued {
        q.await.unwrap();
    }
    latencies.sort();
    latencies
}

async fn accounts() {
    use zoom_mock::MockServerExt as _;
    let server = httpmock::MockServer::start_async().await;
    server.send_chatbot_message(|_, then| {
        then.created(&types::ChatbotMessageSent {
            message_id: "M1".into(),
            robot_jid: "bench-bot@xmpp.zoom.us".into(),
            sent_time: "2026-11-22 10:00:00".into(),
            to_jid: CHANNEL.into(),
            user_jid: None,
        });
    });
    let per_account = quiet_latencies(&server, 250, "QUIETACCT").await;
    let shared = quiet_latencies(&server, 250, "BUSYACCT").await;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let median = |v: &[Duration]| v[v.len() / 2];
    let max = |v: &[Duration]| v[v.len() - 1];
    println!(
        "4. accounts: 250 sends queued for one account at 50/s, a quiet account sending every 100 ms (40 sends, each on its own)"
    );
    for (name, v) in [("per-account budgets", &per_account), ("one shared budget", &shared)] {
        println!("   {name:<20} quiet send latency median {:8.1} ms, max {:8.1} ms", ms(median(v)), ms(max(v)));
    }
    println!(
        "   ratio shared / per-account: median {:.0}, max {:.0}",
        ms(median(&shared)) / ms(median(&per_account)),
        ms(max(&shared)) / ms(max(&per_account))
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    // BENCH=overhead|tokens|bulk|accounts runs one part only (all four by default).
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
        if only.is_empty() || only == "accounts" {
            accounts().await;
        }
    });
}
