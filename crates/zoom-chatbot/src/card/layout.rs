//! Layout: sections, dividers, progress bars and pagers.

use zoom_api_gen::types;

use super::Element;
use super::rules::{self, Rejected, Seg};
use crate::macros::setters;

plain_elements!(ProgressBar);
checked_elements!(Section, Divider, Page);
default_is_new!(Section, Divider);

/// Elements grouped beside a coloured sidebar, with an optional footer.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    item: types::CardSection,
    rejected: Vec<Rejected>,
}

impl Section {
    /// An empty section.
    pub fn new() -> Self {
        let item = types::CardSection {
            type_: types::CardSectionType::Section,
            sections: Vec::new(),
            sidebar_color: None,
            footer: None,
            footer_icon: None,
            ts: None,
        };
        Self { item, rejected: Vec::new() }
    }

    /// The sidebar colour, `#rrggbb`.
    pub fn color(mut self, color: impl Into<String>) -> Self {
        self.item.sidebar_color = rules::colour(color.into(), &["sidebar_color"], &mut self.rejected);
        self
    }

    /// Adds an element to the section.
    pub fn push(mut self, element: impl Into<Element>) -> Self {
        let Element { item, rejected } = element.into();
        let at = [Seg::Key("sections"), Seg::Index(self.item.sections.len())];
        self.rejected.extend(rejected.into_iter().map(|r| r.under(&at)));
        self.item.sections.push(item);
        self
    }

    setters! { self.item;
        /// A footer line.
        pub fn footer(text: impl Into<String>) = Some(text.into());
        /// An icon beside the footer.
        pub fn footer_icon(url: impl Into<String>) = Some(url.into());
        /// A time shown in the footer, in milliseconds since the epoch.
        pub fn timestamp(millis: i64) => ts = Some(millis);
    }
}

/// A horizontal line.
#[derive(Clone, Debug, PartialEq)]
pub struct Divider {
    item: types::CardDivider,
    rejected: Vec<Rejected>,
}

impl Divider {
    /// A thin line.
    pub fn new() -> Self {
        Self { item: types::CardDivider { type_: types::CardDividerType::Divider, style: None }, rejected: Vec::new() }
    }

    fn style(&mut self) -> &mut types::DividerStyle {
        self.item.style.get_or_insert(types::DividerStyle { bold: None, dotted: None, color: None })
    }

    setters! { self.style();
        /// A thick line.
        pub fn bold() = Some(true);
        /// A dotted line.
        pub fn dotted() = Some(true);
    }

    /// The line colour, `#rrggbb`.
    pub fn color(mut self, color: impl Into<String>) -> Self {
        let color = rules::colour(color.into(), &["style", "color"], &mut self.rejected);
        self.style().color = color;
        self
    }
}

/// A progress bar, 0 to 100 percent.
#[derive(Clone, Debug, PartialEq)]
pub struct ProgressBar(types::CardProgressBar);

impl ProgressBar {
    /// A bar filled to `percent` (0 to 100; more is refused when the card is built).
    pub fn new(percent: u8) -> Self {
        Self(types::CardProgressBar { type_: types::CardProgressBarType::ProgressBar, value: i64::from(percent) })
    }
}

/// A pager for long cards.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    item: types::CardPage,
    rejected: Vec<Rejected>,
}

impl Page {
    /// Page `current` of `total`, both counted from 1.
    pub fn new(current: u32, total: u32) -> Self {
        let mut rejected = Vec::new();
        let current_page = rules::at_least_one(u64::from(current), &["current_page"], &mut rejected);
        let total_pages = rules::at_least_one(u64::from(total), &["total_pages"], &mut rejected);
        Self {
            item: types::CardPage { type_: types::CardPageType::Page, text: None, current_page, total_pages },
            rejected,
        }
    }
}
