//! The account's users against the fake Zoom: an email address turned into the JID a chatbot
//! message goes to, and the refusals (an unknown user as Zoom answers it; a malformed address
//! before anything is sent).

use crate::common;

use zoom_chatbot::Error;
use zoom_mock::fake::{ConversationId, OperationId};

#[tokio::test]
async fn an_email_becomes_the_jid_a_card_is_sent_to() {
    let fake = common::fake_with_users(&[("AnaId", "ana@example.com")]).await;
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
    let me = zoom.users().get(&zoom_chatbot::ids::UserId::me()).await.unwrap();
    assert_eq!(me.account_id.as_deref(), Some(fake.account_id().as_str()));
}

#[tokio::test]
async fn a_user_id_becomes_the_jid_a_card_is_sent_to() {
    let fake = common::fake_with_users(&[("BoId", "bo@example.com")]).await;
    let zoom = common::client(&fake);

    // An id as a channel's member list carries it.
    let made = zoom.channels().create("ops", ["bo@example.com"]).await.unwrap();
    let members = fake.channel(made.id.as_str()).unwrap().members;
    let bo: zoom_chatbot::ids::UserId = members[1].user_id.clone().unwrap().parse().unwrap();
    let jid = zoom.users().jid(&bo).await.unwrap();
    assert_eq!(jid.to_string(), "boid@xmpp.zoom.us");
    zoom.send(jid, common::card("you are on call")).await.unwrap();
    assert_eq!(fake.conversation(&ConversationId::user("boid").unwrap()).len(), 1, "the card reached Bo");

    let err = zoom.users().jid(&"NoOne".parse().unwrap()).await.unwrap_err();
    assert!(matches!(&err, Error::Zoom { status: 404, code: 1001, .. }), "{err:?}");
}

#[tokio::test]
async fn contacts_are_searched_over_pages_and_an_empty_key_is_refused() {
    use futures_util::TryStreamExt as _;
    let users = [("AnaId", "ana@example.com"), ("BoId", "bo@example.com"), ("CyId", "cy@other.example")];
    let fake = common::fake_with_users(&users).await;
    let zoom = common::client(&fake);

    // Zoom's default page holds one contact: two are found over two pages.
    let found: Vec<_> = zoom.users().search("EXAMPLE.com").stream().try_collect().await.unwrap();
    let emails: Vec<_> = found.iter().map(|c| c.email.clone().unwrap()).collect();
    assert_eq!(emails, ["ana@example.com", "bo@example.com"]);
    assert_eq!(common::statuses(&fake, OperationId::SearchContacts), [200, 200]);
    // A contact has no JID; its id gives one.
    let jid = zoom.users().jid(&found[1].id.clone().unwrap().parse().unwrap()).await.unwrap();
    assert_eq!(jid.to_string(), "boid@xmpp.zoom.us");

    let none: Vec<_> = zoom.users().search("nobody").page_size(25).stream().try_collect().await.unwrap();
    assert!(none.is_empty());
    let asked = common::statuses(&fake, OperationId::SearchContacts).len();
    for (key, size, field) in [(" ", None, "search_key"), ("ana", Some(26), "page_size")] {
        let mut search = zoom.users().search(key);
        if let Some(n) = size {
            search = search.page_size(n);
        }
        let err = search.stream().try_collect::<Vec<_>>().await.unwrap_err();
        assert!(err.to_string().contains(field), "{key:?}: {err}");
    }
    assert_eq!(common::statuses(&fake, OperationId::SearchContacts).len(), asked, "nothing was sent");
}

#[tokio::test]
async fn an_unknown_or_malformed_address_is_refused() {
    let fake = common::fake_with_users(&[("AnaId", "ana@example.com")]).await;
    let zoom = common::client(&fake);

    let err = zoom.users().jid_by_email("bob@example.com").await.unwrap_err();
    assert!(matches!(&err, Error::Zoom { status: 404, code: 1001, .. }), "{err:?}");

    let asked = common::statuses(&fake, OperationId::GetUser).len();
    for bad in ["bob", "bob@example.com/../x", "bob @example.com"] {
        let err = zoom.users().by_email(bad).await.unwrap_err();
        assert!(err.to_string().contains("email"), "{bad:?}: {err}");
    }
    for bad in [".", "..", "a/b"] {
        let err = bad.parse::<zoom_chatbot::ids::UserId>().unwrap_err();
        assert!(err.to_string().contains("user id"), "{bad:?}: {err}");
    }
    assert_eq!(common::statuses(&fake, OperationId::GetUser).len(), asked, "nothing was sent");
}

#[tokio::test]
async fn a_jid_that_is_not_a_user_jid_is_zooms_unexpected_answer_not_the_callers_mistake() {
    // Zoom's pages do not state the field's format; their example is email-shaped.
    let server = httpmock::MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(httpmock::Method::GET).path("/users/jchill@example.com");
        then.status(200).header("content-type", "application/json").json_body(serde_json::json!({
            "type": 1, "id": "zJKyaiAyTNC-MWjiWC18KQ", "jid": "jchill@example.com"
        }));
    });
    let zoom = zoom_chatbot::ZoomClient::builder()
        .api_url(server.base_url())
        .chat_tokens(zoom_chatbot::auth::StaticToken(zoom_chatbot::SecretString::from("t".to_owned())))
        .build()
        .unwrap();
    let err = zoom.users().jid_by_email("jchill@example.com").await.unwrap_err();
    assert!(matches!(&err, Error::UnexpectedResponse { status: Some(200), .. }), "{err:?}");
    assert!(err.to_string().contains("jid"), "{err}");
}
