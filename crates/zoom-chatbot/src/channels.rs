//! Channels (Zoom's "Chat Channels"): create one with its members, read, rename, archive and
//! delete it, list a user's channels and a channel's members as streams over pages, invite
//! more members and remove one or many. Every
//! channel comes back with its typed [`ChannelJid`], where [`ZoomClient::send`] reaches it.
//!
//! ```no_run
//! # async fn demo(zoom: zoom_chatbot::ZoomClient) -> zoom_chatbot::Result<()> {
//! use futures_util::TryStreamExt;
//! use zoom_chatbot::card::Card;
//!
//! let incident = zoom.channels().create("incident-4211", ["ana@example.com", "bo@example.com"]).await?;
//! zoom.channels().invite(&incident.id, ["cy@example.com"]).await?;
//! zoom.send(incident.jid.clone(), Card::new().head("Checkout is down").build()?).await?;
//! let members: Vec<_> = zoom.channels().members(&incident.id).stream().try_collect().await?;
//! # let _ = members; Ok(()) }
//! ```

use zoom_api_gen::types;

use crate::ZoomClient;
use crate::error::{Error, Result, zoom_error};
use crate::ids::{ChannelId, ChannelJid, UserId};
use crate::macros::{awaitable, setters};
use crate::paging::{Listing, page_of};
use crate::users::checked_email;

/// The most members a channel is made with at once (Zoom: "a maximum of 20 members").
pub const MAX_NEW_MEMBERS: usize = 20;
/// The most members one invitation adds (Zoom: "Five is the maximum").
pub const MAX_INVITED: usize = 5;
/// The longest channel name, in characters.
pub const MAX_NAME_CHARS: usize = 256;
/// The most channels a page of [`Channels::list`] has (Zoom's default is 10).
pub const MAX_CHANNEL_PAGE: u64 = 1000;
/// The most members a page of [`Channels::members`] has (Zoom's default is 30).
pub const MAX_MEMBER_PAGE: u64 = 100;
/// The most members [`Channels::remove_many`] removes at once (Zoom: "a supported maximum
/// of 20 IDs").
pub const MAX_REMOVED: usize = 20;

/// A channel's type: the spec's `ChannelType`, generated from its integer enum. A channel
/// is made as one of `Private`, `PrivateToAccount`, `Public` and `GroupChat`, and changed to
/// any of them but a group chat, or to `PublicToOtherAccounts`.
pub use zoom_api_gen::types::ChannelType as ChannelKind;

/// Refuses, before anything is sent, a kind that the spec's `request` schema does not take
/// as its `type` (a channel is not made open to other accounts, nor changed to a group chat).
fn checked(kind: Option<ChannelKind>, request: &str) -> Result<()> {
    let Some(kind) = kind else { return Ok(()) };
    let body = serde_json::json!({ "type": kind });
    let found = crate::card::rules::validator().validate_component(request, &body, "").unwrap_or_default();
    found.into_iter().next().map_or(Ok(()), |v| Err(Error::invalid(v.path, v.rule)))
}

/// A channel Zoom answered with: its typed id and JID (where a chatbot message reaches it),
/// and Zoom's answer whole (`types::Channel`, or `types::ChannelCreated` from
/// [`Channels::create`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Channel<A = types::Channel> {
    /// The channel id, as the channel and chat APIs take it.
    pub id: ChannelId,
    /// The channel's JID, as [`ZoomClient::send`] takes it.
    pub jid: ChannelJid,
    /// Zoom's answer.
    pub zoom: A,
}

/// The id and JID of an answer. Zoom marks neither required: an answer without an id, or
/// whose `jid` is not a channel JID, is `Error::UnexpectedResponse` naming the field. One
/// without a `jid` gets the JID of its id (`{id}@conference.xmpp.zoom.us`, as Zoom's
/// examples show; its pages state no rule).
fn typed<A>(id: Option<&str>, jid: Option<&str>, zoom: A) -> Result<Channel<A>> {
    let unexpected = |detail: String| Error::UnexpectedResponse { status: Some(200), detail };
    let id = id.ok_or_else(|| unexpected("a channel in Zoom's answer has no id".into()))?;
    let id: ChannelId = id.parse().map_err(|e| unexpected(format!("a channel's id is not one: {e}")))?;
    let jid = match jid {
        Some(jid) => jid.parse().map_err(|e| unexpected(format!("channel {id} has a jid that is not one: {e}")))?,
        None => ChannelJid::from(&id),
    };
    Ok(Channel { id, jid, zoom })
}

/// Email addresses as a request's `members`: each checked, at most `max`, at least one
/// when `at_least_one`.
fn members(emails: Vec<String>, max: usize, at_least_one: bool) -> Result<Vec<types::ChannelMemberEmail>> {
    if emails.len() > max {
        return Err(Error::invalid("members", format!("at most {max} at once, not {}", emails.len())));
    }
    if at_least_one && emails.is_empty() {
        return Err(Error::invalid("members", "at least one email address is needed"));
    }
    emails
        .into_iter()
        .enumerate()
        .map(|(i, email)| match checked_email(&email) {
            Ok(_) => Ok(types::ChannelMemberEmail { email }),
            Err(Error::InvalidInput { rule, .. }) => Err(Error::invalid(format!("members[{i}]"), rule)),
            Err(e) => Err(e),
        })
        .collect()
}

/// The channel API, as one user (`me` by default), through the client's server-to-server
/// or user token. From [`ZoomClient::channels`] or [`ZoomClient::channels_as`].
#[derive(Clone, Debug)]
pub struct Channels {
    client: ZoomClient,
    user: UserId,
}

impl Channels {
    pub(crate) fn new(client: ZoomClient, user: UserId) -> Self {
        Self { client, user }
    }

    /// Makes a channel owned by this user, with `members` (email addresses, at most 20)
    /// invited. Await it, or set its [`kind`](CreateChannel::kind) first. The name (at most
    /// 256 characters) and the addresses are checked before anything is sent.
    ///
    #[doc = zoom_api_gen::operation_doc!(createChannel)]
    ///
    /// Scope `chat_channel:write`. A name another channel of the account has is
    /// `Error::Zoom { status: 400, code: 300, .. }`.
    pub fn create<I, S>(&self, name: impl Into<String>, members: I) -> CreateChannel
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        CreateChannel {
            channels: self.clone(),
            name: name.into(),
            members: members.into_iter().map(|m| m.as_ref().to_owned()).collect(),
            kind: None,
        }
    }

    /// One channel, by id.
    ///
    #[doc = zoom_api_gen::operation_doc!(getChannel)]
    ///
    /// Scope `chat_channel:read`. A channel the account does not hold is
    /// `Error::Zoom { status: 404, code: 4130, .. }`.
    pub async fn get(&self, id: &ChannelId) -> Result<Channel> {
        let answer = self.client.api().get_channel().channel_id(id.as_str()).send().await.map_err(zoom_error)?;
        let channel = answer.into_inner();
        typed(channel.id.clone().as_deref(), channel.jid.clone().as_deref(), channel)
    }

    /// This user's channels; [`stream`](ListChannels::stream) them.
    ///
    #[doc = zoom_api_gen::operation_doc!(listChannels)]
    ///
    /// Once a page. Scope `chat_channel:read`.
    pub fn list(&self) -> ListChannels {
        Listing::new(MAX_CHANNEL_PAGE, self.clone(), |channels, size, token| async move {
            let request = page_of!(channels.client.api().list_channels().user_id(channels.user.as_str()), size, token);
            let page = request.send().await.map_err(zoom_error)?.into_inner();
            let items: Result<Vec<Channel>> = page
                .channels
                .into_iter()
                .map(|c| typed(c.id.clone().as_deref(), c.jid.clone().as_deref(), c))
                .collect();
            Ok((items?, page.next_page_token))
        })
    }

    /// A channel's members; [`stream`](ListChannelMembers::stream) them.
    ///
    #[doc = zoom_api_gen::operation_doc!(listChannelMembers)]
    ///
    /// Once a page. Scope `chat_channel:read`.
    pub fn members(&self, id: &ChannelId) -> ListChannelMembers {
        Listing::new(MAX_MEMBER_PAGE, (self.clone(), id.clone()), |(channels, id), size, token| async move {
            let request = page_of!(channels.client.api().list_channel_members().channel_id(id.as_str()), size, token);
            let page = request.send().await.map_err(zoom_error)?.into_inner();
            Ok((page.members, page.next_page_token))
        })
    }

    /// Invites members of this user's contacts to a channel, by email (one to five at
    /// once, checked before anything is sent).
    ///
    #[doc = zoom_api_gen::operation_doc!(inviteChannelMembers)]
    ///
    /// Scope `chat_channel:write`. The answer's `ids` lists the user ids of the invited
    /// members of the account (comma-separated), `member_ids` their member ids.
    pub async fn invite<I, S>(&self, id: &ChannelId, emails: I) -> Result<types::ChannelMembersInvited>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let emails = emails.into_iter().map(|e| e.as_ref().to_owned()).collect();
        let body = types::InviteChannelMembersRequest { members: members(emails, MAX_INVITED, true)? };
        let request = self.client.api().invite_channel_members().channel_id(id.as_str()).body(body);
        Ok(request.send().await.map_err(zoom_error)?.into_inner())
    }

    /// Changes a channel the user owns or administers: await it after naming what changes
    /// ([`name`](UpdateChannel::name), [`kind`](UpdateChannel::kind)).
    ///
    #[doc = zoom_api_gen::operation_doc!(updateChannel)]
    ///
    /// Scope `chat_channel:write`. A name another channel of the account has is
    /// `Error::Zoom { status: 400, code: 300, .. }`.
    pub fn update(&self, id: &ChannelId) -> UpdateChannel {
        UpdateChannel { channels: self.clone(), id: id.clone(), name: None, kind: None }
    }

    /// Deletes a channel.
    ///
    #[doc = zoom_api_gen::operation_doc!(deleteChannel)]
    ///
    /// Scope `chat_channel:write`.
    pub async fn delete(&self, id: &ChannelId) -> Result<()> {
        self.client.api().delete_channel().channel_id(id.as_str()).send().await.map_err(zoom_error)?;
        Ok(())
    }

    /// Removes one member of a channel, by email address, user id or member id (a member id
    /// is read as a [`UserId`] is: one path segment).
    ///
    #[doc = zoom_api_gen::operation_doc!(removeChannelMember)]
    ///
    /// Scope `chat_channel:write`.
    pub async fn remove(&self, id: &ChannelId, member: &UserId) -> Result<()> {
        let request = self.client.api().remove_channel_member().channel_id(id.as_str()).identifier(member.as_str());
        request.send().await.map_err(zoom_error)?;
        Ok(())
    }

    /// The token's user joins a channel anyone in the account may join (a public one; a
    /// private channel takes invited members only). Zoom allows it to user-managed apps only:
    /// the user's own tokens ([`ClientBuilder::chat_tokens`](crate::ClientBuilder::chat_tokens)).
    ///
    #[doc = zoom_api_gen::operation_doc!(joinChannel)]
    ///
    /// Scope `chat_channel:write`. A channel the user may not join (or none by that id) is
    /// `Error::Zoom { status: 400, code: 5301, .. }`.
    pub async fn join(&self, id: &ChannelId) -> Result<types::ChannelJoined> {
        let joined = self.client.api().join_channel().channel_id(id.as_str()).send().await.map_err(zoom_error)?;
        Ok(joined.into_inner())
    }

    /// The token's user leaves a channel (user-managed apps only, as for [`join`](Self::join)).
    ///
    #[doc = zoom_api_gen::operation_doc!(leaveChannel)]
    ///
    /// Scope `chat_channel:write`. A channel the user is not in, or the owner leaving, is
    /// `Error::Zoom { status: 400, code: 5301, .. }`.
    pub async fn leave(&self, id: &ChannelId) -> Result<()> {
        self.client.api().leave_channel().channel_id(id.as_str()).send().await.map_err(zoom_error)?;
        Ok(())
    }

    /// Removes up to 20 members of a channel at once, by user id (at least one; checked
    /// before anything is sent). Ids that name no member are passed over.
    ///
    #[doc = zoom_api_gen::operation_doc!(removeChannelMembers)]
    ///
    /// Scope `chat_channel:write`. The token's own user among them is
    /// `Error::Zoom { status: 400, code: 300, .. }` ("You can not remove yourself.").
    pub async fn remove_many<'a, I>(&self, id: &ChannelId, users: I) -> Result<()>
    where
        I: IntoIterator<Item = &'a UserId>,
    {
        let users: Vec<&str> = users.into_iter().map(UserId::as_str).collect();
        if users.is_empty() || users.len() > MAX_REMOVED {
            let n = users.len();
            return Err(Error::invalid("user_ids", format!("1 to {MAX_REMOVED} at once, not {n}")));
        }
        if let Some(bad) = users.iter().find(|u| u.contains(',')) {
            return Err(Error::invalid("user_ids", format!("{bad:?}: an id may not hold a comma")));
        }
        let request = self.client.api().remove_channel_members().channel_id(id.as_str()).user_ids(users.join(","));
        request.send().await.map_err(zoom_error)?;
        Ok(())
    }

    /// Archives a channel: it keeps its messages and takes no new ones.
    ///
    #[doc = zoom_api_gen::operation_doc!(archiveChannels)]
    ///
    /// Scope `chat_channel:write`. Zoom answers 200 and names a channel it could not archive
    /// with a code, which comes back as `Error::Zoom { status: 200, code, .. }`: 3205 already
    /// archived, 4130 no such channel, 3214 the default channel, 200 no permission.
    pub async fn archive(&self, id: &ChannelId) -> Result<()> {
        self.set_archived(id, types::ArchiveChannelsRequestMethod::Archive).await
    }

    /// Unarchives a channel.
    ///
    #[doc = zoom_api_gen::operation_doc!(archiveChannels)]
    ///
    /// Scope `chat_channel:write`. A channel that is not archived is
    /// `Error::Zoom { status: 200, code: 3213, .. }`, as [`archive`](Self::archive) reports.
    pub async fn unarchive(&self, id: &ChannelId) -> Result<()> {
        self.set_archived(id, types::ArchiveChannelsRequestMethod::Unarchive).await
    }

    async fn set_archived(&self, id: &ChannelId, method: types::ArchiveChannelsRequestMethod) -> Result<()> {
        let body = types::ArchiveChannelsRequest { method, channel_ids: vec![id.to_string()] };
        let answer = self.client.api().archive_channels().body(body).send().await.map_err(zoom_error)?;
        let header = answer.headers().get(zoom_api_gen::TRACKING_ID_HEADER);
        let tracking_id = header.and_then(|v| v.to_str().ok()).map(str::to_owned);
        let answer = answer.into_inner();
        match answer.failed_channels.into_iter().next() {
            None => Ok(()),
            Some(failed) => Err(Error::Zoom {
                status: 200,
                // Zoom writes the code as a string; one that is not a number reads as 0.
                code: failed.error_code.as_deref().and_then(|c| c.parse().ok()).unwrap_or_default(),
                message: match (failed.reason, failed.error_code) {
                    (Some(reason), _) => reason,
                    (None, code) => format!("channel {id} was not changed (code {code:?})"),
                },
                field_errors: Vec::new(),
                tracking_id,
            }),
        }
    }
}

/// A change of a channel; await it to send it. From [`Channels::update`].
#[must_use = "a channel is changed only when awaited"]
pub struct UpdateChannel {
    channels: Channels,
    id: ChannelId,
    name: Option<String>,
    kind: Option<ChannelKind>,
}

impl UpdateChannel {
    setters! {
        /// Renames the channel (Zoom states no length limit here, as it does for a new one).
        pub fn name(name: impl Into<String>) = Some(name.into());

        /// Changes its type (not to a group chat).
        pub fn kind(kind: ChannelKind) = Some(kind);
    }

    async fn run(self) -> Result<()> {
        checked(self.kind, "UpdateChannelRequest")?;
        let body = types::UpdateChannelRequest { name: self.name, type_: self.kind, channel_settings: None };
        let request = self.channels.client.api().update_channel().channel_id(self.id.as_str()).body(body);
        request.send().await.map_err(zoom_error)?;
        Ok(())
    }
}

awaitable!(UpdateChannel => Result<()>);

/// A channel being made; await it to make it. From [`Channels::create`].
#[must_use = "a channel is made only when awaited"]
pub struct CreateChannel {
    channels: Channels,
    name: String,
    members: Vec<String>,
    kind: Option<ChannelKind>,
}

impl CreateChannel {
    setters! {
        /// The channel's type (Zoom's pages give no default).
        pub fn kind(kind: ChannelKind) = Some(kind);
    }

    async fn run(self) -> Result<Channel<types::ChannelCreated>> {
        checked(self.kind, "CreateChannelRequest")?;
        let name: types::CreateChannelRequestName =
            self.name.parse().map_err(|_| Error::invalid("name", format!("at most {MAX_NAME_CHARS} characters")))?;
        let body = types::CreateChannelRequest {
            name: Some(name),
            members: members(self.members, MAX_NEW_MEMBERS, false)?,
            type_: self.kind,
            channel_settings: None,
            shared_space: None,
        };
        let api = self.channels.client.api();
        let request = api.create_channel().user_id(self.channels.user.as_str()).body(body);
        let created = request.send().await.map_err(zoom_error)?.into_inner();
        typed(created.id.clone().as_deref(), created.jid.clone().as_deref(), created)
    }
}

awaitable!(CreateChannel => Result<Channel<types::ChannelCreated>>);

/// A listing of a user's channels, 1 to [`MAX_CHANNEL_PAGE`] a page (Zoom's default is 10);
/// [`stream`](Listing::stream) it. From [`Channels::list`].
pub type ListChannels = Listing<Channel>;

/// A listing of a channel's members, 1 to [`MAX_MEMBER_PAGE`] a page (Zoom's default is 30);
/// [`stream`](Listing::stream) it. From [`Channels::members`].
pub type ListChannelMembers = Listing<types::ChannelMember>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_checked_and_counted_before_they_are_sent() {
        let many: Vec<String> = (0..21).map(|i| format!("u{i}@example.com")).collect();
        let err = members(many, MAX_NEW_MEMBERS, false).unwrap_err();
        assert_eq!(err.to_string(), Error::invalid("members", "at most 20 at once, not 21").to_string());
        let err = members(vec!["ana@example.com".into(), "bo".into()], MAX_INVITED, true).unwrap_err();
        assert!(err.to_string().contains("members[1]") && err.to_string().contains("email"), "{err}");
        assert!(members(Vec::new(), MAX_INVITED, true).unwrap_err().to_string().contains("at least one"));
        assert_eq!(members(vec!["ana@example.com".into()], MAX_INVITED, true).unwrap().len(), 1);
    }

    #[test]
    fn an_answer_gives_a_typed_id_and_jid() {
        let c = typed(Some("825C9E31"), None, ()).unwrap();
        assert_eq!(c.jid.as_str(), "825c9e31@conference.xmpp.zoom.us");
        let c = typed(Some("abc"), Some("abc@conference.xmpp.zoom.us"), ()).unwrap();
        assert_eq!(c.id.as_str(), "abc");
        for (id, jid) in [(None, None), (Some("a/b"), None), (Some("abc"), Some("abc@xmpp.zoom.us"))] {
            let err = typed(id, jid, ()).unwrap_err();
            assert!(matches!(err, Error::UnexpectedResponse { .. }), "{id:?} {jid:?}: {err:?}");
        }
    }
}
