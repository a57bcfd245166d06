//! Acting as a Zoom user from the page, in the account picked (or the card's): the forms of
//! `GET /` post here, and the fake delivers
//! the matching event to the page's bot, signed, in Zoom's published shape, as
//! `ZoomMock::slash_command`, `click`, `select`, `edit_text` and `edit_field` do. Every
//! outcome, a refusal included, lands in the list of deliveries the page shows; each answer is
//! a redirect back to the page.

use std::sync::Arc;

use axum::extract::{FromRequest, Path, Request, State as AxumState};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use zoom_api_gen::types::ZoomEvent;

use super::delivery::DeliveryError;
use super::shared::Shared;
use super::state::ConversationId;
use super::state::Delivery;

/// Where the page's forms post:
/// `/_fake/act/{command,click,select,edit,install,uninstall,post,add_bot,remove_bot}`.
pub(crate) const ACT: &str = "/_fake/act/{action}";
/// Where the page's bot form posts.
pub(crate) const BOT: &str = "/_fake/bot";

/// A form posted by the fake's own page: the routes that take one are guarded
/// (`guard::form`: the fake's own `Host` and `Origin`), so that no web page a developer visits
/// can make the fake act on their bot.
pub(crate) struct PageForm(Vec<(String, String)>);

impl PageForm {
    /// A field, by name (the last one wins; empty when absent).
    fn field(&self, name: &str) -> String {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequest<S> for PageForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let body = axum::body::Bytes::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        Ok(Self(form_urlencoded::parse(&body).into_owned().collect()))
    }
}

/// Back to the page: at the message acted on, or at the top.
fn back(message_id: &str) -> Response {
    let anchor = if message_id.is_empty() { String::new() } else { format!("#m-{message_id}") };
    match header::HeaderValue::from_str(&format!("/{anchor}")) {
        Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        Err(_) => (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response(),
    }
}

/// The user who acts in `account`: its default user in a channel, the contact in a
/// one-to-one chat.
fn actor(shared: &Shared, account: &str, conversation: Option<&ConversationId>) -> String {
    match conversation {
        Some(user @ ConversationId::User(_)) => user.jid().to_owned(),
        _ => shared.lock().user_jid(account),
    }
}

/// Records an action that delivered nothing, with the reason.
pub(crate) fn record_refusal(shared: &Shared, event: &str, detail: String, why: String) {
    shared.lock().deliveries.record(Delivery {
        at: chrono::Utc::now(),
        event: event.to_owned(),
        detail,
        outcome: Err(why),
        elapsed: std::time::Duration::ZERO,
    });
    shared.changed();
}

/// `POST /_fake/act/{action}`: a form of the page, turned into an event for the bot.
pub(crate) async fn act(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path(action): Path<String>,
    form: PageForm,
) -> Response {
    let field = |name: &str| form.field(name);
    let message_id = field("message_id");
    // The account picked (the first when none is), or the card's own.
    let (account, conversation) = {
        let state = shared.lock();
        let picked = Some(field("account")).filter(|a| !a.is_empty());
        match state.messages.get(&message_id) {
            Some(m) => (m.account.clone(), Some(m.conversation.clone())),
            None => (picked.unwrap_or_else(|| state.default_account().to_owned()), None),
        }
    };
    // Zoom delivers nothing from an account that has not installed the app.
    if !matches!(action.as_str(), "install" | "uninstall") && !shared.lock().installed(&account) {
        let why = format!("the app is not installed in account {account}: install it first");
        record_refusal(&shared, &action, message_id.clone(), why);
        return back(&message_id);
    }
    let built: Result<ZoomEvent, DeliveryError> = match action.as_str() {
        "install" | "uninstall" => {
            // The outcome, good or bad, is in the list of deliveries.
            let _ = shared.set_installed(&account, action == "install").await;
            return back("");
        }
        // A user posts in a channel, or adds the bot to one or removes it: the state changes,
        // and the Team Chat event goes to the bot (`team_chat.rs`).
        "post" | "add_bot" | "remove_bot" => {
            let channel = field("channel");
            let user = Some(field("user"))
                .filter(|u| !u.is_empty())
                .or_else(|| shared.lock().account(&account).map(|a| a.user_id.clone()))
                .unwrap_or_default();
            let done = match action.as_str() {
                "post" => shared.post_in_channel(&account, &user, &channel, &field("text")).await,
                present => shared.set_bot_in_channel(&account, &user, &channel, present == "add_bot").await,
            };
            // The outcome, good or bad, is in the list of deliveries.
            let _ = done;
            return back("");
        }
        "command" => {
            let to_jid = field("to_jid");
            let typed = field("text");
            // `/command rest`: Zoom sends the text after the command; a direct message to the
            // bot is sent whole.
            let text = match typed.strip_prefix('/') {
                Some(command) => command.split_once(' ').map_or("", |(_, rest)| rest).trim().to_owned(),
                None => typed.trim().to_owned(),
            };
            let user = actor(&shared, &account, to_jid.parse::<ConversationId>().ok().as_ref());
            Ok(shared.slash_command(&account, &user, &to_jid, &text))
        }
        "click" => shared.click(&actor(&shared, &account, conversation.as_ref()), &message_id, &field("value")),
        "select" => {
            let user = actor(&shared, &account, conversation.as_ref());
            shared.select(&user, &message_id, &[field("value").as_str()])
        }
        "edit" => {
            let user = actor(&shared, &account, conversation.as_ref());
            match field("key").as_str() {
                "" => shared.edit_text(&user, &message_id, &field("text")),
                key => shared.edit_field(&user, &message_id, key, &field("text")),
            }
        }
        other => Err(DeliveryError::Unknown(format!("no action {other:?}"))),
    };
    let event = match built {
        Ok(event) => event,
        Err(why) => {
            record_refusal(&shared, &action, message_id.clone(), why.to_string());
            return back(&message_id);
        }
    };
    match shared.page_bot().await {
        // The outcome, good or bad, is in the list of deliveries.
        Ok(bot) => drop(shared.deliver(&bot, &event).await),
        Err(why) => record_refusal(&shared, &action, String::new(), why),
    }
    back(&message_id)
}

/// `POST /_fake/bot` with `url` and `secret`: validates that bot and makes it the page's.
pub(crate) async fn connect(AxumState(shared): AxumState<Arc<Shared>>, form: PageForm) -> Response {
    // The outcome is recorded as a delivery of the handshake.
    let _ = shared.connect_bot(form.field("url").trim(), &form.field("secret")).await;
    back("")
}
