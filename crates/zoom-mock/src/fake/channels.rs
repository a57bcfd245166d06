//! The channel API (Zoom's "Chat Channels"): channels of the token's account, made with
//! their members, read, listed by member, renamed, archived and deleted, and their members
//! listed, invited and removed (one, or many at once).

use std::time::Instant;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use zoom_api_gen::types;

use super::chat::{account_of, acting, resolve_user};
use super::http::{Answer, Call, ErrorShape, Incoming, error, json};
use super::state::{ChannelMember, FakeChannel, Listing, PageCursor, State, channel_url};

const F: ErrorShape = ErrorShape::Api;

fn channel_missing(id: &str) -> Response {
    error(F, StatusCode::NOT_FOUND, 4130, format!("Channel does not exist: {id}."))
}

/// One page of a listing: its items, the token of the next page (empty after the last), the
/// page's size and the listing's length.
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    pub next_token: String,
    pub size: usize,
    pub total: usize,
}

/// The page of `all`, the listing `list` of `account`, that the request asks for: from its
/// `next_page_token` (which must continue the same listing in the same account, or Zoom's
/// 400/300), of its `page_size` (`default` when it gives none).
pub(crate) fn paginate<T>(
    state: &mut State,
    req: &Incoming,
    account: String,
    list: Listing,
    default: usize,
    all: Vec<T>,
) -> Result<Page<T>, Response> {
    let (offset, size) = page_of(state, req, &account, &list, default)?;
    let total = all.len();
    let items: Vec<T> = all.into_iter().skip(offset).take(size).collect();
    let next_token = next_token(state, account, list, offset + items.len(), total);
    Ok(Page { items, next_token, size, total })
}

/// A page of a channel listing as Zoom answers it (`ChannelPage`, `ChannelMemberPage`): the
/// page's items, under the listing's own name, and Zoom's paging fields.
macro_rules! answer_page {
    ($answer:path { $items:ident: $page:expr }) => {{
        let page = $page;
        $answer {
            $items: page.items,
            next_page_token: Some(page.next_token),
            page_size: Some(page.size as i64),
            total_records: Some(page.total as i64),
        }
    }};
}

/// The slice a page shows: its offset (from the page token) and size, or Zoom's 400/300.
fn page_of(
    state: &State,
    req: &Incoming,
    account: &str,
    list: &Listing,
    default: usize,
) -> Result<(usize, usize), Response> {
    let size = req.query("page_size").and_then(|p| p.parse::<usize>().ok()).unwrap_or(default);
    let offset = match req.query("next_page_token").filter(|t| !t.is_empty()) {
        None => 0,
        Some(token) => match state.page_cursors.get(token) {
            Some(c) if c.account == account && c.list == *list && c.is_live() => c.offset,
            _ => {
                return Err(error(
                    F,
                    StatusCode::BAD_REQUEST,
                    300,
                    "The next page token is either invalid or has expired.",
                ));
            }
        },
    };
    Ok((offset, size))
}

/// The token of the page after `end`, or empty when `end` is the last.
fn next_token(state: &mut State, account: String, list: Listing, end: usize, total: usize) -> String {
    if end >= total {
        return String::new();
    }
    let token = state.new_opaque(24);
    state.remember_cursor(token.clone(), PageCursor { account, list, offset: end, created: Instant::now() });
    token
}

/// `createChannel`: a channel owned by the path's user, with the members the body names by
/// email (a member the directory does not hold is one of another account). Zoom refuses a
/// name another channel of the account has (400, code 300) and a shared space that does not
/// exist (the fake holds none: 404, code 5407).
pub(crate) fn create(state: &mut State, call: Call<'_, String, types::CreateChannelRequest>) -> Answer {
    let user_id = call.path;
    let body = call.body;
    let (account, owner) = acting(state, &call.token, &user_id)?;
    if body.shared_space.is_some() {
        return Err(error(F, StatusCode::NOT_FOUND, 5407, "Shared space does not exist."));
    }
    let name = body.name.map(String::from).unwrap_or_default();
    if state.channels_of(&account).iter().any(|c| c.name == name) {
        return Err(error(F, StatusCode::BAD_REQUEST, 300, "The channel name already exists."));
    }
    // Zoom's pages give no default type; the fake's is 1, a private channel.
    let kind = body.type_.unwrap_or(types::ChannelType::Private);
    let asked = body.channel_settings.unwrap_or_default();
    let settings = types::ChannelSettings {
        add_member_permissions: Some(asked.add_member_permissions),
        new_members_can_see_previous_messages_files: Some(asked.new_members_can_see_previous_messages_files),
        posting_permissions: Some(asked.posting_permissions),
        mention_all_permissions: Some(asked.mention_all_permissions),
        allow_to_add_external_users: Some(0),
        designated_posting_members: Vec::new(),
    };
    let owner_email = state
        .account(&account)
        .and_then(|a| a.users.iter().find(|u| u.id.eq_ignore_ascii_case(&owner)))
        .map(|u| u.email.clone());
    let mut members = vec![ChannelMember {
        user_id: Some(owner),
        member_id: state.new_opaque(24),
        email: owner_email,
        role: types::ChannelMemberRole::Owner,
    }];
    for wanted in &body.members {
        let member = state.member_by_email(&account, &wanted.email);
        let known = |m: &ChannelMember| {
            m.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&wanted.email))
                || (m.user_id.is_some() && m.user_id == member.user_id)
        };
        if !members.iter().any(known) {
            members.push(member);
        }
    }
    let id = state.new_channel_id();
    state.channels_made += 1;
    let made = state.channels_made;
    let channel = FakeChannel {
        id: id.clone(),
        name: name.clone(),
        kind,
        settings,
        members,
        bots: Vec::new(),
        archived: false,
        made,
    };
    let jid = channel.jid().to_string();
    state.keep_channel(&account, channel);
    let created = types::ChannelCreated {
        id: Some(id.clone()),
        jid: Some(jid),
        name: Some(name),
        type_: Some(kind),
        channel_url: Some(channel_url(&id)),
    };
    Ok(json(StatusCode::CREATED, &created))
}

/// `getChannel`: a channel of the token's account, or Zoom's 404, code 4130.
pub(crate) fn get(state: &mut State, call: Call<'_, String>) -> Answer {
    let channel_id = call.path;
    let account = account_of(state, &call.token);
    match state.channel(&account, &channel_id) {
        Some(c) => Ok(json(StatusCode::OK, &c.to_channel())),
        None => Err(channel_missing(&channel_id)),
    }
}

/// `listChannels`: the channels of the account the path's user is a member of, oldest first.
pub(crate) fn list(state: &mut State, call: Call<'_, String>) -> Answer {
    let (account, user) = acting(state, &call.token, &call.path)?;
    let all: Vec<types::Channel> =
        state.channels_of(&account).into_iter().filter(|c| c.has_member(&user)).map(FakeChannel::to_channel).collect();
    let list = Listing::Channels(user.to_ascii_lowercase());
    let page = paginate(state, call.req, account, list, 10, all)?;
    Ok(json(StatusCode::OK, &answer_page!(types::ChannelPage { channels: page })))
}

fn to_member(m: &ChannelMember) -> types::ChannelMember {
    let name = m.user_id.clone().or_else(|| m.email.clone()).unwrap_or_default();
    types::ChannelMember {
        // Zoom leaves the id of another account's member empty.
        id: Some(m.user_id.clone().unwrap_or_default()),
        member_id: Some(m.member_id.clone()),
        email: m.email.clone(),
        first_name: None,
        last_name: None,
        name: Some(name),
        role: Some(m.role),
        is_external: Some(m.user_id.is_none()),
    }
}

/// `listChannelMembers`: a channel's members, its maker first.
pub(crate) fn members(state: &mut State, call: Call<'_, String>) -> Answer {
    let channel_id = call.path;
    let account = account_of(state, &call.token);
    let Some(channel) = state.channel(&account, &channel_id) else { return Err(channel_missing(&channel_id)) };
    let all: Vec<types::ChannelMember> = channel.members.iter().map(to_member).collect();
    let list = Listing::Members(channel.id.clone());
    let page = paginate(state, call.req, account, list, 30, all)?;
    Ok(json(StatusCode::OK, &answer_page!(types::ChannelMemberPage { members: page })))
}

/// `inviteChannelMembers`: the members the body names by email join the channel (those
/// already in it stay as they are); the answer lists the ids of the account's own.
pub(crate) fn invite(state: &mut State, call: Call<'_, String, types::InviteChannelMembersRequest>) -> Answer {
    let channel_id = call.path;
    let body = call.body;
    let account = account_of(state, &call.token);
    if state.channel(&account, &channel_id).is_none() {
        return Err(channel_missing(&channel_id));
    }
    let mut added = Vec::new();
    for wanted in &body.members {
        let member = state.member_by_email(&account, &wanted.email);
        let channel = state.channel_mut(&account, &channel_id).expect("checked above");
        let present =
            channel.has_member(&wanted.email) || member.user_id.as_deref().is_some_and(|id| channel.has_member(id));
        if !present {
            channel.members.push(member.clone());
            added.push(member);
        }
    }
    let inviter = resolve_user(state, &account, &call.token.kind, "me").unwrap_or_default();
    state.members_changed(&account, &inviter, &channel_id, &added, true);
    let ids: Vec<&str> = added.iter().filter_map(|m| m.user_id.as_deref()).collect();
    let member_ids: Vec<&str> = added.iter().map(|m| m.member_id.as_str()).collect();
    let invited = types::ChannelMembersInvited {
        added_at: Some(chrono::Utc::now()),
        ids: Some(ids.join(",")),
        member_ids: Some(member_ids.join(",")),
    };
    Ok(json(StatusCode::CREATED, &invited))
}

/// `updateChannel`: the name, type and settings the body gives (a posting member named by
/// one id gets the other from the channel's members when it is one of them). Zoom refuses a
/// name another channel of the account has (400, code 300).
pub(crate) fn update(state: &mut State, call: Call<'_, String, types::UpdateChannelRequest>) -> Answer {
    let channel_id = call.path;
    let body = call.body;
    let account = account_of(state, &call.token);
    let Some(current) = state.channel(&account, &channel_id) else { return Err(channel_missing(&channel_id)) };
    let (id, members) = (current.id.clone(), current.members.clone());
    if let Some(name) = &body.name
        && state.channels_of(&account).iter().any(|c| c.name == *name && c.id != id)
    {
        return Err(error(F, StatusCode::BAD_REQUEST, 300, "The channel name already exists."));
    }
    let channel = state.channel_mut(&account, &channel_id).expect("found above");
    if let Some(name) = body.name {
        channel.name = name;
    }
    if let Some(kind) = body.type_ {
        channel.kind = kind;
    }
    if let Some(asked) = body.channel_settings {
        let settings = &mut channel.settings;
        settings.add_member_permissions = asked.add_member_permissions.or(settings.add_member_permissions);
        settings.new_members_can_see_previous_messages_files =
            asked.new_members_can_see_previous_messages_files.or(settings.new_members_can_see_previous_messages_files);
        settings.posting_permissions = asked.posting_permissions.or(settings.posting_permissions);
        settings.mention_all_permissions = asked.mention_all_permissions.or(settings.mention_all_permissions);
        if !asked.designated_posting_members.is_empty() {
            settings.designated_posting_members = asked
                .designated_posting_members
                .into_iter()
                .map(|p| {
                    let found = members.iter().find(|m| {
                        p.user_id.as_deref().is_some_and(|u| m.user_id.as_deref() == Some(u))
                            || p.member_id.as_deref() == Some(m.member_id.as_str())
                    });
                    types::DesignatedPostingMember {
                        user_id: p.user_id.or_else(|| found.and_then(|m| m.user_id.clone())),
                        member_id: p.member_id.or_else(|| found.map(|m| m.member_id.clone())),
                    }
                })
                .collect();
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `deleteChannel`: the channel goes (its conversation's messages stay for inspection).
pub(crate) fn delete(state: &mut State, call: Call<'_, String>) -> Answer {
    let channel_id = call.path;
    let account = account_of(state, &call.token);
    if state.remove_channel(&account, &channel_id).is_none() {
        return Err(channel_missing(&channel_id));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `joinChannel`: the token's user joins a channel anyone in the account may join (public).
/// A channel the account does not hold, a private one or a group chat is Zoom's one
/// documented refusal, 400, code 5301; a member already in it joins again as they are.
pub(crate) fn join(state: &mut State, call: Call<'_, String>) -> Answer {
    let channel_id = call.path;
    let (account, user) = acting(state, &call.token, "me")?;
    let refused = || error(F, StatusCode::BAD_REQUEST, 5301, "The request to join the channel failed.");
    let open =
        |c: &FakeChannel| matches!(c.kind, types::ChannelType::Public | types::ChannelType::PublicToOtherAccounts);
    let Some(channel) = state.channel(&account, &channel_id).filter(|c| open(c)).cloned() else {
        return Err(refused());
    };
    let mine = |m: &ChannelMember| m.user_id.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(&user));
    let member = match channel.members.iter().find(|m| mine(m)) {
        Some(m) => m.clone(),
        None => {
            let by = state.operator(&account, &user, None);
            let member = ChannelMember {
                user_id: Some(user.clone()),
                member_id: by.member_id,
                email: Some(by.email),
                role: types::ChannelMemberRole::Member,
            };
            state.channel_mut(&account, &channel_id).expect("found above").members.push(member.clone());
            state.member_moved(&account, &user, &channel, true);
            member
        }
    };
    let joined = types::ChannelJoined {
        added_at: Some(chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0).unwrap_or_default()),
        id: member.user_id,
        member_id: Some(member.member_id),
    };
    Ok(json(StatusCode::CREATED, &joined))
}

/// `leaveChannel`: the token's user leaves the channel. A channel the account does not hold,
/// one the user is not in, or its owner leaving is Zoom's one documented refusal, 400, code
/// 5301 (the owner is the fake's choice, as for `removeChannelMember`).
pub(crate) fn leave(state: &mut State, call: Call<'_, String>) -> Answer {
    let channel_id = call.path;
    let (account, user) = acting(state, &call.token, "me")?;
    let refused = || error(F, StatusCode::BAD_REQUEST, 5301, "Request to leave the channel failed.");
    let Some(channel) = state.channel_mut(&account, &channel_id) else { return Err(refused()) };
    let mine = |m: &ChannelMember| m.user_id.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(&user));
    match channel.members.iter().position(mine) {
        Some(i) if channel.members[i].role != types::ChannelMemberRole::Owner => {
            channel.members.remove(i);
            let channel = channel.clone();
            state.member_moved(&account, &user, &channel, false);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(refused()),
    }
}

/// `removeChannelMember`: one member, by email, user id or member id. A member the channel
/// does not have, or its owner, is Zoom's 400, code 5301 (the owner is the fake's choice:
/// Zoom's pages do not say what removing the owner does).
pub(crate) fn remove_member(state: &mut State, call: Call<'_, (String, String)>) -> Answer {
    let (channel_id, identifier) = call.path;
    let account = account_of(state, &call.token);
    let Some(channel) = state.channel_mut(&account, &channel_id) else { return Err(channel_missing(&channel_id)) };
    let named = |m: &ChannelMember| {
        m.member_id == identifier
            || m.user_id.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(&identifier))
            || m.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&identifier))
    };
    match channel.members.iter().position(named) {
        Some(i) if channel.members[i].role != types::ChannelMemberRole::Owner => {
            let removed = channel.members.remove(i);
            let remover = resolve_user(state, &account, &call.token.kind, "me").unwrap_or_default();
            state.members_changed(&account, &remover, &channel_id, &[removed], false);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(error(F, StatusCode::BAD_REQUEST, 5301, "Unable to remove channel member.")),
    }
}

/// `removeChannelMembers`: the members the ids name (member ids or user ids, comma-separated)
/// leave the channel; ids that name no member are passed over (Zoom's page does not say). The
/// token's own user among them is Zoom's 400, code 300 ("You can not remove yourself."); the
/// owner, 400, code 5301, as `removeChannelMember` answers it. Nothing is removed then.
pub(crate) fn remove_members(state: &mut State, call: Call<'_, String>) -> Answer {
    let channel_id = call.path;
    let (account, me) = acting(state, &call.token, "me")?;
    let split = |name: &str| -> Vec<String> {
        call.req.query(name).map(|v| v.split(',').map(str::to_owned).collect()).unwrap_or_default()
    };
    let (member_ids, user_ids) = (split("member_ids"), split("user_ids"));
    let Some(channel) = state.channel_mut(&account, &channel_id) else { return Err(channel_missing(&channel_id)) };
    let named = |m: &ChannelMember| {
        member_ids.contains(&m.member_id)
            || m.user_id.as_deref().is_some_and(|u| user_ids.iter().any(|id| id.eq_ignore_ascii_case(u)))
    };
    if channel
        .members
        .iter()
        .filter(|m| named(m))
        .any(|m| m.user_id.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(&me)))
    {
        return Err(error(F, StatusCode::BAD_REQUEST, 300, "You can not remove yourself."));
    }
    if channel.members.iter().any(|m| named(m) && m.role == types::ChannelMemberRole::Owner) {
        return Err(error(F, StatusCode::BAD_REQUEST, 5301, "Unable to remove channel member."));
    }
    channel.members.retain(|m| !named(m));
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `archiveChannels`: each channel named is archived or unarchived; one that cannot be is
/// listed with Zoom's code (4130 unknown, 3205 archived already, 3213 not archived), and the
/// others change all the same.
pub(crate) fn archive(state: &mut State, call: Call<'_, (), types::ArchiveChannelsRequest>) -> Answer {
    let body = call.body;
    let account = account_of(state, &call.token);
    let archive = body.method == types::ArchiveChannelsRequestMethod::Archive;
    let mut failed_channels = Vec::new();
    for id in body.channel_ids {
        let refusal = match state.channel_mut(&account, &id) {
            None => Some(("4130", "Channel does not exist.")),
            Some(c) if c.archived == archive && archive => Some(("3205", "This channel has already been archived.")),
            Some(c) if c.archived == archive => Some(("3213", "This channel has not been archived.")),
            Some(c) => {
                c.archived = archive;
                None
            }
        };
        if let Some((code, reason)) = refusal {
            failed_channels.push(types::FailedChannel {
                channel_id: Some(id),
                reason: Some(reason.to_owned()),
                error_code: Some(code.to_owned()),
            });
        }
    }
    Ok(json(StatusCode::OK, &types::ChannelsArchived { failed_channels }))
}
