//! Command routes: which handler the text of a slash command (or of a direct message to the
//! bot) reaches. Three kinds, tried in this order:
//!
//! 1. an exact first word ([`Bot::on_command`](crate::bot::Bot::on_command)), compared in
//!    lowercase;
//! 2. a prefix of the text ([`Bot::on_prefix`](crate::bot::Bot::on_prefix)), compared in
//!    lowercase, in the order the prefixes were registered: the first that matches decides;
//! 3. a pattern ([`Bot::on_pattern`](crate::bot::Bot::on_pattern)), a [`Regex`] searched in
//!    the text (anchor it with `^` and `$` to match the whole), in registration order.
//!
//! The text is the command's, with its leading and trailing spaces trimmed. What a prefix or
//! pattern route matched reaches its handler as [`Captures`].

use std::collections::HashMap;

pub use regex::Regex;

/// What a prefix or pattern route matched, for its handler
/// ([`Context::captures`](crate::bot::Context::captures)).
///
/// For a pattern, group 0 is the whole match and the others are the pattern's groups (by
/// number, or by name with [`name`](Self::name)). For a prefix, group 0 is the prefix as
/// typed and group 1 the rest of the text, trimmed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Captures {
    groups: Vec<Option<String>>,
    names: HashMap<String, usize>,
}

impl Captures {
    /// Group `i`, when it took part in the match.
    pub fn get(&self, i: usize) -> Option<&str> {
        self.groups.get(i).and_then(Option::as_deref)
    }

    /// The named group `name` (`(?P<name>...)`), when it took part in the match.
    pub fn name(&self, name: &str) -> Option<&str> {
        self.names.get(name).and_then(|&i| self.get(i))
    }

    /// How many groups there are, group 0 included.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether there are no groups (never, for a route's match).
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// The command routes of a bot, holding handlers of type `H`.
#[derive(Clone)]
pub(crate) struct Routes<H> {
    exact: HashMap<String, H>,
    prefixes: Vec<(String, H)>,
    patterns: Vec<(Regex, H)>,
}

impl<H> Default for Routes<H> {
    fn default() -> Self {
        Self { exact: HashMap::new(), prefixes: Vec::new(), patterns: Vec::new() }
    }
}

impl<H: Clone> Routes<H> {
    /// A route for the first word `word`; a second for the same word replaces the first.
    pub(crate) fn exact(&mut self, word: &str, handler: H) {
        self.exact.insert(word.to_lowercase(), handler);
    }

    /// A route for the texts that start with `prefix`.
    pub(crate) fn prefix(&mut self, prefix: &str, handler: H) {
        self.prefixes.push((prefix.to_lowercase(), handler));
    }

    /// A route for the texts `pattern` is found in.
    pub(crate) fn pattern(&mut self, pattern: Regex, handler: H) {
        self.patterns.push((pattern, handler));
    }

    /// The words of the exact routes, for `Debug`.
    pub(crate) fn words(&self) -> Vec<&str> {
        self.exact.keys().map(String::as_str).collect()
    }

    /// The handler for `text`, and what its route matched (none for an exact word).
    pub(crate) fn route(&self, text: &str) -> Option<(H, Option<Captures>)> {
        let text = text.trim();
        let word = text.split_whitespace().next().unwrap_or("").to_lowercase();
        if let Some(handler) = self.exact.get(&word) {
            return Some((handler.clone(), None));
        }
        for (prefix, handler) in &self.prefixes {
            // Compared in lowercase; a head whose lowercase differs in length never matches.
            let Some(head) = text.get(..prefix.len()) else { continue };
            if head.to_lowercase() == *prefix {
                let groups = vec![Some(head.to_owned()), Some(text[prefix.len()..].trim().to_owned())];
                return Some((handler.clone(), Some(Captures { groups, names: HashMap::new() })));
            }
        }
        for (pattern, handler) in &self.patterns {
            if let Some(found) = pattern.captures(text) {
                let groups = found.iter().map(|g| g.map(|m| m.as_str().to_owned())).collect();
                let names = pattern
                    .capture_names()
                    .enumerate()
                    .filter_map(|(i, name)| name.map(|n| (n.to_owned(), i)))
                    .collect();
                return Some((handler.clone(), Some(Captures { groups, names })));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes() -> Routes<&'static str> {
        let mut routes = Routes::default();
        routes.exact("deploy", "exact");
        routes.prefix("dep", "prefix dep");
        routes.prefix("de", "prefix de");
        routes.pattern(Regex::new(r"^(?P<verb>\w+) #(\d+)$").unwrap(), "pattern");
        routes.pattern(Regex::new(r"#\d+").unwrap(), "second pattern");
        routes
    }

    #[test]
    fn exact_then_prefix_then_pattern_each_in_registration_order() {
        let routes = routes();
        assert_eq!(routes.route("Deploy #12").unwrap().0, "exact");
        // "deploying" is not the word "deploy": the first registered prefix that matches.
        let (handler, captures) = routes.route("  DEPloying now ").unwrap();
        assert_eq!(handler, "prefix dep");
        let captures = captures.unwrap();
        assert_eq!((captures.get(0), captures.get(1)), (Some("DEP"), Some("loying now")));
        let (handler, captures) = routes.route("close #42").unwrap();
        assert_eq!(handler, "pattern");
        let captures = captures.unwrap();
        assert_eq!(
            (captures.name("verb"), captures.get(2), captures.get(0)),
            (Some("close"), Some("42"), Some("close #42"))
        );
        assert_eq!(routes.route("see #42 please").unwrap().0, "second pattern");
        assert!(routes.route("hello").is_none());
        // A multi-byte head shorter than the prefix is no panic and no match.
        assert!(routes.route("é").is_none());
    }
}
