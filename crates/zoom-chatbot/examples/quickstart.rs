//! The quickstart: a token, a card, a reply in its thread, an edit, the conversation listed,
//! and a delete.
//!
//! ```sh
//! cargo run -p zoom-chatbot --example quickstart
//! ```
//!
//! With no Zoom credentials in the environment it starts the fake Zoom in-process and runs
//! against it. With `ZOOM_CLIENT_ID`, `ZOOM_CLIENT_SECRET`, `ZOOM_ACCOUNT_ID`, `ZOOM_ROBOT_JID`
//! and `ZOOM_TO_JID` (the user or channel to write to) it does the same against Zoom.

use futures_util::TryStreamExt;
use zoom_chatbot::card::{Actions, Button, Card, Fields, Style, Text};
use zoom_chatbot::chat::Conversation;
use zoom_chatbot::ids::Recipient;
use zoom_chatbot::{ClientBuilder, ZoomClient};
use zoom_mock::fake::ZoomMock;

type Failure = Box<dyn std::error::Error>;

fn step(n: u32, what: &str) {
    println!("\n{n}. {what}");
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let real = std::env::var("ZOOM_CLIENT_ID").is_ok() && std::env::var("ZOOM_TO_JID").is_ok();
    // Keeps the fake alive for the whole run when there is one.
    let (zoom, to, _fake) = if real {
        println!("Using Zoom with the ZOOM_* credentials from the environment.");
        (ZoomClient::from_env()?, std::env::var("ZOOM_TO_JID")?.parse::<Recipient>()?, None)
    } else {
        let fake = ZoomMock::start().await?;
        println!("No ZOOM_* credentials set: using the fake Zoom at {}.", fake.api_base_url());
        let zoom = ClientBuilder::from_vars(fake.client_env()).build()?;
        (zoom, "quickstart@conference.xmpp.zoom.us".parse()?, Some(fake))
    };

    step(1, "Get a chatbot token");
    let bot = zoom.bot_user_id().await?;
    let bot = bot.map_or_else(|| "(not in the token)".to_owned(), |id| id.to_string());
    println!("   token issued for the bot's user id {bot}");

    step(2, &format!("Send a card to {to}"));
    let card = Card::new()
        .head("Build #1842 finished")
        .sub_head("main, 4 min 12 s")
        .push(Text::new("All 312 tests passed.").style(Style::new().color("#2E7D32").bold()))
        .push(Fields::new().short("Branch", "main").short("Commit", "4f2a9c1"))
        .push(Actions::new().button(Button::primary("Deploy", "deploy")).button(Button::new("Logs", "logs")))
        .build()?;
    let sent = zoom.send(&to, card).await?;
    let when = sent.sent_at.map(|t| t.to_rfc3339()).unwrap_or_default();
    println!("   sent message {} at {when}", sent.id);

    step(3, "Reply in its thread");
    let reply = sent.reply(Card::new().head("Deploying to production...").build()?).await?;
    println!("   replied with message {}", reply.id);

    step(4, "Edit the first card");
    let edited = Card::new()
        .head("Build #1842 deployed")
        .push(Text::new("Version 1.4.2 is live."))
        .push(Actions::new().button(Button::disabled("Deployed", "done")))
        .build()?;
    sent.edit(edited).await?;
    println!("   edited message {}", sent.id);

    step(5, "List the conversation");
    let conversation = Conversation::from(&to);
    match zoom.chat().list(&conversation).stream().try_collect::<Vec<_>>().await {
        Ok(messages) => {
            for m in &messages {
                let reply = if m.reply_main_message_id.is_some() { "  (reply)" } else { "" };
                println!("   {}  {}{reply}", m.id.as_deref().unwrap_or("?"), m.message.as_deref().unwrap_or(""));
            }
            println!("   {} messages", messages.len());
        }
        // Listing uses the user-level chat API, which wants a server-to-server or user token.
        Err(e) => println!("   could not list: {e}"),
    }

    step(6, "Delete the reply and the card");
    reply.delete().await?;
    sent.delete().await?;
    println!("   deleted {} and {}", reply.id, sent.id);

    println!("\nDone: {} token request(s) in all.", zoom.token_requests());
    Ok(())
}
