//! An incident bot: its slash command (say `/incident checkout is down`) opens a channel for
//! the incident, invites the on-call people by email, posts the incident's card there and
//! posts the incident's log (a file: when, who, what) beside it, and answers the command with
//! the channel's name. "Acknowledge" and "Resolve" on the card are answered in the card's
//! thread; "Resolve" also marks the card resolved.
//!
//! ```sh
//! ZOOM_WEBHOOK_SECRET_TOKEN=... ZOOM_CLIENT_ID=... ZOOM_CLIENT_SECRET=... ZOOM_ACCOUNT_ID=... \
//! ZOOM_ROBOT_JID=... ONCALL=ana@example.com,bo@example.com \
//! cargo run -p zoom-chatbot --features axum --example incident_bot
//! ```
//!
//! Channels are made and the log is sent with the app's server-to-server token (scopes
//! `chat_channel:write`, `chat_message:write`), the cards are the chatbot's. It listens on
//! `127.0.0.1:${PORT:-3000}`, path `/zoom/events`.

use zoom_chatbot::bot::{Bot, Context, EventKind};
use zoom_chatbot::card::{Actions, Button, Card, Fields, Text};
use zoom_chatbot::chat::Conversation;
use zoom_chatbot::files::FileSource;
use zoom_chatbot::{Error, Result, SecretString, ZoomClient, types};

mod support;
/// Serves a bot as `main` does (the end-to-end test serves the example with it).
pub use support::serve;

/// The longest part of a channel name taken from the incident's title.
const SLUG_CHARS: usize = 40;

/// The channel name for an incident titled `title`, opened at `opened` (UTC): lower-case
/// words joined by `-`, so that two incidents opened the same second with the same title are
/// the only ones to share a name.
pub fn channel_name(title: &str, opened: chrono::DateTime<chrono::Utc>) -> String {
    let words: Vec<String> =
        title.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    let slug: String = words.join("-").chars().take(SLUG_CHARS).collect();
    let slug = slug.trim_end_matches('-');
    let stamp = opened.format("%Y%m%d-%H%M%S");
    if slug.is_empty() { format!("incident-{stamp}") } else { format!("incident-{stamp}-{slug}") }
}

/// The incident's card, open (with its buttons) or resolved.
pub fn incident_card(title: &str, opened_by: &str, resolved_by: Option<&str>) -> Result<types::Card> {
    let card = Card::new().head(format!("Incident: {title}"));
    let fields = Fields::new().field("Opened by", opened_by);
    match resolved_by {
        None => card
            .push(fields.field("Status", "open"))
            .push(
                Actions::new()
                    .button(Button::danger("Acknowledge", "ack"))
                    .button(Button::primary("Resolve", "resolve")),
            )
            .build(),
        Some(by) => card.push(fields.field("Status", format!("resolved by {by}"))).build(),
    }
}

/// The incident's log as it starts: when it was opened, by whom, and what is wrong.
pub fn incident_log(title: &str, opened_by: &str, opened: chrono::DateTime<chrono::Utc>) -> String {
    format!("{}  opened by {opened_by}: {title}\n", opened.to_rfc3339())
}

/// The name of who acted, for the cards: Zoom's `userName`, else their JID.
fn who(ctx: &Context) -> String {
    let name = match &*ctx.event {
        types::ZoomEvent::BotNotification { payload, .. } => payload.user_name.clone(),
        types::ZoomEvent::InteractiveMessageActions { payload, .. } => payload.user_name.clone(),
        _ => None,
    };
    name.or_else(|| ctx.user_jid().map(|j| j.to_string())).unwrap_or_else(|| "someone".into())
}

/// The card's title and who opened it, read back from the card the user clicked on.
fn title_and_opener(ctx: &Context) -> (String, String) {
    let card = ctx.original_card();
    let title = card
        .and_then(|c| c.head.as_ref())
        .and_then(|h| h.text.as_deref())
        .unwrap_or("")
        .trim_start_matches("Incident: ")
        .to_owned();
    let opener = card
        .and_then(|c| c.body.first())
        .and_then(|fields| fields.items.first())
        .and_then(|item| item.value.clone())
        .unwrap_or_default();
    (title, opener)
}

/// The bot. `on_call` are the email addresses invited to every incident's channel (at most
/// 20, as Zoom makes a channel with at most that many members).
pub fn incident_bot(zoom: ZoomClient, secret_token: SecretString, on_call: Vec<String>) -> Bot {
    Bot::new(zoom.clone(), secret_token)
        .on(EventKind::BotNotification, move |ctx| {
            let (zoom, on_call) = (zoom.clone(), on_call.clone());
            async move {
                let title = ctx.command_text().unwrap_or("").trim().to_owned();
                if title.is_empty() {
                    ctx.reply(Card::new().head("Say what is wrong: /incident checkout is down").build()?).await?;
                    return Ok(());
                }
                let opened = chrono::Utc::now();
                let name = channel_name(&title, opened);
                let channel = match zoom.channels().create(name.clone(), on_call).await {
                    Ok(channel) => channel,
                    Err(e) => {
                        tracing::error!(error = %e, channel = %name, "the incident's channel could not be made");
                        ctx.reply(Card::new().head(format!("Could not open {name}: {e}")).build()?).await?;
                        return Err(e);
                    }
                };
                tracing::info!(channel = %channel.id, %name, "incident opened");
                ctx.account()?.send(channel.jid.clone(), incident_card(&title, &who(&ctx), None)?).await?;
                // The log beside the card; the incident goes on without it if Zoom refuses it.
                let log = FileSource::bytes(format!("{name}.log"), incident_log(&title, &who(&ctx), opened));
                let to = Conversation::channel(channel.id.as_str())?;
                if let Err(e) = zoom.files().send(&to, log).await {
                    tracing::warn!(error = %e, channel = %channel.id, "the incident's log could not be posted");
                }
                ctx.reply(Card::new().head(format!("Opened {name}")).push(Text::new(title)).build()?).await?;
                Ok::<(), Error>(())
            }
        })
        .on_button("ack", |ctx| async move {
            ctx.reply(Card::new().head(format!("{} is on it", who(&ctx))).build()?).await?;
            Ok(())
        })
        .on_button("resolve", |ctx| async move {
            let (title, opener) = title_and_opener(&ctx);
            let by = who(&ctx);
            ctx.edit_card(incident_card(&title, &opener, Some(&by))?).await?;
            ctx.reply(Card::new().head(format!("Resolved by {by}")).build()?).await?;
            Ok(())
        })
        .on(EventKind::BotInstalled, |ctx| async move {
            ctx.reply(Card::new().head("Open an incident with /incident and what is wrong").build()?).await?;
            Ok(())
        })
}

#[tokio::main]
#[allow(dead_code)] // the end-to-end test includes this file and runs `incident_bot` itself
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let on_call: Vec<String> = std::env::var("ONCALL")
        .map_err(|_| "set ONCALL (the on-call people's email addresses, separated by commas)")?
        .split(',')
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty())
        .collect();
    support::run("incident bot", |zoom, secret| incident_bot(zoom, secret, on_call)).await
}
