//! `POST /oauth/token` and `POST /oauth/revoke`, with Zoom's OAuth error bodies.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::State as AxumState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use zoom_api_gen::types::{self, GrantType};

use super::http::{Incoming, json, oauth_error};
use super::ops::operations;
use super::shared::Shared;
use super::state::{AuthCode, State, TokenInfo, TokenKind};

/// Scope of chatbot tokens.
const CHATBOT_SCOPE: &str = "imchat:bot";
/// Scope of server-to-server and user tokens.
const CHAT_SCOPE: &str = "chat_message:read chat_message:write";

/// Fields of a form body, with the query's fields underneath: real clients send
/// `grant_type` either way.
fn form_fields(req: &Incoming) -> Map<String, Value> {
    let mut fields: Map<String, Value> = req.query.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    for (k, v) in form_urlencoded::parse(&req.body) {
        fields.insert(k.into_owned(), Value::String(v.into_owned()));
    }
    fields
}

fn app_credentials_ok(state: &State, headers: &HeaderMap) -> bool {
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else { return false };
    let Some(encoded) = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic ")) else { return false };
    let Ok(decoded) = STANDARD.decode(encoded.trim()) else { return false };
    let expected = format!("{}:{}", state.config.client_id, state.config.client_secret);
    decoded == expected.as_bytes()
}

pub(crate) async fn token(AxumState(shared): AxumState<Arc<Shared>>, req: Incoming) -> Response {
    let mut state = shared.lock();
    if !app_credentials_ok(&state, &req.headers) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Invalid client_id or client_secret");
    }
    let fields = form_fields(&req);
    let Some(grant) = fields.get("grant_type").and_then(Value::as_str) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Missing grant_type");
    };
    let grant: GrantType = match grant.parse() {
        Ok(g) => g,
        Err(_) => return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "Unsupported grant type"),
    };
    // The rest of the form is held to the spec's TokenRequest schema.
    let violations = operations().validator().validate_component("TokenRequest", &Value::Object(fields.clone()), "");
    if let Some(v) = violations.and_then(|v| v.into_iter().next()) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", v.to_string());
    }
    let field = |name: &str| fields.get(name).and_then(Value::as_str).map(str::to_owned);
    // The account a server-to-server or user token acts in; a chatbot token serves every
    // account the app is installed in.
    let (kind, account) = match grant {
        GrantType::ClientCredentials => (TokenKind::Chatbot, None),
        GrantType::AccountCredentials => match field("account_id") {
            Some(a) if state.account(&a).is_some() => (TokenKind::ServerToServer, Some(a)),
            Some(_) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Invalid account_id"),
            None => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Missing account_id"),
        },
        GrantType::AuthorizationCode => {
            let Some(code) = field("code").and_then(|c| state.auth_codes.remove(&c)) else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Invalid authorization code");
            };
            if code.redirect_uri.is_some() && code.redirect_uri != field("redirect_uri") {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Redirect URI mismatch.");
            }
            if let Some(challenge) = &code.code_challenge {
                let verifier = field("code_verifier").unwrap_or_default();
                if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != *challenge {
                    return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Invalid code_verifier");
                }
            }
            (TokenKind::User(code.user_id), Some(code.account))
        }
        GrantType::RefreshToken => {
            // Refresh tokens rotate: the one presented is used up.
            let Some((user, account)) = field("refresh_token").and_then(|t| state.refresh_tokens.remove(&t)) else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Invalid Token!");
            };
            (TokenKind::User(user), Some(account))
        }
    };
    let (access_token, lifetime) = mint(&mut state, &kind, account.clone());
    let refresh_token = match (&kind, account) {
        (TokenKind::User(user), Some(account)) => {
            let t = state.new_opaque(32);
            state.refresh_tokens.insert(t.clone(), (user.clone(), account));
            Some(t)
        }
        _ => None,
    };
    let scope = if kind == TokenKind::Chatbot { CHATBOT_SCOPE } else { CHAT_SCOPE };
    state.record_issue(grant, kind);
    let body = types::TokenResponse {
        access_token,
        token_type: "bearer".into(),
        expires_in: lifetime as i64,
        scope: scope.into(),
        api_url: Some(shared.origin.clone()),
        refresh_token,
    };
    json(StatusCode::OK, &body)
}

/// A new access token: JWT-shaped like Zoom's, whose payload carries the `uid` and the
/// account (`aid`: the one it acts in, the first for a chatbot token).
fn mint(state: &mut State, kind: &TokenKind, account: Option<String>) -> (String, u64) {
    let now = Instant::now();
    if state.tokens.len() > 1024 {
        state.drop_expired_tokens(now);
    }
    let lifetime = state.config.token_lifetime;
    let aid = account.clone().unwrap_or_else(|| state.default_account().to_owned());
    let uid = match kind {
        TokenKind::Chatbot => state.config.bot_user_id.clone(),
        TokenKind::ServerToServer => state.account(&aid).map(|a| a.user_id.clone()).unwrap_or_default(),
        TokenKind::User(u) => u.clone(),
    };
    let exp = chrono::Utc::now().timestamp() + lifetime.as_secs() as i64;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS512","typ":"JWT"}"#);
    let jti = state.new_opaque(12);
    let payload = json!({"uid": uid, "aid": aid, "iss": "fake-zoom", "exp": exp, "jti": jti});
    let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
    let signature = state.new_opaque(32);
    let token = format!("{header}.{payload}.{signature}");
    let info = TokenInfo { kind: kind.clone(), account, expires: now + lifetime, generation: state.token_generation };
    state.tokens.insert(token.clone(), info);
    (token, lifetime.as_secs())
}

pub(crate) async fn revoke(AxumState(shared): AxumState<Arc<Shared>>, req: Incoming) -> Response {
    let mut state = shared.lock();
    if !app_credentials_ok(&state, &req.headers) {
        oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Invalid client_id or client_secret")
    } else {
        let fields = form_fields(&req);
        match fields.get("token").and_then(Value::as_str) {
            None => oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "token: is required"),
            Some(token) => {
                state.tokens.remove(token);
                state.refresh_tokens.remove(token);
                json(StatusCode::OK, &types::RevokeTokenResponse { status: "success".into() })
            }
        }
    }
}

/// Creates an authorisation code for `user_id`, as Zoom's consent page would.
pub(crate) fn authorization_code(
    state: &mut State,
    user_id: &str,
    redirect_uri: Option<&str>,
    code_challenge: Option<&str>,
) -> String {
    let code = state.new_opaque(24);
    let account = state.default_account().to_owned();
    state.auth_codes.insert(
        code.clone(),
        AuthCode {
            account,
            user_id: user_id.to_owned(),
            redirect_uri: redirect_uri.map(str::to_owned),
            code_challenge: code_challenge.map(str::to_owned),
        },
    );
    code
}
