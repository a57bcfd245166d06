//! JID parsing: `zoom_api_gen::jid` and the typed ids of `zoom_chatbot::ids`, on any text.
//! Whatever parses is written back (Display) in a form that parses to the same value, and
//! the typed ids agree with the grammar they are built on.
#![no_main]

use std::fmt::Display;
use std::str::FromStr;

use libfuzzer_sys::fuzz_target;
use zoom_api_gen::jid::{self, Jid, JidKind};
use zoom_chatbot::ids::{AccountId, BotJid, ChannelId, ChannelJid, MessageId, Recipient, UserId, UserJid};

/// Parses `text` as `T`; when it parses, its Display parses back to the same value, its
/// Display is stable, and it travels through serde unchanged.
fn round_trip<T>(text: &str) -> Option<T>
where
    T: FromStr + Display + PartialEq + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned,
{
    let parsed = text.parse::<T>().ok()?;
    let shown = parsed.to_string();
    let again =
        shown.parse::<T>().ok().unwrap_or_else(|| panic!("{text:?} parsed, but its Display {shown:?} does not"));
    assert_eq!(again, parsed, "{text:?} -> {shown:?} parses to another value");
    assert_eq!(again.to_string(), shown);
    let json = serde_json::to_string(&parsed).expect("ids serialize");
    assert_eq!(serde_json::from_str::<T>(&json).expect("a serialized id reads back"), parsed);
    Some(parsed)
}

/// An id that travels as one path segment is not a dot segment, which a URL would resolve
/// away (`messages/..` is not a message).
fn one_segment(id: &str) {
    assert!(id != "." && id != "..", "the id {id:?} would leave its path segment");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };

    // The grammar.
    if let Ok(parsed) = jid::parse(text) {
        let shown = parsed.to_string();
        assert_eq!(jid::parse(&shown), Ok(parsed.clone()), "{text:?} -> {shown:?}");
        assert_eq!(parsed.local, parsed.local.to_ascii_lowercase());
        assert!(jid::check_local(&parsed.local).is_ok());
        let made = match parsed.kind {
            JidKind::User => Jid::user(&parsed.local),
            JidKind::Channel => Jid::channel(&parsed.local),
        };
        assert_eq!(made, Ok(parsed.clone()));
    }
    for made in [Jid::user(text), Jid::channel(text)].into_iter().flatten() {
        assert_eq!(jid::parse(&made.to_string()), Ok(made.clone()));
    }

    // The typed ids, each against the grammar.
    let grammar = jid::parse(text).ok().map(|j| j.kind);
    let user = round_trip::<UserJid>(text);
    assert_eq!(user.is_some(), grammar == Some(JidKind::User), "UserJid and the grammar disagree on {text:?}");
    let channel = round_trip::<ChannelJid>(text);
    assert_eq!(channel.is_some(), grammar == Some(JidKind::Channel), "ChannelJid and the grammar disagree on {text:?}");
    assert_eq!(round_trip::<BotJid>(text).is_some(), user.is_some());
    if let Some(to) = round_trip::<Recipient>(text) {
        assert_eq!(to.is_channel(), grammar == Some(JidKind::Channel));
        assert_eq!(Some(to.jid()), user.as_ref().map(UserJid::as_str).or(channel.as_ref().map(ChannelJid::as_str)));
    }
    if let Some(channel) = &channel {
        let id = channel.channel_id();
        one_segment(id.as_str());
        assert_eq!(&ChannelJid::from(&id), channel);
    }
    if let Some(user) = &user {
        let id = UserId::from_jid(user);
        one_segment(id.as_str());
        assert_eq!(format!("{}@xmpp.zoom.us", user.local_part()).parse::<UserJid>().ok().as_ref(), Some(user));
    }
    for id in [
        round_trip::<MessageId>(text).map(|i| i.to_string()),
        round_trip::<ChannelId>(text).map(|i| i.to_string()),
        round_trip::<AccountId>(text).map(|i| i.to_string()),
        round_trip::<UserId>(text).map(|i| i.to_string()),
    ]
    .into_iter()
    .flatten()
    {
        assert_eq!(id, text, "an id is kept as written");
        one_segment(&id);
    }
});
