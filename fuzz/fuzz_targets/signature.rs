//! Signature verification: `zoom_signature` and the chatbot's `Verifier`.
//!
//! Input: fields of a secret, a timestamp header and a signature header, eight bytes of a
//! time, two bytes of a position and one of a bit mask, then the body. Any timestamp,
//! signature and body are checked without a panic (and a forged one is never accepted); a
//! body signed with the right secret at a time within the window verifies; a change of any
//! one byte of the body, the timestamp or the signature does not.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use zoom_chatbot::SecretString;
use zoom_chatbot::webhook::{Verifier, VerifyError, sign};
use zoom_fuzz::Fields;

fuzz_target!(|data: &[u8]| {
    let mut fields = Fields::new(data);
    let secret = String::from_utf8_lossy(fields.field()).into_owned();
    let timestamp = fields.field();
    let signature = fields.field();
    // Any second a u64 holds that the system clock can represent, well past any real date.
    let at = fields.u64() % (1 << 40);
    let position = usize::from(u16::from_le_bytes([fields.byte(), fields.byte()]));
    let mask = fields.byte().max(1);
    let body = fields.rest();
    let now = UNIX_EPOCH + Duration::from_secs(at);
    let key = SecretString::from(secret.clone());

    // The scheme itself: `v0=` and 64 lower-case hex digits, the same by either door.
    let expected = zoom_signature::signature(secret.as_bytes(), &at.to_string(), body);
    assert_eq!(expected.len(), 67);
    assert!(expected.starts_with("v0=") && expected[3..].bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
    assert_eq!(sign(&key, at, body), expected);

    // Whatever headers come, no panic, and nothing but the right signature passes.
    let (timestamp, signature) = (std::str::from_utf8(timestamp).ok(), std::str::from_utf8(signature).ok());
    let verdict = Verifier::new(key.clone()).verify_at(timestamp, signature, body, now);
    if verdict.is_ok() {
        let (timestamp, signature) = (timestamp.expect("verified"), signature.expect("verified"));
        assert_eq!(signature.trim(), zoom_signature::signature(secret.as_bytes(), timestamp, body));
    }

    // The right signature verifies, once.
    let verifier = Verifier::new(key.clone());
    let stamp = at.to_string();
    assert_eq!(verifier.verify_at(Some(&stamp), Some(&expected), body, now), Ok(()));
    assert_eq!(verifier.verify_at(Some(&stamp), Some(&expected), body, now), Err(VerifyError::Replayed));

    // One byte changed anywhere breaks it.
    let flipped = |text: &[u8]| -> Vec<u8> {
        let mut changed = text.to_vec();
        if !changed.is_empty() {
            let i = position % changed.len();
            changed[i] ^= mask;
        }
        changed
    };
    let fresh = || Verifier::new(key.clone());
    if !body.is_empty() {
        let changed = flipped(body);
        assert_eq!(fresh().verify_at(Some(&stamp), Some(&expected), &changed, now), Err(VerifyError::BadSignature));
    }
    let changed = flipped(stamp.as_bytes());
    let changed = std::str::from_utf8(&changed).ok();
    assert!(fresh().verify_at(changed, Some(&expected), body, now).is_err(), "a changed timestamp verified");
    let changed = flipped(expected.as_bytes());
    let changed = std::str::from_utf8(&changed).ok();
    assert!(fresh().verify_at(Some(&stamp), changed, body, now).is_err(), "a changed signature verified");
});
