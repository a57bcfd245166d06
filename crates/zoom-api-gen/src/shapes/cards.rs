//! The shape of `cards.rs`: the card elements' kinds. The generated file invokes
//! [`card_table!`] with each element's variant of `CardBodyItem` and its `type`.

/// Defines `CARD_ELEMENT_KINDS` and `CardBodyItem::kind` in the invoking module.
macro_rules! card_table {
    ($($variant:ident = $kind:literal,)*) => {
        /// The `type` of every card element the spec defines, in the spec's order.
        pub const CARD_ELEMENT_KINDS: &[&str] = &[$($kind,)*];

        impl crate::types::CardBodyItem {
            /// The element's `type`, as the spec (and Zoom) writes it.
            pub fn kind(&self) -> &'static str {
                match self { $(Self::$variant(_) => $kind,)* }
            }
        }
    };
}

pub(crate) use card_table;
