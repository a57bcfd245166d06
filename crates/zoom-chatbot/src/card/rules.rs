//! The one check of a card: the spec's validator (`zoom-spec`, which the fake Zoom and the
//! CLI use too) on the card's JSON, with the values the generated types could not hold put
//! back where they were given, so that the validator names them and words their rule.

use serde_json::Value;
use zoom_api_gen::types;

use crate::error::{Error, Result};

/// One step of a path into a card's JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(&'static str),
    Index(usize),
}

/// A value a builder was given that its generated type cannot hold (a colour that is not
/// `#rrggbb`, a count of 0), at its place in the element: the validator refuses it at build.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Rejected {
    path: Vec<Seg>,
    value: Value,
}

impl Rejected {
    pub(crate) fn new(path: &[&'static str], value: Value) -> Self {
        Self { path: path.iter().map(|k| Seg::Key(k)).collect(), value }
    }

    /// The same value, seen from the element's parent (`prefix` leads to the element).
    pub(crate) fn under(mut self, prefix: &[Seg]) -> Self {
        self.path.splice(0..0, prefix.iter().copied());
        self
    }
}

/// A colour for a generated field, or `None` with the value kept in `rejected` at `path`.
pub(crate) fn colour(value: String, path: &[&'static str], rejected: &mut Vec<Rejected>) -> Option<types::CardColor> {
    match types::CardColor::try_from(value.clone()) {
        Ok(c) => Some(c),
        Err(_) => {
            rejected.push(Rejected::new(path, Value::String(value)));
            None
        }
    }
}

/// A count of at least 1 for a generated field, or `None` with the value kept in `rejected`.
pub(crate) fn at_least_one(
    value: u64,
    path: &[&'static str],
    rejected: &mut Vec<Rejected>,
) -> Option<std::num::NonZeroU64> {
    let n = std::num::NonZeroU64::new(value);
    if n.is_none() {
        rejected.push(Rejected::new(path, Value::from(value)));
    }
    n
}

/// A generated value as JSON (they are all plain data: this cannot fail).
pub(crate) fn json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Puts `value` at `path` in `root`, making the objects and array slots on the way.
fn put(root: &mut Value, path: &[Seg], value: Value) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut at = root;
    for seg in parents {
        at = match seg {
            Seg::Key(k) => {
                if !at.is_object() {
                    *at = Value::Object(Default::default());
                }
                at.as_object_mut().map(|m| m.entry(*k).or_insert(Value::Null)).expect("an object")
            }
            Seg::Index(i) => {
                if !at.is_array() {
                    *at = Value::Array(Vec::new());
                }
                let items = at.as_array_mut().expect("an array");
                if items.len() <= *i {
                    items.resize(i + 1, Value::Null);
                }
                &mut items[*i]
            }
        };
    }
    match last {
        Seg::Key(k) => {
            if !at.is_object() {
                *at = Value::Object(Default::default());
            }
            at.as_object_mut().expect("an object").insert((*k).to_owned(), value);
        }
        Seg::Index(i) => {
            if let Some(slot) = at.as_array_mut().and_then(|a| a.get_mut(*i)) {
                *slot = value;
            }
        }
    }
}

/// The card's violations of the spec, the rejected values put back first; the first one
/// becomes the error, as `content.PATH: rule`.
pub(crate) fn check_with(card: &types::Card, rejected: &[Rejected]) -> Result<()> {
    let mut value = json(card);
    for r in rejected {
        put(&mut value, &r.path, r.value.clone());
    }
    let validator = validator();
    let found = validator.validate_component("Card", &value, "content").unwrap_or_default();
    match found.into_iter().next() {
        None => Ok(()),
        Some(v) => Err(Error::invalid(v.path, v.rule)),
    }
}

/// The spec's validator, made once (it caches the patterns it compiles).
pub(crate) fn validator() -> &'static zoom_spec::Validator<'static> {
    static VALIDATOR: std::sync::OnceLock<zoom_spec::Validator<'static>> = std::sync::OnceLock::new();
    VALIDATOR.get_or_init(|| zoom_spec::Validator::new(zoom_spec::spec()))
}
