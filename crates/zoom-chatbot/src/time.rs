//! Zoom's `sent_time`: `yyyy-MM-dd HH:mm:ss` (UTC) when a message is sent, with ` +0000`
//! appended in edit and delete answers. Both are read here.

use chrono::{DateTime, NaiveDateTime, Utc};

/// Reads a `sent_time` in either of Zoom's forms (or RFC 3339, to be lenient).
///
/// ```
/// use zoom_chatbot::time::parse_sent_time;
///
/// let sent = parse_sent_time("2019-10-17 01:40:24").unwrap();
/// assert_eq!(parse_sent_time("2019-10-17 01:40:24 +0000"), Some(sent));
/// assert_eq!(sent.to_rfc3339(), "2019-10-17T01:40:24+00:00");
/// assert_eq!(parse_sent_time("yesterday"), None);
/// ```
pub fn parse_sent_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    // The send answer's form (19 characters) first: it is the common one.
    if text.len() == 19
        && let Ok(naive) = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
    {
        return Some(naive.and_utc());
    }
    if let Ok(at) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S %z") {
        return Some(at.with_timezone(&Utc));
    }
    DateTime::parse_from_rfc3339(text).ok().map(|at| at.with_timezone(&Utc))
}
