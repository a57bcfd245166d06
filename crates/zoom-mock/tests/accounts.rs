//! Several accounts in one fake: each with its own plan, users, conversations, limits and
//! daily quotas, and the app installed on some of them. Through real HTTP, as a client sees it.

use crate::common;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};
use zoom_mock::fake::{AccountSpec, ConversationId, Plan, RateLabel, Sender, ZoomMock};

/// The page's one script, as the page writes it (see tests/page.rs).
const LIVE: &str = "let t;const v=document.body.dataset.version;new EventSource('/_fake/changes').addEventListener('change',e=>{if(e.data!==v){clearTimeout(t);t=setTimeout(()=>location.reload(),150)}});";

const ACME: &str = "AcmeAccount";
const GLOBEX: &str = "GlobexAccount";

fn send_in(zoom: &ZoomMock, account: &str, to_jid: &str, text: &str) -> Value {
    json!({"robot_jid": zoom.robot_jid(), "to_jid": to_jid, "account_id": account, "content": card(text)})
}

async fn send(zoom: &ZoomMock, token: &str, account: &str, to_jid: &str, text: &str) -> reqwest::Response {
    let body = send_in(zoom, account, to_jid, text);
    api(zoom, Method::POST, "/im/chat/messages", token).json(&body).send().await.unwrap()
}

/// Three sends in `account`, one after another.
async fn three(zoom: &ZoomMock, token: &str, account: &str) -> Vec<reqwest::Response> {
    let mut answers = Vec::new();
    for i in 0..3 {
        answers.push(send(zoom, token, account, CHANNEL, &format!("{account} {i}")).await);
    }
    answers
}

async fn token_for(zoom: &ZoomMock, account: &str) -> reqwest::Response {
    http()
        .post(format!("{}/oauth/token", zoom.oauth_base_url()))
        .basic_auth(zoom.client_id(), Some(zoom.client_secret()))
        .form(&[("grant_type", "account_credentials"), ("account_id", account)])
        .send()
        .await
        .unwrap()
}

async fn api_token_in(zoom: &ZoomMock, account: &str) -> String {
    let r = token_for(zoom, account).await;
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_first_account_stays_the_default_and_the_others_are_listed_in_order() {
    let zoom = ZoomMock::builder()
        .account(AccountSpec::new(ACME).plan(Plan::Pro))
        .account(AccountSpec::new(GLOBEX).installed(false))
        .start()
        .await
        .unwrap();
    assert_eq!(zoom.account_id(), "FakeAccount01");
    let accounts = zoom.accounts();
    let ids: Vec<&str> = accounts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["FakeAccount01", ACME, GLOBEX]);
    assert_eq!(accounts[0].plan, Some(Plan::Business));
    assert_eq!(accounts[1].plan, Some(Plan::Pro));
    assert!(accounts[0].installed && accounts[1].installed && !accounts[2].installed);
    // Each account has a default user with a JID in it, its own.
    assert_eq!(accounts[0].user_id, "fakeuser01");
    assert_ne!(accounts[1].user_id, accounts[2].user_id);
    assert_eq!(zoom.account(ACME).user_jid(), format!("{}@xmpp.zoom.us", accounts[1].user_id));
}

#[tokio::test]
async fn the_same_jid_in_two_accounts_is_two_conversations() {
    let zoom = ZoomMock::builder().account(AccountSpec::new(ACME)).start().await.unwrap();
    let token = bot_token(&zoom).await;
    let first = answer(send(&zoom, &token, &zoom.account_id(), CHANNEL, "in the first").await).await;
    let acme = answer(send(&zoom, &token, ACME, CHANNEL, "in acme").await).await;
    assert_eq!((first.0, acme.0), (201, 201), "{first:?} {acme:?}");

    let general = ConversationId::channel("general").unwrap();
    let default: Vec<String> = zoom.conversation(&general).iter().map(|m| m.text()).collect();
    let in_acme: Vec<String> = zoom.account(ACME).conversation(&general).iter().map(|m| m.text()).collect();
    assert_eq!(default, ["in the first"]);
    assert_eq!(in_acme, ["in acme"]);
    let acme_id = acme.1["message_id"].as_str().unwrap();
    assert_eq!(zoom.message(acme_id).unwrap().account, ACME);

    // A message of Acme is not found in the first account: not edited, not deleted there.
    let edit = json!({"robot_jid": zoom.robot_jid(), "account_id": zoom.account_id(), "content": card("x")});
    let r = api(&zoom, Method::PUT, &format!("/im/chat/messages/{acme_id}"), &token).json(&edit).send().await.unwrap();
    expect_error(r, 404, 8001, "does not exist").await;
    let query = format!("/im/chat/messages/{acme_id}?robot_jid={}&account_id={}", zoom.robot_jid(), zoom.account_id());
    let r = api(&zoom, Method::DELETE, &query, &token).send().await.unwrap();
    expect_error(r, 404, 8001, "does not exist").await;
    // In its own account it is.
    let edit = json!({"robot_jid": zoom.robot_jid(), "account_id": ACME, "content": card("edited")});
    let r = api(&zoom, Method::PUT, &format!("/im/chat/messages/{acme_id}"), &token).json(&edit).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(zoom.message(acme_id).unwrap().text(), "edited");
}

#[tokio::test]
async fn an_account_that_does_not_exist_or_has_not_installed_the_app_is_refused_7004() {
    let zoom = ZoomMock::builder().account(AccountSpec::new(GLOBEX).installed(false)).start().await.unwrap();
    let token = bot_token(&zoom).await;
    for account in [GLOBEX, "NoSuchAccount"] {
        let r = send(&zoom, &token, account, CHANNEL, "hi").await;
        expect_error(r, 403, 7004, "Not authorized.").await;
    }
    assert_eq!(zoom.message_count(), 0);
    // Installed, it takes sends; removed, it refuses them again (what was sent stays).
    zoom.install(GLOBEX).await.unwrap_err(); // no bot connected: nothing to deliver to
    assert!(zoom.account(GLOBEX).is_installed());
    let sent = answer(send(&zoom, &token, GLOBEX, CHANNEL, "hi").await).await;
    assert_eq!(sent.0, 201, "{sent:?}");
    let id = sent.1["message_id"].as_str().unwrap().to_owned();
    zoom.uninstall(GLOBEX).await.unwrap_err();
    assert!(!zoom.account(GLOBEX).is_installed());
    expect_error(send(&zoom, &token, GLOBEX, CHANNEL, "again").await, 403, 7004, "Not authorized.").await;
    let edit = json!({"robot_jid": zoom.robot_jid(), "account_id": GLOBEX, "content": card("x")});
    let r = api(&zoom, Method::PUT, &format!("/im/chat/messages/{id}"), &token).json(&edit).send().await.unwrap();
    expect_error(r, 403, 7004, "Not authorized.").await;
    let query = format!("/im/chat/messages/{id}?robot_jid={}&account_id={GLOBEX}", zoom.robot_jid());
    expect_error(api(&zoom, Method::DELETE, &query, &token).send().await.unwrap(), 403, 7004, "Not authorized.").await;
    assert_eq!(zoom.account(GLOBEX).conversation(&ConversationId::channel("general").unwrap()).len(), 1);
}

#[tokio::test]
async fn install_and_uninstall_deliver_signed_events_in_zooms_shape() {
    let zoom = ZoomMock::builder().account(AccountSpec::new(GLOBEX).installed(false)).start().await.unwrap();
    let (url, events) = recording_bot("/events").await;
    zoom.connect_bot(&url, "s").await.unwrap();
    let user = zoom.account(GLOBEX).user_jid();

    assert_eq!(zoom.install(GLOBEX).await.unwrap(), 200);
    assert_eq!(zoom.uninstall(GLOBEX).await.unwrap(), 200);
    let seen = events.lock().unwrap().clone();
    let installed = &seen[1];
    assert_eq!(installed["event"], "bot_installed");
    assert_eq!(installed["payload"]["accountId"], GLOBEX);
    assert_eq!(installed["payload"]["robotJid"], zoom.robot_jid());
    assert_eq!(installed["payload"]["userJid"], user.as_str());
    assert_eq!(installed["payload"]["userId"], user.split('@').next().unwrap());
    let removed = &seen[2];
    assert_eq!(removed["event"], "app_deauthorized");
    assert_eq!(removed["payload"]["account_id"], GLOBEX);
    assert_eq!(removed["payload"]["client_id"], zoom.client_id().as_str());
    assert_eq!(removed["payload"]["user_id"], user.split('@').next().unwrap());
    // Both read as the spec's events, and both are in the page's list of deliveries.
    for event in [installed, removed] {
        serde_json::from_value::<zoom_api_gen::types::ZoomEvent>(event.clone()).unwrap();
    }
    let delivered: Vec<String> = zoom.deliveries().iter().map(|d| d.event.clone()).collect();
    assert_eq!(delivered, ["endpoint.url_validation", "bot_installed", "app_deauthorized"]);
    assert!(zoom.deliveries()[1].detail.contains(GLOBEX), "{:?}", zoom.deliveries()[1]);
    // An account the fake does not hold is neither installed nor removed.
    assert!(zoom.install("NoSuchAccount").await.unwrap_err().to_string().contains("NoSuchAccount"));
}

#[tokio::test]
async fn a_saturated_free_account_answers_429_while_another_accounts_sends_succeed() {
    let zoom =
        ZoomMock::builder().plan(Plan::Free).account(AccountSpec::new(ACME).plan(Plan::Free)).start().await.unwrap();
    let token = bot_token(&zoom).await;
    let first = zoom.account_id();
    // Free: Medium is 2 a second, so of three sends in one second the third is refused (the
    // paused clock keeps them in one second on a machine however loaded).
    zoom.pause_clock();
    let statuses: Vec<u16> = three(&zoom, &token, &first).await.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses, [201, 201, 429]);
    // Acme's budget is its own: two of its three go through too.
    let answers = three(&zoom, &token, ACME).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses, [201, 201, 429], "acme's sends");
    assert_eq!(answers[2].headers()["x-ratelimit-type"], "QPS");
}

#[tokio::test]
async fn each_account_has_its_own_daily_quota() {
    // Free accounts with no per-second limit in the way: only the day's 2,000 Medium calls.
    let zoom = ZoomMock::builder()
        .plan(Plan::Free)
        .rate(RateLabel::Medium, 1_000_000)
        .account(AccountSpec::new(ACME).plan(Plan::Free))
        .start()
        .await
        .unwrap();
    let token = bot_token(&zoom).await;
    let first = zoom.account_id();
    let sends: Vec<_> = (0..8)
        .map(|worker| {
            let (body, url, token) = (
                send_in(&zoom, &first, CHANNEL, "x"),
                format!("{}/im/chat/messages", zoom.api_base_url()),
                token.clone(),
            );
            tokio::spawn(async move {
                let client = http();
                let mut created = 0;
                for _ in 0..250 {
                    let r = client.post(&url).bearer_auth(&token).json(&body).send().await.unwrap();
                    created += usize::from(r.status() == 201);
                }
                (worker, created)
            })
        })
        .collect();
    let mut created = 0;
    for s in sends {
        created += s.await.unwrap().1;
    }
    assert_eq!(created, 2_000);
    let over = send(&zoom, &token, &first, CHANNEL, "over").await;
    assert_eq!(over.status(), 429);
    assert_eq!(over.headers()["x-ratelimit-type"], "Daily-limit");
    assert!(over.headers()["retry-after"].to_str().unwrap().ends_with("T00:00:00Z"));
    assert_eq!(send(&zoom, &token, ACME, CHANNEL, "acme").await.status(), 201, "Acme's day is its own");
}

#[tokio::test]
async fn user_level_calls_act_in_the_account_of_their_token() {
    let zoom = ZoomMock::builder().account(AccountSpec::new(ACME)).start().await.unwrap();
    let acme = api_token_in(&zoom, ACME).await;
    let first = api_token(&zoom).await;
    let r = api(&zoom, Method::POST, "/chat/users/me/messages", &acme)
        .json(&json!({"message": "from acme", "to_channel": "general"}))
        .send()
        .await
        .unwrap();
    let (status, body) = answer(r).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap();
    let general = ConversationId::channel("general").unwrap();
    let stored = zoom.account(ACME).conversation(&general);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].sender, Sender::User(zoom.accounts()[1].user_id.clone()), "`me` is Acme's user");
    assert!(zoom.conversation(&general).is_empty(), "nothing in the first account");
    // Acme's message is not found with the first account's token, and is with Acme's.
    let path = format!("/chat/users/me/messages/{id}");
    expect_error(api(&zoom, Method::GET, &path, &first).send().await.unwrap(), 404, 4131, "does not exist").await;
    assert_eq!(api(&zoom, Method::GET, &path, &acme).send().await.unwrap().status(), 200);
    for (token, expected) in [(&first, 0), (&acme, 1)] {
        let listed = api(&zoom, Method::GET, "/chat/users/me/messages?to_channel=general", token).send().await.unwrap();
        let (status, body) = answer(listed).await;
        assert_eq!((status, body["messages"].as_array().map_or(0, Vec::len)), (200, expected), "{body}");
    }
    // An account the fake does not hold gets no token.
    let r = token_for(&zoom, "NoSuchAccount").await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn events_name_the_account_they_happen_in() {
    let zoom = ZoomMock::builder().account(AccountSpec::new(ACME)).start().await.unwrap();
    let (url, events) = recording_bot("/events").await;
    let bot = zoom.connect_bot(&url, "s").await.unwrap();
    let user = zoom.account(ACME).user_jid();
    assert_eq!(zoom.slash_command(&bot, &user, CHANNEL, "hello").await.unwrap(), 200);
    assert_eq!(zoom.slash_command(&bot, "ana@xmpp.zoom.us", CHANNEL, "hi").await.unwrap(), 200);
    // A click on a card of Acme happens in Acme.
    let token = bot_token(&zoom).await;
    let mut body = send_in(&zoom, ACME, CHANNEL, "x");
    body["content"] =
        json!({"head": {"text": "Go?"}, "body": [{"type": "actions", "items": [{"text": "Go", "value": "go"}]}]});
    let sent = api(&zoom, Method::POST, "/im/chat/messages", &token).json(&body).send().await.unwrap();
    let id = answer(sent).await.1["message_id"].as_str().unwrap().to_owned();
    assert_eq!(zoom.click(&bot, &user, &id, "go").await.unwrap(), 200);
    let seen = events.lock().unwrap();
    let accounts: Vec<&str> = seen[1..].iter().map(|e| e["payload"]["accountId"].as_str().unwrap()).collect();
    assert_eq!(accounts, [ACME, "FakeAccount01", ACME]);
    assert_eq!(seen[1]["payload"]["userJid"], user.as_str());
}

#[tokio::test]
async fn the_page_acts_in_the_account_picked_and_shows_each_conversations_account() {
    let zoom = ZoomMock::builder()
        .account(AccountSpec::new(ACME))
        .account(AccountSpec::new(GLOBEX).installed(false))
        .start()
        .await
        .unwrap();
    let (url, events) = recording_bot("/events").await;
    zoom.connect_bot(&url, "s").await.unwrap();
    let base = zoom.oauth_base_url();
    let post = |path: &str, form: &[(&str, &str)]| {
        browser().post(format!("{base}{path}")).header("origin", &base).form(form).send()
    };
    let page = || async { http().get(format!("{base}/")).send().await.unwrap().text().await.unwrap() };

    let html = page().await;
    for account in ["FakeAccount01", ACME, GLOBEX] {
        assert!(html.contains(&format!("<option value=\"{account}\"")), "{account} can be picked: {html}");
    }
    let acted = post("/_fake/act/command", &[("account", ACME), ("to_jid", CHANNEL), ("text", "/echo hi")]).await;
    assert_eq!(acted.unwrap().status(), 303);
    {
        let seen = events.lock().unwrap();
        assert_eq!(seen[1]["payload"]["accountId"], ACME);
        assert_eq!(seen[1]["payload"]["userJid"], zoom.account(ACME).user_jid().as_str(), "as Acme's user");
    }
    // Install from the page: the event reaches the bot and the account takes sends.
    post("/_fake/act/install", &[("account", GLOBEX)]).await.unwrap();
    assert!(zoom.account(GLOBEX).is_installed());
    assert_eq!(events.lock().unwrap()[2]["event"], "bot_installed");
    post("/_fake/act/uninstall", &[("account", GLOBEX)]).await.unwrap();
    assert!(!zoom.account(GLOBEX).is_installed());
    assert_eq!(events.lock().unwrap()[3]["event"], "app_deauthorized");
    // In an account without the app, Zoom delivers nothing: the page says why instead.
    post("/_fake/act/command", &[("account", GLOBEX), ("to_jid", CHANNEL), ("text", "/echo hi")]).await.unwrap();
    assert_eq!(events.lock().unwrap().len(), 4, "no event from an account without the app");
    let refusal = zoom.deliveries().last().map(|d| format!("{:?}", d.outcome)).unwrap_or_default();
    assert!(refusal.contains("not installed"), "{refusal}");

    // Each conversation says which account it is in.
    let token = bot_token(&zoom).await;
    assert_eq!(send(&zoom, &token, ACME, "acmeroom@conference.xmpp.zoom.us", "x").await.status(), 201);
    let html = page().await;
    assert!(html.contains("acmeroom@conference.xmpp.zoom.us · AcmeAccount"), "{html}");
    let foreign = common::markup::foreign_markup(&html, common::markup::Allowed { script: Some(LIVE), style: true });
    assert!(foreign.is_empty(), "the account controls are the page's own markup: {foreign:#?}");
}
