//! Channels against the fake Zoom: one made with two members by email, a third invited, the
//! members listed over pages, a card sent to the channel's JID and found in its
//! conversation; a user joining a public channel and leaving it with their own tokens; and
//! the refusals (malformed input before anything is sent, an unknown channel and a taken name
//! as Zoom answers them, a private channel to join and one to leave that the user is not in).

use crate::common;

use futures_util::TryStreamExt;
use zoom_chatbot::Error;
use zoom_chatbot::channels::ChannelKind;
use zoom_chatbot::ids::{ChannelId, ChannelJid};
use zoom_mock::fake::{ConversationId, OperationId, ZoomMock};

async fn fake() -> ZoomMock {
    // Strict: only the directory's users and the channels the fake made exist.
    let builder = ZoomMock::builder().strict();
    let builder =
        builder.user("AnaId", "ana@example.com").user("BoId", "bo@example.com").user("CyId", "cy@example.com");
    builder.start().await.unwrap()
}

#[tokio::test]
async fn a_channel_made_with_members_takes_an_invite_and_a_card_to_its_jid() {
    let fake = fake().await;
    let zoom = common::client(&fake);

    let made = zoom
        .channels()
        .create("incident-4211", ["ana@example.com", "Bo@Example.com"])
        .kind(ChannelKind::PrivateToAccount)
        .await
        .unwrap();
    assert_eq!(made.jid, ChannelJid::from(&made.id));
    assert_eq!(made.zoom.name.as_deref(), Some("incident-4211"));
    assert_eq!(made.zoom.type_, Some(ChannelKind::PrivateToAccount));

    let invited = zoom.channels().invite(&made.id, ["cy@example.com"]).await.unwrap();
    assert_eq!(invited.ids.as_deref(), Some("CyId"));
    // Inviting a member again adds no one.
    let again = zoom.channels().invite(&made.id, ["ana@example.com"]).await.unwrap();
    assert_eq!(again.ids.as_deref(), Some(""));

    // Four members (the maker first) over pages of two.
    let members: Vec<_> = zoom.channels().members(&made.id).page_size(2).stream().try_collect().await.unwrap();
    let ids: Vec<_> = members.iter().map(|m| m.id.clone().unwrap_or_default()).collect();
    assert_eq!(ids[1..], ["AnaId", "BoId", "CyId"]);
    let owner_jid = fake.account(&fake.account_id()).user_jid();
    assert_eq!(format!("{}@xmpp.zoom.us", ids[0].to_ascii_lowercase()), owner_jid, "the token's user made it");
    assert_eq!(members[0].role, Some(zoom_chatbot::types::ChannelMemberRole::Owner));
    assert_eq!(common::statuses(&fake, OperationId::ListChannelMembers), [200, 200], "two pages");
    let held = fake.channel(made.id.as_str()).expect("the fake holds the channel");
    assert_eq!(held.members.len(), 4);

    let got = zoom.channels().get(&made.id).await.unwrap();
    assert_eq!((got.id.clone(), got.jid.clone()), (made.id.clone(), made.jid.clone()));
    let listed: Vec<_> = zoom.channels().list().stream().try_collect().await.unwrap();
    let listed: Vec<&ChannelId> = listed.iter().map(|c| &c.id).collect();
    assert_eq!(listed, [&made.id]);

    // The strict fake knows the channel it made: the card lands in its conversation.
    zoom.send(made.jid.clone(), common::card("checkout is down")).await.unwrap();
    let chat = fake.conversation(&ConversationId::Channel(made.jid.clone()));
    assert_eq!(chat.len(), 1, "the card reached the channel");
    assert_eq!(chat[0].text(), "checkout is down");
}

#[tokio::test]
async fn a_channel_is_renamed_loses_a_member_and_is_deleted() {
    let fake = fake().await;
    let zoom = common::client(&fake);
    let made = zoom.channels().create("incident-9", ["ana@example.com", "bo@example.com"]).await.unwrap();

    zoom.channels().update(&made.id).name("incident-9-resolved").kind(ChannelKind::Public).await.unwrap();
    let got = zoom.channels().get(&made.id).await.unwrap();
    assert_eq!((got.zoom.name.as_deref(), got.zoom.type_), (Some("incident-9-resolved"), Some(ChannelKind::Public)));
    let sent = fake.requests().len();
    let err = zoom.channels().update(&made.id).kind(ChannelKind::GroupChat).await.unwrap_err();
    assert!(err.to_string().contains("type"), "{err}");
    let err =
        zoom.channels().create("x", ["ana@example.com"]).kind(ChannelKind::PublicToOtherAccounts).await.unwrap_err();
    assert!(err.to_string().contains("type"), "{err}");
    for kind in [ChannelKind::Unknown, ChannelKind::Other(7)] {
        let err = zoom.channels().create("x", ["ana@example.com"]).kind(kind).await.unwrap_err();
        assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "type"), "{err:?}");
    }
    assert_eq!(fake.requests().len(), sent, "nothing was sent");

    zoom.channels().remove(&made.id, &"Bo@Example.com".parse().unwrap()).await.unwrap();
    assert!(!fake.channel(made.id.as_str()).unwrap().has_member("BoId"));
    let err = zoom.channels().remove(&made.id, &"bo@example.com".parse().unwrap()).await.unwrap_err();
    assert!(matches!(&err, Error::Zoom { status: 400, code: 5301, .. }), "no longer a member: {err:?}");

    zoom.channels().delete(&made.id).await.unwrap();
    let err = zoom.channels().get(&made.id).await.unwrap_err();
    assert!(matches!(&err, Error::Zoom { status: 404, code: 4130, .. }), "{err:?}");
    assert!(zoom.send(made.jid.clone(), common::card("hello")).await.is_err(), "no longer a conversation");
}

#[tokio::test]
async fn malformed_input_is_refused_before_sending_and_unknown_channels_as_zoom_answers() {
    let fake = fake().await;
    let zoom = common::client(&fake);

    let err = "a/b".parse::<ChannelId>().unwrap_err();
    assert!(err.to_string().contains("channel id"), "{err}");
    let made = zoom.channels().create("ops", ["ana@example.com"]).await.unwrap();
    let sent = fake.requests().len();
    let err = zoom.channels().create("x".repeat(257), ["ana@example.com"]).await.unwrap_err();
    assert!(err.to_string().contains("name") && err.to_string().contains("256"), "{err}");
    let err = zoom.channels().create("ops-2", ["ana@example.com", "bo"]).await.unwrap_err();
    assert!(err.to_string().contains("members[1]"), "{err}");
    let many: Vec<String> = (0..21).map(|i| format!("u{i}@example.com")).collect();
    let err = zoom.channels().create("ops-3", &many).await.unwrap_err();
    assert!(err.to_string().contains("at most 20"), "{err}");
    let err = zoom.channels().invite(&made.id, &many[..6]).await.unwrap_err();
    assert!(err.to_string().contains("at most 5"), "{err}");
    let err = zoom.channels().invite(&made.id, Vec::<String>::new()).await.unwrap_err();
    assert!(err.to_string().contains("at least one"), "{err}");
    let err = zoom.channels().list().page_size(1001).stream().try_collect::<Vec<_>>().await.unwrap_err();
    assert!(err.to_string().contains("page_size"), "{err}");
    assert_eq!(fake.requests().len(), sent, "nothing was sent");

    let unknown: ChannelId = "0123456789abcdef0123456789abcdef".parse().unwrap();
    let err = zoom.channels().get(&unknown).await.unwrap_err();
    assert!(matches!(&err, Error::Zoom { status: 404, code: 4130, .. }), "{err:?}");
    let err = zoom.channels().members(&unknown).stream().try_collect::<Vec<_>>().await.unwrap_err();
    assert!(matches!(&err, Error::Zoom { status: 404, code: 4130, .. }), "{err:?}");
    let err = zoom.channels().invite(&unknown, ["cy@example.com"]).await.unwrap_err();
    assert!(matches!(&err, Error::Zoom { status: 404, code: 4130, .. }), "{err:?}");
    // A channel the strict fake did not make is not a conversation either.
    assert!(zoom.send(ChannelJid::from(&unknown), common::card("hello")).await.is_err());

    let err = zoom.channels().create("ops", Vec::<String>::new()).await.unwrap_err();
    assert!(matches!(&err, Error::Zoom { status: 400, code: 300, .. }), "a taken name: {err:?}");
}

#[tokio::test]
async fn a_user_joins_a_public_channel_and_leaves_it_with_their_own_tokens() {
    use zoom_chatbot::SecretString;
    use zoom_chatbot::auth::{OAuth, Pkce, UserOAuth};

    let fake = fake().await;
    let admin = common::client(&fake);
    let open = admin.channels().create("open", ["bo@example.com"]).kind(ChannelKind::Public).await.unwrap();
    let closed = admin.channels().create("closed", ["bo@example.com"]).await.unwrap();
    // Ana's own tokens, as a user-managed app holds them.
    let pkce = Pkce::new();
    let code = fake.authorization_code("AnaId", None, Some(pkce.challenge()));
    let http = admin.http().clone();
    let oauth = OAuth::new(&fake.oauth_base_url(), http, &fake.client_id(), &SecretString::from(fake.client_secret()));
    let (source, _) = UserOAuth::exchange_code(&oauth, &code, "", &pkce, |_: &SecretString| Ok(())).await.unwrap();
    let ana = common::builder(&fake).chat_tokens(source).build().unwrap();

    let joined = ana.channels().join(&open.id).await.unwrap();
    assert_eq!(joined.id.as_deref(), Some("AnaId"));
    let members = fake.channel(open.id.as_str()).unwrap().members;
    assert!(members.iter().any(|m| m.user_id.as_deref() == Some("AnaId")), "{members:?}");
    let err = ana.channels().join(&closed.id).await.unwrap_err();
    assert!(matches!(err, Error::Zoom { status: 400, code: 5301, .. }), "{err:?}");

    ana.channels().leave(&open.id).await.unwrap();
    let members = fake.channel(open.id.as_str()).unwrap().members;
    assert!(members.iter().all(|m| m.user_id.as_deref() != Some("AnaId")), "{members:?}");
    let err = ana.channels().leave(&open.id).await.unwrap_err();
    assert!(matches!(err, Error::Zoom { status: 400, code: 5301, .. }), "not a member: {err:?}");
}
