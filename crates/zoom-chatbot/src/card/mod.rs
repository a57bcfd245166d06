//! Message cards, built in a few lines and checked before sending. The builders here are
//! sugar over the generated element types ([`types::CardMessage`], [`types::CardFields`], ...,
//! one per element of the spec): each holds the generated value it is building, so a card
//! under construction can be cloned, compared and inspected, and [`Card::build`] gives the
//! generated [`types::Card`], which serialises to exactly Zoom's JSON.
//!
//! Every rule is the spec's: `build` (and every send or edit) checks the card with the
//! spec's validator, the one the fake Zoom and `zoom-chatbot card check` use, so all three
//! refuse the same cards with the same words.
//!
//! ```
//! use zoom_chatbot::card::{Actions, Button, Card, Fields, Style, Text};
//!
//! let card = Card::new()
//!     .head("Build finished")
//!     .sub_head("main, 4 minutes")
//!     .push(Text::new("All 312 tests passed.").style(Style::new().color("#2E7D32").bold()))
//!     .push(Fields::new().short("Branch", "main").short("Commit", "4f2a9c1"))
//!     .push(Actions::new().button(Button::primary("Deploy", "deploy")).button(Button::new("Logs", "logs")))
//!     .build()
//!     .unwrap();
//! let json = serde_json::to_value(&card).unwrap();
//! assert_eq!(json["body"][2]["items"][0]["style"], "Primary");
//!
//! let err = Card::new().push(Text::new("x").style(Style::new().color("green"))).build().unwrap_err();
//! assert_eq!(err.to_string(), "invalid content.body[0].style.color: must match ^#[0-9A-Fa-f]{6}$");
//! ```

/// `From<builder> for Element` for builders that hold only their generated element (nothing
/// given to them is kept aside for the check): the element as it is. So
/// `plain_elements!(Alert);` makes `Element::from(alert)` hold `alert.0`.
macro_rules! plain_elements {
    ($($builder:ident),+ $(,)?) => {
        $(impl From<$builder> for super::Element {
            fn from(builder: $builder) -> Self {
                super::Element::new(builder.0, Vec::new())
            }
        })+
    };
}

/// `From<builder> for Element` for builders that keep, beside their generated `item`, the
/// values it could not hold (`rejected`), for the check in [`Card::build`]. So
/// `checked_elements!(Text);` makes `Element::from(text)` hold `text.item` and `text.rejected`.
macro_rules! checked_elements {
    ($($builder:ident),+ $(,)?) => {
        $(impl From<$builder> for super::Element {
            fn from(builder: $builder) -> Self {
                super::Element::new(builder.item, builder.rejected)
            }
        })+
    };
}

/// `Default` for builders whose `new` takes nothing: the empty element. So
/// `default_is_new!(Fields);` makes `Fields::default()` call `Fields::new()`.
macro_rules! default_is_new {
    ($($builder:ident),+ $(,)?) => {
        $(impl Default for $builder {
            fn default() -> Self {
                Self::new()
            }
        })+
    };
}

/// The `option` method of a builder whose options are in `self.0.$options`. So
/// `option_method!(options);` in `impl RadioButtons` writes `pub fn option(mut self, text, value)`,
/// which pushes a `CardOption` onto `self.0.options`.
macro_rules! option_method {
    ($options:ident) => {
        /// Adds an option: its text and value.
        pub fn option(mut self, text: impl Into<String>, value: impl Into<String>) -> Self {
            self.0.$options.push(zoom_api_gen::types::CardOption { text: text.into(), value: value.into() });
            self
        }
    };
}

mod form;
mod layout;
mod media;
pub(crate) mod rules;
mod style;
mod text;

pub use form::{Checkboxes, DatePicker, RadioButtons, TextInput, TimePicker};
pub use layout::{Divider, Page, ProgressBar, Section};
pub use media::{Attachment, File, Images, Video};
pub use style::Style;
pub use text::{Actions, Alert, AlertLevel, Button, Fields, Select, Text};

use zoom_api_gen::types;

use crate::error::Result;
use crate::macros::setters;
use rules::Rejected;

/// One element of a card body: the generated [`types::CardBodyItem`], with any value given to
/// its builder that the generated type cannot hold (kept for the check in [`Card::build`]).
/// Every builder of this module, and the generated element types, turn into one.
#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    item: types::CardBodyItem,
    rejected: Vec<Rejected>,
}

impl Element {
    fn new(item: impl Into<types::CardBodyItem>, rejected: Vec<Rejected>) -> Self {
        Self { item: item.into(), rejected }
    }

    /// The generated element as built so far.
    pub fn item(&self) -> &types::CardBodyItem {
        &self.item
    }
}

impl From<types::CardBodyItem> for Element {
    fn from(item: types::CardBodyItem) -> Self {
        Self::new(item, Vec::new())
    }
}

/// A card under construction; [`build`](Card::build) checks it and gives the generated type.
/// A plain value: a half-built card serves as a template, and two can be compared.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Card {
    head: Option<types::CardHead>,
    sub_head: Option<types::CardSubHead>,
    settings: Option<types::CardSettings>,
    body: Vec<types::CardBodyItem>,
    rejected: Vec<Rejected>,
}

// Cards and sections are `Send + Sync + Clone`: a handler can hold one across an `.await`
// under `tokio::spawn`, and a template can be cloned. Checked here, at compile time.
const _: fn() = || {
    fn send_sync_clone<T: Send + Sync + Clone>() {}
    send_sync_clone::<Card>();
    send_sync_clone::<Section>();
};

impl Card {
    /// An empty card.
    pub fn new() -> Self {
        Self::default()
    }

    /// The title.
    pub fn head(self, text: impl Into<String>) -> Self {
        self.head_styled(text, Style::new())
    }

    /// The title, styled.
    pub fn head_styled(mut self, text: impl Into<String>, style: Style) -> Self {
        let (style, rejected) = style.into_parts(&["head", "style"]);
        self.rejected.extend(rejected);
        self.head = Some(types::CardHead { text: text.into(), style, sub_head: None });
        self
    }

    /// A line under the title.
    pub fn sub_head(self, text: impl Into<String>) -> Self {
        self.sub_head_styled(text, Style::new())
    }

    /// A line under the title, styled.
    pub fn sub_head_styled(mut self, text: impl Into<String>, style: Style) -> Self {
        let (style, rejected) = style.into_parts(&["head", "sub_head", "style"]);
        self.rejected.extend(rejected);
        self.sub_head = Some(types::CardSubHead { text: text.into(), style });
        self
    }

    fn settings(&mut self) -> &mut types::CardSettings {
        self.settings.get_or_insert(types::CardSettings { default_sidebar_color: None, form: None })
    }

    setters! { self.settings();
        /// Makes the card a form whose inputs a [`Button::submit`] button sends together.
        pub fn form() = Some(true);
    }

    /// The sidebar colour of sections that set none, `#rrggbb`.
    pub fn default_sidebar_color(mut self, color: impl Into<String>) -> Self {
        let mut rejected = Vec::new();
        let color = rules::colour(color.into(), &["settings", "default_sidebar_color"], &mut rejected);
        self.rejected.extend(rejected);
        self.settings().default_sidebar_color = color;
        self
    }

    /// Adds an element to the body: a builder of this module or a generated element.
    pub fn push(mut self, element: impl Into<Element>) -> Self {
        let Element { item, rejected } = element.into();
        let at = rules::Seg::Index(self.body.len());
        self.rejected.extend(rejected.into_iter().map(|r| r.under(&[rules::Seg::Key("body"), at])));
        self.body.push(item);
        self
    }

    /// The elements added so far.
    pub fn body(&self) -> &[types::CardBodyItem] {
        &self.body
    }

    /// The finished card, or the first rule of the spec it breaks, named by its place
    /// (`content.body[2].value`) in the words of the spec's validator.
    pub fn build(self) -> Result<types::Card> {
        let mut rejected = self.rejected;
        let head = match (self.head, self.sub_head) {
            (Some(head), sub_head) => Some(types::CardHead { sub_head: sub_head.or(head.sub_head), ..head }),
            (None, None) => None,
            // A sub head lives inside the head: without one it is a head with no text.
            (None, Some(sub_head)) => {
                rejected.push(Rejected::new(&["head", "sub_head"], rules::json(&sub_head)));
                None
            }
        };
        let card = types::Card { head, body: self.body, settings: self.settings };
        rules::check_with(&card, &rejected)?;
        Ok(card)
    }
}

/// Checks a generated card against the spec, as [`Card::build`] does: the sends and edits of
/// the client call it before anything is sent.
///
/// ```
/// use zoom_chatbot::{card, types};
///
/// let card: types::Card = serde_json::from_value(serde_json::json!({
///     "body": [{"type": "progress_bar", "value": 140}]
/// })).unwrap();
/// let err = card::check(&card).unwrap_err();
/// assert_eq!(err.to_string(), "invalid content.body[0].value: must be at most 100");
/// ```
pub fn check(card: &types::Card) -> Result<()> {
    rules::check_with(card, &[])
}

#[cfg(test)]
mod tests;
