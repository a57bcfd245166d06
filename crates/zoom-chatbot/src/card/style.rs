//! Text style: colour, bold, italic.

use zoom_api_gen::types;

use super::rules::{self, Rejected};
use crate::macros::setters;

/// Text style: colour, bold, italic. Ignored by Zoom when markdown is on.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Style {
    style: Option<types::TextStyle>,
    rejected: Vec<Rejected>,
}

impl Style {
    /// No styling.
    pub fn new() -> Self {
        Self::default()
    }

    fn edit(&mut self) -> &mut types::TextStyle {
        self.style.get_or_insert(types::TextStyle { color: None, bold: None, italic: None })
    }

    /// The text colour, `#rrggbb`.
    pub fn color(mut self, color: impl Into<String>) -> Self {
        let color = rules::colour(color.into(), &["color"], &mut self.rejected);
        self.edit().color = color;
        self
    }

    setters! { self.edit();
        /// Bold text.
        pub fn bold() = Some(true);
        /// Italic text.
        pub fn italic() = Some(true);
    }

    /// The generated style (none when nothing was set), and what it could not hold, at
    /// `path` (where the style sits in the card).
    pub(crate) fn into_parts(self, path: &[&'static str]) -> (Option<types::TextStyle>, Vec<Rejected>) {
        let prefix: Vec<rules::Seg> = path.iter().map(|k| rules::Seg::Key(k)).collect();
        (self.style, self.rejected.into_iter().map(|r| r.under(&prefix)).collect())
    }
}
