//! Zoom's `sent_time`: `yyyy-MM-dd HH:mm:ss` (UTC) when a message is sent, with ` +0000`
//! appended in edit and delete answers. Both are read here; and the UTC midnight daily quotas
//! reset at.

use chrono::{DateTime, NaiveDate, Utc};

/// The first moment of the UTC day after `date`, when daily quotas reset.
pub(crate) fn next_midnight(date: NaiveDate) -> DateTime<Utc> {
    date.succ_opt().unwrap_or(date).and_time(chrono::NaiveTime::MIN).and_utc()
}

/// Reads a `sent_time` in either of Zoom's forms (or RFC 3339, to be lenient).
///
/// ```
/// use zoom_chatbot::time::parse_sent_time;
///
/// let sent = parse_sent_time("2019-10-17 01:40:24").unwrap();
/// assert_eq!(parse_sent_time("2019-10-17 01:40:24 +0000"), Some(sent));
/// assert_eq!(sent.to_rfc3339(), "2019-10-17T01:40:24+00:00");
/// assert_eq!(parse_sent_time("yesterday"), None);
/// assert_eq!(parse_sent_time("2019-02-30 01:40:24"), None);
/// assert_eq!(parse_sent_time("2019-10-17 24:00:00"), None);
/// ```
pub fn parse_sent_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    // The send answer's form first: it comes with every message sent, so it is read by hand
    // rather than through a format string.
    if let Some(at) = zoom_utc(text) {
        return Some(at);
    }
    if let Ok(at) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S %z") {
        return Some(at.with_timezone(&Utc));
    }
    DateTime::parse_from_rfc3339(text).ok().map(|at| at.with_timezone(&Utc))
}

/// `yyyy-MM-dd HH:mm:ss`, exactly: fixed positions, ASCII digits, a real date and time
/// (what chrono reads with that format, faster).
fn zoom_utc(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let number = |from: usize, to: usize| {
        b[from..to].iter().try_fold(0u32, |n, &d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
    };
    let date = NaiveDate::from_ymd_opt(number(0, 4)? as i32, number(5, 7)?, number(8, 10)?)?;
    let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
    // A second of 60 is a leap second, which chrono writes as 59 plus a whole second of nanos.
    let time = match second {
        60 => date.and_hms_nano_opt(hour, minute, 59, 1_000_000_000)?,
        _ => date.and_hms_opt(hour, minute, second)?,
    };
    Some(time.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;

    /// chrono's own reading of the same format, which the hand-written one must agree with.
    fn by_chrono(text: &str) -> Option<DateTime<Utc>> {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok().map(|n| n.and_utc())
    }

    #[test]
    fn reads_the_edges_of_the_calendar_as_chrono_does() {
        assert_eq!(zoom_utc("+019-10-17 01:40:24"), None, "Zoom writes four plain digits");
        for text in [
            "2024-02-29 23:59:59",
            "2023-02-29 00:00:00",
            "2019-12-31 00:00:60",
            "2019-13-01 00:00:00",
            "0000-01-01 00:00:00",
            "2019-10-17T01:40:24",
            "2019-10-17 01:40:2x",
            "2019-1-017 01:40:24",
        ] {
            assert_eq!(zoom_utc(text), by_chrono(text), "{text}");
        }
        assert!(zoom_utc("2024-02-29 23:59:59").is_some());
    }
}
