#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Lower-case hex of HMAC-SHA256(`key`, `data`).
pub fn hmac_hex(key: &[u8], data: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// The `x-zm-signature` of a request whose `x-zm-request-timestamp` header is `timestamp`
/// (exactly as sent) and whose raw body is `body`.
pub fn signature(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    let mut message = Vec::with_capacity(body.len() + timestamp.len() + 4);
    message.extend_from_slice(b"v0:");
    message.extend_from_slice(timestamp.as_bytes());
    message.push(b':');
    message.extend_from_slice(body);
    format!("v0={}", hmac_hex(secret, &message))
}
