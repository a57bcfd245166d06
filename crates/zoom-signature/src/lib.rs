//! Zoom's webhook signing scheme, in one place: the fake Zoom signs with it, the bot's
//! verifier checks with it.
//!
//! - `x-zm-signature` = `v0=` + hex(HMAC-SHA256(secret, `v0:{x-zm-request-timestamp}:{raw body}`))
//! - `encryptedToken` of the URL-validation handshake = hex(HMAC-SHA256(secret, plainToken))
//!
//! ```
//! // RFC 4231, test case 2.
//! assert_eq!(
//!     zoom_signature::hmac_hex(b"Jefe", b"what do ya want for nothing?"),
//!     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
//! );
//! assert!(zoom_signature::signature(b"secret", "1700000000", b"{}").starts_with("v0="));
//! ```
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
