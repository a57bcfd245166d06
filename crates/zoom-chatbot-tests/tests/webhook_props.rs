//! Properties of the verifier and the event parser, over generated input.

use std::time::{SystemTime, UNIX_EPOCH};

use proptest::prelude::*;
use serde::Deserialize as _;
use zoom_chatbot::SecretString;
use zoom_chatbot::webhook::{Verifier, VerifyError, parse_event, sign};

fn secret() -> SecretString {
    SecretString::from("property-test-secret".to_owned())
}

fn now() -> (SystemTime, u64) {
    let now = SystemTime::now();
    (now, now.duration_since(UNIX_EPOCH).unwrap().as_secs())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_input_never_panics(
        body in proptest::collection::vec(any::<u8>(), 0..512),
        timestamp in proptest::option::of(".{0,24}"),
        signature in proptest::option::of(".{0,80}"),
    ) {
        let v = Verifier::new(secret());
        let _ = v.verify(timestamp.as_deref(), signature.as_deref(), &body);
        let _ = v.verify_and_parse(timestamp.as_deref(), signature.as_deref(), &body);
        let _ = parse_event(&body);
    }

    #[test]
    fn arbitrary_json_objects_parse_to_an_event(
        event in "[a-z_.]{0,30}",
        fields in proptest::collection::btree_map("[a-zA-Z]{1,8}", any::<i64>(), 0..6),
    ) {
        let body = serde_json::json!({"event": event, "payload": fields}).to_string();
        prop_assert!(parse_event(body.as_bytes()).is_ok(), "an object is never an error");
    }

    #[test]
    fn changing_any_byte_of_a_signed_body_fails(
        body in proptest::collection::vec(any::<u8>(), 1..256),
        index in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let v = Verifier::new(secret());
        let (at, t) = now();
        let signature = sign(&secret(), t, &body);
        prop_assert_eq!(v.verify_at(Some(&t.to_string()), Some(&signature), &body, at), Ok(()));
        let mut tampered = body.clone();
        let i = index.index(tampered.len());
        tampered[i] ^= flip;
        prop_assert_eq!(v.verify_at(Some(&t.to_string()), Some(&signature), &tampered, at), Err(VerifyError::BadSignature));
    }

    #[test]
    fn changing_the_timestamp_or_any_byte_of_the_signature_fails(
        body in proptest::collection::vec(any::<u8>(), 0..128),
        shift in 1u64..=300,
        index in any::<prop::sample::Index>(),
        replacement in "[0-9a-f=v]",
    ) {
        let v = Verifier::new(secret());
        let (at, t) = now();
        let signature = sign(&secret(), t, &body);
        // Another timestamp inside the window: the signature no longer matches.
        let other = (t - shift).to_string();
        prop_assert_eq!(v.verify_at(Some(&other), Some(&signature), &body, at), Err(VerifyError::BadSignature));
        // Any one character of the signature changed.
        let mut chars: Vec<char> = signature.chars().collect();
        let i = index.index(chars.len());
        let new = replacement.chars().next().unwrap();
        prop_assume!(chars[i] != new);
        chars[i] = new;
        let altered: String = chars.into_iter().collect();
        prop_assert_eq!(v.verify_at(Some(&t.to_string()), Some(&altered), &body, at), Err(VerifyError::BadSignature));
    }
}

/// Found by the `webhook_event` fuzz target: a number with more digits than an `f64` holds
/// (`event_ts` here) was read one unit in the last place off, so the event changed when
/// written out and read again. serde_json's exact float parsing (`float_roundtrip`) reads it
/// the same both times.
#[test]
fn an_event_with_a_long_float_is_the_same_when_written_out_and_read_again() {
    let body = br#"{"event":"app_deauthorized","payload":{"account_id":"AAAAAABBBB","client_id":"ABCDEFGHIJKchannel_idLMNOPQRST!V","event_ts":1222222222222222222222222222222222222222222222222222269691449020200,"":"2024-09-08 15:58:403000","user_id":"abcD3ojjfg"}}"#;
    let event = zoom_chatbot::types::ZoomEvent::deserialize(&mut serde_json::Deserializer::from_slice(body)).unwrap();
    let again: zoom_chatbot::types::ZoomEvent = serde_json::from_slice(&serde_json::to_vec(&event).unwrap()).unwrap();
    assert_eq!(event, again);
}
