//! An example bot: a slash command gets a card with buttons and a select menu; "Shout" and
//! "Done" edit that card, "Thanks" answers once through the event's callback, a choice in the
//! menu is answered in the card's thread, and a shared link gets a preview.
//!
//! ```sh
//! ZOOM_WEBHOOK_SECRET_TOKEN=... ZOOM_CLIENT_ID=... ZOOM_CLIENT_SECRET=... ZOOM_ACCOUNT_ID=... \
//! ZOOM_ROBOT_JID=... cargo run -p zoom-chatbot --example echo_bot
//! ```
//!
//! It listens on `127.0.0.1:${PORT:-3000}`, path `/zoom/events`. Against the fake Zoom, point
//! `ZOOM_API_URL` and `ZOOM_OAUTH_URL` at it (the README shows the whole loop).

use zoom_chatbot::bot::{Bot, Context, EventKind};
use zoom_chatbot::card::{Actions, Button, Card, Select, Style, Text};
use zoom_chatbot::{Result, SecretString, ZoomClient, types};

mod support;
/// Serves a bot as `main` does (the end-to-end test serves the example with it).
pub use support::serve;

/// The card the bot answers a command with.
pub fn echo_card(text: &str) -> Result<types::Card> {
    Card::new()
        .head("Echo")
        .push(Text::new(format!("You said: {text}")))
        .push(
            Actions::new()
                .button(Button::primary("Shout", "shout"))
                .button(Button::new("Done", "done"))
                .button(Button::new("Thanks", "thanks")),
        )
        .push(Select::new("How did it sound?").option("Loud", "loud").option("Soft", "soft"))
        .build()
}

fn said(ctx: &Context) -> String {
    // The text is in the card the user acted on: "You said: ...".
    let first = ctx.original_card().and_then(|card| card.body.first()).and_then(|element| element.text.as_deref());
    first.unwrap_or("").trim_start_matches("You said: ").to_owned()
}

/// The bot: any slash command is echoed in a card, which its buttons and menu act on.
pub fn echo_bot(zoom: ZoomClient, secret_token: SecretString) -> Bot {
    Bot::new(zoom, secret_token)
        .on(EventKind::BotNotification, |ctx| async move {
            let Some(text) = ctx.command_text() else { return Ok(()) };
            ctx.reply(echo_card(text)?).await?;
            Ok(())
        })
        .on_button("shout", |ctx| async move {
            let card = Card::new()
                .head("Echo")
                .push(Text::new(format!("You said: {}", said(&ctx).to_uppercase())).style(Style::new().bold()))
                .push(Actions::new().button(Button::new("Done", "done")))
                .build()?;
            ctx.edit_card(card).await
        })
        .on_button("done", |ctx| async move {
            let card = Card::new().head("Echo").push(Text::new(format!("Done: {}", said(&ctx)))).build()?;
            ctx.edit_card(card).await
        })
        .on_button("thanks", |ctx| async move {
            // The one reply Zoom allows to this click; a second one would be refused.
            let card = Card::new().head("You're welcome").build()?;
            ctx.callback_reply(card).await
        })
        .on(EventKind::InteractiveMessageSelect, |ctx| async move {
            let choice = ctx.selected_values().join(", ");
            ctx.reply(Card::new().head(format!("Heard it {choice}")).build()?).await
        })
        .on(EventKind::TeamChatLinkShared, |ctx| async move {
            let types::ZoomEvent::TeamChatLinkShared { payload, .. } = &*ctx.event else { return Ok(()) };
            let preview = Card::new().head("Link preview").push(Text::new(payload.object.link.clone())).build()?;
            ctx.unfurl(&preview).await
        })
}

#[tokio::main]
#[allow(dead_code)] // the end-to-end test includes this file and runs `echo_bot` itself
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    support::run("echo bot", echo_bot).await
}
