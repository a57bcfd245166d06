//! The fake's state, and the typed views of it that tests inspect.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::time::Instant;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use zoom_api_gen::operations::OperationId;
use zoom_api_gen::types;

use super::capped::CappedMap;
use super::config::{AccountSpec, Config};
use super::limits::Limiter;
use super::rng::SplitMix64;

mod channels;
pub(crate) mod clock;
mod deliveries;
pub(crate) mod files;
mod schedule;

pub use channels::{ChannelMember, FakeChannel};
pub(crate) use channels::{KEEP_CHANNELS, channel_url, member_id_of};

pub use deliveries::{BotEndpoint, Delivery};
pub(crate) use deliveries::{Deliveries, Outbox, PageBot};
pub use files::FakeFile;
pub(crate) use schedule::KEEP_SCHEDULED;
pub use schedule::ReminderKey;
pub use schedule::{Reminder, ScheduledMessage};

/// A conversation, by JID: a channel, or a one-to-one chat with a user. It is the client's
/// [`Recipient`](zoom_api_gen::ids::Recipient) (one type, from `zoom_api_gen::ids`): a chat
/// API call's `to_channel` or `to_contact` (an email read as the user the directory gives
/// it) names the same conversation as a chatbot message's `to_jid`.
pub type ConversationId = zoom_api_gen::ids::Recipient;

/// Who sent a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sender {
    /// A chatbot, by its JID.
    Bot(String),
    /// A user, through the chat API.
    User(String),
    /// An incoming webhook, by its id.
    IncomingWebhook(String),
}

/// What a message shows.
#[derive(Clone, Debug, PartialEq)]
pub enum MessageContent {
    /// A chatbot card (also what incoming webhooks post).
    Card {
        /// The card.
        card: types::Card,
        /// Whether its texts are markdown.
        markdown: bool,
    },
    /// A user-level text message.
    Text(types::SendChatMessageRequest),
}

/// An earlier version of an edited message.
#[derive(Clone, Debug, PartialEq)]
pub struct Revision {
    /// What the message showed.
    pub content: MessageContent,
    /// Until when.
    pub replaced_at: DateTime<Utc>,
}

/// A message in the fake's state, with its history.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredMessage {
    /// Its id, as Zoom returned it.
    pub id: String,
    /// The account it is in.
    pub account: String,
    /// Where it is, in its account.
    pub conversation: ConversationId,
    /// Who sent it.
    pub sender: Sender,
    /// What it shows now.
    pub content: MessageContent,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
    /// The main message, for a reply.
    pub reply_to: Option<String>,
    /// The only member who sees it, if it was sent with `visible_to_user`.
    pub visible_to_user: Option<String>,
    /// The user a bot acted for (`user_jid`).
    pub user_jid: Option<String>,
    /// Earlier versions, oldest first.
    pub edits: Vec<Revision>,
    /// When it was deleted; deleted messages stay for inspection.
    pub deleted_at: Option<DateTime<Utc>>,
    /// Reactions: emoji to the users who reacted.
    pub reactions: BTreeMap<String, BTreeSet<String>>,
    /// Users who marked it unread (and have not read it since).
    pub unread_by: BTreeSet<String>,
}

impl StoredMessage {
    /// A new, live message: no thread, no edits, no reactions.
    pub(crate) fn new(
        account: &str,
        id: String,
        conversation: ConversationId,
        sender: Sender,
        content: MessageContent,
    ) -> Self {
        Self {
            id,
            account: account.to_owned(),
            conversation,
            sender,
            content,
            sent_at: chrono::Utc::now(),
            reply_to: None,
            visible_to_user: None,
            user_jid: None,
            edits: Vec::new(),
            deleted_at: None,
            reactions: Default::default(),
            unread_by: Default::default(),
        }
    }

    /// Whether it has been edited.
    pub fn is_edited(&self) -> bool {
        !self.edits.is_empty()
    }

    /// The card, for a chatbot or incoming-webhook message.
    pub fn card(&self) -> Option<&types::Card> {
        match &self.content {
            MessageContent::Card { card, .. } => Some(card),
            MessageContent::Text(_) => None,
        }
    }

    /// The text: a user message's text, or a card's head text.
    pub fn text(&self) -> String {
        match &self.content {
            MessageContent::Text(t) => t.message.to_string(),
            MessageContent::Card { card, .. } => card.head.as_ref().map(|h| h.text.clone()).unwrap_or_default(),
        }
    }
}

/// A request the fake received, and how it answered.
#[derive(Clone, Debug)]
pub struct SeenRequest {
    /// HTTP method.
    pub method: String,
    /// Path, including the `/v2` prefix of API paths.
    pub path: String,
    /// Raw query string.
    pub query: String,
    /// The spec's operation for its method and path, if it matches one.
    pub operation: Option<OperationId>,
    /// The status the fake answered.
    pub status: u16,
    /// The body the fake answered.
    pub response_body: Bytes,
    /// Whether a fault was injected into the answer.
    pub fault: bool,
}

/// What a token lets its holder do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A chatbot token (client_credentials).
    Chatbot,
    /// A server-to-server token (account_credentials).
    ServerToServer,
    /// A user token (authorization_code or refresh_token), for this user id.
    User(String),
}

/// A token the fake issued.
#[derive(Clone, Debug, PartialEq)]
pub struct IssuedToken {
    /// The grant that produced it.
    pub grant: types::GrantType,
    /// What it is.
    pub kind: TokenKind,
    /// When.
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub(crate) struct TokenInfo {
    pub kind: TokenKind,
    /// The account a server-to-server or user token acts in; none for a chatbot token, which
    /// serves every account the app is installed in.
    pub account: Option<String>,
    pub expires: Instant,
    pub generation: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct AuthCode {
    pub account: String,
    pub user_id: String,
    pub redirect_uri: Option<String>,
    pub code_challenge: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct IncomingWebhook {
    pub account: String,
    pub channel: ConversationId,
    pub token: String,
}

/// A callback an interactive event granted: one reply, in the card's conversation, with its
/// token, before it expires.
#[derive(Clone, Debug)]
pub(crate) struct Callback {
    pub token: String,
    pub account: String,
    pub conversation: ConversationId,
    pub expires: Instant,
    pub used: bool,
}

/// How long a `next_page_token` stays valid (Zoom: 15 minutes).
pub(crate) const PAGE_TOKEN_LIFETIME: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// What a page token continues: a conversation's messages, a user's channels, a channel's
/// members, a user's scheduled messages in a conversation, or a user's reminders (in one
/// conversation or all).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Listing {
    Messages(ConversationId),
    Channels(String),
    Members(String),
    /// A contact search, by its key (lower-cased).
    Contacts(String),
    Scheduled(String, ConversationId),
    Reminders(String, Option<ConversationId>),
}

#[derive(Clone, Debug)]
pub(crate) struct PageCursor {
    pub account: String,
    pub list: Listing,
    pub offset: usize,
    pub created: Instant,
}

impl PageCursor {
    /// Whether its page token is still valid.
    pub fn is_live(&self) -> bool {
        self.created.elapsed() < PAGE_TOKEN_LIFETIME
    }
}

/// Everything the fake remembers. One lock guards it; every critical section is short. Every
/// table is capped (`CappedMap`, or a bounded queue), so no sequence of requests grows the
/// fake's memory without bound: the oldest entries go first.
pub(crate) struct State {
    pub config: Config,
    /// Every account, the first first, as they are now (plans and installs change).
    pub accounts: Vec<AccountSpec>,
    /// Each account's place in `accounts`.
    account_index: HashMap<String, usize>,
    pub rng: SplitMix64,
    pub limiter: Limiter,
    pub tokens: CappedMap<String, TokenInfo>,
    /// Tokens issued before this generation are refused (the "invalidate all tokens" fault).
    pub token_generation: u64,
    /// A refresh token's user and account.
    pub refresh_tokens: CappedMap<String, (String, String)>,
    pub auth_codes: CappedMap<String, AuthCode>,
    pub issued: VecDeque<IssuedToken>,
    pub issued_total: u64,
    pub messages: CappedMap<String, StoredMessage>,
    /// Message ids by account and conversation: the same JID in two accounts is two
    /// conversations.
    pub conversations: CappedMap<(String, ConversationId), VecDeque<String>>,
    /// The account of each trigger an unfurl may answer.
    pub unfurl_triggers: CappedMap<String, String>,
    pub unfurls: VecDeque<(String, String)>,
    pub callbacks: CappedMap<String, Callback>,
    pub incoming_webhooks: CappedMap<String, IncomingWebhook>,
    pub page_cursors: CappedMap<String, PageCursor>,
    /// Channels by account and id (lower case).
    pub channels: CappedMap<(String, String), FakeChannel>,
    /// How many channels were made, which orders them.
    pub channels_made: u64,
    pub requests: VecDeque<SeenRequest>,
    pub forced_429: u32,
    /// The latest events delivered to bots, for the page.
    pub deliveries: Deliveries,
    /// The bot the page acts on.
    pub page_bot: PageBot,
    /// Team Chat events waiting for delivery to the page's bot.
    pub(crate) outbox: Outbox,
    /// Chat files with their bytes (`files.rs`).
    pub files: files::Files,
    /// The fake's clock (`State::now`, `State::instant`): rate limits, daily quotas,
    /// scheduled messages and reminders read it.
    pub(crate) clock: clock::Clock,
    /// Messages scheduled and not sent yet, by draft id.
    pub scheduled: CappedMap<String, ScheduledMessage>,
    /// Reminders by account, user (lower case) and message.
    pub reminders: CappedMap<ReminderKey, Reminder>,
}

/// How many issued-token records are kept for inspection (older ones are dropped).
pub(crate) const KEEP_ISSUED: usize = 10_000;
/// How many live access tokens, refresh tokens and authorisation codes are kept.
pub(crate) const KEEP_TOKENS: usize = 10_000;
/// How many page cursors, unfurl triggers, unfurls, callbacks and incoming webhooks are kept.
pub(crate) const KEEP_HANDLES: usize = 10_000;
/// How many messages are kept in all (each conversation also keeps at most `retention`).
pub(crate) const KEEP_MESSAGES: usize = 100_000;

impl State {
    /// The state of a fake; two accounts with one id are refused, naming it.
    pub fn new(config: Config) -> Result<Self, String> {
        let limiter = Limiter::new(config.rates.clone(), config.channel_limits);
        let rng = SplitMix64::new(config.faults.seed);
        let conversations = CappedMap::new(config.max_conversations);
        let accounts = config.all_accounts();
        let mut account_index = HashMap::new();
        for (i, account) in accounts.iter().enumerate() {
            if account.id.is_empty() {
                return Err(format!("accounts[{i}].id: must not be empty"));
            }
            if account_index.insert(account.id.clone(), i).is_some() {
                return Err(format!("accounts[{i}].id: {:?} is the id of an earlier account", account.id));
            }
        }
        Ok(Self {
            config,
            accounts,
            account_index,
            rng,
            limiter,
            tokens: CappedMap::new(KEEP_TOKENS),
            token_generation: 0,
            refresh_tokens: CappedMap::new(KEEP_TOKENS),
            auth_codes: CappedMap::new(KEEP_TOKENS),
            issued: VecDeque::new(),
            issued_total: 0,
            messages: CappedMap::new(KEEP_MESSAGES),
            conversations,
            unfurl_triggers: CappedMap::new(KEEP_HANDLES),
            unfurls: VecDeque::new(),
            callbacks: CappedMap::new(KEEP_HANDLES),
            incoming_webhooks: CappedMap::new(KEEP_HANDLES),
            page_cursors: CappedMap::new(KEEP_HANDLES),
            channels: CappedMap::new(KEEP_CHANNELS),
            channels_made: 0,
            requests: VecDeque::new(),
            forced_429: 0,
            deliveries: Deliveries::default(),
            page_bot: PageBot::default(),
            outbox: Outbox::default(),
            files: files::Files::default(),
            clock: clock::Clock::default(),
            scheduled: CappedMap::new(KEEP_SCHEDULED),
            reminders: CappedMap::new(KEEP_SCHEDULED),
        })
    }

    /// Stores a file of `account` within the configured caps (`state/files.rs`); its id.
    pub fn store_file(&mut self, account: &str, name: &str, bytes: Bytes) -> Result<String, files::Refused> {
        let caps = (self.config.max_file_bytes, self.config.max_stored_file_bytes);
        self.files.store(account, name, bytes, caps, &mut self.rng)
    }

    /// The first account's id: the default of whatever names no account.
    pub fn default_account(&self) -> &str {
        &self.accounts[0].id
    }

    /// An account, by id.
    pub fn account(&self, id: &str) -> Option<&AccountSpec> {
        self.account_index.get(id).map(|&i| &self.accounts[i])
    }

    pub fn account_mut(&mut self, id: &str) -> Option<&mut AccountSpec> {
        self.account_index.get(id).map(|&i| &mut self.accounts[i])
    }

    /// Whether `id` is an account with the app installed.
    pub fn installed(&self, id: &str) -> bool {
        self.account(id).is_some_and(|a| a.installed)
    }

    /// The JID of an account's default user.
    pub fn user_jid(&self, account: &str) -> String {
        let user = self.account(account).map_or("", |a| a.user_id.as_str());
        format!("{}{}", user.to_ascii_lowercase(), zoom_api_gen::jid::USER_DOMAIN)
    }

    /// The account a user's JID belongs to: the one whose default user or directory has it, or
    /// the first for a user of none.
    pub fn account_of_user(&self, user_jid: &str) -> &str {
        let id = user_jid.split('/').next().and_then(|jid| jid.strip_suffix(zoom_api_gen::jid::USER_DOMAIN));
        let is = |user: &str| id.is_some_and(|id| user.eq_ignore_ascii_case(id));
        let found = self.accounts.iter().find(|a| is(&a.user_id) || a.users.iter().any(|u| is(&u.id)));
        found.map_or_else(|| self.default_account(), |a| a.id.as_str())
    }

    /// A Zoom-like id: `5AF2A82E-9220-4600-AFB2-A028852E377C`. URL-safe, as real clients need.
    pub fn new_message_id(&mut self) -> String {
        let a = self.rng.next_u64();
        let b = self.rng.next_u64();
        format!(
            "{:08X}-{:04X}-{:04X}-{:04X}-{:012X}",
            a >> 32,
            (a >> 16) & 0xFFFF,
            a & 0xFFFF,
            b >> 48,
            b & 0xFFFF_FFFF_FFFF
        )
    }

    /// An opaque URL-safe token.
    pub fn new_opaque(&mut self, bytes: usize) -> String {
        use base64::Engine as _;
        let raw: Vec<u8> = (0..bytes).map(|_| self.rng.next_u64() as u8).collect();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    }

    /// Stores a message, dropping the conversation's oldest when it holds more than the
    /// configured retention, and the least recently started conversation (with its messages)
    /// when there are more than the configured number.
    pub fn store(&mut self, message: StoredMessage) {
        let conversation = (message.account.clone(), message.conversation.clone());
        if !self.conversations.contains_key(&conversation) {
            for (_, ids) in self.conversations.insert(conversation.clone(), VecDeque::new()) {
                for id in ids {
                    self.messages.remove(&id);
                }
            }
        }
        let retention = self.config.retention;
        let mut dropped = Vec::new();
        if let Some(ids) = self.conversations.get_mut(&conversation) {
            ids.push_back(message.id.clone());
            while ids.len() > retention {
                dropped.extend(ids.pop_front());
            }
        }
        for old in dropped {
            self.messages.remove(&old);
        }
        // Past the total cap, the oldest message anywhere goes (its id stays in its
        // conversation's list, which skips ids it no longer finds).
        self.messages.insert(message.id.clone(), message);
    }

    /// Every conversation held, with its account.
    pub fn conversation_ids(&self) -> Vec<(String, ConversationId)> {
        self.conversations.keys().cloned().collect()
    }

    /// The messages of a conversation of `account`, oldest first.
    pub fn conversation(&self, account: &str, id: &ConversationId) -> Vec<&StoredMessage> {
        self.conversations
            .get(&(account.to_owned(), id.clone()))
            .map(|ids| ids.iter().filter_map(|m| self.messages.get(m)).collect())
            .unwrap_or_default()
    }

    pub fn record_issue(&mut self, grant: types::GrantType, kind: TokenKind) {
        self.issued_total += 1;
        self.issued.push_back(IssuedToken { grant, kind, at: Utc::now() });
        while self.issued.len() > KEEP_ISSUED {
            self.issued.pop_front();
        }
    }

    pub fn remember_cursor(&mut self, token: String, cursor: PageCursor) {
        self.page_cursors.insert(token, cursor);
    }

    /// Whether a conversation exists in `account`: always (an empty id names none), unless
    /// the fake runs with a strict directory, where only the account's own users and
    /// channels do.
    pub fn exists(&self, account: &str, id: &ConversationId) -> bool {
        let Some(directory) = self.account(account) else { return false };
        if !self.config.strict {
            return true;
        }
        match id {
            ConversationId::Channel(_) => {
                directory.channels.iter().any(|k| k.eq_ignore_ascii_case(id.local_part()))
                    || self.channel(account, id.local_part()).is_some()
            }
            ConversationId::User(_) => self.knows_user(account, id.local_part()),
        }
    }

    /// Whether `account`'s directory holds a user of this id or email.
    pub fn knows_user(&self, account: &str, id_or_email: &str) -> bool {
        let users = self.account(account).map(|a| a.users.as_slice()).unwrap_or_default();
        users.iter().any(|k| k.id.eq_ignore_ascii_case(id_or_email) || k.email.eq_ignore_ascii_case(id_or_email))
    }

    /// A new trigger id in `account` that an unfurl may answer, as a `link_shared` event
    /// carries.
    pub fn new_unfurl_trigger(&mut self, account: &str) -> String {
        let id = self.new_opaque(16);
        self.unfurl_triggers.insert(id.clone(), account.to_owned());
        id
    }

    /// A callback token shaped as Zoom's are (three base64url parts, like a JWT), opaque.
    pub fn new_callback_token(&mut self) -> String {
        format!("{}.{}.{}", self.new_opaque(12), self.new_opaque(48), self.new_opaque(64))
    }

    pub fn remember_callback(&mut self, id: String, callback: Callback) {
        self.callbacks.insert(id, callback);
    }

    /// Keeps an unfurl for inspection (the newest `KEEP_HANDLES`).
    pub fn remember_unfurl(&mut self, trigger_id: String, content: String) {
        self.unfurls.push_back((trigger_id, content));
        while self.unfurls.len() > KEEP_HANDLES {
            self.unfurls.pop_front();
        }
    }

    pub fn drop_expired_tokens(&mut self, now: Instant) {
        let generation = self.token_generation;
        self.tokens.retain(|_, t| t.expires > now && t.generation >= generation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jids_name_conversations() {
        let parse = |jid: &str| jid.parse::<ConversationId>().ok();
        assert_eq!(parse("B1C841DC@conference.xmpp.zoom.us"), ConversationId::channel("b1c841dc").ok());
        assert_eq!(parse("kdykjn@xmpp.zoom.us"), ConversationId::user("kdykjn").ok());
        assert_eq!(parse("kdykjn@xmpp.zoom.us/robot_v1bot@xmpp.zoom.us"), ConversationId::user("kdykjn").ok());
        for bad in ["", "@xmpp.zoom.us", "user@example.com", "a b@xmpp.zoom.us", "user"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn message_ids_look_like_zooms_and_are_url_safe() {
        let mut state = State::new(Config::default()).unwrap();
        let id = state.new_message_id();
        assert_eq!(id.len(), 36);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase() || b == b'-'), "{id}");
        assert_ne!(id, state.new_message_id());
    }

    #[test]
    fn many_distinct_channels_tokens_and_cursors_keep_every_table_bounded() {
        // A hundred accounts, the tables shared by all of them (keyed by account).
        let accounts = (2..=100).map(|i| AccountSpec::new(format!("A{i}")).plan(super::super::Plan::Free)).collect();
        let config = Config { accounts, ..Config::default() };
        let mut state = State::new(config).unwrap();
        let accounts: Vec<String> = state.accounts.iter().map(|a| a.id.clone()).collect();
        let now = Instant::now();
        let today = Utc::now();
        // Ten times every cap (the map itself is held to a million entries in `capped.rs`).
        for i in 0..120_000u32 {
            let account = &accounts[i as usize % accounts.len()];
            let channel = ConversationId::channel(&format!("c{i}")).unwrap();
            let id = format!("m{i}");
            state.store(StoredMessage::new(
                account,
                id,
                channel.clone(),
                Sender::Bot("b".into()),
                MessageContent::Text(
                    serde_json::from_value(serde_json::json!({"message": "x", "to_channel": "c"})).unwrap(),
                ),
            ));
            let info = TokenInfo { kind: TokenKind::Chatbot, account: None, expires: now, generation: 0 };
            state.tokens.insert(format!("t{i}"), info);
            state.refresh_tokens.insert(format!("r{i}"), ("u".into(), account.clone()));
            let code =
                AuthCode { account: account.clone(), user_id: "u".into(), redirect_uri: None, code_challenge: None };
            state.auth_codes.insert(format!("a{i}"), code);
            let list = Listing::Messages(channel);
            let cursor = PageCursor { account: account.clone(), list, offset: 0, created: now };
            state.remember_cursor(format!("p{i}"), cursor);
            state.new_unfurl_trigger(account);
            let callback = Callback {
                token: String::new(),
                account: account.clone(),
                conversation: ConversationId::channel("c").unwrap(),
                expires: now,
                used: false,
            };
            state.remember_callback(format!("cb{i}"), callback);
            // Every account's label schedules and daily counts, and channel windows by
            // account, sender and channel.
            for label in [super::super::RateLabel::Light, super::super::RateLabel::Medium] {
                let _ = state.limiter.check_label(account, Some(super::super::Plan::Free), label, now, today);
            }
            let _ = state.limiter.check_channel(account, &format!("u{i}"), &format!("c{i}"), now);
            state.remember_unfurl(format!("u{i}"), String::new());
            let request: types::SendChatMessageRequest =
                serde_json::from_value(serde_json::json!({"message": "x", "to_channel": "c"})).unwrap();
            let conversation = ConversationId::channel("c").unwrap();
            let later = today + chrono::TimeDelta::days(1);
            state.schedule(ScheduledMessage {
                draft_id: format!("d{i}"),
                account: account.clone(),
                conversation: conversation.clone(),
                user: "u".into(),
                request,
                reply_to: None,
                created: today,
                at: later,
            });
            state.keep_reminder(Reminder {
                key: ReminderKey::new(account.clone(), "u", format!("m{i}")),
                conversation,
                note: String::new(),
                created: today,
                at: later,
            });
            let id = state.new_channel_id();
            let settings = types::ChannelSettings::default();
            let channel = FakeChannel {
                id,
                name: format!("c{i}"),
                kind: zoom_api_gen::types::ChannelType::Private,
                settings,
                members: Vec::new(),
                bots: Vec::new(),
                archived: false,
                made: 0,
            };
            state.keep_channel(account, channel);
            let event = serde_json::json!({"event": "bot_installed", "payload": {"accountId": "a", "robotJid": "b"}});
            state.outbox.push(serde_json::from_value(event).unwrap());
            state.deliveries.record(Delivery {
                at: chrono::Utc::now(),
                event: zoom_api_gen::events::EventKind::BotNotification.as_str().into(),
                detail: format!("d{i}"),
                outcome: Ok(200),
                elapsed: std::time::Duration::ZERO,
            });
        }
        assert_eq!(state.deliveries.iter().len(), deliveries::KEEP_DELIVERIES, "deliveries");
        assert_eq!(state.callbacks.len(), KEEP_HANDLES, "callbacks");
        assert_eq!(state.scheduled.len(), KEEP_SCHEDULED, "scheduled messages");
        assert_eq!(state.reminders.len(), KEEP_SCHEDULED, "reminders");
        assert_eq!(state.channels.len(), KEEP_CHANNELS, "channels");
        assert_eq!(state.outbox.len(), deliveries::KEEP_OUTBOX, "Team Chat events waiting");
        assert!(state.limiter.tracked_labels() <= 2 * 2 * accounts.len(), "label state is per account and label");
        assert!(state.limiter.tracked_windows() <= 10_000, "{}", state.limiter.tracked_windows());
        assert_eq!(state.conversations.len(), state.config.max_conversations);
        assert_eq!(
            state.messages.len(),
            state.config.max_conversations,
            "the dropped conversations took their messages"
        );
        for (name, len) in [
            ("tokens", state.tokens.len()),
            ("refresh tokens", state.refresh_tokens.len()),
            ("auth codes", state.auth_codes.len()),
        ] {
            assert_eq!(len, KEEP_TOKENS, "{name}");
        }
        for (name, len) in [
            ("page cursors", state.page_cursors.len()),
            ("unfurl triggers", state.unfurl_triggers.len()),
            ("unfurls", state.unfurls.len()),
        ] {
            assert_eq!(len, KEEP_HANDLES, "{name}");
        }
        // The per-channel send windows of the rate limiter are capped too.
        let mut limiter = super::super::limits::Limiter::new(Default::default(), true);
        for i in 0..100_000 {
            limiter.check_channel(&format!("a{}", i % 7), "u", &format!("c{i}"), now).unwrap();
        }
        assert!(limiter.tracked_windows() <= 10_000, "{}", limiter.tracked_windows());
    }
}
