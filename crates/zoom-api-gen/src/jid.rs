//! Zoom's JID grammar, once, for the client's typed ids and the fake Zoom alike.
//!
//! A user's JID is `LOCAL@xmpp.zoom.us` (a `/resource` may follow, as direct messages to a
//! bot carry one); a channel's is `LOCAL@conference.xmpp.zoom.us`. The local part is made of
//! letters, digits, `-`, `_` and `.`, and is not `.` or `..` (ids travel as path segments,
//! which a URL would resolve away). Zoom writes JIDs in lower case (a user id
//! `KdYKjnimT4KPd8KKdQt9FQ` has the JID `kdykjnimt4kpd8kkdqt9fq@xmpp.zoom.us`), so the local
//! part is compared, and kept, in lower case.
//!
//! ```
//! use zoom_api_gen::jid::{self, JidKind};
//!
//! let parsed = jid::parse("KdYK@xmpp.zoom.us/robot_v1bot@xmpp.zoom.us").unwrap();
//! assert_eq!((parsed.kind, parsed.local.as_str()), (JidKind::User, "kdyk"));
//! assert_eq!(parsed.to_string(), "kdyk@xmpp.zoom.us");
//! assert_eq!(jid::parse("c1@example.com"), Err(jid::JidError::Domain));
//! ```

use std::fmt;

/// The domain of user (and bot) JIDs.
pub const USER_DOMAIN: &str = "@xmpp.zoom.us";
/// The domain of channel JIDs.
pub const CHANNEL_DOMAIN: &str = "@conference.xmpp.zoom.us";

/// What a JID names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JidKind {
    /// A user (or a bot).
    User,
    /// A channel.
    Channel,
}

/// A JID read by the grammar: its kind and its local part, in lower case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Jid {
    /// User or channel.
    pub kind: JidKind,
    /// The part before `@`, in lower case.
    pub local: String,
}

/// Why a text is not a JID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JidError {
    /// It ends with neither domain.
    Domain,
    /// The part before `@` is empty.
    Empty,
    /// A character the local part may not hold.
    Char(char),
    /// The part is `.` or `..`, which a URL path resolves away: ids travel as path segments.
    DotSegment,
}

impl fmt::Display for JidError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Domain => write!(f, "must end with {USER_DOMAIN} (a user) or {CHANNEL_DOMAIN} (a channel)"),
            Self::Empty => f.write_str("the part before @ is empty"),
            Self::Char(c) => write!(f, "{c:?} is not allowed before @ (letters, digits, - _ . only)"),
            Self::DotSegment => f.write_str("must not be . or .. (an id is a path segment of its own)"),
        }
    }
}

impl std::error::Error for JidError {}

/// Whether `c` may stand in an id or a JID's local part.
pub fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// Checks an id or a local part: not empty, not a dot segment, allowed characters only.
pub fn check_local(local: &str) -> Result<(), JidError> {
    if local.is_empty() {
        return Err(JidError::Empty);
    }
    if local == "." || local == ".." {
        return Err(JidError::DotSegment);
    }
    match local.chars().find(|&c| !allowed(c)) {
        Some(bad) => Err(JidError::Char(bad)),
        None => Ok(()),
    }
}

/// Reads a JID; a `/resource` suffix is dropped.
pub fn parse(text: &str) -> Result<Jid, JidError> {
    let bare = text.split('/').next().unwrap_or(text);
    let (kind, local) = if let Some(local) = bare.strip_suffix(CHANNEL_DOMAIN) {
        (JidKind::Channel, local)
    } else if let Some(local) = bare.strip_suffix(USER_DOMAIN) {
        (JidKind::User, local)
    } else {
        return Err(JidError::Domain);
    };
    check_local(local)?;
    Ok(Jid { kind, local: local.to_ascii_lowercase() })
}

impl Jid {
    /// The JID of a user (`local` is lower-cased).
    pub fn user(local: &str) -> Result<Self, JidError> {
        check_local(local)?;
        Ok(Self { kind: JidKind::User, local: local.to_ascii_lowercase() })
    }

    /// The JID of a channel (`local` is lower-cased).
    pub fn channel(local: &str) -> Result<Self, JidError> {
        check_local(local)?;
        Ok(Self { kind: JidKind::Channel, local: local.to_ascii_lowercase() })
    }
}

impl fmt::Display for Jid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domain = match self.kind {
            JidKind::User => USER_DOMAIN,
            JidKind::Channel => CHANNEL_DOMAIN,
        };
        write!(f, "{}{domain}", self.local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grammar() {
        assert_eq!(
            parse("B1C841DC@conference.xmpp.zoom.us"),
            Ok(Jid { kind: JidKind::Channel, local: "b1c841dc".into() })
        );
        assert_eq!(parse("kdykjn@xmpp.zoom.us/robot_v1bot@xmpp.zoom.us").unwrap().local, "kdykjn");
        for (bad, why) in [
            ("", JidError::Domain),
            ("@xmpp.zoom.us", JidError::Empty),
            ("user@example.com", JidError::Domain),
            ("a b@xmpp.zoom.us", JidError::Char(' ')),
            ("user", JidError::Domain),
        ] {
            assert_eq!(parse(bad), Err(why), "{bad}");
        }
        assert_eq!(Jid::user("KdYK").unwrap().to_string(), "kdyk@xmpp.zoom.us");
    }

    /// Found by the `jid` fuzz target: `.` passed as an id, and ids travel as path segments
    /// (`/im/chat/messages/{id}`), where a URL resolves `.` and `..` away, so a call on the
    /// message `..` went to another path with the bot's token.
    #[test]
    fn dot_segments_are_not_ids() {
        let refused = Some("must not be . or .. (an id is a path segment of its own)".to_owned());
        for bad in [".", ".."] {
            assert_eq!(check_local(bad).err().map(|e| e.to_string()), refused, "{bad}");
            assert_eq!(parse(&format!("{bad}@xmpp.zoom.us")).err().map(|e| e.to_string()), refused);
            assert_eq!(parse(&format!("{bad}@conference.xmpp.zoom.us")).err().map(|e| e.to_string()), refused);
            assert_eq!(Jid::user(bad).err().map(|e| e.to_string()), refused);
        }
        for fine in ["...", ".a", "a.", "a..b"] {
            assert_eq!(check_local(fine), Ok(()), "{fine}");
        }
    }
}
