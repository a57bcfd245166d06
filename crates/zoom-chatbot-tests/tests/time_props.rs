//! `zoom_chatbot::time::parse_sent_time` against chrono's own reading of Zoom's form, over
//! generated text (the property tests of `time.rs`, kept here with the other tests that need
//! proptest).

use chrono::{DateTime, NaiveDateTime, Utc};
use proptest::prelude::*;
use zoom_chatbot::time::parse_sent_time as zoom_utc;

/// chrono's own reading of the same format, which the hand-written one must agree with.
fn by_chrono(text: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok().map(|n| n.and_utc())
}

proptest! {
    #[test]
    fn agrees_with_chrono_on_any_digits(
        y in 0u32..10_000, mo in 0u32..14, d in 0u32..33, h in 0u32..26, mi in 0u32..62, s in 0u32..62,
    ) {
        let text = format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}");
        prop_assert_eq!(zoom_utc(&text), by_chrono(&text), "{}", text);
    }

    /// chrono is more lenient (short fields, signed years), so on near misses the rule is
    /// one way: whatever the hand-written reader accepts, chrono reads alike.
    #[test]
    fn accepts_nothing_chrono_reads_differently(
        day in 1u32..29,
        at in 0usize..19,
        with in proptest::sample::select(&['0', '7', '9', ' ', ':', '-', '+', 'x'][..]),
    ) {
        let mut text: Vec<char> = format!("2024-05-{day:02} 13:45:07").chars().collect();
        text[at] = with;
        let text: String = text.into_iter().collect();
        if let Some(read) = zoom_utc(&text) {
            prop_assert_eq!(Some(read), by_chrono(&text), "{}", text);
        }
    }
}
