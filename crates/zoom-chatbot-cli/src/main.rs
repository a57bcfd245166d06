//! `zoom-chatbot`: Zoom Team Chat notifications from shells and CI jobs, on `zoom-chatbot`.
//!
//! Configured like `ZoomClient::from_env` (the `ZOOM_*` variables), overridable by flags.
//! Secrets come only from the environment or a file, never from an argument. Exit codes:
//! 0 sent, 2 usage or invalid input, 3 Zoom refused, 4 rate limited, 5 network.

mod bulk;
mod config;
mod content;
mod exit;
mod file;

use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand};
use zoom_chatbot::ids::{ChannelId, MessageId, TriggerId, UserId};
use zoom_chatbot::incoming::IncomingWebhook;

use crate::config::Connection;
use crate::content::Content;
use crate::exit::{Failure, Outcome};

/// Zoom Team Chat from the command line: send cards, post through incoming webhooks,
/// bulk-send at the plan's limits.
#[derive(Parser, Debug)]
#[command(
    name = "zoom-chatbot",
    version,
    after_help = "Examples:\n  \
    zoom-chatbot send --to general@conference.xmpp.zoom.us --text 'Deployed 1.4.2'\n  \
    zoom-chatbot send --to general@conference.xmpp.zoom.us --head 'Build #42' --field branch=main --button Logs=logs\n  \
    zoom-chatbot send --to general@conference.xmpp.zoom.us --file build.log\n  \
    zoom-chatbot bulk messages.jsonl --ids sent.tsv --failed failed.jsonl\n  \
    zoom-chatbot card check card.json\n\n\
    Credentials: ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET (or --client-secret-file), ZOOM_ACCOUNT_ID, ZOOM_ROBOT_JID.\n\
    Several processes at once: ZOOM_REDIS_URL shares their tokens and rate budget (see --redis-prefix).\n\
    Exit codes: 0 sent, 2 usage or invalid input, 3 Zoom refused, 4 rate limited, 5 network."
)]
struct Cli {
    #[command(flatten)]
    connection: Connection,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Sends a card (or a text) to a user or a channel; prints the message id.
    Send {
        /// The user (`...@xmpp.zoom.us`) or channel (`...@conference.xmpp.zoom.us`) JID.
        #[arg(long)]
        to: String,
        #[command(flatten)]
        content: Content,
        /// Send this file instead of a card, as a message of the chat token's user (the file
        /// host's `sendChatFile`: at most 20 MB, 16 MB for an image), with a progress bar on
        /// a terminal.
        #[arg(long, value_name = "PATH", conflicts_with_all = ["text", "card", "head", "fields", "buttons", "color", "markdown", "visible_to"])]
        file: Option<PathBuf>,
        /// Send it as a reply in this message's thread.
        #[arg(long)]
        reply_to: Option<MessageId>,
        /// In a channel, only this member (a user id) sees it.
        #[arg(long)]
        visible_to: Option<UserId>,
        /// Print the answer as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Replaces the card of a message the bot sent.
    Edit {
        /// The message id.
        id: MessageId,
        #[command(flatten)]
        content: Content,
    },
    /// Deletes a message the bot sent.
    Delete {
        /// The message id.
        id: MessageId,
    },
    /// Attaches a preview card to a shared link (from its `team_chat.link_shared` event).
    Unfurl {
        /// The event's `response_url`.
        #[arg(long, conflicts_with_all = ["user_id", "trigger_id"])]
        response_url: Option<String>,
        /// The user who shared the link (with --trigger-id).
        #[arg(long, requires = "trigger_id")]
        user_id: Option<UserId>,
        /// The event's `trigger_id`.
        #[arg(long, requires = "user_id")]
        trigger_id: Option<TriggerId>,
        #[command(flatten)]
        content: Content,
    },
    /// Posts through an incoming webhook (the URL `/inc connect` printed); the token comes from
    /// ZOOM_WEBHOOK_TOKEN or --token-file.
    Webhook {
        /// The webhook's URL.
        url: String,
        /// How the webhook reads the post: a card, a plain message, or key/value fields.
        #[arg(long, value_enum, default_value_t = WebhookFormat::Full)]
        format: WebhookFormat,
        /// A file holding the webhook's verification token.
        #[arg(long)]
        token_file: Option<PathBuf>,
        #[command(flatten)]
        content: Content,
    },
    /// Sends every message of a JSON-lines file, paced at the plan's limits.
    Bulk(bulk::Bulk),
    /// Offline card tools.
    Card {
        #[command(subcommand)]
        command: CardCommand,
    },
    /// The account's users (server-to-server or user token).
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// The account's channels (server-to-server or user token), as the token's user.
    Channels {
        #[command(subcommand)]
        command: ChannelsCommand,
    },
    /// Shows the token the configuration gets: its kind, scopes and expiry.
    Token {
        /// The user-level chat API's token instead of the chatbot token.
        #[arg(long)]
        chat: bool,
        /// Print the token itself too.
        #[arg(long)]
        show: bool,
    },
    /// Prints a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand, Debug)]
enum CardCommand {
    /// Checks a card (a file, or - for stdin) against the spec, offline; names each error's
    /// field path.
    Check {
        /// The card's JSON.
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum UsersCommand {
    /// Finds a user by email address: prints their JID (where `send` reaches them), id and
    /// name.
    Lookup {
        /// The email address.
        email: String,
        /// Print Zoom's answer as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
enum ChannelsCommand {
    /// Makes a channel, owned by the token's user, with members invited by email (at most
    /// 20); prints its id and JID (where `send` reaches it).
    Create {
        /// The channel's name (at most 256 characters).
        name: String,
        /// A member's email address; repeat for more.
        #[arg(long = "member", value_name = "EMAIL")]
        members: Vec<String>,
        /// Print Zoom's answer as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Lists the token's user's channels: id, JID and name, one a line.
    List,
    /// Invites members to a channel by email (one to five at once).
    Invite {
        /// The channel id.
        id: String,
        /// The members' email addresses.
        #[arg(required = true, value_name = "EMAIL")]
        emails: Vec<String>,
    },
    /// Renames a channel (one the token's user owns or administers).
    Update {
        /// The channel id.
        id: String,
        /// The new name.
        #[arg(long)]
        name: String,
    },
    /// Deletes a channel.
    Delete {
        /// The channel id.
        id: String,
    },
    /// Removes members from a channel: one by email, user id or member id, or up to 20 by
    /// user id at once.
    Remove {
        /// The channel id.
        id: String,
        /// The members (one: an email, user id or member id; several: user ids).
        #[arg(required = true, value_name = "MEMBER")]
        members: Vec<String>,
    },
    /// Archives a channel: it keeps its messages and takes no new ones.
    Archive {
        /// The channel id.
        id: String,
    },
    /// Unarchives a channel.
    Unarchive {
        /// The channel id.
        id: String,
    },
}

/// Runs a `channels` command; a malformed id or address is refused before anything is sent.
async fn channels(connection: &Connection, command: ChannelsCommand) -> Outcome {
    use futures_util::TryStreamExt;
    match command {
        ChannelsCommand::Create { name, members, json } => {
            let made = connection.client()?.channels().create(name, &members).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&made.zoom).map_err(|e| Failure::usage(e.to_string()))?);
            } else {
                println!("id:    {}", made.id);
                println!("jid:   {}", made.jid);
                println!("name:  {}", made.zoom.name.as_deref().unwrap_or("-"));
            }
        }
        ChannelsCommand::List => {
            let zoom = connection.client()?;
            let mut channels = std::pin::pin!(zoom.channels().list().stream());
            while let Some(channel) = channels.try_next().await? {
                println!("{}  {}  {}", channel.id, channel.jid, channel.zoom.name.as_deref().unwrap_or("-"));
            }
        }
        ChannelsCommand::Invite { id, emails } => {
            let id: ChannelId = id.parse().map_err(zoom_chatbot::Error::from)?;
            let invited = connection.client()?.channels().invite(&id, &emails).await?;
            let ids = invited.ids.as_deref().filter(|i| !i.is_empty()).unwrap_or("-");
            println!("invited: {ids}");
        }
        ChannelsCommand::Update { id, name } => {
            let id: ChannelId = id.parse().map_err(zoom_chatbot::Error::from)?;
            connection.client()?.channels().update(&id).name(name.as_str()).await?;
            println!("renamed: {id}  {name}");
        }
        ChannelsCommand::Delete { id } => {
            let id: ChannelId = id.parse().map_err(zoom_chatbot::Error::from)?;
            connection.client()?.channels().delete(&id).await?;
            println!("deleted: {id}");
        }
        ChannelsCommand::Remove { id, members } => {
            let id: ChannelId = id.parse().map_err(zoom_chatbot::Error::from)?;
            let members: Vec<UserId> =
                members.iter().map(|m| m.parse()).collect::<Result<_, _>>().map_err(zoom_chatbot::Error::from)?;
            let zoom = connection.client()?;
            match members.as_slice() {
                [one] => zoom.channels().remove(&id, one).await?,
                many => zoom.channels().remove_many(&id, many).await?,
            }
            let names: Vec<&str> = members.iter().map(UserId::as_str).collect();
            println!("removed: {}", names.join(","));
        }
        ChannelsCommand::Archive { id } => {
            let id: ChannelId = id.parse().map_err(zoom_chatbot::Error::from)?;
            connection.client()?.channels().archive(&id).await?;
            println!("archived: {id}");
        }
        ChannelsCommand::Unarchive { id } => {
            let id: ChannelId = id.parse().map_err(zoom_chatbot::Error::from)?;
            connection.client()?.channels().unarchive(&id).await?;
            println!("unarchived: {id}");
        }
    }
    Ok(())
}

/// The three formats of an incoming webhook.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum WebhookFormat {
    /// A whole card (`format=full`).
    Full,
    /// A plain message (`format=message`).
    Message,
    /// Key/value fields (`format=fields`).
    Fields,
}

#[tokio::main]
async fn main() {
    // Warnings (Redis unreachable, say) on stderr; RUST_LOG-style filtering is not needed here.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    let cli = Cli::parse();
    let code = match run(cli).await {
        Ok(()) => exit::SENT,
        Err(failure) => failure.report(),
    };
    std::process::exit(code);
}

async fn run(cli: Cli) -> Outcome {
    match cli.command {
        Command::Send { to, file: Some(path), reply_to, json, .. } => {
            let zoom = cli.connection.client()?;
            let id = file::send(&zoom, &to, &path, reply_to.as_ref()).await?;
            if json {
                println!("{}", serde_json::json!({"message_id": id, "to": to}));
            } else {
                println!("{id}");
            }
            Ok(())
        }
        Command::Send { to, content, reply_to, visible_to, json, file: None } => {
            let zoom = cli.connection.client()?;
            let (card, markdown) = content.card()?;
            let mut send = zoom.send(to.as_str(), card);
            if let Some(parent) = &reply_to {
                send = send.reply_to(parent);
            }
            if let Some(user) = &visible_to {
                send = send.visible_to(user);
            }
            if markdown {
                send = send.markdown();
            }
            let sent = send.await?;
            if json {
                let at = sent.sent_at.map(|t| t.to_rfc3339());
                println!("{}", serde_json::json!({"message_id": sent.id, "to": sent.to, "sent_at": at}));
            } else {
                println!("{}", sent.id);
            }
            Ok(())
        }
        Command::Edit { id, content } => {
            let (card, _) = content.card()?;
            cli.connection.client()?.edit_message(&id, card).await?;
            println!("{id}");
            Ok(())
        }
        Command::Delete { id } => {
            cli.connection.client()?.delete_message(&id).await?;
            println!("{id}");
            Ok(())
        }
        Command::Unfurl { response_url, user_id, trigger_id, content } => {
            let (card, _) = content.card()?;
            let zoom = cli.connection.client()?;
            match (response_url, user_id, trigger_id) {
                (Some(url), _, _) => zoom.unfurl_response_url(&url, &card).await?,
                (None, Some(user), Some(trigger)) => zoom.unfurl(&user, &trigger, &card).await?,
                _ => return Err(Failure::usage("give --response-url, or --user-id with --trigger-id")),
            }
            Ok(())
        }
        Command::Webhook { url, format, token_file, content } => {
            let token = config::secret("ZOOM_WEBHOOK_TOKEN", token_file.as_deref())?
                .ok_or_else(|| Failure::usage("set ZOOM_WEBHOOK_TOKEN or give --token-file"))?;
            let hook = IncomingWebhook::from_url(&url, token)?;
            match format {
                WebhookFormat::Full => hook.send_card(content.card()?.0).await?,
                WebhookFormat::Message => hook.send_message(&content.text_only()?).await?,
                WebhookFormat::Fields => {
                    let fields = content.fields_only()?;
                    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    hook.send_fields(&pairs).await?
                }
            }
            Ok(())
        }
        Command::Bulk(bulk) => bulk.run(&cli.connection).await,
        Command::Card { command: CardCommand::Check { file } } => content::check(&file),
        Command::Users { command: UsersCommand::Lookup { email, json } } => {
            let user = cli.connection.client()?.users().by_email(&email).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&user).map_err(|e| Failure::usage(e.to_string()))?);
            } else {
                println!("jid:   {}", user.jid.as_deref().unwrap_or("-"));
                println!("id:    {}", user.id.as_deref().unwrap_or("-"));
                println!("name:  {}", user.display_name.as_deref().unwrap_or("-"));
            }
            Ok(())
        }
        Command::Channels { command } => channels(&cli.connection, command).await,
        Command::Token { chat, show } => {
            let zoom = cli.connection.client()?;
            let token = if chat { zoom.chat_token().await? } else { zoom.bot_token().await? };
            println!("kind:       {}", if chat { "chat (server-to-server or user)" } else { "chatbot" });
            println!("scopes:     {}", token.scope);
            if let Some(left) = token.expires_in() {
                println!("expires in: {} s", left.as_secs());
            }
            if let Some(uid) = &token.uid {
                println!("user id:    {uid}");
            }
            if let Some(api) = &token.api_url {
                println!("api url:    {api}");
            }
            if show {
                use secrecy::ExposeSecret as _;
                println!("token:      {}", token.secret().expose_secret());
            }
            Ok(())
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "zoom-chatbot", &mut std::io::stdout());
            Ok(())
        }
    }
}
