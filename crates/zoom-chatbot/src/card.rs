//! Message cards, built in a few lines and checked before sending. Every element of the
//! spec's card has a builder here; the result is the generated [`types::Card`], so it
//! serialises to exactly Zoom's JSON.
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
//! assert_eq!(err.to_string(), "invalid content.body[0].style.color: must be a colour like #1A2B3C");
//! ```

use std::sync::Arc;

use zoom_api_gen::types::{self, CardBodyItem};

use crate::error::{Error, Result};

/// Text style: colour, bold, italic. Ignored by Zoom when markdown is on.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Style {
    color: Option<String>,
    bold: Option<bool>,
    italic: Option<bool>,
}

impl Style {
    /// No styling.
    pub fn new() -> Self {
        Self::default()
    }

    /// The text colour, `#rrggbb`.
    pub fn color(mut self, color: impl Into<String>) -> Self {
        self.color = Some(color.into());
        self
    }

    /// Bold text.
    pub fn bold(mut self) -> Self {
        self.bold = Some(true);
        self
    }

    /// Italic text.
    pub fn italic(mut self) -> Self {
        self.italic = Some(true);
        self
    }

    fn build(self, field: &str) -> Result<types::TextStyle> {
        Ok(types::TextStyle {
            color: self.color.map(|c| colour(c, &format!("{field}.color"))).transpose()?,
            bold: self.bold,
            italic: self.italic,
        })
    }
}

/// A colour string, checked by the generated type (the spec's `^#[0-9A-Fa-f]{6}$`).
fn colour<T: TryFrom<String>>(value: String, field: &str) -> Result<T> {
    T::try_from(value).map_err(|_| Error::invalid(field, "must be a colour like #1A2B3C"))
}

/// Anything that can be one element of a card body.
pub trait Element {
    /// The element, or the rule it breaks. `field` names it for error messages.
    fn into_item(self, field: &str) -> Result<CardBodyItem>;
}

impl Element for CardBodyItem {
    fn into_item(self, _: &str) -> Result<CardBodyItem> {
        Ok(self)
    }
}

/// An element waiting to be built, told where it sits (for error messages). Shared, so that
/// a card under construction can be cloned (a template) and sent across tasks.
type Pending = Arc<dyn Fn(&str) -> Result<CardBodyItem> + Send + Sync>;

fn pending(element: impl Element + Clone + Send + Sync + 'static) -> Pending {
    Arc::new(move |field: &str| element.clone().into_item(field))
}

// Cards and sections are `Send + Sync + Clone`: a handler can hold one across an `.await`
// under `tokio::spawn`, and a template can be cloned. Checked here, at compile time.
const _: fn() = || {
    fn send_sync_clone<T: Send + Sync + Clone>() {}
    send_sync_clone::<Card>();
    send_sync_clone::<Section>();
};

/// A card under construction; [`build`](Card::build) checks it and gives the generated type.
/// Cheap to clone: a half-built card serves as a template.
#[derive(Clone, Default)]
pub struct Card {
    head: Option<(String, Option<Style>)>,
    sub_head: Option<(String, Option<Style>)>,
    form: Option<bool>,
    default_sidebar_color: Option<String>,
    body: Vec<Pending>,
}

impl std::fmt::Debug for Section {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Section").field("color", &self.color).field("elements", &self.items.len()).finish()
    }
}

impl std::fmt::Debug for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Card").field("head", &self.head).field("elements", &self.body.len()).finish()
    }
}

impl Card {
    /// An empty card.
    pub fn new() -> Self {
        Self::default()
    }

    /// The title.
    pub fn head(mut self, text: impl Into<String>) -> Self {
        self.head = Some((text.into(), None));
        self
    }

    /// The title, styled.
    pub fn head_styled(mut self, text: impl Into<String>, style: Style) -> Self {
        self.head = Some((text.into(), Some(style)));
        self
    }

    /// A line under the title.
    pub fn sub_head(mut self, text: impl Into<String>) -> Self {
        self.sub_head = Some((text.into(), None));
        self
    }

    /// A line under the title, styled.
    pub fn sub_head_styled(mut self, text: impl Into<String>, style: Style) -> Self {
        self.sub_head = Some((text.into(), Some(style)));
        self
    }

    /// Makes the card a form whose inputs a [`Button::submit`] button sends together.
    pub fn form(mut self) -> Self {
        self.form = Some(true);
        self
    }

    /// The sidebar colour of sections that set none.
    pub fn default_sidebar_color(mut self, color: impl Into<String>) -> Self {
        self.default_sidebar_color = Some(color.into());
        self
    }

    /// Adds an element to the body.
    pub fn push(mut self, element: impl Element + Clone + Send + Sync + 'static) -> Self {
        self.body.push(pending(element));
        self
    }

    /// The finished card, or the first rule an element breaks, named by its place
    /// (`content.body[2].value`).
    pub fn build(self) -> Result<types::Card> {
        let head = match self.head {
            None => {
                if self.sub_head.is_some() {
                    return Err(Error::invalid("content.head", "a sub head needs a head"));
                }
                None
            }
            Some((text, style)) => Some(types::CardHead {
                text,
                style: style.map(|s| s.build("content.head.style")).transpose()?,
                sub_head: self
                    .sub_head
                    .map(|(text, style)| {
                        Ok::<_, Error>(types::CardSubHead {
                            text,
                            style: style.map(|s| s.build("content.head.sub_head.style")).transpose()?,
                        })
                    })
                    .transpose()?,
            }),
        };
        let default_sidebar_color = self
            .default_sidebar_color
            .map(|c| colour::<types::CardSettingsDefaultSidebarColor>(c, "content.settings.default_sidebar_color"))
            .transpose()?;
        let body = self
            .body
            .into_iter()
            .enumerate()
            .map(|(i, build)| build(&format!("content.body[{i}]")))
            .collect::<Result<Vec<_>>>()?;
        let settings = (self.form.is_some() || default_sidebar_color.is_some())
            .then_some(types::CardSettings { default_sidebar_color, form: self.form });
        Ok(types::Card { head, body, settings })
    }
}

macro_rules! element {
    ($(#[$doc:meta])* $name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default)]
        pub struct $name { $($field: $ty),* }
    };
}

element!(
    /// A paragraph: plain, markdown, a link, or an editable line.
    Text { text: String, style: Option<Style>, link: Option<String>, editable: Option<bool>, markdown: Option<bool> }
);

impl Text {
    /// A paragraph of text.
    pub fn new(text: impl Into<String>) -> Self {
        Self { text: text.into(), ..Self::default() }
    }

    /// Styled.
    pub fn style(mut self, style: Style) -> Self {
        self.style = Some(style);
        self
    }

    /// A link to `url`.
    pub fn link(mut self, url: impl Into<String>) -> Self {
        self.link = Some(url.into());
        self
    }

    /// Editable by the reader (Zoom sends `interactive_message_editable`).
    pub fn editable(mut self) -> Self {
        self.editable = Some(true);
        self
    }

    /// Read as markdown.
    pub fn markdown(mut self) -> Self {
        self.markdown = Some(true);
        self
    }
}

impl Element for Text {
    fn into_item(self, field: &str) -> Result<CardBodyItem> {
        Ok(CardBodyItem::Message {
            text: self.text,
            style: self.style.map(|s| s.build(&format!("{field}.style"))).transpose()?,
            link: self.link,
            editable: self.editable,
            is_markdown_support: self.markdown,
        })
    }
}

element!(
    /// Key/value lines.
    Fields { items: Vec<types::CardField> }
);

impl Fields {
    /// No lines yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn add(mut self, key: impl Into<String>, value: impl Into<String>, short: bool, editable: bool) -> Self {
        self.items.push(types::CardField {
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

impl Element for Fields {
    fn into_item(self, field: &str) -> Result<CardBodyItem> {
        if self.items.is_empty() {
            return Err(Error::invalid(format!("{field}.items"), "a fields element needs at least one field"));
        }
        Ok(CardBodyItem::Fields { items: self.items })
    }
}

/// A button. A click sends `interactive_message_actions` with its text and value.
#[derive(Clone, Debug)]
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

    /// In a form card, this button submits the form.
    pub fn submit(mut self) -> Self {
        self.0.submit = Some(true);
        self
    }
}

element!(
    /// A row of buttons.
    Actions { buttons: Vec<Button>, limit: Option<u64> }
);

impl Actions {
    /// No buttons yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a button.
    pub fn button(mut self, button: Button) -> Self {
        self.buttons.push(button);
        self
    }

    /// Shows this many buttons before a "more" menu.
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }
}

impl Element for Actions {
    fn into_item(self, field: &str) -> Result<CardBodyItem> {
        if self.buttons.is_empty() {
            return Err(Error::invalid(format!("{field}.items"), "an actions element needs at least one button"));
        }
        let limit = match self.limit {
            None => None,
            Some(l) => Some(
                std::num::NonZeroU64::new(l)
                    .ok_or_else(|| Error::invalid(format!("{field}.limit"), "must be at least 1"))?,
            ),
        };
        Ok(CardBodyItem::Actions { items: self.buttons.into_iter().map(|b| b.0).collect(), limit })
    }
}

fn option(text: impl Into<String>, value: impl Into<String>) -> types::CardOption {
    types::CardOption { text: text.into(), value: value.into() }
}

/// A dropdown: your options, or the account's members or channels. A choice sends
/// `interactive_message_select`.
#[derive(Clone, Debug)]
pub struct Select {
    placeholder: String,
    options: Vec<types::CardOption>,
    selected: Option<String>,
    source: Option<types::CardBodyItemStaticSource>,
}

impl Select {
    /// A dropdown of your options.
    pub fn new(placeholder: impl Into<String>) -> Self {
        Self { placeholder: placeholder.into(), options: Vec::new(), selected: None, source: None }
    }

    /// A dropdown of the account's members.
    pub fn members(placeholder: impl Into<String>) -> Self {
        Self { source: Some(types::CardBodyItemStaticSource::Members), ..Self::new(placeholder) }
    }

    /// A dropdown of the account's channels.
    pub fn channels(placeholder: impl Into<String>) -> Self {
        Self { source: Some(types::CardBodyItemStaticSource::Channels), ..Self::new(placeholder) }
    }

    /// Adds an option.
    pub fn option(mut self, text: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.push(option(text, value));
        self
    }

    /// Pre-selects the option with this value.
    pub fn selected(mut self, value: impl Into<String>) -> Self {
        self.selected = Some(value.into());
        self
    }
}

impl Element for Select {
    fn into_item(self, field: &str) -> Result<CardBodyItem> {
        match (&self.source, self.options.is_empty()) {
            (Some(_), false) => {
                return Err(Error::invalid(field, "give either options or a members/channels source, not both"));
            }
            (None, true) => return Err(Error::invalid(format!("{field}.select_items"), "a dropdown needs options")),
            _ => {}
        }
        let selected_item = match self.selected {
            None => None,
            Some(v) => Some(self.options.iter().find(|o| o.value == v).cloned().ok_or_else(|| {
                Error::invalid(format!("{field}.selected_item"), format!("{v:?} is not one of the options"))
            })?),
        };
        Ok(CardBodyItem::Select {
            text: self.placeholder,
            select_items: self.options,
            selected_item,
            static_source: self.source,
        })
    }
}

element!(
    /// A linked file or page with an image.
    Attachment {
        resource_url: String,
        img_url: Option<String>,
        title: Option<String>,
        description: Option<String>,
        size: Option<i64>,
        ext: Option<String>,
    }
);

impl Attachment {
    /// An attachment that links to `resource_url`.
    pub fn new(resource_url: impl Into<String>) -> Self {
        Self { resource_url: resource_url.into(), ..Self::default() }
    }

    /// The image shown.
    pub fn image(mut self, url: impl Into<String>) -> Self {
        self.img_url = Some(url.into());
        self
    }

    /// Its title.
    pub fn title(mut self, text: impl Into<String>) -> Self {
        self.title = Some(text.into());
        self
    }

    /// Its description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// The file size in bytes and its extension, for files.
    pub fn file(mut self, size: u32, ext: impl Into<String>) -> Self {
        self.size = Some(i64::from(size));
        self.ext = Some(ext.into());
        self
    }
}

impl Element for Attachment {
    fn into_item(self, _: &str) -> Result<CardBodyItem> {
        let text = |t: Option<String>| t.map(|text| types::CardText { text });
        let information = (self.title.is_some() || self.description.is_some())
            .then(|| types::CardAttachmentInformation { title: text(self.title), description: text(self.description) });
        Ok(CardBodyItem::Attachments {
            resource_url: self.resource_url,
            img_url: self.img_url,
            information,
            size: self.size,
            ext: self.ext,
        })
    }
}

/// Elements grouped beside a coloured sidebar, with an optional footer.
#[derive(Clone, Default)]
pub struct Section {
    color: Option<String>,
    items: Vec<Pending>,
    footer: Option<String>,
    footer_icon: Option<String>,
    ts: Option<i64>,
}

impl Section {
    /// An empty section.
    pub fn new() -> Self {
        Self::default()
    }

    /// The sidebar colour, `#rrggbb`.
    pub fn color(mut self, color: impl Into<String>) -> Self {
        self.color = Some(color.into());
        self
    }

    /// Adds an element to the section.
    pub fn push(mut self, element: impl Element + Clone + Send + Sync + 'static) -> Self {
        self.items.push(pending(element));
        self
    }

    /// A footer line.
    pub fn footer(mut self, text: impl Into<String>) -> Self {
        self.footer = Some(text.into());
        self
    }

    /// An icon beside the footer.
    pub fn footer_icon(mut self, url: impl Into<String>) -> Self {
        self.footer_icon = Some(url.into());
        self
    }

    /// A time shown in the footer, in milliseconds since the epoch.
    pub fn timestamp(mut self, millis: i64) -> Self {
        self.ts = Some(millis);
        self
    }
}

impl Element for Section {
    fn into_item(self, field: &str) -> Result<CardBodyItem> {
        if self.items.is_empty() {
            return Err(Error::invalid(format!("{field}.sections"), "a section needs at least one element"));
        }
        let sections = self
            .items
            .into_iter()
            .enumerate()
            .map(|(i, build)| build(&format!("{field}.sections[{i}]")))
            .collect::<Result<Vec<_>>>()?;
        Ok(CardBodyItem::Section {
            sidebar_color: self.color.map(|c| colour(c, &format!("{field}.sidebar_color"))).transpose()?,
            sections,
            footer: self.footer,
            footer_icon: self.footer_icon,
            ts: self.ts,
        })
    }
}

element!(
    /// A horizontal line.
    Divider { bold: Option<bool>, dotted: Option<bool>, color: Option<String> }
);

impl Divider {
    /// A thin line.
    pub fn new() -> Self {
        Self::default()
    }

    /// A thick line.
    pub fn bold(mut self) -> Self {
        self.bold = Some(true);
        self
    }

    /// A dotted line.
    pub fn dotted(mut self) -> Self {
        self.dotted = Some(true);
        self
    }

    /// The line colour, `#rrggbb`.
    pub fn color(mut self, color: impl Into<String>) -> Self {
        self.color = Some(color.into());
        self
    }
}

impl Element for Divider {
    fn into_item(self, field: &str) -> Result<CardBodyItem> {
        let styled = self.bold.is_some() || self.dotted.is_some() || self.color.is_some();
        let style = if styled {
            Some(types::DividerStyle {
                bold: self.bold,
                dotted: self.dotted,
                color: self.color.map(|c| colour(c, &format!("{field}.style.color"))).transpose()?,
            })
        } else {
            None
        };
        Ok(CardBodyItem::Divider { style })
    }
}

/// A progress bar, 0 to 100 percent.
#[derive(Clone, Copy, Debug)]
pub struct ProgressBar {
    percent: u8,
}

impl ProgressBar {
    /// A bar filled to `percent` (0 to 100; more is refused when the card is built).
    pub fn new(percent: u8) -> Self {
        Self { percent }
    }
}

impl Element for ProgressBar {
    fn into_item(self, field: &str) -> Result<CardBodyItem> {
        if self.percent > 100 {
            return Err(Error::invalid(format!("{field}.value"), format!("must be 0 to 100, not {}", self.percent)));
        }
        Ok(CardBodyItem::ProgressBar { value: i64::from(self.percent) })
    }
}

element!(
    /// A file to download.
    File { title: String, file_url: Option<String>, description: Option<String>, icon_url: Option<String>, size: Option<u32> }
);

impl File {
    /// A file called `title` at `url`.
    pub fn new(title: impl Into<String>, url: impl Into<String>) -> Self {
        Self { title: title.into(), file_url: Some(url.into()), ..Self::default() }
    }

    /// Its description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Its size in bytes.
    pub fn size(mut self, bytes: u32) -> Self {
        self.size = Some(bytes);
        self
    }

    /// The icon shown beside it.
    pub fn icon_url(mut self, url: impl Into<String>) -> Self {
        self.icon_url = Some(url.into());
        self
    }
}

impl Element for File {
    fn into_item(self, _: &str) -> Result<CardBodyItem> {
        Ok(CardBodyItem::File {
            title: Some(types::CardText { text: self.title }),
            description: self.description.map(|text| types::CardText { text }),
            file_url: self.file_url,
            icon_url: self.icon_url,
            size: self.size.map(i64::from),
        })
    }
}

/// A pager for long cards.
#[derive(Clone, Copy, Debug)]
pub struct Page {
    current: u32,
    total: u32,
}

impl Page {
    /// Page `current` (from 1) of `total`.
    pub fn new(current: u32, total: u32) -> Self {
        Self { current, total }
    }
}

impl Element for Page {
    fn into_item(self, field: &str) -> Result<CardBodyItem> {
        let nz = |n: u32, f: &str| {
            std::num::NonZeroU64::new(u64::from(n))
                .ok_or_else(|| Error::invalid(format!("{field}.{f}"), "must be at least 1"))
        };
        if self.current > self.total {
            return Err(Error::invalid(format!("{field}.current_page"), "must not be past total_pages"));
        }
        Ok(CardBodyItem::Page {
            text: None,
            current_page: Some(nz(self.current, "current_page")?),
            total_pages: Some(nz(self.total, "total_pages")?),
        })
    }
}

element!(
    /// A date input of a form; `action_id` names it in the event the bot receives.
    DatePicker { action_id: String, initial: Option<String>, placeholder: Option<String> }
);

impl DatePicker {
    /// A date input named `action_id`.
    pub fn new(action_id: impl Into<String>) -> Self {
        Self { action_id: action_id.into(), ..Self::default() }
    }

    /// The preset date, `yyyy-MM-dd`.
    pub fn initial(mut self, date: impl Into<String>) -> Self {
        self.initial = Some(date.into());
        self
    }

    /// Shown while empty.
    pub fn placeholder(mut self, text: impl Into<String>) -> Self {
        self.placeholder = Some(text.into());
        self
    }
}

impl Element for DatePicker {
    fn into_item(self, field: &str) -> Result<CardBodyItem> {
        if let Some(d) = &self.initial
            && chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()
        {
            return Err(Error::invalid(format!("{field}.initial_date"), "must be a date like 2026-11-22"));
        }
        Ok(CardBodyItem::Datepicker {
            action_id: Some(self.action_id),
            initial_date: self.initial,
            placeholder: self.placeholder,
        })
    }
}

element!(
    /// A time input of a form; `action_id` names it in the event the bot receives.
    TimePicker { action_id: String, initial: Option<String>, placeholder: Option<String> }
);

impl TimePicker {
    /// A time input named `action_id`.
    pub fn new(action_id: impl Into<String>) -> Self {
        Self { action_id: action_id.into(), ..Self::default() }
    }

    /// The preset time, `HH:mm`.
    pub fn initial(mut self, time: impl Into<String>) -> Self {
        self.initial = Some(time.into());
        self
    }

    /// Shown while empty.
    pub fn placeholder(mut self, text: impl Into<String>) -> Self {
        self.placeholder = Some(text.into());
        self
    }
}

impl Element for TimePicker {
    fn into_item(self, field: &str) -> Result<CardBodyItem> {
        if let Some(t) = &self.initial
            && chrono::NaiveTime::parse_from_str(t, "%H:%M").is_err()
        {
            return Err(Error::invalid(format!("{field}.initial_time"), "must be a time like 09:30"));
        }
        Ok(CardBodyItem::Timepicker {
            action_id: Some(self.action_id),
            initial_time: self.initial,
            placeholder: self.placeholder,
        })
    }
}

/// The options of a choice input, checked when the card is built.
fn choice_options(options: Vec<types::CardOption>, field: &str) -> Result<Vec<types::CardOption>> {
    if options.is_empty() {
        return Err(Error::invalid(format!("{field}.options"), "needs at least one option"));
    }
    Ok(options)
}

/// The option whose value is `value`, for a preset choice.
fn preset(options: &[types::CardOption], value: &str, field: &str) -> Result<types::CardOption> {
    options
        .iter()
        .find(|o| o.value == value)
        .cloned()
        .ok_or_else(|| Error::invalid(format!("{field}.initial"), format!("{value:?} is not one of the options")))
}

element!(
    /// One choice among options, in a form; `action_id` names it in the event.
    RadioButtons { action_id: String, options: Vec<types::CardOption>, initial: Option<String> }
);

impl RadioButtons {
    /// A choice named `action_id`.
    pub fn new(action_id: impl Into<String>) -> Self {
        Self { action_id: action_id.into(), ..Self::default() }
    }

    /// An option: its text and value.
    pub fn option(mut self, text: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.push(option(text, value));
        self
    }

    /// The option chosen at first, by value.
    pub fn initial(mut self, value: impl Into<String>) -> Self {
        self.initial = Some(value.into());
        self
    }
}

impl Element for RadioButtons {
    fn into_item(self, field: &str) -> Result<CardBodyItem> {
        let options = choice_options(self.options, field)?;
        let initial_option = self.initial.map(|v| preset(&options, &v, field)).transpose()?;
        Ok(CardBodyItem::RadioButtons { action_id: Some(self.action_id), options, initial_option })
    }
}

element!(
    /// Any number of choices, in a form; `action_id` names it in the event.
    Checkboxes { action_id: String, options: Vec<types::CardOption>, checked: Vec<String> }
);

impl Checkboxes {
    /// Checkboxes named `action_id`.
    pub fn new(action_id: impl Into<String>) -> Self {
        Self { action_id: action_id.into(), ..Self::default() }
    }

    /// An option: its text and value.
    pub fn option(mut self, text: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.push(option(text, value));
        self
    }

    /// An option checked at first, by value.
    pub fn checked(mut self, value: impl Into<String>) -> Self {
        self.checked.push(value.into());
        self
    }
}

impl Element for Checkboxes {
    fn into_item(self, field: &str) -> Result<CardBodyItem> {
        let options = choice_options(self.options, field)?;
        let initial_options = self.checked.iter().map(|v| preset(&options, v, field)).collect::<Result<Vec<_>>>()?;
        Ok(CardBodyItem::Checkboxes { action_id: Some(self.action_id), options, initial_options })
    }
}

element!(
    /// A text input of a form; `action_id` names it in the event the bot receives.
    TextInput { action_id: String, placeholder: Option<String>, initial: Option<String>, multiline: bool }
);

impl TextInput {
    /// A text input named `action_id`.
    pub fn new(action_id: impl Into<String>) -> Self {
        Self { action_id: action_id.into(), ..Self::default() }
    }

    /// Shown while empty.
    pub fn placeholder(mut self, text: impl Into<String>) -> Self {
        self.placeholder = Some(text.into());
        self
    }

    /// The preset text.
    pub fn initial(mut self, text: impl Into<String>) -> Self {
        self.initial = Some(text.into());
        self
    }

    /// Several lines.
    pub fn multiline(mut self) -> Self {
        self.multiline = true;
        self
    }
}

impl Element for TextInput {
    fn into_item(self, _: &str) -> Result<CardBodyItem> {
        Ok(CardBodyItem::PlainTextInput {
            action_id: Some(self.action_id),
            placeholder: self.placeholder,
            initial_value: self.initial,
            multiline: self.multiline.then_some(true),
        })
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

element!(
    /// A highlighted notice.
    Alert { text: String, level: Option<AlertLevel> }
);

impl Alert {
    /// A notice.
    pub fn new(text: impl Into<String>) -> Self {
        Self { text: text.into(), level: None }
    }

    /// How serious it is.
    pub fn level(mut self, level: AlertLevel) -> Self {
        self.level = Some(level);
        self
    }
}

impl Element for Alert {
    fn into_item(self, _: &str) -> Result<CardBodyItem> {
        Ok(CardBodyItem::Alert { text: self.text, level: self.level.map(|l| l.as_str().to_owned()) })
    }
}

element!(
    /// A row of images.
    Images { items: Vec<types::CardImage> }
);

impl Images {
    /// No images yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// An image at `url`.
    pub fn image(mut self, url: impl Into<String>) -> Self {
        self.items.push(types::CardImage { image_url: url.into(), alt_text: None });
        self
    }

    /// An image at `url`, with its alternative text.
    pub fn image_with_alt(mut self, url: impl Into<String>, alt: impl Into<String>) -> Self {
        self.items.push(types::CardImage { image_url: url.into(), alt_text: Some(alt.into()) });
        self
    }
}

impl Element for Images {
    fn into_item(self, field: &str) -> Result<CardBodyItem> {
        if self.items.is_empty() {
            return Err(Error::invalid(format!("{field}.items"), "needs at least one image"));
        }
        Ok(CardBodyItem::Images { items: self.items })
    }
}

element!(
    /// An embedded video.
    Video { url: String, title: Option<String>, thumbnail_url: Option<String> }
);

impl Video {
    /// The video at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into(), ..Self::default() }
    }

    /// Its title.
    pub fn title(mut self, text: impl Into<String>) -> Self {
        self.title = Some(text.into());
        self
    }

    /// The still shown before play.
    pub fn thumbnail_url(mut self, url: impl Into<String>) -> Self {
        self.thumbnail_url = Some(url.into());
        self
    }
}

impl Element for Video {
    fn into_item(self, _: &str) -> Result<CardBodyItem> {
        Ok(CardBodyItem::Video { video_url: self.url, title: self.title, thumbnail_url: self.thumbnail_url })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn json_of(card: Card) -> serde_json::Value {
        serde_json::to_value(card.build().unwrap()).unwrap()
    }

    #[tokio::test]
    async fn a_card_is_a_template_that_crosses_tasks() {
        let template = Card::new().head("Deploy").push(Section::new().push(Text::new("ready")));
        let one = template.clone().push(Text::new("one"));
        // Held across an `.await` on a spawned task: the card is `Send`.
        let task = tokio::spawn(async move {
            tokio::task::yield_now().await;
            one.build()
        });
        let two = template.push(Text::new("two")).build().unwrap();
        let one = task.await.unwrap().unwrap();
        assert_eq!((one.body.len(), two.body.len()), (2, 2), "the template was not consumed by its clone");
        assert_ne!(serde_json::to_value(&one).unwrap()["body"][1], serde_json::to_value(&two).unwrap()["body"][1]);
    }

    #[test]
    fn a_default_sidebar_colour_is_rrggbb_or_refused_by_its_field() {
        let built = json_of(Card::new().head("x").default_sidebar_color("#0E72ED"));
        assert_eq!(built["settings"]["default_sidebar_color"], "#0E72ED");
        let err = Card::new().head("x").default_sidebar_color("red;position:fixed").build().unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { field, .. } if field == "content.settings.default_sidebar_color"),
            "{err}"
        );
    }

    #[test]
    fn the_seeds_cards_build_exactly() {
        assert_eq!(json_of(Card::new().head("Hello World")), json!({"head": {"text": "Hello World"}}));
        assert_eq!(json_of(Card::new().head("Aloha World")), json!({"head": {"text": "Aloha World"}}));
        assert_eq!(
            json_of(Card::new().head("I am a header").push(Text::new("I am a message with text"))),
            json!({"head": {"text": "I am a header"}, "body": [{"type": "message", "text": "I am a message with text"}]})
        );
    }

    #[test]
    fn every_element_builds_zooms_json() {
        let card = Card::new()
            .form()
            .head_styled("Deploy?", Style::new().bold())
            .sub_head("requested by Ana")
            .push(Text::new("See [notes](https://x)").markdown())
            .push(Text::new("Docs").link("https://x/docs"))
            .push(Fields::new().short("Env", "prod").editable("Reason", ""))
            .push(
                Actions::new()
                    .button(Button::primary("Go", "go").submit())
                    .button(Button::danger("Stop", "stop"))
                    .limit(2),
            )
            .push(Select::new("Region").option("EU", "eu").option("US", "us").selected("us"))
            .push(Select::members("Notify"))
            .push(Attachment::new("https://x/r").image("https://x/i.png").title("Report").file(10, "pdf"))
            .push(Section::new().color("#00FF00").push(Text::new("nested")).push(Divider::new()).footer("CI"))
            .push(Divider::new().dotted().color("#CCCCCC"))
            .push(ProgressBar::new(40))
            .push(File::new("log.txt", "https://x/log.txt").size(3).icon_url("https://x/icon.png"))
            .push(Page::new(1, 3))
            .push(DatePicker::new("day").initial("2026-11-22"))
            .push(TimePicker::new("time").initial("09:30"))
            .push(RadioButtons::new("size").option("S", "s").initial("s"))
            .push(Checkboxes::new("f").option("A", "a").checked("a"))
            .push(TextInput::new("why").placeholder("Reason").multiline())
            .push(Alert::new("Freeze Friday").level(AlertLevel::Warning))
            .push(Images::new().image_with_alt("https://x/a.png", "graph"))
            .push(Video::new("https://x/v.mp4"));
        let json = json_of(card);
        let types: Vec<&str> = json["body"].as_array().unwrap().iter().map(|i| i["type"].as_str().unwrap()).collect();
        assert_eq!(
            types,
            [
                "message",
                "message",
                "fields",
                "actions",
                "select",
                "select",
                "attachments",
                "section",
                "divider",
                "progress_bar",
                "file",
                "page",
                "datepicker",
                "timepicker",
                "radio_buttons",
                "checkboxes",
                "plain_text_input",
                "alert",
                "images",
                "video"
            ]
        );
        assert_eq!(json["settings"], json!({"form": true}));
        assert_eq!(
            json["head"],
            json!({"text": "Deploy?", "style": {"bold": true}, "sub_head": {"text": "requested by Ana"}})
        );
        assert_eq!(
            json["body"][3]["items"][0],
            json!({"text": "Go", "value": "go", "style": "Primary", "submit": true})
        );
        assert_eq!(json["body"][4]["selected_item"], json!({"text": "US", "value": "us"}));
        assert_eq!(json["body"][5], json!({"type": "select", "text": "Notify", "static_source": "members"}));
        assert_eq!(json["body"][7]["sections"][1], json!({"type": "divider"}));
        assert_eq!(json["body"][10]["icon_url"], "https://x/icon.png");
        assert_eq!(json["body"][17], json!({"type": "alert", "text": "Freeze Friday", "level": "warning"}));
    }

    #[test]
    fn rules_are_checked_before_sending_and_name_the_place() {
        let err = |card: Card| card.build().unwrap_err().to_string();
        assert_eq!(
            err(Card::new().push(Text::new("a")).push(ProgressBar::new(101))),
            "invalid content.body[1].value: must be 0 to 100, not 101"
        );
        assert_eq!(
            err(Card::new().push(Actions::new())),
            "invalid content.body[0].items: an actions element needs at least one button"
        );
        assert_eq!(
            err(Card::new().push(Select::members("x").option("a", "a"))),
            "invalid content.body[0]: give either options or a members/channels source, not both"
        );
        assert_eq!(
            err(Card::new().push(Select::new("x").option("a", "a").selected("b"))),
            "invalid content.body[0].selected_item: \"b\" is not one of the options"
        );
        assert_eq!(
            err(Card::new().push(Section::new().push(Divider::new().color("grey")))),
            "invalid content.body[0].sections[0].style.color: must be a colour like #1A2B3C"
        );
        assert_eq!(err(Card::new().sub_head("x")), "invalid content.head: a sub head needs a head");
        assert_eq!(
            err(Card::new().push(DatePicker::new("d").initial("22/11/2026"))),
            "invalid content.body[0].initial_date: must be a date like 2026-11-22"
        );
    }
}
