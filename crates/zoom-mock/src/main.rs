//! `zoom-mock`: the fake Zoom as a program. Prints its base URLs and credentials, then serves
//! until Ctrl-C.

use std::time::Duration;

use clap::{Parser, Subcommand};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use zoom_api_gen::types;
use zoom_mock::fake::{
    AccountSpec, CallbackGrant, Config, EventContext, Faults, Plan, RateLabel, ZoomMock, app_deauthorized_event,
    bot_installed_event, button_click_event, field_edit_event, link_shared_event, post_signed, select_event,
    slash_command_event, text_edit_event, validate_endpoint,
};

/// A fake Zoom Team Chat server for offline development and tests.
#[derive(Parser, Debug)]
#[command(name = "zoom-mock", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: Args,
}

// Parsed once per run: the size of its largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
enum Command {
    /// Send one signed event to a bot's endpoint, as Zoom would (no server needed).
    ///
    /// The app's secret token, which Zoom signs with, comes from ZOOM_WEBHOOK_SECRET_TOKEN or
    /// from a file (--secret-file), never from the command line.
    Event {
        /// The bot's endpoint URL.
        #[arg(long)]
        url: String,
        /// A file holding the app's secret token (one line); by default the secret is read
        /// from ZOOM_WEBHOOK_SECRET_TOKEN.
        #[arg(long, value_name = "PATH")]
        secret_file: Option<std::path::PathBuf>,
        /// Refused: a secret on the command line is visible to every user (`ps`).
        #[arg(long, hide = true)]
        secret: Option<String>,
        #[command(subcommand)]
        event: EventKind,
    },
    /// Offline card tools.
    Card {
        #[command(subcommand)]
        command: CardCommand,
    },
}

#[derive(Subcommand, Debug)]
enum CardCommand {
    /// Checks a card's JSON (a file, or - for stdin) against the spec; prints each rule it
    /// breaks by field path, as the fake would refuse it.
    Check {
        /// The card's JSON.
        file: std::path::PathBuf,
    },
}

/// `card check FILE`: exit 0 for a valid card, 2 with the violations otherwise.
fn check_card(path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let text = if path == std::path::Path::new("-") {
        std::io::read_to_string(std::io::stdin())?
    } else {
        std::fs::read_to_string(path)?
    };
    let card: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    let problems = zoom_mock::fake::card_violations(&card);
    if problems.is_empty() {
        println!("ok: {} is a valid card", path.display());
        return Ok(());
    }
    for p in &problems {
        eprintln!("{p}");
    }
    std::process::exit(2);
}

#[derive(Subcommand, Debug)]
enum EventKind {
    /// The URL-validation handshake (checks the bot's answer).
    Validate,
    /// A slash command: the text after the command.
    Slash {
        /// The text after the slash command.
        text: String,
        #[command(flatten)]
        who: Who,
    },
    /// A click on a button of the bot's card.
    Click {
        /// The card's message id.
        #[arg(long)]
        message_id: String,
        /// The button's value.
        #[arg(long)]
        value: String,
        #[command(flatten)]
        who: Who,
    },
    /// A choice in a select menu of the bot's card.
    Select {
        /// The card's message id.
        #[arg(long)]
        message_id: String,
        /// The chosen option's value (repeat for several).
        #[arg(long = "value", required = true)]
        values: Vec<String>,
        #[command(flatten)]
        who: Who,
    },
    /// An edit of the bot's card: its editable text, or with `--field KEY` an editable field.
    Edit {
        /// The card's message id.
        #[arg(long)]
        message_id: String,
        /// The new text or value.
        text: String,
        /// The key of the edited field (an `interactive_message_fields_editable` event).
        #[arg(long)]
        field: Option<String>,
        #[command(flatten)]
        who: Who,
    },
    /// A link shared in a conversation (`team_chat.link_shared`).
    Link {
        /// The shared link.
        link: String,
        /// The trigger id an unfurl answers (a new one when left out).
        #[arg(long)]
        trigger_id: Option<String>,
        /// Where the unfurl goes; by default the unfurl endpoint of a fake on port 9090.
        #[arg(long)]
        response_url: Option<String>,
        #[command(flatten)]
        who: Who,
    },
    /// The app installed in an account (`bot_installed`), by the acting user.
    Installed {
        #[command(flatten)]
        who: Who,
    },
    /// The app removed from an account (`app_deauthorized`), by the acting user.
    Deauthorized {
        /// The app's client id.
        #[arg(long, default_value = "fake_client_id")]
        client_id: String,
        #[command(flatten)]
        who: Who,
    },
}

/// Who acts in an event, and where.
#[derive(clap::Args, Debug)]
struct Who {
    /// The conversation (a channel JID, or the user's JID for a direct message).
    #[arg(long, default_value = "general@conference.xmpp.zoom.us")]
    to_jid: String,
    /// The acting user.
    #[arg(long, default_value = "fakeuser01@xmpp.zoom.us")]
    user_jid: String,
    /// The account id.
    #[arg(long, default_value = "FakeAccount01")]
    account_id: String,
    /// The bot's JID.
    #[arg(long, default_value = "v1fakebot@xmpp.zoom.us")]
    robot_jid: String,
}

impl From<Who> for EventContext {
    fn from(w: Who) -> Self {
        Self { account_id: w.account_id, robot_jid: w.robot_jid, to_jid: w.to_jid, user_jid: w.user_jid }
    }
}

/// The server's settings.
#[derive(clap::Args, Debug)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 9090)]
    port: u16,
    /// The app's client id.
    #[arg(long, default_value = "fake_client_id")]
    client_id: String,
    /// The app's client secret.
    #[arg(long, default_value = "fake_client_secret")]
    client_secret: String,
    /// The first account's id.
    #[arg(long, default_value = "FakeAccount01")]
    account_id: String,
    /// How many accounts, the app installed on each: the first (--account-id), then
    /// FakeAccount02, FakeAccount03, ... Without --plan their plans cycle through business,
    /// pro and free.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    accounts: u32,
    /// The bot's JID.
    #[arg(long, default_value = "v1fakebot@xmpp.zoom.us")]
    robot_jid: String,
    /// The plan whose rate limits apply in every account: free, pro, business or unlimited
    /// (default business; with --accounts, mixed).
    #[arg(long)]
    plan: Option<String>,
    /// Override one label's per-second limit, as LABEL=N (e.g. medium=200). Repeatable.
    #[arg(long = "rate", value_parser = parse_rate)]
    rates: Vec<(RateLabel, u32)>,
    /// Lifetime of issued tokens, in seconds.
    #[arg(long, default_value_t = 3600)]
    token_lifetime: u64,
    /// Messages kept per conversation.
    #[arg(long, default_value_t = 1000)]
    retention: usize,
    /// Added latency per answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Random extra latency per answer, up to this many milliseconds.
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// Share (0 to 1) of API answers replaced by a 503.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Share (0 to 1) of API requests whose connection is dropped unanswered.
    #[arg(long, default_value_t = 0.0)]
    drop_rate: f64,
    /// Seed of the faults' random choices.
    #[arg(long, default_value_t = 0x5EED_2006)]
    seed: u64,
    /// Answer the first N API requests with a 429 (more later: POST /_fake/rate-limit?n=N).
    #[arg(long, default_value_t = 0)]
    force_429: u32,
    /// Another name the fake's page, forms and controls answer on (with any port), beside
    /// loopback and the address it listens on: a name a browser reaches the fake by (a
    /// container's, say). Repeatable. Zoom's own paths answer on any name.
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_hosts: Vec<String>,
    /// Seconds a connection may go without a request in flight (half a request sent, or idle
    /// between requests) before it is closed.
    #[arg(long, default_value_t = 10)]
    idle_timeout: u64,
    /// Connections served at once; past it, new ones wait until one closes.
    #[arg(long, default_value_t = 512)]
    max_connections: usize,
    /// A bot's endpoint that the page's user talks to: slash commands, clicks, menus and edits
    /// typed on the page are delivered there, signed (the bot may start after the fake) with
    /// the app's secret token, from ZOOM_WEBHOOK_SECRET_TOKEN or --bot-secret-file.
    #[arg(long)]
    bot_url: Option<String>,
    /// A file holding the bot app's secret token (one line), which events are signed with; by
    /// default it is read from ZOOM_WEBHOOK_SECRET_TOKEN.
    #[arg(long, value_name = "PATH", requires = "bot_url")]
    bot_secret_file: Option<std::path::PathBuf>,
    /// Refused: a secret on the command line is visible to every user (`ps`).
    #[arg(long, hide = true)]
    bot_secret: Option<String>,
}

/// Where the app's secret token is read from when no file is named: the variable the bot
/// reads too, so one export serves both.
const SECRET_VARIABLE: &str = "ZOOM_WEBHOOK_SECRET_TOKEN";

/// The app's secret token: from `file` when one is named, else from [`SECRET_VARIABLE`].
/// `flag` names the file's flag in the messages; the secret itself is never in one.
fn secret_token(file: Option<&std::path::Path>, flag: &str) -> Result<String, String> {
    let secret = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{flag} {}: {e}", path.display()))?;
            // One line: the newline an editor or `echo` leaves is not part of the secret.
            let secret = text.trim_end_matches(['\n', '\r']).to_owned();
            if secret.is_empty() {
                return Err(format!("{flag} {}: the file is empty", path.display()));
            }
            secret
        }
        None => match std::env::var(SECRET_VARIABLE) {
            Ok(secret) if !secret.is_empty() => secret,
            _ => return Err(format!("the app's secret token is needed: set {SECRET_VARIABLE}, or give {flag} PATH")),
        },
    };
    Ok(secret)
}

/// The refusal of a secret given on the command line, saying where to put it instead.
fn secret_on_command_line(flag: &str, file_flag: &str) -> String {
    format!(
        "{flag} is refused: a secret on the command line is visible to every user of the machine (ps); set {SECRET_VARIABLE}, or put it in a file and give {file_flag} PATH"
    )
}

/// A plan name, or `unlimited` for none.
fn parse_plan(text: &str) -> Result<Option<Plan>, String> {
    if text.eq_ignore_ascii_case("unlimited") {
        return Ok(None);
    }
    Plan::parse(text).map(Some).ok_or_else(|| format!("unknown plan {text:?}: use free, pro, business or unlimited"))
}

fn parse_rate(text: &str) -> Result<(RateLabel, u32), String> {
    let (label, n) = text.split_once('=').ok_or("expected LABEL=N, e.g. medium=200")?;
    let label =
        RateLabel::parse(label).ok_or_else(|| format!("unknown label {label:?}: use light, medium or heavy"))?;
    let n = n.parse().map_err(|_| format!("{n:?} is not a number of requests per second"))?;
    Ok((label, n))
}

async fn send_event(url: &str, secret: &str, kind: EventKind) -> Result<(), Box<dyn std::error::Error>> {
    let event = match kind {
        EventKind::Validate => {
            let plain = format!("cli{}", std::process::id());
            validate_endpoint(url, secret, &plain).await?;
            println!("the endpoint answered the URL validation correctly");
            return Ok(());
        }
        EventKind::Slash { text, who } => slash_command_event(&who.into(), &text),
        // Standing alone, the command knows no card: `original` is left out, and there is no
        // fake to honour a callback.
        EventKind::Click { message_id, value, who } => {
            let item = types::ActionItem { text: Some(value.clone()), value };
            button_click_event(&who.into(), &message_id, item, None, CallbackGrant::default())
        }
        EventKind::Select { message_id, values, who } => select_event(&who.into(), &message_id, &values, None),
        EventKind::Edit { message_id, text, field: None, who } => {
            text_edit_event(&who.into(), &message_id, None, &text, None, CallbackGrant::default())
        }
        EventKind::Edit { message_id, text, field: Some(key), who } => {
            field_edit_event(&who.into(), &message_id, &key, None, &text, None, CallbackGrant::default())
        }
        EventKind::Link { link, trigger_id, response_url, who } => {
            let trigger = trigger_id.unwrap_or_else(|| format!("cli{}", std::process::id()));
            let user_id = who.user_jid.split('@').next().unwrap_or_default().to_owned();
            let url = response_url
                .unwrap_or_else(|| format!("http://127.0.0.1:9090/v2/im/chat/users/{user_id}/unfurls/{trigger}"));
            link_shared_event(&who.into(), &link, &trigger, &url)
        }
        EventKind::Installed { who } => {
            let name = who.user_jid.split('@').next().unwrap_or_default().to_owned();
            bot_installed_event(&who.account_id, &who.robot_jid, &who.user_jid, &name)
        }
        EventKind::Deauthorized { client_id, who } => {
            let user_id = who.user_jid.split('@').next().unwrap_or_default().to_owned();
            // Zoom's payload carries a signature of its own; any hex stands for it here.
            let signature = format!("{:016x}", std::process::id());
            app_deauthorized_event(&who.account_id, &client_id, &user_id, &signature)
        }
    };
    let (status, body) = post_signed(url, secret, &event).await?;
    println!("the bot answered HTTP {status} {body}");
    Ok(())
}

/// How many accounts the start lists one by one.
const SHOWN_ACCOUNTS: usize = 20;

/// The accounts after the first for `--accounts n`: `FakeAccount02` ... (at least two digits),
/// each on `plan` when one is given, else business, pro and free in turn (the first is
/// business), with the app installed.
fn accounts(first: &str, n: u32, plan: Option<Option<Plan>>) -> Result<Vec<AccountSpec>, String> {
    const MIXED: [Plan; 3] = [Plan::Business, Plan::Pro, Plan::Free];
    (2..=n)
        .map(|i| {
            let id = format!("FakeAccount{i:02}");
            if id == first {
                return Err(format!("--account-id {first} is the id of account {i} of --accounts {n}: pick another"));
            }
            let spec = AccountSpec::new(&id).user_id(format!("fakeuser{i:02}"));
            Ok(match plan.unwrap_or(Some(MIXED[(i as usize - 1) % MIXED.len()])) {
                Some(p) => spec.plan(p),
                None => spec.unlimited(),
            })
        })
        .collect()
}

#[tokio::main]
async fn main() {
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    match cli.command {
        Some(Command::Event { url, secret_file, secret, event }) => {
            if secret.is_some() {
                return Err(secret_on_command_line("--secret", "--secret-file").into());
            }
            let secret = secret_token(secret_file.as_deref(), "--secret-file")?;
            return send_event(&url, &secret, event).await;
        }
        Some(Command::Card { command: CardCommand::Check { file } }) => return check_card(&file),
        None => {}
    }
    let args = cli.serve;
    if args.bot_secret.is_some() {
        return Err(secret_on_command_line("--bot-secret", "--bot-secret-file").into());
    }
    // Read before the fake starts: a missing secret stops it with the reason.
    let bot = match args.bot_url {
        Some(url) => Some((url, secret_token(args.bot_secret_file.as_deref(), "--bot-secret-file")?)),
        None => None,
    };
    let plan = args.plan.as_deref().map(parse_plan).transpose()?;
    let accounts = accounts(&args.account_id, args.accounts, plan)?;
    let config = Config {
        host: args.host,
        port: args.port,
        client_id: args.client_id,
        client_secret: args.client_secret,
        account: AccountSpec {
            id: args.account_id,
            plan: plan.unwrap_or(Some(Plan::Business)),
            ..Config::default().account
        },
        robot_jid: args.robot_jid,
        token_lifetime: Duration::from_secs(args.token_lifetime),
        accounts,
        rates: args.rates.into_iter().collect(),
        retention: args.retention.max(1),
        faults: Faults {
            latency: Duration::from_millis(args.latency_ms),
            jitter: Duration::from_millis(args.jitter_ms),
            error_rate: args.error_rate,
            drop_rate: args.drop_rate,
            seed: args.seed,
        },
        allowed_hosts: args.allow_hosts,
        idle_timeout: Duration::from_secs(args.idle_timeout.max(1)),
        max_connections: args.max_connections.max(1),
        ..Config::default()
    };
    let zoom = ZoomMock::builder().config(config).start().await?;
    zoom.force_rate_limit(args.force_429);
    println!("fake Zoom listening on {}", zoom.addr());
    println!("  API:               {}", zoom.api_base_url());
    println!("  OAuth:             {}/oauth/token", zoom.oauth_base_url());
    println!("  incoming webhooks: {}/chat/webhooks/incomingwebhook/{{id}}", zoom.webhook_base_url());
    println!("  client id:         {}", zoom.client_id());
    println!("  client secret:     {}", zoom.client_secret());
    println!("  account id:        {}", zoom.account_id());
    let all = zoom.accounts();
    if all.len() > 1 {
        println!("  accounts:          {} (the app installed on each)", all.len());
        for a in all.iter().take(SHOWN_ACCOUNTS) {
            let plan = a.plan.map_or("unlimited", |p| p.as_str());
            println!("    {} ({plan}, user {}@xmpp.zoom.us)", a.id, a.user_id);
        }
        if all.len() > SHOWN_ACCOUNTS {
            println!("    ... and {} more, to {}", all.len() - SHOWN_ACCOUNTS, all[all.len() - 1].id);
        }
    }
    println!("  robot JID:         {}", zoom.robot_jid());
    println!(
        "  controls:          POST {0}/_fake/rate-limit?n=N, POST {0}/_fake/invalidate-tokens",
        zoom.oauth_base_url()
    );
    println!("  page:              {}/ (conversations, your bot, card preview)", zoom.oauth_base_url());
    if let Some((url, secret)) = bot {
        zoom.expect_bot(&url, &secret);
        match zoom.connect_bot(&url, &secret).await {
            Ok(_) => println!("  bot:               {url} (validated)"),
            Err(e) => println!("  bot:               {url} (not validated yet: {e}; checked again at the first event)"),
        }
    }
    println!("Ctrl-C stops it.");
    tokio::signal::ctrl_c().await?;
    println!("stopping");
    Ok(())
}
