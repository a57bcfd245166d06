//! The Users API: one user of the token's account, by id, email address or `me`; and the
//! company contacts search, over the same users.

use axum::http::StatusCode;
use serde_json::json;

use super::channels::paginate;
use super::http::{Answer, Call, ErrorShape, error, json};
use super::state::{Listing, State, TokenKind};
use zoom_api_gen::types;

const F: ErrorShape = ErrorShape::Api;

/// `getUser`: the account's default user or a user of its directory, found by id or email
/// (either case), with the JID chatbot messages to them go to. Zoom answers 404, code 1001,
/// for a user the account does not hold.
pub(crate) fn get(state: &mut State, call: Call<'_, String>) -> Answer {
    let user_id = call.path;
    let account = call.token.account.clone().unwrap_or_else(|| state.default_account().to_owned());
    let Some(spec) = state.account(&account) else {
        return Err(error(F, StatusCode::NOT_FOUND, 1001, format!("User does not exist: {user_id}.")));
    };
    let wanted = match (user_id.as_str(), &call.token.kind) {
        ("me", TokenKind::User(user)) => user.clone(),
        ("me", _) => spec.user_id.clone(),
        (other, _) => other.to_owned(),
    };
    let directory = spec.users.iter().map(|u| (u.id.as_str(), Some(u.email.as_str())));
    let mut everyone = std::iter::once((spec.user_id.as_str(), None)).chain(directory);
    let found = everyone
        .find(|(id, email)| id.eq_ignore_ascii_case(&wanted) || email.is_some_and(|e| e.eq_ignore_ascii_case(&wanted)));
    let Some((id, email)) = found else {
        return Err(error(F, StatusCode::NOT_FOUND, 1001, format!("User does not exist: {user_id}.")));
    };
    let mut user = json!({
        "id": id,
        "display_name": id,
        "jid": format!("{}{}", id.to_ascii_lowercase(), zoom_api_gen::jid::USER_DOMAIN),
        "account_id": account,
        "type": 1,
        "status": "active",
    });
    if let Some(email) = email {
        user["email"] = email.into();
    }
    Ok(json(StatusCode::OK, &user))
}

/// `searchContacts`: the account's default user and directory users whose email address or
/// name (the fake's display name is the id) holds the key, in either case, in pages. Zoom's
/// pages do not say how a key matches; the fake takes any part of an address or name.
pub(crate) fn search(state: &mut State, call: Call<'_>) -> Answer {
    let account = call.token.account.clone().unwrap_or_else(|| state.default_account().to_owned());
    let key = call.req.query("search_key").unwrap_or_default().to_lowercase();
    let found: Vec<types::Contact> = match state.account(&account) {
        None => Vec::new(),
        Some(spec) => {
            let directory = spec.users.iter().map(|u| (u.id.clone(), Some(u.email.clone())));
            std::iter::once((spec.user_id.clone(), None))
                .chain(directory)
                .filter(|(id, email)| {
                    id.to_lowercase().contains(&key)
                        || email.as_deref().is_some_and(|e| e.to_lowercase().contains(&key))
                })
                .map(|(id, email)| types::Contact {
                    display_name: Some(id.clone()),
                    id: Some(id),
                    email,
                    contact_type: std::num::NonZeroU64::new(1),
                    user_status: Some("active".into()),
                    ..Default::default()
                })
                .collect()
        }
    };
    let page = paginate(state, call.req, account, Listing::Contacts(key), 1, found)?;
    let contacts = types::ContactPage {
        contacts: page.items,
        next_page_token: Some(page.next_token),
        page_size: Some(page.size as i64),
    };
    Ok(json(StatusCode::OK, &contacts))
}
