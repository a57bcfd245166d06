//! The integer enums the xtask makes of the spec's `x-enum-varnames` components travel as
//! JSON integers, and a value the spec does not name still reads.

use zoom_api_gen::types::{Channel, ChannelType, UserType};

#[test]
fn every_named_value_round_trips_as_an_integer() {
    for kind in ChannelType::ALL {
        let json = serde_json::to_value(kind).unwrap();
        assert_eq!(json, serde_json::json!(kind.value()));
        assert_eq!(serde_json::from_value::<ChannelType>(json).unwrap(), *kind);
    }
    assert_eq!(ChannelType::from_value(5), ChannelType::PublicToOtherAccounts);
    assert_eq!(UserType::from_value(99), UserType::NoType);
}

#[test]
fn a_value_the_spec_does_not_name_is_kept() {
    let channel: Channel = serde_json::from_value(serde_json::json!({ "id": "c1", "type": 9 })).unwrap();
    assert_eq!(channel.type_, Some(ChannelType::Other(9)));
    assert_eq!(serde_json::to_value(&channel).unwrap()["type"], 9);
    assert!(serde_json::from_value::<ChannelType>(serde_json::json!("1")).is_err(), "a string is not one");
}
