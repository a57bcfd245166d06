//! The Team Chat events the fake sends when its state changes, in Zoom's published shape
//! (each read against the spec's `ZoomEvent`): a message posted in a channel by a user (the
//! chat API's send, `ZoomMock::post_in_channel`, the page's form), then edited, reacted to and
//! deleted; the same in a one-to-one chat between two users; a file sent and deleted; members
//! invited to and removed from a channel (the channel API), or joining and leaving it
//! themselves; and the bot added to a channel and removed.

use crate::common;

use std::time::Duration;

use common::{Seen, answer, api, api_token, browser, http, recording_bot};
use reqwest::Method;
use serde_json::{Value, json};
use zoom_mock::fake::ZoomMock;

/// The fake's first account, its default user and a second user of its directory.
const ACCOUNT: &str = "FakeAccount01";

async fn fake() -> ZoomMock {
    let builder = ZoomMock::builder().user("ana", "ana@example.com").user("bo", "bo@example.com");
    builder.user("cy", "cy@example.com").start().await.unwrap()
}

/// `body` as JSON, sent to the API's `path` with `token`.
async fn send_json(zoom: &ZoomMock, method: Method, path: &str, token: &str, body: Value) -> reqwest::Response {
    api(zoom, method, path, token).json(&body).send().await.unwrap()
}

/// The JSON body of `r`, which must have answered `status`.
async fn answered(r: reqwest::Response, status: u16) -> Value {
    let (got, body) = answer(r).await;
    assert_eq!(got, status, "{body}");
    body
}

/// The fake with a recording bot connected, what the bot was sent, and an API token.
async fn connected() -> (ZoomMock, Seen, String) {
    let zoom = fake().await;
    let (url, seen) = recording_bot("/events").await;
    zoom.connect_bot(&url, "s").await.unwrap();
    let token = api_token(&zoom).await;
    (zoom, seen, token)
}

/// Waits (a guard against a hang: the events go on a task of their own) for the `n`-th event
/// named `name`, and checks it against the spec's `ZoomEvent`.
async fn event(seen: &Seen, name: &str, n: usize) -> Value {
    for _ in 0..500 {
        let found: Vec<Value> = seen.lock().unwrap().iter().filter(|e| e["event"] == name).cloned().collect();
        if let Some(event) = found.get(n) {
            let violations =
                zoom_spec::Validator::new(zoom_spec::spec()).validate_component("ZoomEvent", event, "").unwrap();
            assert!(violations.is_empty(), "{name} does not fit the spec: {violations:?}\n{event}");
            let typed: zoom_api_gen::types::ZoomEvent = serde_json::from_value(event.clone()).unwrap();
            assert_eq!(typed.kind().as_str(), name);
            return event.clone();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no {name} (#{n}) was delivered: {:?}", seen.lock().unwrap());
}

/// The names of the events delivered so far that start with `prefix`, oldest first.
fn names(seen: &Seen, prefix: &str) -> Vec<String> {
    let seen = seen.lock().unwrap();
    seen.iter().filter_map(|e| e["event"].as_str().filter(|k| k.starts_with(prefix)).map(str::to_owned)).collect()
}

/// A channel made through the channel API, with `members` by email; its id.
async fn channel(zoom: &ZoomMock, token: &str, name: &str, members: &[&str]) -> String {
    channel_of_type(zoom, token, name, 1, members).await
}

/// A channel of Zoom's type `kind` (1 private, 3 public), made as [`channel`] makes one.
async fn channel_of_type(zoom: &ZoomMock, token: &str, name: &str, kind: u8, members: &[&str]) -> String {
    let members: Vec<Value> = members.iter().map(|m| json!({"email": m})).collect();
    let body = json!({"name": name, "type": kind, "members": members});
    let r = api(zoom, Method::POST, "/chat/users/me/channels", token).json(&body).send().await.unwrap();
    let body = answered(r, 201).await;
    body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_users_send_to_a_channel_delivers_channel_message_posted() {
    let (zoom, seen, token) = connected().await;
    let id = channel(&zoom, &token, "ops", &["ana@example.com"]).await;
    let body = json!({"message": "the build is red", "to_channel": id});
    let r = send_json(&zoom, Method::POST, "/chat/users/ana/messages", &token, body).await;
    let sent = answered(r, 201).await;
    let posted = event(&seen, "team_chat.channel_message_posted", 0).await;
    let payload = &posted["payload"];
    assert_eq!(payload["account_id"], ACCOUNT);
    assert_eq!((payload["operator_id"].as_str(), payload["operator"].as_str()), (Some("ana"), Some("ana@example.com")));
    let member_id = zoom.account(ACCOUNT).channel(&id).unwrap().members[1].member_id.clone();
    assert_eq!(payload["operator_member_id"], member_id.as_str(), "the poster's member id in the channel");
    let object = &payload["object"];
    assert_eq!((object["channel_id"].as_str(), object["channel_name"].as_str()), (Some(id.as_str()), Some("ops")));
    assert_eq!(
        (object["message"].as_str(), object["message_id"].as_str()),
        (Some("the build is red"), sent["id"].as_str())
    );
    // A message to a conversation that is no channel of the account makes no such event.
    let body = json!({"message": "hi", "to_contact": "bo@example.com"});
    let r = send_json(&zoom, Method::POST, "/chat/users/ana/messages", &token, body).await;
    assert_eq!(r.status(), 201);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let posted = seen.lock().unwrap().iter().filter(|e| e["event"] == "team_chat.channel_message_posted").count();
    assert_eq!(posted, 1);
}

#[tokio::test]
async fn editing_reacting_to_and_deleting_a_channel_message_deliver_their_events() {
    let (zoom, seen, token) = connected().await;
    let id = channel(&zoom, &token, "ops", &["ana@example.com", "bo@example.com"]).await;
    let body = json!({"message": "the build is red", "to_channel": id});
    let r = send_json(&zoom, Method::POST, "/chat/users/ana/messages", &token, body).await;
    let sent = answered(r, 201).await;
    let message = sent["id"].as_str().unwrap().to_owned();
    let path = format!("/chat/users/ana/messages/{message}");

    let r =
        send_json(&zoom, Method::PUT, &path, &token, json!({"message": "the build is green", "to_channel": id})).await;
    assert_eq!(r.status(), 204);
    let updated = event(&seen, "team_chat.channel_message_updated", 0).await;
    let object = &updated["payload"]["object"];
    assert_eq!(
        (object["message_id"].as_str(), object["message"].as_str()),
        (Some(message.as_str()), Some("the build is green"))
    );
    assert_eq!(
        (object["channel_id"].as_str(), updated["payload"]["operator_id"].as_str()),
        (Some(id.as_str()), Some("ana"))
    );

    // Bo reacts, twice with the same emoji (one change, one event), then takes it back.
    let reactions = format!("/chat/users/bo/messages/{message}/emoji_reactions");
    for _ in 0..2 {
        let body = json!({"action": "add", "emoji": "U+1F44D", "to_channel": id});
        let r = send_json(&zoom, Method::PATCH, &reactions, &token, body).await;
        assert_eq!(r.status(), 204);
    }
    let added = event(&seen, "team_chat.channel_reaction_added", 0).await;
    let object = &added["payload"]["object"];
    assert_eq!((object["msg_id"].as_str(), object["emoji"].as_str()), (Some(message.as_str()), Some("U+1F44D")));
    assert_eq!(added["payload"]["operator"], "bo@example.com");
    let body = json!({"action": "remove", "emoji": "U+1F44D", "to_channel": id});
    let r = send_json(&zoom, Method::PATCH, &reactions, &token, body).await;
    assert_eq!(r.status(), 204);
    let removed = event(&seen, "team_chat.channel_reaction_removed", 0).await;
    assert_eq!(removed["payload"]["object"]["msg_id"], message.as_str());

    let r = api(&zoom, Method::DELETE, &format!("{path}?to_channel={id}"), &token).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let deleted = event(&seen, "team_chat.channel_message_deleted", 0).await;
    let object = &deleted["payload"]["object"];
    assert_eq!((object["message_id"].as_str(), object["channel_name"].as_str()), (Some(message.as_str()), Some("ops")));
    let kinds = names(&seen, "team_chat.channel_reaction");
    assert_eq!(kinds, ["team_chat.channel_reaction_added", "team_chat.channel_reaction_removed"], "one event a change");
}

#[tokio::test]
async fn a_one_to_one_chat_between_users_delivers_the_dm_events() {
    let (zoom, seen, token) = connected().await;
    let body = json!({"message": "lunch?", "to_contact": "bo@example.com"});
    let r = send_json(&zoom, Method::POST, "/chat/users/ana/messages", &token, body).await;
    let sent = answered(r, 201).await;
    let message = sent["id"].as_str().unwrap().to_owned();
    let posted = event(&seen, "team_chat.dm_message_posted", 0).await;
    let payload = &posted["payload"];
    assert_eq!((payload["operator_id"].as_str(), payload["operator"].as_str()), (Some("ana"), Some("ana@example.com")));
    let object = &payload["object"];
    assert_eq!(
        (object["contact_id"].as_str(), object["contact_email"].as_str(), object["message"].as_str()),
        (Some("bo"), Some("bo@example.com"), Some("lunch?"))
    );

    let path = format!("/chat/users/ana/messages/{message}");
    let r =
        send_json(&zoom, Method::PUT, &path, &token, json!({"message": "lunch at 1?", "to_contact": "bo@example.com"}))
            .await;
    assert_eq!(r.status(), 204);
    let updated = event(&seen, "team_chat.dm_message_updated", 0).await;
    assert_eq!(updated["payload"]["object"]["message"], "lunch at 1?");

    // Bo reacts in his chat with Ana: the event's contact is Ana.
    let body = json!({"action": "add", "emoji": "U+1F44D", "to_contact": "ana@example.com"});
    let r =
        send_json(&zoom, Method::PATCH, &format!("/chat/users/bo/messages/{message}/emoji_reactions"), &token, body)
            .await;
    assert_eq!(r.status(), 204);
    let reacted = event(&seen, "team_chat.dm_reaction_added", 0).await;
    let payload = &reacted["payload"];
    assert_eq!((payload["operator_id"].as_str(), payload["object"]["contact_id"].as_str()), (Some("bo"), Some("ana")));
    assert_eq!(payload["object"]["msg_id"], message.as_str());

    let r = api(&zoom, Method::DELETE, &format!("{path}?to_contact=bo@example.com"), &token).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let deleted = event(&seen, "team_chat.dm_message_deleted", 0).await;
    assert_eq!(deleted["payload"]["object"]["message_id"], message.as_str());
    let channel_events = names(&seen, "team_chat.channel_");
    assert!(channel_events.is_empty(), "no channel event for a one-to-one chat: {channel_events:?}");

    // A message in Ana's chat with herself, and a third user's reaction to one between Ana and
    // Bo: no one-to-one chat between two of them, no event.
    let body = json!({"message": "note to self", "to_contact": "ana@example.com"});
    let r = send_json(&zoom, Method::POST, "/chat/users/ana/messages", &token, body).await;
    assert_eq!(r.status(), 201);
    let body = json!({"message": "again?", "to_contact": "bo@example.com"});
    let r = send_json(&zoom, Method::POST, "/chat/users/ana/messages", &token, body).await;
    let (_, second) = answer(r).await;
    event(&seen, "team_chat.dm_message_posted", 1).await;
    let third = format!("/chat/users/cy/messages/{}/emoji_reactions", second["id"].as_str().unwrap());
    let body = json!({"action": "add", "emoji": "U+1F44D", "to_contact": "ana@example.com"});
    let r = send_json(&zoom, Method::PATCH, &third, &token, body).await;
    assert_eq!(r.status(), 204);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let dms = names(&seen, "team_chat.dm_");
    let posted = dms.iter().filter(|k| *k == "team_chat.dm_message_posted").count();
    assert_eq!(posted, 2, "the chat with oneself made none: {dms:?}");
    assert_eq!(dms.iter().filter(|k| *k == "team_chat.dm_reaction_added").count(), 1, "Cy's made none: {dms:?}");
}

#[tokio::test]
async fn a_file_sent_to_a_channel_and_deleted_delivers_file_shared_and_file_deleted() {
    let (zoom, seen, token) = connected().await;
    let id = channel(&zoom, &token, "ops", &["ana@example.com"]).await;
    let body = format!(
        "--B\r\nContent-Disposition: form-data; name=\"to_channel\"\r\n\r\n{id}\r\n--B\r\nContent-Disposition: form-data; \
         name=\"files\"; filename=\"build.log\"\r\nContent-Type: text/plain\r\n\r\nline 1\r\n--B--\r\n"
    );
    let r = http()
        .post(format!("{}/chat/users/ana/messages/files", zoom.file_base_url()))
        .bearer_auth(&token)
        .header("content-type", "multipart/form-data; boundary=B")
        .body(body)
        .send()
        .await
        .unwrap();
    answered(r, 201).await;
    let shared = event(&seen, "team_chat.file_shared", 0).await;
    let payload = &shared["payload"];
    assert_eq!(payload["operator_id"], "ana");
    let object = &payload["object"];
    assert_eq!((object["type"].as_str(), object["channel_id"].as_str()), (Some("to_channel"), Some(id.as_str())));
    let file = &object["files"][0];
    assert_eq!((file["file_name"].as_str(), file["file_size"].as_i64()), (Some("build.log"), Some(6)));
    let file_id = file["file_id"].as_str().unwrap().to_owned();
    assert!(zoom.file(&file_id).is_some(), "the event names the stored file");

    let r = api(&zoom, Method::DELETE, &format!("/chat/files/{file_id}"), &token).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let deleted = event(&seen, "team_chat.file_deleted", 0).await;
    assert_eq!(deleted["payload"]["object"]["files"][0]["file_id"], file_id.as_str());
    // A file the account does not hold: refused, and no event.
    let r = api(&zoom, Method::DELETE, &format!("/chat/files/{file_id}"), &token).send().await.unwrap();
    assert_eq!(r.status(), 404);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let deletions = seen.lock().unwrap().iter().filter(|e| e["event"] == "team_chat.file_deleted").count();
    assert_eq!(deletions, 1);
}

/// A user's own token, as a user-managed app gets it: an authorization code exchanged.
async fn user_token(zoom: &ZoomMock, user: &str) -> String {
    let code = zoom.authorization_code(user, None, None);
    let r = http()
        .post(format!("{}/oauth/token", zoom.oauth_base_url()))
        .basic_auth(zoom.client_id(), Some(zoom.client_secret()))
        .form(&[("grant_type", "authorization_code"), ("code", code.as_str())])
        .send()
        .await
        .unwrap();
    let body = answered(r, 200).await;
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn joining_and_leaving_a_public_channel_deliver_member_joined_and_left() {
    let (zoom, seen, token) = connected().await;
    let id = channel_of_type(&zoom, &token, "open", 3, &[]).await;
    let private = channel(&zoom, &token, "closed", &[]).await;
    let ana = user_token(&zoom, "ana").await;
    let path = format!("/chat/channels/{id}/members/me");

    let joined = answered(api(&zoom, Method::POST, &path, &ana).send().await.unwrap(), 201).await;
    let member =
        zoom.account(ACCOUNT).channel(&id).unwrap().members.into_iter().find(|m| m.user_id.as_deref() == Some("ana"));
    let member = member.expect("Ana is a member");
    assert_eq!((joined["id"].as_str(), joined["member_id"].as_str()), (Some("ana"), Some(member.member_id.as_str())));
    let event_joined = event(&seen, "chat_channel.member_joined", 0).await;
    let payload = &event_joined["payload"];
    assert_eq!((payload["operator_id"].as_str(), payload["object"]["id"].as_str()), (Some("ana"), Some(id.as_str())));
    // The same user's member id is the same in every event: in a one-to-one chat too.
    let body = json!({"message": "hi", "to_contact": "bo@example.com"});
    let r = send_json(&zoom, Method::POST, "/chat/users/ana/messages", &token, body).await;
    assert_eq!(r.status(), 201);
    let dm = event(&seen, "team_chat.dm_message_posted", 0).await;
    assert_eq!(dm["payload"]["operator_member_id"], member.member_id.as_str());

    let r = api(&zoom, Method::POST, &format!("/chat/channels/{private}/members/me"), &ana).send().await.unwrap();
    let (status, refused) = answer(r).await;
    assert_eq!((status, refused["code"].as_i64()), (400, Some(5301)), "a private channel takes invited members only");
    let r = api(&zoom, Method::DELETE, &path, &ana).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert!(zoom.account(ACCOUNT).channel(&id).unwrap().members.iter().all(|m| m.user_id.as_deref() != Some("ana")));
    let left = event(&seen, "chat_channel.member_left", 0).await;
    assert_eq!(left["payload"]["operator_id"], "ana");
    let (status, refused) = answer(api(&zoom, Method::DELETE, &path, &ana).send().await.unwrap()).await;
    assert_eq!((status, refused["code"].as_i64()), (400, Some(5301)), "not a member any more");
    // The owner (the token's user who made it) may not leave it.
    let r = api(&zoom, Method::DELETE, &path, &token).send().await.unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn inviting_and_removing_members_deliver_chat_channel_member_invited_and_removed() {
    let (zoom, seen, token) = connected().await;
    let id = channel(&zoom, &token, "incident-7", &[]).await;
    let path = format!("/chat/channels/{id}/members");
    let body = json!({"members": [{"email": "ana@example.com"}, {"email": "bo@example.com"}]});
    let r = api(&zoom, Method::POST, &path, &token).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let invited = event(&seen, "chat_channel.member_invited", 0).await;
    let object = &invited["payload"]["object"];
    assert_eq!(
        (object["id"].as_str(), object["name"].as_str(), object["type"].as_i64()),
        (Some(id.as_str()), Some("incident-7"), Some(1))
    );
    let ids: Vec<&str> = object["members"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["ana", "bo"]);
    // Inviting members already there changes nothing, and says nothing.
    let r = api(&zoom, Method::POST, &path, &token).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let r = api(&zoom, Method::DELETE, &format!("{path}/bo"), &token).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let removed = event(&seen, "chat_channel.member_removed", 0).await;
    let members = &removed["payload"]["object"]["members"];
    assert_eq!(*members, json!([{"id": "bo", "display_name": "bo"}]));
    let invites = seen.lock().unwrap().iter().filter(|e| e["event"] == "chat_channel.member_invited").count();
    assert_eq!(invites, 1, "the second invite added no one");
}

#[tokio::test]
async fn adding_and_removing_the_bot_deliver_channel_app_added_and_removed() {
    let (zoom, seen, token) = connected().await;
    let id = channel(&zoom, &token, "deploys", &["ana@example.com"]).await;
    assert_eq!(zoom.add_bot_to_channel(ACCOUNT, "ana", &id).await.unwrap(), 200);
    assert_eq!(zoom.account(ACCOUNT).channel(&id).unwrap().bots, [zoom.robot_jid()]);
    let added = event(&seen, "team_chat.channel_app_added", 0).await;
    let object = &added["payload"]["object"];
    assert_eq!(object["channel_id"], id.as_str());
    let bot_local = zoom.robot_jid().split('@').next().unwrap().to_owned();
    assert_eq!(object["app_members"][0]["id"], bot_local.as_str());
    assert_eq!(added["payload"]["operator_id"], "ana");
    // A channel the account does not hold: refused, nothing delivered.
    assert!(zoom.add_bot_to_channel(ACCOUNT, "ana", "nosuchchannel").await.is_err());
    assert!(zoom.add_bot_to_channel(ACCOUNT, "ana", &id).await.is_err(), "already there: no change, no event");
    let added = seen.lock().unwrap().iter().filter(|e| e["event"] == "team_chat.channel_app_added").count();
    assert_eq!(added, 1);

    // Removed by Ana: the channel no longer holds it, and the bot is told; a second removal
    // (the bot is not there) is refused.
    assert_eq!(zoom.remove_bot_from_channel(ACCOUNT, "ana", &id).await.unwrap(), 200);
    assert!(zoom.account(ACCOUNT).channel(&id).unwrap().bots.is_empty());
    let removed = event(&seen, "team_chat.channel_app_removed", 0).await;
    assert_eq!(removed["payload"]["object"]["app_members"][0]["id"], bot_local.as_str());
    assert!(zoom.remove_bot_from_channel(ACCOUNT, "ana", &id).await.is_err());
}

#[tokio::test]
async fn a_post_in_a_channel_is_stored_and_delivered() {
    let (zoom, seen, token) = connected().await;
    let id = channel(&zoom, &token, "general-2", &["bo@example.com"]).await;
    assert_eq!(zoom.post_in_channel(ACCOUNT, "bo", &id, "morning").await.unwrap(), 200);
    let posted = event(&seen, "team_chat.channel_message_posted", 0).await;
    let jid = zoom.account(ACCOUNT).channel(&id).unwrap().jid().to_string();
    let stored = zoom.account(ACCOUNT).conversation_of_jid(&jid);
    assert_eq!(stored.len(), 1);
    assert_eq!(posted["payload"]["object"]["message_id"], stored[0].id.as_str());
    assert_eq!(posted["payload"]["object"]["message"], "morning");
}

#[tokio::test]
async fn the_page_shows_a_channels_members_and_posts_in_it_as_the_picked_user() {
    let (zoom, seen, token) = connected().await;
    let id = channel(&zoom, &token, "<b>team</b>", &["ana@example.com", "bo@example.com"]).await;
    let base = zoom.oauth_base_url();
    let html = http().get(format!("{base}/")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("&lt;b&gt;team&lt;/b&gt;") && !html.contains("<b>team</b>"), "the name is escaped: {html}");
    for member in ["ana@example.com", "bo@example.com"] {
        assert!(html.contains(member), "{member} is shown: {html}");
    }
    assert!(html.contains("action=\"/_fake/act/post\""), "{html}");
    let form = [("account", ACCOUNT), ("channel", id.as_str()), ("user", "bo"), ("text", "from the page")];
    // Without the page's own origin, the form is refused and nothing is delivered.
    let foreign = browser().post(format!("{base}/_fake/act/post")).header("origin", "http://evil.example").form(&form);
    assert_eq!(foreign.send().await.unwrap().status(), 403);
    let acted = browser().post(format!("{base}/_fake/act/post")).header("origin", &base).form(&form).send().await;
    assert_eq!(acted.unwrap().status(), 303);
    let posted = event(&seen, "team_chat.channel_message_posted", 0).await;
    assert_eq!(posted["payload"]["operator_id"], "bo", "as the picked user");
    assert_eq!(posted["payload"]["object"]["message"], "from the page");
    // The page's button adds the bot to the channel.
    let form = [("account", ACCOUNT), ("channel", id.as_str())];
    let acted = browser().post(format!("{base}/_fake/act/add_bot")).header("origin", &base).form(&form).send().await;
    assert_eq!(acted.unwrap().status(), 303);
    let added = event(&seen, "team_chat.channel_app_added", 0).await;
    assert_eq!(added["payload"]["object"]["channel_id"], id.as_str());
    assert_eq!(zoom.account(ACCOUNT).channel(&id).unwrap().bots, [zoom.robot_jid()]);
    // With the bot there, the button removes it.
    let html = http().get(format!("{base}/")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("action=\"/_fake/act/remove_bot\"") && html.contains("Remove the bot"), "{html}");
    let acted = browser().post(format!("{base}/_fake/act/remove_bot")).header("origin", &base).form(&form).send().await;
    assert_eq!(acted.unwrap().status(), 303);
    let removed = event(&seen, "team_chat.channel_app_removed", 0).await;
    assert_eq!(removed["payload"]["object"]["channel_id"], id.as_str());
    assert!(zoom.account(ACCOUNT).channel(&id).unwrap().bots.is_empty());
}
