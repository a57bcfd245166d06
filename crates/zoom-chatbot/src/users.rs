//! The account's users (Zoom's Users API): how a bot told "notify ana@example.com" finds the
//! JID its messages to her go to.
//!
//! ```no_run
//! # async fn demo(zoom: zoom_chatbot::ZoomClient) -> zoom_chatbot::Result<()> {
//! use zoom_chatbot::card::Card;
//!
//! let ana = zoom.users().jid_by_email("ana@example.com").await?;
//! zoom.send(ana, Card::new().head("Your build is green").build()?).await?;
//! # Ok(()) }
//! ```

use zoom_api_gen::types;

use crate::ZoomClient;
use crate::error::{Error, Result, zoom_error};
use crate::ids::{UserId, UserJid};
use crate::paging::{Listing, page_of};

/// The most contacts a page of [`Users::search`] has (Zoom's default is 1).
pub const MAX_CONTACT_PAGE: u64 = 25;

/// The Users API, through a client's server-to-server or user token (a chatbot token cannot
/// read users). From [`ZoomClient::users`].
#[derive(Clone, Debug)]
pub struct Users {
    client: ZoomClient,
}

/// The longest email address the client sends (RFC 5321's path limit).
const MAX_EMAIL: usize = 254;

/// An email address as the `userId` of a lookup: one `@` with text on both sides, no
/// whitespace or `/`, at most 254 characters. Checked before anything is sent, so that a
/// typo is not mistaken for a user id or a path.
/// What [`checked_email`] holds an address to.
const EMAIL_RULE: &str = "must be an email address (name@domain, no spaces or '/', at most 254 characters)";

pub(crate) fn checked_email(email: &str) -> Result<&str> {
    let rule = EMAIL_RULE;
    let parts = email.split_once('@');
    let well_formed =
        parts.is_some_and(|(name, domain)| !name.is_empty() && !domain.is_empty() && !domain.contains('@'));
    if !well_formed || email.len() > MAX_EMAIL || email.chars().any(|c| c.is_whitespace() || c == '/') {
        return Err(Error::invalid("email", rule));
    }
    Ok(email)
}

impl Users {
    pub(crate) fn new(client: ZoomClient) -> Self {
        Self { client }
    }

    /// One user of the token's account, by user id, email address or `me` (`UserId::me()`).
    ///
    #[doc = zoom_api_gen::operation_doc!(getUser)]
    ///
    /// Scope `user:read:admin` (or `user:read` for `me`). A user the account does not hold is
    /// `Error::Zoom { status: 404, code: 1001, .. }`.
    pub async fn get(&self, user: &UserId) -> Result<types::User> {
        let request = self.client.api().get_user().user_id(user.as_str());
        Ok(request.send().await.map_err(zoom_error)?.into_inner())
    }

    /// The user whose email address is `email`, in the token's account; the address is
    /// checked before anything is sent.
    pub async fn by_email(&self, email: &str) -> Result<types::User> {
        let id: UserId = checked_email(email)?.parse().map_err(|_| Error::invalid("email", EMAIL_RULE))?;
        self.get(&id).await
    }

    /// The JID of the user whose email address is `email`: where a chatbot message to them
    /// goes. Zoom's pages do not state the `jid` field's format: an answer without one, or with
    /// one that is not a user JID, is `Error::UnexpectedResponse` naming the field.
    pub async fn jid_by_email(&self, email: &str) -> Result<UserJid> {
        jid_of(&self.by_email(email).await?, email)
    }

    /// The JID of the user `user` (an id, as events and channel members carry it, or `me`):
    /// where a chatbot message to them goes. Zoom documents no rule that makes a JID from an
    /// id, so the user is read (one `getUser`); an answer without a user JID is
    /// `Error::UnexpectedResponse`, as for [`jid_by_email`](Self::jid_by_email).
    pub async fn jid(&self, user: &UserId) -> Result<UserJid> {
        jid_of(&self.get(user).await?, user.as_str())
    }
}

impl Users {
    /// The company contacts whose first name, last name or email address matches `key`, as
    /// the Zoom client's contacts search finds them; [`stream`](SearchContacts::stream) it. A
    /// contact carries no JID: [`jid`](Self::jid) its `id` for one. An empty key is refused
    /// before anything is sent.
    ///
    #[doc = zoom_api_gen::operation_doc!(searchContacts)]
    ///
    /// Scope `contact:read:admin` (or `contact:read`).
    ///
    /// ```no_run
    /// # async fn demo(zoom: zoom_chatbot::ZoomClient) -> zoom_chatbot::Result<()> {
    /// use futures_util::TryStreamExt;
    ///
    /// let anas: Vec<_> = zoom.users().search("ana").page_size(25).stream().try_collect().await?;
    /// # let _ = anas; Ok(()) }
    /// ```
    pub fn search(&self, key: impl Into<String>) -> SearchContacts {
        let key = key.into();
        let check = if key.trim().is_empty() { Err(Error::invalid("search_key", "must not be empty")) } else { Ok(()) };
        let listing = Listing::new(MAX_CONTACT_PAGE, (self.clone(), key), |(users, key), size, token| async move {
            let request = page_of!(users.client.api().search_contacts().search_key(key), size, token);
            let page = request.send().await.map_err(zoom_error)?.into_inner();
            Ok((page.contacts, page.next_page_token))
        });
        listing.checked(check)
    }
}

/// A contact search, 1 to [`MAX_CONTACT_PAGE`] contacts a page (Zoom's default is 1);
/// [`stream`](Listing::stream) it. From [`Users::search`].
pub type SearchContacts = Listing<types::Contact>;

/// The user JID of `user`, found for `wanted`, or Zoom's unexpected answer naming the field.
fn jid_of(user: &types::User, wanted: &str) -> Result<UserJid> {
    let unexpected = |why: String| Error::UnexpectedResponse { status: Some(200), detail: why };
    let jid = user.jid.as_deref().ok_or_else(|| unexpected(format!("the user found for {wanted} has no jid")))?;
    jid.parse().map_err(|e| unexpected(format!("the user found for {wanted} has a jid that is not a user JID: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_checked_before_it_is_sent() {
        for good in ["ana@example.com", "a.b+c@sub.example.org"] {
            assert_eq!(checked_email(good).unwrap(), good);
        }
        let long = format!("{}@example.com", "a".repeat(250));
        for bad in ["", "ana", "@example.com", "ana@", "a@b@c", "ana @example.com", "ana@example.com/x", long.as_str()]
        {
            let err = checked_email(bad).unwrap_err();
            assert!(err.to_string().contains("email"), "{bad:?}: {err}");
        }
    }
}
