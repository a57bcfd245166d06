//! Event parsing: `zoom_chatbot::webhook::parse_event` on any delivered body. It never panics;
//! only a body that is not a JSON object is an error; a known event names one of the spec's
//! events and reads back the same after it is written out again; a malformed one names a
//! spec event and a field path; an unknown one names no spec event.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zoom_chatbot::bot::EventKind;
use zoom_chatbot::webhook::{Event, VerifyError, parse_event};

fuzz_target!(|body: &[u8]| {
    let value = serde_json::from_slice::<serde_json::Value>(body).ok();
    match parse_event(body) {
        Err(VerifyError::MalformedBody(_)) => {
            assert!(!value.is_some_and(|v| v.is_object()), "a JSON object was refused as a body");
        }
        Err(other) => panic!("parse_event returned a verification error: {other:?}"),
        Ok(Event::Known(event)) => {
            let name = event.kind().as_str();
            assert_eq!(value.as_ref().and_then(|v| v["event"].as_str()), Some(name));
            let written = serde_json::to_vec(&*event).expect("a known event serializes");
            match parse_event(&written) {
                Ok(Event::Known(again)) => assert_eq!(again, event, "the event changed when written out and read"),
                other => panic!("a known event, written out, read as {other:?}"),
            }
        }
        Ok(Event::Malformed(m)) => {
            assert!(m.field == "." || m.field.starts_with("payload"), "field path {:?}", m.field);
            assert_eq!(Some(&m.body), value.as_ref());
        }
        Ok(Event::Unknown { event, body }) => {
            let known = event.as_deref().is_some_and(|e| e.parse::<EventKind>().is_ok());
            assert!(!known, "a spec event was taken as unknown");
            assert_eq!(Some(&body), value.as_ref());
        }
    }
});
