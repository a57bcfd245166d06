//! The channels the fake holds, per account: made through the channel API, with their
//! members. A chatbot or chat message to one lands in the conversation of its JID.

use zoom_api_gen::ids::{ChannelId, ChannelJid};
use zoom_api_gen::types;

use super::State;

/// How many channels are kept, over all accounts (the oldest made goes first).
pub(crate) const KEEP_CHANNELS: usize = 10_000;

/// A member of a channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelMember {
    /// The user id; `None` for a member of another account (an email the account's
    /// directory does not hold), whose id Zoom leaves empty.
    pub user_id: Option<String>,
    /// The member id.
    pub member_id: String,
    /// The email address, when one is known.
    pub email: Option<String>,
    /// `owner` for its maker, `member` for the others.
    pub role: types::ChannelMemberRole,
}

/// A channel of one account.
#[derive(Clone, Debug, PartialEq)]
pub struct FakeChannel {
    /// Its id: 32 lower-case hex digits, as Zoom's examples show.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its type.
    pub kind: types::ChannelType,
    /// Its settings, as Zoom shows them.
    pub settings: types::ChannelSettings,
    /// Its members, its maker first.
    pub members: Vec<ChannelMember>,
    /// The JIDs of the chatbots added to it (`team_chat.channel_app_added`).
    pub bots: Vec<String>,
    /// Whether it is archived (`archiveChannels`): it then takes no messages.
    pub archived: bool,
    /// The order it was made in (lists go oldest first).
    pub(crate) made: u64,
}

impl FakeChannel {
    /// Its JID: `{id}@conference.xmpp.zoom.us`, in lower case, as the conversations key it.
    pub fn jid(&self) -> ChannelJid {
        let id: ChannelId = self.id.parse().expect("the fake makes ids a JID can hold");
        ChannelJid::from(&id)
    }

    /// Whether `user` (an id or email, either case) is a member.
    pub fn has_member(&self, user: &str) -> bool {
        self.members.iter().any(|m| {
            m.user_id.as_deref().is_some_and(|id| id.eq_ignore_ascii_case(user))
                || m.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(user))
        })
    }

    /// How the channel API shows it.
    pub(crate) fn to_channel(&self) -> types::Channel {
        types::Channel {
            id: Some(self.id.clone()),
            jid: Some(self.jid().to_string()),
            name: Some(self.name.clone()),
            type_: Some(self.kind),
            channel_url: Some(channel_url(&self.id)),
            channel_settings: Some(self.settings.clone()),
        }
    }
}

/// A channel's link in Zoom's clients (the fake's own shape; Zoom's pages give none).
pub(crate) fn channel_url(id: &str) -> String {
    format!("https://zoom.us/launch/chat/v2/channel/{id}")
}

impl State {
    /// A channel of `account`, by id (either case).
    pub fn channel(&self, account: &str, id: &str) -> Option<&FakeChannel> {
        self.channels.get(&(account.to_owned(), id.to_ascii_lowercase()))
    }

    pub(crate) fn channel_mut(&mut self, account: &str, id: &str) -> Option<&mut FakeChannel> {
        self.channels.get_mut(&(account.to_owned(), id.to_ascii_lowercase()))
    }

    /// The channels of `account`, oldest first.
    pub fn channels_of(&self, account: &str) -> Vec<&FakeChannel> {
        let mut all: Vec<&FakeChannel> =
            self.channels.keys().filter(|(a, _)| a == account).filter_map(|k| self.channels.get(k)).collect();
        all.sort_by_key(|c| c.made);
        all
    }

    /// Keeps a channel of `account` (past the cap, the oldest channel goes).
    pub(crate) fn keep_channel(&mut self, account: &str, channel: FakeChannel) {
        self.channels.insert((account.to_owned(), channel.id.clone()), channel);
    }

    /// Removes a channel of `account`, by id (either case).
    pub(crate) fn remove_channel(&mut self, account: &str, id: &str) -> Option<FakeChannel> {
        self.channels.remove(&(account.to_owned(), id.to_ascii_lowercase()))
    }

    /// A new channel id: 32 lower-case hex digits.
    pub(crate) fn new_channel_id(&mut self) -> String {
        format!("{:016x}{:016x}", self.rng.next_u64(), self.rng.next_u64())
    }

    /// The member an email address names in `account`: the directory's user of that email,
    /// or a member of another account (no user id) when the directory does not hold it.
    pub(crate) fn member_by_email(&mut self, account: &str, email: &str) -> ChannelMember {
        let known = self.account(account).and_then(|a| a.users.iter().find(|u| u.email.eq_ignore_ascii_case(email)));
        let user_id = known.map(|u| u.id.clone());
        let email = known.map_or_else(|| email.to_owned(), |u| u.email.clone());
        let member_id = match &user_id {
            Some(id) => member_id_of(account, id),
            None => self.new_opaque(24),
        };
        ChannelMember { user_id, member_id, email: Some(email), role: types::ChannelMemberRole::Member }
    }
}

/// A user's member id, the same in every event and channel of the account: Zoom's member
/// ids are opaque, and the fake's is made from the account and the user id (lower-cased).
pub(crate) fn member_id_of(account: &str, user: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(format!("{account}/{}", user.to_ascii_lowercase()).as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..24])
}
