//! `cargo bench -p zoom-chatbot-tests --bench soak`: 10,000 sends through `zoom-chatbot` against
//! the in-process fake Zoom with faults on: 10% of answers a 5xx, 5% of connections dropped
//! unanswered, a burst of 429s every 1,000 sends, and every token voided half-way. Then the
//! fake's own record is compared with what each call returned:
//!
//! - sent: the call returned the message; failed: it returned an error (counted by kind);
//! - lost: the call returned the message but the fake does not hold it;
//! - duplicated: the fake holds the message more than once;
//! - phantom: the call failed but the fake holds the message.
//!
//! Lost and duplicated must be 0 (the bench fails otherwise): a retry never loses or repeats a
//! send. Phantoms are reported; they are what a POST that may have reached Zoom leaves.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use futures_util::StreamExt;
use zoom_chatbot::Error;
use zoom_chatbot::card::Card;
use zoom_chatbot::retry::RetryPolicy;
use zoom_mock::fake::{ConversationId, Faults, ZoomMock};

const SENDS: usize = 10_000;
const CHANNELS: usize = 10;
const CONCURRENCY: usize = 32;

fn kind(e: &Error) -> &'static str {
    match e {
        Error::Zoom { status, .. } if *status >= 500 => "zoom 5xx",
        Error::Zoom { .. } => "zoom 4xx",
        Error::RateLimited { .. } => "rate limited",
        Error::Transport(_) => "transport (dropped connection)",
        Error::UnexpectedResponse { status: Some(status), .. } if *status >= 500 => "zoom 5xx",
        Error::UnexpectedResponse { .. } => "unexpected answer",
        Error::TokenUnavailable { .. } | Error::Auth { .. } => "token",
        Error::Deadline { .. } => "deadline",
        _ => "other",
    }
}

async fn soak() {
    let fake = ZoomMock::builder().unlimited().retention(SENDS).request_log(0).start().await.unwrap();
    let zoom = zoom_chatbot::ClientBuilder::from_vars(fake.client_env())
        .retry(RetryPolicy::default().base_delay(std::time::Duration::from_millis(20)))
        .build()
        .unwrap();
    fake.set_faults(Faults { error_rate: 0.10, drop_rate: 0.05, seed: 7, ..Faults::default() });

    let started = Instant::now();
    let outcomes: Vec<(usize, Result<(), &'static str>)> = futures_util::stream::iter(0..SENDS)
        .map(|i| {
            let (zoom, fake) = (zoom.clone(), &fake);
            async move {
                if i > 0 && i % 1_000 == 0 {
                    fake.force_rate_limit(20); // a burst of 429s
                }
                if i == SENDS / 2 {
                    fake.invalidate_tokens(); // every token voided half-way
                }
                let card = Card::new().head(format!("soak-{i}")).build().unwrap();
                let to = format!("soak{}@conference.xmpp.zoom.us", i % CHANNELS);
                (i, zoom.send(to.as_str(), card).await.map(|_| ()).map_err(|e| kind(&e)))
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let elapsed = started.elapsed();

    let mut held: HashMap<String, usize> = HashMap::new();
    for c in 0..CHANNELS {
        for m in fake.conversation(&ConversationId::channel(&format!("soak{c}")).unwrap()) {
            *held.entry(m.text()).or_default() += 1;
        }
    }
    let (mut sent, mut lost, mut duplicated, mut phantom) = (0, 0, 0, 0);
    let mut failed: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, outcome) in &outcomes {
        let copies = held.get(&format!("soak-{i}")).copied().unwrap_or(0);
        duplicated += usize::from(copies > 1);
        match outcome {
            Ok(()) => {
                sent += 1;
                lost += usize::from(copies == 0);
            }
            Err(kind) => {
                *failed.entry(kind).or_default() += 1;
                phantom += usize::from(copies > 0);
            }
        }
    }
    println!("soak: {SENDS} sends, {CONCURRENCY} at a time, 10% 5xx, 5% dropped, 429 bursts, tokens voided half-way");
    println!("  elapsed: {:.1} s", elapsed.as_secs_f64());
    println!("  sent: {sent}");
    println!("  failed: {} {failed:?}", failed.values().sum::<usize>());
    println!("  lost: {lost}  duplicated: {duplicated}  phantom: {phantom}");
    println!("  token requests: {}", zoom.token_requests());
    assert_eq!((lost, duplicated), (0, 0), "a send was lost or repeated");
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(soak());
}
