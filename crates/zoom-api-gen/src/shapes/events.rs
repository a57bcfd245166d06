//! The shape of `events.rs`: `EventKind` and what does not depend on the spec. The generated
//! file invokes [`event_table!`] with the spec's events.

/// Defines `EventKind` (with `ZoomEvent::kind`), `PayloadVisitor` and `UnknownEvent` in the
/// invoking module, from each event's variant, name and payload type.
macro_rules! event_table {
    ($(#[doc = $doc:literal] $kind:ident = $name:literal ($payload:ident),)*) => {
        /// A kind of event the spec defines: one per variant of [`ZoomEvent`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventKind { $(#[doc = $doc] $kind,)* }

        impl EventKind {
            /// Every kind, in the spec's order.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$kind,)*];

            /// The name Zoom sends in the event's `event` field.
            pub const fn as_str(self) -> &'static str {
                match self { $(EventKind::$kind => $name,)* }
            }

            /// Calls `visitor` with the generated type of this kind's `payload`.
            pub fn visit_payload<V: PayloadVisitor>(self, visitor: V) -> V::Output {
                match self { $(EventKind::$kind => visitor.visit::<crate::types::$payload>(),)* }
            }
        }

        impl ::std::str::FromStr for EventKind {
            type Err = UnknownEvent;

            /// Reads an event's name, exactly as Zoom sends it.
            fn from_str(name: &str) -> Result<Self, UnknownEvent> {
                match name { $($name => Ok(EventKind::$kind),)* _ => Err(UnknownEvent(name.to_owned())) }
            }
        }

        impl ::std::fmt::Display for EventKind {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ZoomEvent {
            /// The event's kind.
            pub fn kind(&self) -> EventKind {
                match self { $(ZoomEvent::$kind { .. } => EventKind::$kind,)* }
            }
        }

        /// Something done with the type of an event's payload, chosen by its kind at run time
        /// ([`EventKind::visit_payload`]).
        pub trait PayloadVisitor {
            /// What the visit gives.
            type Output;
            /// Visits the payload type `P`.
            fn visit<P: ::serde::de::DeserializeOwned>(self) -> Self::Output;
        }

        /// A name that is not one of the spec's events.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct UnknownEvent(pub String);

        impl ::std::fmt::Display for UnknownEvent {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{:?} is not an event of the spec", self.0)
            }
        }

        impl ::std::error::Error for UnknownEvent {}
    };
}

pub(crate) use event_table;
