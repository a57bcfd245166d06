//! The fixed code of the generated tables, written once: each generated file (`operations.rs`,
//! `events.rs`, `cards.rs`, and the integer enums in `generated.rs`) is the invocation of one
//! of these macros with the spec's data, so that the xtask emits data and no code.

mod cards;
mod events;
mod integer_enums;
mod names;
mod operations;

pub(crate) use cards::card_table;
pub(crate) use events::event_table;
pub(crate) use integer_enums::integer_enum;
pub(crate) use names::{exact_names, named_enum, names_ignoring_case};
pub(crate) use operations::operation_table;

/// A payload's text field, required (`String`) or optional (`Option<String>`), read alike.
pub(crate) trait OptionalText {
    fn text(&self) -> Option<&str>;
}

impl OptionalText for String {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

impl OptionalText for Option<String> {
    fn text(&self) -> Option<&str> {
        self.as_deref()
    }
}
