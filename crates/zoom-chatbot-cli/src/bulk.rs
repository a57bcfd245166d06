//! `bulk FILE`: every message of a JSON-lines file, paced at the plan's limits; progress on a
//! terminal (plain lines otherwise), a summary, the ids written out, and what failed written
//! in the input's own format, so that running `bulk` on it resumes.

use std::collections::BTreeMap;
use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::time::Instant;

use futures_util::StreamExt as _;
use zoom_chatbot::card::{Card, Text};
use zoom_chatbot::ids::MessageId;
use zoom_chatbot::pacing::{Pacing, Plan, RateLabel};
use zoom_chatbot::{ZoomClient, types};

use crate::config::Connection;
use crate::content::card_from_json;
use crate::exit::{self, Failure, Outcome};

/// Sends a JSON-lines file of messages.
#[derive(clap::Args, Debug)]
pub struct Bulk {
    /// One message a line: {"to": JID, "text": "..." | "card": {...}, "markdown": bool,
    /// "reply_to": ID}.
    file: PathBuf,
    /// The plan whose per-second limits pace the sends: free, pro or business.
    #[arg(long, default_value = "business")]
    plan: String,
    /// Sends per second (the Medium label), when your account's limit differs from the plan's.
    #[arg(long)]
    rate: Option<u32>,
    /// Write `LINE<TAB>MESSAGE_ID` for each message sent.
    #[arg(long)]
    ids: Option<PathBuf>,
    /// Write the lines that failed, each with its `error`: run `bulk` on it to resume.
    #[arg(long)]
    failed: Option<PathBuf>,
    /// Sends in flight at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
}

/// One line of the input, read.
struct Line {
    number: usize,
    raw: serde_json::Map<String, serde_json::Value>,
}

fn message_of(line: &Line) -> Result<(String, types::Card, bool, Option<MessageId>), String> {
    let get = |key: &str| line.raw.get(key);
    let to = get("to").and_then(|v| v.as_str()).ok_or("\"to\" is required (a user or channel JID)")?;
    let markdown = get("markdown").and_then(|v| v.as_bool()).unwrap_or(false);
    let card = match (get("card"), get("text").and_then(|v| v.as_str())) {
        (Some(card), _) => card_from_json(&card.to_string(), "\"card\"").map_err(|f| match f {
            Failure::Usage(m) => m,
            other => format!("{other:?}"),
        })?,
        (None, Some(text)) => {
            let text = if markdown { Text::new(text).markdown() } else { Text::new(text) };
            Card::new().push(text).build().map_err(|e| e.to_string())?
        }
        (None, None) => return Err("give \"text\" or \"card\"".into()),
    };
    let reply_to = match get("reply_to").and_then(|v| v.as_str()) {
        Some(id) => Some(id.parse().map_err(|e: zoom_chatbot::ids::IdError| e.to_string())?),
        None => None,
    };
    Ok((to.to_owned(), card, markdown, reply_to))
}

async fn send(zoom: &ZoomClient, line: &Line) -> Result<MessageId, (i32, String)> {
    let (to, card, markdown, reply_to) = message_of(line).map_err(|why| (exit::INVALID, why))?;
    let mut send = zoom.send(to.as_str(), card);
    if let Some(parent) = &reply_to {
        send = send.reply_to(parent);
    }
    if markdown {
        send = send.markdown();
    }
    send.await.map(|sent| sent.id).map_err(|e| (exit::code_of(&e), exit::describe(&e)))
}

/// Progress: a bar redrawn on a terminal, a line every hundred messages otherwise.
struct Progress {
    total: usize,
    terminal: bool,
}

impl Progress {
    fn show(&self, done: usize, failed: usize) {
        let mut err = std::io::stderr();
        if self.terminal {
            let width = 30;
            let filled = (done * width).checked_div(self.total).unwrap_or(width);
            let bar = format!("{}{}", "#".repeat(filled), ".".repeat(width - filled));
            let _ = write!(err, "\r[{bar}] {done}/{} sent or failed, {failed} failed", self.total);
            let _ = err.flush();
        } else if done.is_multiple_of(100) || done == self.total {
            let _ = writeln!(err, "{done}/{} done, {failed} failed", self.total);
        }
    }
}

impl Bulk {
    pub async fn run(self, connection: &Connection) -> Outcome {
        let text = std::fs::read_to_string(&self.file)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", self.file.display())))?;
        let mut lines = Vec::new();
        for (i, raw) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            match serde_json::from_str::<serde_json::Value>(raw) {
                Ok(serde_json::Value::Object(map)) => lines.push(Line { number: i + 1, raw: map }),
                _ => return Err(Failure::usage(format!("{}:{}: not a JSON object", self.file.display(), i + 1))),
            }
        }
        let plan = Plan::parse(&self.plan)
            .ok_or_else(|| Failure::usage(format!("unknown plan {:?}: use free, pro or business", self.plan)))?;
        let mut pacing = Pacing::plan(plan);
        if let Some(rate) = self.rate {
            pacing = pacing.rate(RateLabel::Medium, rate);
        }
        let zoom = connection.paced_client(pacing)?;
        let progress = Progress { total: lines.len(), terminal: std::io::stderr().is_terminal() };
        let started = Instant::now();
        let mut outcomes = futures_util::stream::iter(lines.iter())
            .map(|line| {
                let zoom = zoom.clone();
                async move { (line, send(&zoom, line).await) }
            })
            .buffer_unordered(self.concurrency.max(1));
        let (mut sent, mut failed) = (Vec::new(), Vec::new());
        while let Some((line, outcome)) = outcomes.next().await {
            match outcome {
                Ok(id) => sent.push((line.number, id)),
                Err(why) => failed.push((line, why)),
            }
            progress.show(sent.len() + failed.len(), failed.len());
        }
        if progress.terminal {
            eprintln!();
        }
        sent.sort_by_key(|(n, _)| *n);
        failed.sort_by_key(|(line, _)| line.number);
        if let Some(path) = &self.ids {
            let text: String = sent.iter().map(|(n, id)| format!("{n}\t{id}\n")).collect();
            std::fs::write(path, text).map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display())))?;
        }
        if let Some(path) = &self.failed {
            let text: String = failed
                .iter()
                .map(|(line, (_, why))| {
                    let mut raw = line.raw.clone();
                    raw.insert("error".into(), why.clone().into());
                    format!("{}\n", serde_json::Value::Object(raw))
                })
                .collect();
            std::fs::write(path, text).map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display())))?;
        }
        let mut by_code: BTreeMap<i32, usize> = BTreeMap::new();
        for (line, (code, why)) in &failed {
            *by_code.entry(*code).or_default() += 1;
            eprintln!("line {}: {why}", line.number);
        }
        eprintln!(
            "sent {} of {} in {:.1} s; failed {} {by_code:?} (by exit code); {} token request(s)",
            sent.len(),
            lines.len(),
            started.elapsed().as_secs_f64(),
            failed.len(),
            zoom.token_requests()
        );
        match by_code.keys().next_back() {
            None => Ok(()),
            Some(worst) => Err(Failure::Some(*worst)),
        }
    }
}
