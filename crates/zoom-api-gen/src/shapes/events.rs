//! The shape of `events.rs`: `EventKind` and what does not depend on the spec. The generated
//! file invokes [`event_table!`] with the spec's events.

/// Defines `EventKind` (with `ZoomEvent::kind`), `PayloadVisitor`, `UnknownEvent`,
/// `EventObject` (with `ZoomEvent::object`) and `ZoomEvent`'s addressing accessors
/// (`account_id`, ...) in the invoking module, from each event's variant, name, payload type
/// and the type of its payload's `object`, the list of those types, and the events whose
/// payload has each addressing field.
macro_rules! event_table {
    (
        events: [$(#[doc = $doc:literal] $kind:ident = $name:literal ($payload:ident $(, object $object:ident)?),)*],
        objects: [$($each_object:ident,)*],
        addressed: { $($field:ident: [$($addressed:ident),*],)* },
    ) => {
        $crate::shapes::named_enum! {
            /// A kind of event the spec defines, named as Zoom sends it in the event's `event`
            /// field: one per variant of [`ZoomEvent`].
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            EventKind { $(#[doc = $doc] $kind = $name,)* }
        }
        $crate::shapes::exact_names!(EventKind, UnknownEvent, "an event of the spec");

        impl EventKind {
            /// Calls `visitor` with the generated type of this kind's `payload`.
            pub fn visit_payload<V: PayloadVisitor>(self, visitor: V) -> V::Output {
                match self { $(EventKind::$kind => visitor.visit::<crate::types::$payload>(),)* }
            }
        }

        impl ZoomEvent {
            /// The event's kind.
            pub fn kind(&self) -> EventKind {
                match self { $(ZoomEvent::$kind { .. } => EventKind::$kind,)* }
            }

            /// The event's `payload.object`, if the event carries an object of type `T`: the
            /// message of `team_chat.channel_message_posted` and `..._updated` is
            /// `object::<types::TeamChatChannelMessage>()`.
            ///
            /// ```
            /// use zoom_api_gen::types::{ChatChannelChanged, TeamChatChannelMessage, ZoomEvent};
            ///
            /// let event: ZoomEvent = serde_json::from_value(serde_json::json!({
            ///     "event": "chat_channel.member_joined", "event_ts": 1,
            ///     "payload": {
            ///         "account_id": "A", "operator": "ana@example.com", "operator_id": "u1",
            ///         "object": {
            ///             "id": "c1", "name": "ops", "type": 3,
            ///             "date_time": "2026-01-01T00:00:00Z", "timestamp": 1
            ///         }
            ///     }
            /// }))?;
            /// let channel = event.object::<ChatChannelChanged>();
            /// assert_eq!(channel.map(|c| c.name.as_str()), Some("ops"));
            /// assert!(event.object::<TeamChatChannelMessage>().is_none());
            /// # Ok::<(), serde_json::Error>(())
            /// ```
            pub fn object<T: EventObject>(&self) -> Option<&T> {
                let object: &dyn ::std::any::Any = match self {
                    $($(ZoomEvent::$kind { payload, .. } => {
                        let object: &crate::types::$object = &payload.object;
                        object
                    })?)*
                    _ => return None,
                };
                object.downcast_ref()
            }
        }

        impl ZoomEvent {
            $(
                #[doc = concat!(
                    "The payload's `", stringify!($field), "`, for the events whose payload has one ",
                    "(the spec's `camelCase` or `snake_case` name alike)."
                )]
                pub fn $field(&self) -> Option<&str> {
                    use $crate::shapes::OptionalText;
                    match self {
                        $(ZoomEvent::$addressed { payload, .. } => payload.$field.text(),)*
                        _ => None,
                    }
                }
            )*
        }

        /// A type that events carry as their `payload.object` ([`ZoomEvent::object`]): its
        /// implementors are every such type of the spec, and only those (it is sealed).
        pub trait EventObject: ::std::any::Any + sealed::Sealed {}

        mod sealed {
            /// Implemented for the spec's event objects only.
            pub trait Sealed {}
        }

        $(
            impl sealed::Sealed for crate::types::$each_object {}
            impl EventObject for crate::types::$each_object {}
        )*

        /// Something done with the type of an event's payload, chosen by its kind at run time
        /// ([`EventKind::visit_payload`]).
        pub trait PayloadVisitor {
            /// What the visit gives.
            type Output;
            /// Visits the payload type `P`.
            fn visit<P: ::serde::de::DeserializeOwned>(self) -> Self::Output;
        }

    };
}

pub(crate) use event_table;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::types::ZoomEvent;

    fn event(value: serde_json::Value) -> ZoomEvent {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn the_addressing_fields_are_read_under_either_spelling() {
        let command = event(json!({
            "event": "bot_notification", "event_ts": 1,
            "payload": {
                "accountId": "A1", "robotJid": "bot@xmpp.zoom.us", "toJid": "c@conference.xmpp.zoom.us",
                "userJid": "u@xmpp.zoom.us", "cmd": "hi"
            }
        }));
        assert_eq!(command.account_id(), Some("A1"));
        assert_eq!(command.robot_jid(), Some("bot@xmpp.zoom.us"));
        assert_eq!(command.user_jid(), Some("u@xmpp.zoom.us"));
        assert_eq!(command.to_jid(), Some("c@conference.xmpp.zoom.us"));

        // An optional field left out, and a Team Chat event naming only its account.
        let installed = event(json!({
            "event": "bot_installed",
            "payload": {"accountId": "A2", "robotJid": "bot@xmpp.zoom.us", "userName": "Ana"}
        }));
        assert_eq!((installed.account_id(), installed.user_jid()), (Some("A2"), None));
        let joined = event(json!({
            "event": "chat_channel.member_joined", "event_ts": 1,
            "payload": {
                "account_id": "A3", "operator": "ana@example.com", "operator_id": "u1",
                "object": {"id": "c1", "name": "ops", "type": 3, "date_time": "2026-01-01T00:00:00Z", "timestamp": 1}
            }
        }));
        assert_eq!((joined.account_id(), joined.robot_jid(), joined.to_jid()), (Some("A3"), None, None));
    }
}
