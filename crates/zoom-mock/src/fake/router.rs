//! The fake's router: every path of Zoom's three hosts, the fake's own controls, and the
//! middleware that injects faults and records each request with its answer.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequest, Path, Request, State as AxumState};
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, get, on, post};
use serde::de::DeserializeOwned;
use zoom_api_gen::operations::OperationId;

use super::guard::Guard;
use super::http::{self, Answer, Call, ErrorShape};
use super::limits::{Limited, RetryAfter};
use super::shared::Shared;
use super::state::{SeenRequest, State};
use super::{act, callback, channels, chat, chatbot, files, guard, oauth, ops, page, schedule, users, webhook};

/// Every route of the fake; the page, its forms and the controls behind `guard`.
pub(crate) fn router(shared: Arc<Shared>, guard: Arc<Guard>) -> Router {
    let page_guard = || middleware::from_fn_with_state(guard.clone(), guard::page);
    let form_guard = || middleware::from_fn_with_state(guard.clone(), guard::form);
    let control_guard = || middleware::from_fn_with_state(guard.clone(), guard::control);
    use OperationId as Op;
    Router::new()
        // The operations that judge their requests themselves: the callback reply (by its
        // event's token), OAuth (by the app's credentials) and incoming webhooks (by theirs).
        .raw_operation(Op::ReplyToCallback, callback::reply)
        .raw_operation(Op::RequestToken, oauth::token)
        .raw_operation(Op::RevokeToken, oauth::revoke)
        .raw_operation(Op::SendIncomingWebhook, webhook::post)
        // The API's operations, each a plain function behind the pipeline (`Shared::run`).
        .operation(Op::SendChatbotMessage, chatbot::send)
        .operation(Op::EditChatbotMessage, chatbot::edit)
        .operation(Op::DeleteChatbotMessage, chatbot::delete)
        .operation(Op::UnfurlLink, chatbot::unfurl)
        .operation(Op::ListChatMessages, chat::list)
        .operation(Op::SendChatMessage, chat::send)
        .operation(Op::GetChatMessage, chat::get)
        .operation(Op::EditChatMessage, chat::edit)
        .operation(Op::DeleteChatMessage, chat::delete)
        .operation(Op::ReactToChatMessage, chat::react)
        .operation(Op::MarkChatMessage, chat::mark)
        .operation(Op::GetChatMessageThread, chat::thread)
        .operation(Op::GetUser, users::get)
        .operation(Op::SearchContacts, users::search)
        .operation(Op::ListChannels, channels::list)
        .operation(Op::CreateChannel, channels::create)
        .operation(Op::GetChannel, channels::get)
        .operation(Op::ListChannelMembers, channels::members)
        .operation(Op::InviteChannelMembers, channels::invite)
        .operation(Op::UpdateChannel, channels::update)
        .operation(Op::DeleteChannel, channels::delete)
        .operation(Op::RemoveChannelMember, channels::remove_member)
        .operation(Op::JoinChannel, channels::join)
        .operation(Op::LeaveChannel, channels::leave)
        .operation(Op::UploadChatFile, files::upload)
        .operation(Op::SendChatFile, files::send)
        .operation(Op::GetChatFile, files::get)
        .operation(Op::DeleteChatFile, files::delete)
        .operation(Op::RemoveChannelMembers, channels::remove_members)
        .operation(Op::ArchiveChannels, channels::archive)
        .operation(Op::ListScheduledMessages, schedule::list_scheduled)
        .operation(Op::DeleteScheduledMessage, schedule::delete_scheduled)
        .operation(Op::CreateReminder, schedule::create_reminder)
        .operation(Op::DeleteReminder, schedule::delete_reminder)
        .operation(Op::ListReminders, schedule::list_reminders)
        // A page for people: the conversations, drawn, a card preview, and the page's forms
        // (outside Zoom's paths). Guarded: only the fake's own names, and only its own page
        // may post (`guard.rs`).
        .route("/", get(page::index).route_layer(page_guard()))
        .route(
            "/preview",
            get(page::preview).route_layer(page_guard()).merge(post(page::preview).route_layer(form_guard())),
        )
        .route(page::CHANGES, get(page::changes).route_layer(page_guard()))
        .route(&format!("{}/{{fileId}}", files::FILE_PATH), get(files::bytes).route_layer(page_guard()))
        .route(files::UPLOAD, post(files::page_upload).route_layer(form_guard()))
        .route(act::ACT, post(act::act).route_layer(form_guard()))
        .route(act::BOT, post(act::connect).route_layer(form_guard()))
        // Control of a running fake (for the binary, where there is no handle). Outside every
        // Zoom path, so no client written for Zoom can reach it by accident; guarded as the
        // page is, but a request with no Origin at all (curl) may use them.
        .route("/_fake/rate-limit", post(control_rate_limit).route_layer(control_guard()))
        .route("/_fake/invalidate-tokens", post(control_invalidate_tokens).route_layer(control_guard()))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), observe))
        .with_state(shared)
}

/// Routes an operation of the spec at its method and path (its server's path and its template,
/// which axum reads as the spec writes it: `{name}`).
trait RouteOperation {
    /// Routes `id` to `handler`, a function of the locked state and the call, behind the
    /// pipeline every API call goes through (`Shared::run`). A file operation's request may be
    /// as large as the fake's per-file cap. The Team Chat events the call queued go to the page's
    /// bot after its answer.
    fn operation<P, B, H>(self, id: OperationId, handler: H) -> Self
    where
        P: DeserializeOwned + Send + 'static,
        B: http::RequestBody,
        H: Fn(&mut State, Call<'_, P, B>) -> Answer + Clone + Send + Sync + 'static;

    /// Routes `id` to an axum handler that judges the request itself.
    fn raw_operation<H: Handler<T, Arc<Shared>>, T: 'static>(self, id: OperationId, handler: H) -> Self;
}

impl RouteOperation for Router<Arc<Shared>> {
    fn operation<P, B, H>(self, id: OperationId, handler: H) -> Self
    where
        P: DeserializeOwned + Send + 'static,
        B: http::RequestBody,
        H: Fn(&mut State, Call<'_, P, B>) -> Answer + Clone + Send + Sync + 'static,
    {
        let serve = move |AxumState(shared): AxumState<Arc<Shared>>, Path(path): Path<P>, request: Request| async move {
            let read = match ops::operations().get(id).form {
                Some(_) => files::incoming(&shared, request).await,
                None => http::Incoming::from_request(request, &()).await,
            };
            let req = match read {
                Ok(req) => req,
                Err(refused) => return refused,
            };
            let answer = shared.run(id, &req, |state, token, body| {
                handler(state, Call { token, path, body, req: &req, origin: &shared.origin })
            });
            // The Team Chat events the call queued (a message posted, a member gone, ...), after
            // its answer.
            shared.send_team_chat_events();
            answer
        };
        self.raw_operation(id, serve)
    }

    fn raw_operation<H: Handler<T, Arc<Shared>>, T: 'static>(self, id: OperationId, handler: H) -> Self {
        let info = id.info();
        let method = axum::http::Method::from_bytes(info.method.as_bytes()).expect("the spec's methods are HTTP's");
        let filter = MethodFilter::try_from(method).expect("the spec's methods are routable");
        self.route(&format!("{}{}", info.base_path, info.path), on(filter, handler))
    }
}

/// `POST /_fake/rate-limit?n=N`: the next N API requests are answered with a 429.
async fn control_rate_limit(AxumState(shared): AxumState<Arc<Shared>>, req: http::Incoming) -> Response {
    match req.query("n").and_then(|n| n.parse::<u32>().ok()) {
        Some(n) => {
            shared.lock().forced_429 = n;
            (StatusCode::OK, format!("the next {n} API requests answer 429\n")).into_response()
        }
        None => (StatusCode::BAD_REQUEST, "give ?n=NUMBER\n").into_response(),
    }
}

/// `POST /_fake/invalidate-tokens`: every token issued so far stops working.
async fn control_invalidate_tokens(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    invalidate(&mut shared.lock());
    (StatusCode::OK, "all tokens issued so far are invalid\n").into_response()
}

pub(crate) fn invalidate(state: &mut State) {
    state.token_generation += 1;
    let generation = state.token_generation;
    state.tokens.retain(|_, t| t.generation >= generation);
}

async fn not_found() -> Response {
    http::error(ErrorShape::Api, StatusCode::NOT_FOUND, 404, "The requested resource does not exist.")
}

/// Marks a response whose connection must be closed without an answer.
#[derive(Clone, Copy)]
pub(crate) struct DropConnection;

/// What the fault injector decided for one request.
#[derive(Default)]
struct Decision {
    delay: Duration,
    drop: bool,
    server_error: bool,
    force_429: bool,
}

fn shape_of(path: &str) -> ErrorShape {
    if path.starts_with("/v2/im/") { ErrorShape::Chatbot } else { ErrorShape::Api }
}

/// Wraps every request: injects the configured faults, then records the request and its
/// answer in the log.
async fn observe(AxumState(shared): AxumState<Arc<Shared>>, req: Request, next: Next) -> Response {
    // The page's stream of changes never ends: it is neither buffered nor logged.
    if req.uri().path() == page::CHANGES {
        return next.run(req).await;
    }
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let operation = ops::operations().identify(&method, &path);
    // Faults hit the API and incoming webhooks, never the OAuth host, the page or the fake's
    // controls.
    let faultable = path.starts_with("/v2/") || path.starts_with("/chat/webhooks/");
    let decision = if faultable { decide(&shared) } else { Decision::default() };
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }
    let shape = shape_of(&path);
    let fault = decision.drop || decision.server_error || decision.force_429;
    let response = if decision.drop {
        let mut r = StatusCode::INTERNAL_SERVER_ERROR.into_response();
        r.extensions_mut().insert(DropConnection);
        r
    } else if decision.force_429 {
        http::limited(
            shape,
            Limited {
                category: "Medium".into(),
                kind: "QPS",
                limit: 0,
                retry_after: RetryAfter::Seconds(1),
                message: "You have reached the maximum per-second rate limit for this API. Try again later.".into(),
            },
        )
    } else if decision.server_error {
        http::error(shape, StatusCode::SERVICE_UNAVAILABLE, 503, "Service temporarily unavailable.")
    } else {
        next.run(req).await
    };
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    // A successful write to a conversation (not a token: the page does not show those).
    if method != "GET" && operation.is_some() && faultable && parts.status.is_success() {
        shared.changed();
    }
    let mut state = shared.lock();
    if state.config.request_log > 0 {
        state.requests.push_back(SeenRequest {
            method,
            path,
            query,
            operation,
            status: parts.status.as_u16(),
            response_body: body.clone(),
            fault,
        });
        while state.requests.len() > state.config.request_log {
            state.requests.pop_front();
        }
    }
    drop(state);
    let mut response = Response::from_parts(parts, Body::from(body));
    if let Ok(id) = format!("fake-{:016x}", shared.tracking.fetch_add(1, Ordering::Relaxed)).parse() {
        response.headers_mut().insert(zoom_api_gen::TRACKING_ID_HEADER, id);
    }
    response
}

fn decide(shared: &Shared) -> Decision {
    let mut state = shared.lock();
    let f = state.config.faults.clone();
    let mut d = Decision { delay: f.latency, ..Decision::default() };
    if !f.jitter.is_zero() {
        d.delay += f.jitter.mul_f64(state.rng.next_f64());
    }
    if state.forced_429 > 0 {
        state.forced_429 -= 1;
        d.force_429 = true;
        return d;
    }
    if f.drop_rate > 0.0 && state.rng.next_f64() < f.drop_rate {
        d.drop = true;
    } else if f.error_rate > 0.0 && state.rng.next_f64() < f.error_rate {
        d.server_error = true;
    }
    d
}
