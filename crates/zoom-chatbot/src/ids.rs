//! Typed ids: a channel cannot be passed where a user is wanted, and a malformed JID is
//! refused with a clear message before anything is sent.
//!
//! ```
//! use zoom_chatbot::ids::{ChannelJid, Recipient, UserJid};
//!
//! let channel: ChannelJid = "b1c841dc@conference.xmpp.zoom.us".parse().unwrap();
//! let to: Recipient = channel.into();
//! assert!(to.is_channel());
//! let err = "b1c841dc@conference.xmpp.zoom.us".parse::<UserJid>().unwrap_err();
//! assert_eq!(err.to_string(), "invalid user JID: a channel JID was given where a user JID is wanted");
//! ```

use std::fmt;
use std::str::FromStr;

use zoom_api_gen::jid::{self, CHANNEL_DOMAIN, Jid, JidError, JidKind, USER_DOMAIN};

use crate::error::Error;

fn check_id(kind: &'static str, id: &str) -> Result<(), Error> {
    match jid::check_local(id) {
        Ok(()) => Ok(()),
        Err(JidError::Empty) => Err(Error::invalid(kind, "must not be empty")),
        Err(JidError::Char(bad)) => {
            Err(Error::invalid(kind, format!("{bad:?} is not allowed (letters, digits, - _ . only)")))
        }
        Err(JidError::DotSegment) => Err(Error::invalid(kind, JidError::DotSegment.to_string())),
        Err(JidError::Domain) => unreachable!("an id has no domain to check"),
    }
}

/// Reads a JID of `kind` by Zoom's grammar (`zoom_api_gen::jid`), naming the field `what`
/// and saying when the other kind was given.
fn jid_of(s: &str, kind: JidKind, what: &'static str) -> Result<String, Error> {
    let (domain, other) = match kind {
        JidKind::User => (USER_DOMAIN, "a channel JID was given where a user JID is wanted"),
        JidKind::Channel => (CHANNEL_DOMAIN, "a user JID was given where a channel JID is wanted"),
    };
    match jid::parse(s) {
        Ok(parsed) if parsed.kind == kind => Ok(parsed.to_string()),
        Ok(_) => Err(Error::invalid(what, other)),
        Err(JidError::Domain) => Err(Error::invalid(what, format!("must end with {domain}"))),
        Err(e) => Err(Error::invalid(what, e.to_string())),
    }
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

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
            type Error = Error;
            fn try_from(value: &str) -> Result<Self, Error> {
                value.parse()
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(value: String) -> Result<Self, Error> {
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
    /// bot carry, is dropped).
    UserJid
);
string_id!(
    /// A channel's JID: `CHANNELID@conference.xmpp.zoom.us`.
    ChannelJid
);
string_id!(
    /// A bot's JID (its `robot_jid`): `...@xmpp.zoom.us`.
    BotJid
);
string_id!(
    /// An account id.
    AccountId
);
string_id!(
    /// A user id, an email address, or `me`, as the chat API's `userId` takes it.
    UserId
);
string_id!(
    /// A message id. Zoom's ids are URL-safe (`5AF2A82E-9220-4600-AFB2-A028852E377C`,
    /// `201910tryyRFjM_main`), which is checked, since they travel in paths.
    MessageId
);
string_id!(
    /// A channel id (the chat API's `to_channel`).
    ChannelId
);
string_id!(
    /// The `trigger_id` of a shared link (`team_chat.link_shared`), which an unfurl names in
    /// its path: checked as a message id is.
    TriggerId
);

impl FromStr for UserJid {
    type Err = Error;
    /// Reads a user's JID; a `/resource` is dropped, and the JID kept in lower case, as Zoom
    /// writes it.
    fn from_str(s: &str) -> Result<Self, Error> {
        jid_of(s, JidKind::User, "user JID").map(Self)
    }
}

impl FromStr for ChannelJid {
    type Err = Error;
    /// Reads a channel's JID, kept in lower case, as Zoom writes it.
    fn from_str(s: &str) -> Result<Self, Error> {
        jid_of(s, JidKind::Channel, "channel JID").map(Self)
    }
}

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

impl FromStr for BotJid {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        jid_of(s, JidKind::User, "robot_jid").map(Self)
    }
}

impl FromStr for AccountId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        check_id("account_id", s)?;
        Ok(Self(s.to_owned()))
    }
}

impl FromStr for MessageId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        check_id("message id", s)?;
        Ok(Self(s.to_owned()))
    }
}

impl FromStr for TriggerId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        check_id("trigger_id", s)?;
        Ok(Self(s.to_owned()))
    }
}

impl FromStr for ChannelId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        check_id("channel id", s)?;
        Ok(Self(s.to_owned()))
    }
}

impl FromStr for UserId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        if s.is_empty() {
            return Err(Error::invalid("user id", "must not be empty"));
        }
        if s == "." || s == ".." {
            // It travels as a path segment (`/chat/users/{userId}/...`), which a URL resolves away.
            return Err(Error::invalid("user id", JidError::DotSegment.to_string()));
        }
        if let Some(bad) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || "-_.@+".contains(*c))) {
            return Err(Error::invalid("user id", format!("{bad:?} is not allowed in a user id or email")));
        }
        Ok(Self(s.to_owned()))
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

/// Where a chatbot message goes: a user or a channel.
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
    type Err = Error;
    /// Reads a user or channel JID, told apart by its domain.
    fn from_str(s: &str) -> Result<Self, Error> {
        if s.ends_with(CHANNEL_DOMAIN) {
            s.parse().map(Self::Channel)
        } else {
            s.parse().map(Self::User).map_err(|_| {
                Error::invalid(
                    "to_jid",
                    format!("must end with {USER_DOMAIN} (a user) or {CHANNEL_DOMAIN} (a channel)"),
                )
            })
        }
    }
}

impl TryFrom<&str> for Recipient {
    type Error = Error;
    fn try_from(value: &str) -> Result<Self, Error> {
        value.parse()
    }
}

impl From<UserJid> for Recipient {
    fn from(u: UserJid) -> Self {
        Self::User(u)
    }
}

impl From<ChannelJid> for Recipient {
    fn from(c: ChannelJid) -> Self {
        Self::Channel(c)
    }
}

/// Anything that names a chatbot message's recipient: a [`Recipient`], a [`UserJid`], a
/// [`ChannelJid`], or JID text (checked when the message is sent).
pub trait IntoRecipient {
    /// The recipient, or why the text is not one.
    fn into_recipient(self) -> Result<Recipient, Error>;
}

impl IntoRecipient for Recipient {
    fn into_recipient(self) -> Result<Recipient, Error> {
        Ok(self)
    }
}

impl IntoRecipient for &Recipient {
    fn into_recipient(self) -> Result<Recipient, Error> {
        Ok(self.clone())
    }
}

impl IntoRecipient for UserJid {
    fn into_recipient(self) -> Result<Recipient, Error> {
        Ok(Recipient::User(self))
    }
}

impl IntoRecipient for ChannelJid {
    fn into_recipient(self) -> Result<Recipient, Error> {
        Ok(Recipient::Channel(self))
    }
}

impl IntoRecipient for &str {
    fn into_recipient(self) -> Result<Recipient, Error> {
        self.parse()
    }
}

impl IntoRecipient for String {
    fn into_recipient(self) -> Result<Recipient, Error> {
        self.parse()
    }
}

impl IntoRecipient for &String {
    fn into_recipient(self) -> Result<Recipient, Error> {
        self.parse()
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trigger_id_is_one_path_segment() {
        assert_eq!("d8f1c2a0-3b4e".parse::<TriggerId>().unwrap().as_str(), "d8f1c2a0-3b4e");
        for bad in ["", "..", "a/b", "a?b"] {
            let err = bad.parse::<TriggerId>().unwrap_err();
            assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "trigger_id"), "{bad:?}: {err}");
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
        assert_eq!(
            "x@example.com".parse::<UserJid>().unwrap_err().to_string(),
            "invalid user JID: must end with @xmpp.zoom.us"
        );
        assert_eq!(
            "a b@xmpp.zoom.us".parse::<UserJid>().unwrap_err().to_string(),
            "invalid user JID: ' ' is not allowed before @ (letters, digits, - _ . only)"
        );
        assert_eq!(
            "u@xmpp.zoom.us".parse::<ChannelJid>().unwrap_err().to_string(),
            "invalid channel JID: a user JID was given where a channel JID is wanted"
        );
        assert!("v1bot@conference.xmpp.zoom.us".parse::<BotJid>().is_err());
        assert_eq!("c1@conference.xmpp.zoom.us".parse::<ChannelJid>().unwrap().channel_id().as_str(), "c1");
    }

    #[test]
    fn recipients_are_told_apart_by_domain() {
        assert!("c@conference.xmpp.zoom.us".parse::<Recipient>().unwrap().is_channel());
        assert!(!"u@xmpp.zoom.us".parse::<Recipient>().unwrap().is_channel());
        assert_eq!(
            "nobody".parse::<Recipient>().unwrap_err().to_string(),
            "invalid to_jid: must end with @xmpp.zoom.us (a user) or @conference.xmpp.zoom.us (a channel)"
        );
    }

    /// Found by the `jid` fuzz target: `.` and `..` passed as ids, which travel as path
    /// segments and would be resolved away by the URL (`messages/..` is not a message).
    #[test]
    fn dot_segments_are_refused_as_ids() {
        for bad in [".", ".."] {
            assert_eq!(
                bad.parse::<MessageId>().unwrap_err().to_string(),
                "invalid message id: must not be . or .. (an id is a path segment of its own)"
            );
            assert!(bad.parse::<ChannelId>().is_err() && bad.parse::<AccountId>().is_err(), "{bad}");
            assert_eq!(
                bad.parse::<UserId>().unwrap_err().to_string(),
                "invalid user id: must not be . or .. (an id is a path segment of its own)"
            );
            assert_eq!(
                format!("{bad}@xmpp.zoom.us").parse::<UserJid>().unwrap_err().to_string(),
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
        assert_eq!(
            "a/b".parse::<MessageId>().unwrap_err().to_string(),
            "invalid message id: '/' is not allowed (letters, digits, - _ . only)"
        );
    }
}

/// The fake Zoom's conversations and the client's recipients name the same things, by the
/// same JID grammar (with the `fake` feature, for tests).
#[cfg(feature = "fake")]
mod fake {
    use zoom_mock::fake::ConversationId;

    use super::{ChannelJid, Recipient, UserJid};

    impl From<&ConversationId> for Recipient {
        fn from(conversation: &ConversationId) -> Self {
            let jid = conversation.jid();
            match conversation {
                ConversationId::Channel(_) => Recipient::Channel(ChannelJid(jid)),
                ConversationId::Contact(_) => Recipient::User(UserJid(jid)),
            }
        }
    }

    impl From<&Recipient> for ConversationId {
        fn from(to: &Recipient) -> Self {
            ConversationId::from_jid(to.jid()).expect("a recipient's JID is one the grammar reads")
        }
    }

    #[test]
    fn the_fakes_conversations_and_recipients_convert_both_ways() {
        let to: Recipient = "Team@conference.xmpp.zoom.us".parse().unwrap();
        let conversation = ConversationId::from(&to);
        assert_eq!(conversation, ConversationId::Channel("team".into()));
        assert_eq!(Recipient::from(&conversation), to);
        let user = ConversationId::Contact("ana".into());
        assert_eq!(Recipient::from(&user).jid(), "ana@xmpp.zoom.us");
    }
}
