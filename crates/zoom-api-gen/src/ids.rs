//! Typed ids on Zoom's JID grammar ([`crate::jid`]), shared by the client, its CLI and the
//! fake Zoom: a channel cannot be passed where a user is wanted, and a malformed id is
//! refused with an [`IdError`] naming the field and the rule before anything is sent.
//!
//! A conversation is named two ways, which differ in meaning:
//! - [`Recipient`], by JID: where a chatbot message goes (`to_jid`), and how the fake Zoom keys its
//!   conversations. Every recipient is a conversation the chat API can name.
//! - [`Conversation`], as the user-level chat API names it (`to_channel` or `to_contact`): a
//!   contact may be named by email or `me`, which have no JID, so not every conversation is a
//!   recipient.
//!
//! ```
//! use zoom_api_gen::ids::{ChannelJid, Conversation, Recipient, UserJid};
//!
//! let channel: ChannelJid = "b1c841dc@conference.xmpp.zoom.us".parse().unwrap();
//! let to: Recipient = channel.into();
//! assert!(to.is_channel());
//! assert_eq!(Conversation::from(&to), Conversation::channel("b1c841dc").unwrap());
//! let err = "b1c841dc@conference.xmpp.zoom.us".parse::<UserJid>().unwrap_err();
//! assert_eq!(err.to_string(), "invalid user JID: a channel JID was given where a user JID is wanted");
//! ```

use std::fmt;
use std::str::FromStr;

use crate::jid::{self, CHANNEL_DOMAIN, Jid, JidError, JidKind, USER_DOMAIN};

/// Why a text is not the id it was read as: the field, as the request names it, and the
/// rule it broke.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdError {
    /// The field (`to_jid`, `user id`, `trigger_id`, ...).
    pub field: &'static str,
    /// The rule it broke.
    pub rule: String,
}

impl IdError {
    fn new(field: &'static str, rule: impl Into<String>) -> Self {
        Self { field, rule: rule.into() }
    }
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.field, self.rule)
    }
}

impl std::error::Error for IdError {}

/// Reads an id that travels in a path: URL-safe by Zoom's grammar (`jid::check_local`).
fn url_safe(id: &str, kind: &'static str) -> Result<String, IdError> {
    match jid::check_local(id) {
        Ok(()) => Ok(id.to_owned()),
        Err(JidError::Empty) => Err(IdError::new(kind, "must not be empty")),
        Err(JidError::Char(bad)) => {
            Err(IdError::new(kind, format!("{bad:?} is not allowed (letters, digits, - _ . only)")))
        }
        Err(JidError::DotSegment) => Err(IdError::new(kind, JidError::DotSegment.to_string())),
        Err(JidError::Domain) => unreachable!("an id has no domain to check"),
    }
}

/// Reads a user's JID; a `/resource` is dropped, and the JID kept in lower case, as Zoom
/// writes it.
fn user_jid(s: &str, what: &'static str) -> Result<String, IdError> {
    jid_of(s, JidKind::User, what)
}

/// Reads a channel's JID, kept in lower case, as Zoom writes it.
fn channel_jid(s: &str, what: &'static str) -> Result<String, IdError> {
    jid_of(s, JidKind::Channel, what)
}

/// Reads a user id or an email address (or `me`), as the chat API's `userId` path segment
/// takes it.
fn user_id(s: &str, what: &'static str) -> Result<String, IdError> {
    if s.is_empty() {
        return Err(IdError::new(what, "must not be empty"));
    }
    if s == "." || s == ".." {
        // It travels as a path segment (`/chat/users/{userId}/...`), which a URL resolves away.
        return Err(IdError::new(what, JidError::DotSegment.to_string()));
    }
    if let Some(bad) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || "-_.@+".contains(*c))) {
        return Err(IdError::new(what, format!("{bad:?} is not allowed in a user id or email")));
    }
    Ok(s.to_owned())
}

/// Reads a JID of `kind` by Zoom's grammar (`zoom_api_gen::jid`), naming the field `what`
/// and saying when the other kind was given.
fn jid_of(s: &str, kind: JidKind, what: &'static str) -> Result<String, IdError> {
    let (domain, other) = match kind {
        JidKind::User => (USER_DOMAIN, "a channel JID was given where a user JID is wanted"),
        JidKind::Channel => (CHANNEL_DOMAIN, "a user JID was given where a channel JID is wanted"),
    };
    match jid::parse(s) {
        Ok(parsed) if parsed.kind == kind => Ok(parsed.to_string()),
        Ok(_) => Err(IdError::new(what, other)),
        Err(JidError::Domain) => Err(IdError::new(what, format!("must end with {domain}"))),
        Err(e) => Err(IdError::new(what, e.to_string())),
    }
}

/// Makes each variant of an enum of ids from the id it holds.
macro_rules! variants_from {
    ($name:ident { $($variant:ident($id:ident)),* }) => {
        $(impl From<$id> for $name {
            fn from(id: $id) -> Self {
                Self::$variant(id)
            }
        })*
    };
}

/// Defines an id kept as Zoom writes it, read by `$read` (a reader above), which names the
/// field `$what` in its errors.
macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident: $what:literal, $read:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                $read(s, $what).map(Self)
            }
        }

        impl $name {
            /// The id as Zoom writes it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;
            fn try_from(value: &str) -> Result<Self, IdError> {
                value.parse()
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, IdError> {
                value.parse()
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        /// Read from a string, and checked as [`FromStr`] checks it.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

string_id!(
    /// A user's JID: `USERID@xmpp.zoom.us` (a `/resource` suffix, as direct messages to a
    /// bot carry, is dropped; kept in lower case, as Zoom writes it).
    UserJid: "user JID", user_jid
);
string_id!(
    /// A channel's JID: `CHANNELID@conference.xmpp.zoom.us` (kept in lower case, as Zoom
    /// writes it).
    ChannelJid: "channel JID", channel_jid
);
string_id!(
    /// A bot's JID (its `robot_jid`): `...@xmpp.zoom.us`.
    BotJid: "robot_jid", user_jid
);
string_id!(
    /// An account id.
    AccountId: "account_id", url_safe
);
string_id!(
    /// A user id, an email address, or `me`, as the chat API's `userId` takes it.
    UserId: "user id", user_id
);
string_id!(
    /// A message id. Zoom's ids are URL-safe (`5AF2A82E-9220-4600-AFB2-A028852E377C`,
    /// `201910tryyRFjM_main`), which is checked, since they travel in paths.
    MessageId: "message id", url_safe
);
string_id!(
    /// A channel id (the chat API's `to_channel`).
    ChannelId: "channel id", url_safe
);
string_id!(
    /// A chat file's id (an upload's answer, `file_ids` of a send, `/chat/files/{fileId}`):
    /// checked as a message id is, since it travels in paths.
    FileId: "file id", url_safe
);
string_id!(
    /// The draft id of a scheduled message (the `id` a send with `scheduled_time` answers
    /// with, `8cfaf567-bf5a-4acc-b4f2-88b3d371aca5`), which lists and cancels it: checked as
    /// a message id is, since it travels in a path.
    DraftId: "draft id", url_safe
);
string_id!(
    /// The `trigger_id` of a shared link (`team_chat.link_shared`), which an unfurl names in
    /// its path: checked as a message id is.
    TriggerId: "trigger_id", url_safe
);

impl ChannelJid {
    /// The channel id (the part before `@`), as the chat API's `to_channel` wants it.
    pub fn channel_id(&self) -> ChannelId {
        ChannelId(self.0.trim_end_matches(CHANNEL_DOMAIN).to_owned())
    }
}

impl From<&ChannelId> for ChannelJid {
    /// The JID of a channel, from its id.
    fn from(id: &ChannelId) -> Self {
        Self(Jid { kind: JidKind::Channel, local: id.0.to_ascii_lowercase() }.to_string())
    }
}

impl UserJid {
    /// The part before `@`: the user's id in lower case, which the chat API takes as
    /// `to_contact`.
    pub fn local_part(&self) -> &str {
        self.0.trim_end_matches(USER_DOMAIN)
    }
}

impl UserId {
    /// The user of a JID, by its part before `@` (the user id, in lower case).
    pub fn from_jid(jid: &UserJid) -> Self {
        Self(jid.local_part().to_owned())
    }

    /// `me`: the user the token belongs to.
    pub fn me() -> Self {
        Self("me".into())
    }
}

/// A conversation by JID: a one-to-one chat with a user, or a channel. It is where a chatbot
/// message goes (`to_jid`) and how the fake Zoom keys its conversations; the chat API's
/// [`Conversation`] may also name a contact by email, which has no JID.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Recipient {
    /// A one-to-one chat with this user.
    User(UserJid),
    /// A channel.
    Channel(ChannelJid),
}

impl Recipient {
    /// The JID, as `to_jid` takes it.
    pub fn jid(&self) -> &str {
        match self {
            Self::User(u) => u.as_str(),
            Self::Channel(c) => c.as_str(),
        }
    }

    /// Whether it is a channel.
    pub fn is_channel(&self) -> bool {
        matches!(self, Self::Channel(_))
    }
}

impl FromStr for Recipient {
    type Err = IdError;
    /// Reads a user or channel JID, told apart by its domain (a `/resource` is dropped).
    fn from_str(s: &str) -> Result<Self, IdError> {
        match jid::parse(s) {
            Ok(Jid { kind: JidKind::Channel, .. }) => s.parse().map(Self::Channel),
            Ok(Jid { kind: JidKind::User, .. }) => s.parse().map(Self::User),
            Err(JidError::Domain) => Err(IdError::new(
                "to_jid",
                format!("must end with {USER_DOMAIN} (a user) or {CHANNEL_DOMAIN} (a channel)"),
            )),
            Err(e) => Err(IdError::new("to_jid", e.to_string())),
        }
    }
}

impl TryFrom<&str> for Recipient {
    type Error = IdError;
    fn try_from(value: &str) -> Result<Self, IdError> {
        value.parse()
    }
}

variants_from!(Recipient { User(UserJid), Channel(ChannelJid) });

impl serde::Serialize for Recipient {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.jid())
    }
}

/// Read from a JID string, and checked as [`FromStr`] checks it.
impl<'de> serde::Deserialize<'de> for Recipient {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.jid())
    }
}

impl Recipient {
    /// The channel of this id (the part of its JID before `@`), kept in lower case.
    pub fn channel(id: &str) -> Result<Self, IdError> {
        let id: ChannelId = id.parse()?;
        Ok(Self::Channel(ChannelJid::from(&id)))
    }

    /// The one-to-one chat with the user of this id (the part of the JID before `@`), kept in
    /// lower case.
    pub fn user(id: &str) -> Result<Self, IdError> {
        let local = url_safe(id, "user id")?.to_ascii_lowercase();
        Ok(Self::User(UserJid(Jid { kind: JidKind::User, local }.to_string())))
    }

    /// The part of the JID before `@`: the channel id or the user id, in lower case.
    pub fn local_part(&self) -> &str {
        match self {
            Self::User(u) => u.local_part(),
            Self::Channel(c) => c.0.trim_end_matches(CHANNEL_DOMAIN),
        }
    }
}

/// A conversation as the user-level chat API names it (its `to_channel` or `to_contact`). A
/// contact may be named by email or `me`, which name no JID: see [`Recipient`] for a
/// conversation by JID, which every chatbot message and the fake Zoom use.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Conversation {
    /// A channel, by channel id.
    Channel(ChannelId),
    /// A one-to-one chat, by the other person's email or user id.
    Contact(UserId),
}

impl Conversation {
    /// A channel, by id (checked as [`ChannelId`] is).
    pub fn channel(id: &str) -> Result<Self, IdError> {
        Ok(Self::Channel(id.parse()?))
    }

    /// A one-to-one chat with a contact, by email or user id (checked as [`UserId`] is,
    /// naming the field `to_contact`).
    pub fn contact(email_or_id: &str) -> Result<Self, IdError> {
        email_or_id.parse().map(Self::Contact).map_err(|e: IdError| IdError::new("to_contact", e.rule))
    }
}

variants_from!(Conversation { Channel(ChannelId), Contact(UserId) });

impl From<&Recipient> for Conversation {
    /// The conversation a recipient names: the channel of a channel JID, or the user of a
    /// user JID (by the JID's part before `@`, the user id in lower case).
    fn from(to: &Recipient) -> Self {
        match to {
            Recipient::Channel(jid) => Self::Channel(jid.channel_id()),
            Recipient::User(jid) => Self::Contact(UserId::from_jid(jid)),
        }
    }
}

impl TryFrom<&Conversation> for Recipient {
    type Error = IdError;
    /// The recipient of a conversation. A contact named by email or `me` has no JID to give.
    fn try_from(conversation: &Conversation) -> Result<Self, IdError> {
        match conversation {
            Conversation::Channel(id) => Ok(Recipient::Channel(ChannelJid::from(id))),
            Conversation::Contact(user) if user.as_str().contains('@') || *user == UserId::me() => {
                Err(IdError::new("to_contact", "an email address or `me` names no JID; use the user id"))
            }
            Conversation::Contact(user) => Recipient::user(user.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What reading `text` as a `T` says is wrong with it.
    fn refusal<T: FromStr<Err = IdError> + fmt::Debug>(text: &str) -> String {
        text.parse::<T>().unwrap_err().to_string()
    }

    #[test]
    fn a_trigger_id_is_one_path_segment() {
        assert_eq!("d8f1c2a0-3b4e".parse::<TriggerId>().unwrap().as_str(), "d8f1c2a0-3b4e");
        for bad in ["", "..", "a/b", "a?b"] {
            let err = bad.parse::<TriggerId>().unwrap_err();
            assert_eq!(err.field, "trigger_id", "{bad:?}: {err}");
        }
    }

    #[test]
    fn ids_travel_as_strings_and_are_checked_when_read() {
        let jid: UserJid = serde_json::from_str("\"Ana@xmpp.zoom.us\"").unwrap();
        assert_eq!(serde_json::to_string(&jid).unwrap(), "\"ana@xmpp.zoom.us\"");
        let err = serde_json::from_str::<MessageId>("\"a/b\"").unwrap_err().to_string();
        assert!(err.contains("'/' is not allowed"), "{err}");
        let to: Recipient = serde_json::from_str("\"c1@conference.xmpp.zoom.us\"").unwrap();
        assert!(to.is_channel());
        assert_eq!(ChannelJid::from(&"C1".parse::<ChannelId>().unwrap()).as_str(), "c1@conference.xmpp.zoom.us");
    }

    #[test]
    fn jids_parse_and_say_what_is_wrong() {
        assert_eq!(
            "kdykjn@xmpp.zoom.us/robot_x@xmpp.zoom.us".parse::<UserJid>().unwrap().as_str(),
            "kdykjn@xmpp.zoom.us"
        );
        assert_eq!(refusal::<UserJid>("x@example.com"), "invalid user JID: must end with @xmpp.zoom.us");
        assert_eq!(
            refusal::<UserJid>("a b@xmpp.zoom.us"),
            "invalid user JID: ' ' is not allowed before @ (letters, digits, - _ . only)"
        );
        assert_eq!(
            refusal::<ChannelJid>("u@xmpp.zoom.us"),
            "invalid channel JID: a user JID was given where a channel JID is wanted"
        );
        assert!("v1bot@conference.xmpp.zoom.us".parse::<BotJid>().is_err());
        assert_eq!("c1@conference.xmpp.zoom.us".parse::<ChannelJid>().unwrap().channel_id().as_str(), "c1");
    }

    #[test]
    fn recipients_are_told_apart_by_domain() {
        assert!("c@conference.xmpp.zoom.us".parse::<Recipient>().unwrap().is_channel());
        assert!(!"u@xmpp.zoom.us".parse::<Recipient>().unwrap().is_channel());
        let with_resource = "C@conference.xmpp.zoom.us/x".parse::<Recipient>().unwrap();
        assert_eq!(with_resource.jid(), "c@conference.xmpp.zoom.us");
        // The rule broken, checking that the error names the field.
        let to_jid = |text: &str| {
            let err = text.parse::<Recipient>().unwrap_err();
            assert_eq!(err.field, "to_jid", "{text}");
            err.rule
        };
        assert_eq!(to_jid("a b@xmpp.zoom.us"), "' ' is not allowed before @ (letters, digits, - _ . only)");
        assert_eq!(to_jid("nobody"), "must end with @xmpp.zoom.us (a user) or @conference.xmpp.zoom.us (a channel)");
    }

    /// Found by the `jid` fuzz target: `.` and `..` passed as ids, which travel as path
    /// segments and would be resolved away by the URL (`messages/..` is not a message).
    #[test]
    fn dot_segments_are_refused_as_ids() {
        for bad in [".", ".."] {
            assert_eq!(
                refusal::<MessageId>(bad),
                "invalid message id: must not be . or .. (an id is a path segment of its own)"
            );
            assert!(bad.parse::<ChannelId>().is_err() && bad.parse::<AccountId>().is_err(), "{bad}");
            assert_eq!(
                refusal::<UserId>(bad),
                "invalid user id: must not be . or .. (an id is a path segment of its own)"
            );
            assert_eq!(
                refusal::<UserJid>(&format!("{bad}@xmpp.zoom.us")),
                "invalid user JID: must not be . or .. (an id is a path segment of its own)"
            );
            assert!(format!("{bad}@conference.xmpp.zoom.us").parse::<ChannelJid>().is_err());
        }
        assert!("a.b".parse::<MessageId>().is_ok() && "ana.b@example.com".parse::<UserId>().is_ok());
    }

    #[test]
    fn message_ids_must_be_url_safe() {
        assert!("201910tryyRFjM_main".parse::<MessageId>().is_ok());
        assert!("5AF2A82E-9220-4600-AFB2-A028852E377C".parse::<MessageId>().is_ok());
        assert_eq!(refusal::<MessageId>("a/b"), "invalid message id: '/' is not allowed (letters, digits, - _ . only)");
    }

    #[test]
    fn recipients_and_conversations_name_the_same_channels_and_users() {
        let to = Recipient::channel("Team").unwrap();
        assert_eq!(to.jid(), "team@conference.xmpp.zoom.us");
        assert_eq!(to.local_part(), "team");
        assert_eq!(Recipient::user("KdYK").unwrap().jid(), "kdyk@xmpp.zoom.us");
        let conversation = Conversation::from(&to);
        assert_eq!(Recipient::try_from(&conversation).unwrap(), to);
        let by_email = Conversation::contact("ana@example.com").unwrap();
        assert_eq!(Recipient::try_from(&by_email).unwrap_err().field, "to_contact");
        assert_eq!(
            Conversation::contact("a/b").unwrap_err().to_string(),
            "invalid to_contact: '/' is not allowed in a user id or email"
        );
        assert!(Recipient::user("ana@example.com").is_err() && Recipient::channel("").is_err());
    }
}
