//! What a message shows: a text, a card from a file (or stdin), or a card built from flags;
//! and the offline check of a card against the spec.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use zoom_chatbot::card::{Actions, Button, Card, Element, Fields, Section, Text};
use zoom_chatbot::types;

use crate::exit::{Failure, Outcome};

/// A message's content, from flags.
#[derive(clap::Args, Debug, Default)]
pub struct Content {
    /// The text (sent as a card with one message element).
    #[arg(long)]
    text: Option<String>,
    /// Read the texts as markdown.
    #[arg(long)]
    markdown: bool,
    /// A card's JSON, from a file, or - for stdin.
    #[arg(long, conflicts_with_all = ["text", "head", "sub_head", "fields", "buttons", "color"])]
    card: Option<PathBuf>,
    /// The card's title.
    #[arg(long)]
    head: Option<String>,
    /// A line under the title (needs --head).
    #[arg(long, requires = "head")]
    sub_head: Option<String>,
    /// A field, KEY=VALUE (repeatable).
    #[arg(long = "field", value_parser = pair)]
    fields: Vec<(String, String)>,
    /// A button, LABEL=VALUE (repeatable); a click sends VALUE to the bot.
    #[arg(long = "button", value_parser = pair)]
    buttons: Vec<(String, String)>,
    /// The sidebar colour, #rrggbb.
    #[arg(long)]
    color: Option<String>,
}

fn pair(text: &str) -> Result<(String, String), String> {
    let (k, v) = text.split_once('=').ok_or_else(|| format!("{text:?} is not KEY=VALUE"))?;
    Ok((k.to_owned(), v.to_owned()))
}

/// What holds card elements: a card, or a section of one.
trait Holds: Sized {
    fn add(self, element: impl Into<Element>) -> Self;
}

impl Holds for Card {
    fn add(self, element: impl Into<Element>) -> Self {
        self.push(element)
    }
}

impl Holds for Section {
    fn add(self, element: impl Into<Element>) -> Self {
        self.push(element)
    }
}

/// Reads a file, or stdin for `-`.
fn read(path: &Path) -> Result<String, Failure> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| Failure::usage(format!("cannot read stdin: {e}")))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))
}

/// The spec's violations of a card's JSON, as `content.PATH: rule` lines.
fn violations(value: &serde_json::Value) -> Vec<String> {
    let validator = zoom_spec::Validator::new(zoom_spec::spec());
    let found = validator.validate_component("Card", value, "content").unwrap_or_default();
    found.iter().map(ToString::to_string).collect()
}

/// A card's JSON checked against the spec, then read into the generated type.
pub fn card_from_json(text: &str, source: &str) -> Result<types::Card, Failure> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Failure::usage(format!("{source} is not JSON: {e}")))?;
    let problems = violations(&value);
    if !problems.is_empty() {
        return Err(Failure::usage(format!("{source} is not a valid card:\n  {}", problems.join("\n  "))));
    }
    serde_json::from_value(value).map_err(|e| Failure::usage(format!("{source} is not a card: {e}")))
}

impl Content {
    /// The card to send, and whether its texts are markdown.
    pub fn card(&self) -> Result<(types::Card, bool), Failure> {
        if let Some(path) = &self.card {
            return Ok((card_from_json(&read(path)?, &path.display().to_string())?, self.markdown));
        }
        let nothing = self.text.is_none() && self.head.is_none() && self.fields.is_empty() && self.buttons.is_empty();
        if nothing {
            return Err(Failure::usage("give the content: --text, --card FILE, or --head/--field/--button"));
        }
        let mut card = Card::new();
        if let Some(head) = &self.head {
            card = card.head(head);
        }
        if let Some(sub) = &self.sub_head {
            card = card.sub_head(sub);
        }
        let has_elements = self.text.is_some() || !self.fields.is_empty() || !self.buttons.is_empty();
        card = match &self.color {
            // A sidebar colour needs a section around the elements.
            Some(color) if has_elements => card.push(self.fill(Section::new().color(color))),
            _ => self.fill(card),
        };
        Ok((card.build()?, self.markdown))
    }

    /// Adds the text, fields and buttons the flags give to a card or a section.
    fn fill<H: Holds>(&self, mut holder: H) -> H {
        if let Some(text) = &self.text {
            holder = holder.add(if self.markdown { Text::new(text).markdown() } else { Text::new(text) });
        }
        if !self.fields.is_empty() {
            holder = holder.add(self.fields.iter().fold(Fields::new(), |f, (k, v)| f.field(k, v)));
        }
        if !self.buttons.is_empty() {
            holder = holder.add(self.buttons.iter().fold(Actions::new(), |a, (l, v)| a.button(Button::new(l, v))));
        }
        holder
    }

    /// The text alone (an incoming webhook's `message` format).
    pub fn text_only(&self) -> Result<String, Failure> {
        self.text.clone().ok_or_else(|| Failure::usage("the message format takes --text"))
    }

    /// The fields alone (an incoming webhook's `fields` format).
    pub fn fields_only(&self) -> Result<Vec<(String, String)>, Failure> {
        if self.fields.is_empty() {
            return Err(Failure::usage("the fields format takes --field KEY=VALUE"));
        }
        Ok(self.fields.clone())
    }
}

/// `card check FILE`: the card's violations by field path, or `ok`.
pub fn check(path: &Path) -> Outcome {
    let text = read(path)?;
    card_from_json(&text, &path.display().to_string())?;
    println!("ok: {} is a valid card", path.display());
    Ok(())
}
