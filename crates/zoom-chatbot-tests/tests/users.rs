//! The account's users against the fake Zoom: an email address turned into the JID a chatbot
//! message goes to, and the refusals (an unknown user as Zoom answers it; a malformed address
//! before anything is sent).

mod common;

use zoom_chatbot::Error;
use zoom_mock::fake::{ConversationId, OperationId, ZoomMock};

#[tokio::test]
async fn an_email_becomes_the_jid_a_card_is_sent_to() {
    let fake = ZoomMock::builder().user("AnaId", "ana@example.com").start().await.unwrap();
    let zoom = common::client(&fake);

    let ana = zoom.users().by_email("Ana@Example.com").await.unwrap();
    assert_eq!(ana.id.as_deref(), Some("AnaId"));
    assert_eq!(ana.email.as_deref(), Some("ana@example.com"));
    let jid = zoom.users().jid_by_email("ana@example.com").await.unwrap();
    assert_eq!(jid.to_string(), "anaid@xmpp.zoom.us");

    zoom.send(jid, common::card("your build is green")).await.unwrap();
    let chat = fake.conversation(&ConversationId::user("anaid").unwrap());
    assert_eq!(chat.len(), 1, "the card reached Ana's chat with the bot");

    // `me`: the token's own user.
    let me = zoom.users().get("me").await.unwrap();
    assert_eq!(me.account_id.as_deref(), Some(fake.account_id().as_str()));
}

#[tokio::test]
async fn an_unknown_or_malformed_address_is_refused() {
    let fake = ZoomMock::builder().user("AnaId", "ana@example.com").start().await.unwrap();
    let zoom = common::client(&fake);

    let err = zoom.users().jid_by_email("bob@example.com").await.unwrap_err();
    assert!(matches!(&err, Error::Zoom { status: 404, code: 1001, .. }), "{err:?}");

    let asked = common::statuses(&fake, OperationId::GetUser).len();
    for bad in ["bob", "bob@example.com/../x", "bob @example.com"] {
        let err = zoom.users().by_email(bad).await.unwrap_err();
        assert!(err.to_string().contains("email"), "{bad:?}: {err}");
    }
    let err = zoom.users().get("a/b").await.unwrap_err();
    assert!(err.to_string().contains("user"), "{err}");
    assert_eq!(common::statuses(&fake, OperationId::GetUser).len(), asked, "nothing was sent");
}
