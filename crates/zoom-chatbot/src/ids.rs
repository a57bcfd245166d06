//! Typed ids: a channel cannot be passed where a user is wanted, and a malformed JID is
//! refused with a clear message before anything is sent. They live in [`zoom_api_gen::ids`],
//! beside Zoom's JID grammar, so that the client, its CLI and the fake Zoom share them; a
//! malformed id's [`IdError`] becomes [`Error::InvalidInput`] through `?`.
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

pub use zoom_api_gen::ids::{
    AccountId, BotJid, ChannelId, ChannelJid, Conversation, DraftId, FileId, IdError, MessageId, Recipient, TriggerId,
    UserId, UserJid,
};

use crate::error::Error;

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
        Ok(self.parse()?)
    }
}

impl IntoRecipient for String {
    fn into_recipient(self) -> Result<Recipient, Error> {
        Ok(self.parse()?)
    }
}

impl IntoRecipient for &String {
    fn into_recipient(self) -> Result<Recipient, Error> {
        Ok(self.parse()?)
    }
}
