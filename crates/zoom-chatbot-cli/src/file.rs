//! `send --file PATH`: the file sent as a message (Zoom's `sendChatFile`, on the file host)
//! to the conversation `--to` names, as the chat token's user; with a bar on stderr while it
//! goes, when stderr is a terminal (a plain one, as `bulk` draws: no crate for it).

use std::io::{IsTerminal as _, Write as _};
use std::path::Path;

use zoom_chatbot::ZoomClient;
use zoom_chatbot::chat::Conversation;
use zoom_chatbot::files::{FileSource, Progress};
use zoom_chatbot::ids::{MessageId, Recipient};

use crate::exit::Failure;

/// Sends the file at `path` to `to` (a user or channel JID), in the thread of `reply_to`.
pub async fn send(
    zoom: &ZoomClient,
    to: &str,
    path: &Path,
    reply_to: Option<&MessageId>,
) -> Result<MessageId, Failure> {
    let recipient: Recipient = to.parse().map_err(zoom_chatbot::Error::from)?;
    let conversation = Conversation::from(&recipient);
    let mut send = zoom.files().send(&conversation, FileSource::path(path));
    if let Some(main) = reply_to {
        send = send.reply_to(main);
    }
    let terminal = std::io::stderr().is_terminal();
    if terminal {
        send = send.on_progress(|p| {
            let mut err = std::io::stderr();
            let _ = write!(err, "\r{}", bar(p, 30));
            let _ = err.flush();
        });
    }
    let sent = send.await;
    if terminal {
        let _ = writeln!(std::io::stderr());
    }
    Ok(sent?)
}

/// The bar for `p`, `width` cells wide: `[#####.....] 1.2 of 2.5 MB (48%)`.
fn bar(p: Progress, width: usize) -> String {
    let filled =
        ((p.sent as u128 * width as u128).checked_div(p.total as u128).unwrap_or(width as u128) as usize).min(width);
    let percent = (p.sent * 100).checked_div(p.total).unwrap_or(100);
    let mb = |bytes: u64| bytes as f64 / 1_000_000.0;
    format!(
        "[{}{}] {:.1} of {:.1} MB ({percent}%)",
        "#".repeat(filled),
        ".".repeat(width - filled),
        mb(p.sent),
        mb(p.total)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_with_the_bytes_sent() {
        assert_eq!(bar(Progress { sent: 0, total: 2_000_000 }, 10), "[..........] 0.0 of 2.0 MB (0%)");
        assert_eq!(bar(Progress { sent: 1_000_000, total: 2_000_000 }, 10), "[#####.....] 1.0 of 2.0 MB (50%)");
        assert_eq!(bar(Progress { sent: 2_000_000, total: 2_000_000 }, 10), "[##########] 2.0 of 2.0 MB (100%)");
        assert_eq!(bar(Progress { sent: 0, total: 0 }, 4), "[####] 0.0 of 0.0 MB (100%)", "an empty total is done");
    }
}
