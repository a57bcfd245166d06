//! Text and controls: paragraphs, key/value lines, notices, buttons and dropdowns.

use zoom_api_gen::types;

use super::Style;
use super::rules::{self, Rejected};
use crate::macros::setters;

plain_elements!(Fields, Select, Alert);
checked_elements!(Text, Actions);
default_is_new!(Fields, Actions);

/// A paragraph: plain, markdown, a link, or an editable line.
#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    item: types::CardMessage,
    rejected: Vec<Rejected>,
}

impl Text {
    /// A paragraph of text.
    pub fn new(text: impl Into<String>) -> Self {
        let item = types::CardMessage {
            type_: types::CardMessageType::Message,
            text: text.into(),
            style: None,
            link: None,
            editable: None,
            is_markdown_support: None,
        };
        Self { item, rejected: Vec::new() }
    }

    /// Styled.
    pub fn style(mut self, style: Style) -> Self {
        let (style, rejected) = style.into_parts(&["style"]);
        self.item.style = style;
        self.rejected = rejected;
        self
    }

    setters! { self.item;
        /// A link to `url`.
        pub fn link(url: impl Into<String>) = Some(url.into());
        /// Editable by the reader (Zoom sends `interactive_message_editable`).
        pub fn editable() = Some(true);
        /// Read as markdown.
        pub fn markdown() => is_markdown_support = Some(true);
    }
}

/// Key/value lines.
#[derive(Clone, Debug, PartialEq)]
pub struct Fields(types::CardFields);

impl Fields {
    /// No lines yet.
    pub fn new() -> Self {
        Self(types::CardFields { type_: types::CardFieldsType::Fields, items: Vec::new() })
    }

    fn add(mut self, key: impl Into<String>, value: impl Into<String>, short: bool, editable: bool) -> Self {
        self.0.items.push(types::CardField {
            key: key.into(),
            value: value.into(),
            short: short.then_some(true),
            editable: editable.then_some(true),
            style: None,
        });
        self
    }

    /// A full-width line.
    pub fn field(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.add(key, value, false, false)
    }

    /// A half-width line (two sit side by side).
    pub fn short(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.add(key, value, true, false)
    }

    /// A line the reader can edit (Zoom sends `interactive_message_fields_editable`).
    pub fn editable(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.add(key, value, false, true)
    }
}

/// A button. A click sends `interactive_message_actions` with its text and value.
#[derive(Clone, Debug, PartialEq)]
pub struct Button(types::CardButton);

impl Button {
    fn styled(text: impl Into<String>, value: impl Into<String>, style: Option<types::ButtonStyle>) -> Self {
        Self(types::CardButton { text: text.into(), value: value.into(), style, submit: None })
    }

    /// A plain button.
    pub fn new(text: impl Into<String>, value: impl Into<String>) -> Self {
        Self::styled(text, value, None)
    }

    /// A blue button.
    pub fn primary(text: impl Into<String>, value: impl Into<String>) -> Self {
        Self::styled(text, value, Some(types::ButtonStyle::Primary))
    }

    /// A red button.
    pub fn danger(text: impl Into<String>, value: impl Into<String>) -> Self {
        Self::styled(text, value, Some(types::ButtonStyle::Danger))
    }

    /// A grey button that cannot be clicked.
    pub fn disabled(text: impl Into<String>, value: impl Into<String>) -> Self {
        Self::styled(text, value, Some(types::ButtonStyle::Disabled))
    }

    setters! { self.0;
        /// In a form card, this button submits the form.
        pub fn submit() = Some(true);
    }
}

impl From<Button> for types::CardButton {
    fn from(b: Button) -> Self {
        b.0
    }
}

/// A row of buttons.
#[derive(Clone, Debug, PartialEq)]
pub struct Actions {
    item: types::CardActions,
    rejected: Vec<Rejected>,
}

impl Actions {
    /// No buttons yet.
    pub fn new() -> Self {
        let item = types::CardActions { type_: types::CardActionsType::Actions, items: Vec::new(), limit: None };
        Self { item, rejected: Vec::new() }
    }

    /// Adds a button.
    pub fn button(mut self, button: Button) -> Self {
        self.item.items.push(button.0);
        self
    }

    /// Shows this many buttons (at least 1) before a "more" menu.
    pub fn limit(mut self, limit: u64) -> Self {
        self.rejected.clear();
        self.item.limit = rules::at_least_one(limit, &["limit"], &mut self.rejected);
        self
    }
}

/// The option among `options` whose value is `value`; one of that value alone (its text the
/// value) when none is: which options a preset may name is not a rule of Zoom's.
pub(crate) fn preset(options: &[types::CardOption], value: String) -> types::CardOption {
    options
        .iter()
        .find(|o| o.value == value)
        .cloned()
        .unwrap_or_else(|| types::CardOption { text: value.clone(), value })
}

/// A dropdown: your options, or the account's members or channels. A choice sends
/// `interactive_message_select`.
#[derive(Clone, Debug, PartialEq)]
pub struct Select(types::CardSelect);

impl Select {
    fn with(placeholder: impl Into<String>, source: Option<types::CardSelectStaticSource>) -> Self {
        Self(types::CardSelect {
            type_: types::CardSelectType::Select,
            text: placeholder.into(),
            select_items: Vec::new(),
            selected_item: None,
            static_source: source,
        })
    }

    /// A dropdown of your options.
    pub fn new(placeholder: impl Into<String>) -> Self {
        Self::with(placeholder, None)
    }

    /// A dropdown of the account's members.
    pub fn members(placeholder: impl Into<String>) -> Self {
        Self::with(placeholder, Some(types::CardSelectStaticSource::Members))
    }

    /// A dropdown of the account's channels.
    pub fn channels(placeholder: impl Into<String>) -> Self {
        Self::with(placeholder, Some(types::CardSelectStaticSource::Channels))
    }

    option_method!(select_items);

    /// Pre-selects the option with this value (among those added so far).
    pub fn selected(mut self, value: impl Into<String>) -> Self {
        self.0.selected_item = Some(preset(&self.0.select_items, value.into()));
        self
    }
}

/// How serious an [`Alert`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AlertLevel {
    /// For information.
    Info,
    /// Something went well.
    Success,
    /// Something needs attention.
    Warning,
    /// Something failed.
    Error,
}

impl AlertLevel {
    /// The level as Zoom writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Success => "success",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// A highlighted notice.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert(types::CardAlert);

impl Alert {
    /// A notice.
    pub fn new(text: impl Into<String>) -> Self {
        Self(types::CardAlert { type_: types::CardAlertType::Alert, text: text.into(), level: None })
    }

    setters! { self.0;
        /// How serious it is.
        pub fn level(level: AlertLevel) = Some(level.as_str().to_owned());
    }
}
