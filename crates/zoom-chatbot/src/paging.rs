//! Paging: the items of a listing's pages as one stream, fetched as it is read, shared by
//! every listing of the client (messages, channels, members, contacts, scheduled messages,
//! reminders): each is a [`Listing`].

use std::future::Future;
use std::num::NonZeroU64;
use std::pin::Pin;

use futures_core::Stream;

use crate::error::{Error, Result};
use crate::macros::setters;

/// One page as a listing's fetch gives it: its items and the next page's token.
type Page<T> = Result<(Vec<T>, Option<String>)>;

/// A listing's fetch of one page, its context captured: from the listing's options, a page
/// size and the previous page's token.
type Fetch<T, O> =
    Box<dyn Fn(O, Option<NonZeroU64>, Option<String>) -> Pin<Box<dyn Future<Output = Page<T>> + Send>> + Send + Sync>;

/// A listing of the client, streamed over pages: a conversation's messages, a user's channels,
/// a channel's members, contacts found, scheduled messages, reminders. `T` is what its pages
/// hold, `O` the options a listing has beyond its [`page_size`](Self::page_size). Each listing
/// is named by its type (such as [`ListMessages`](crate::chat::ListMessages)), which says what
/// it lists and its pages' bounds; [`stream`](Self::stream) it.
pub struct Listing<T, O = ()> {
    pub(crate) options: O,
    page_size: Option<u64>,
    max_page: u64,
    check: Result<()>,
    fetch: Fetch<T, O>,
}

impl<T: Send + 'static> Listing<T> {
    /// The listing of what `fetch` gives from its own clone of `context`, at most `max_page`
    /// items a page.
    pub(crate) fn new<C, F, Fut>(max_page: u64, context: C, fetch: F) -> Self
    where
        C: Clone + Send + Sync + 'static,
        F: Fn(C, Option<NonZeroU64>, Option<String>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Page<T>> + Send + 'static,
    {
        Self::with_options(max_page, context, (), move |context, (), size, token| fetch(context, size, token))
    }
}

impl<T: Send + 'static, O: Clone + Send + 'static> Listing<T, O> {
    /// A listing with options (`options` as they start), which `fetch` is given with `context`.
    pub(crate) fn with_options<C, F, Fut>(max_page: u64, context: C, options: O, fetch: F) -> Self
    where
        C: Clone + Send + Sync + 'static,
        F: Fn(C, O, Option<NonZeroU64>, Option<String>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Page<T>> + Send + 'static,
    {
        let fetch: Fetch<T, O> =
            Box::new(move |options, size, token| Box::pin(fetch(context.clone(), options, size, token)));
        Self { options, page_size: None, max_page, check: Ok(()), fetch }
    }

    /// Refuses the listing with `check`'s error (input checked before anything is sent): it is
    /// the stream's one item.
    pub(crate) fn checked(mut self, check: Result<()>) -> Self {
        self.check = check;
        self
    }

    setters! {
        /// Items fetched per request, 1 to the most the listing's type names; Zoom's default
        /// when unset. A size out of bounds is the stream's one item, and nothing is sent.
        pub fn page_size(n: u64) = Some(n);
    }

    /// The items, in the order Zoom gives them, fetched a page at a time as the stream is
    /// read.
    pub fn stream(self) -> impl Stream<Item = Result<T>> + Send + 'static {
        let size = self.check.and_then(|()| page_size(self.page_size, self.max_page));
        pages(size, self.options, self.fetch)
    }
}

/// A page size the caller asked for, checked against `1..=max` before anything is sent.
fn page_size(n: Option<u64>, max: u64) -> Result<Option<NonZeroU64>> {
    match n {
        None => Ok(None),
        Some(n) if (1..=max).contains(&n) => Ok(NonZeroU64::new(n)),
        Some(n) => Err(Error::invalid("page_size", format!("must be 1 to {max}, not {n}"))),
    }
}

/// `request` (a generated operation builder) asking for one page: `size` items (Zoom's
/// default with `None`) after the page `token` names (the first page with `None`).
macro_rules! page_of {
    ($request:expr, $size:expr, $token:expr) => {{
        let request = $request;
        let request = match $size {
            Some(n) => request.page_size(n),
            None => request,
        };
        match $token {
            Some(token) => request.next_page_token(token),
            None => request,
        }
    }};
}
pub(crate) use page_of;

/// The items of every page `fetch` gives (from its own clone of `context`, a page size and the
/// previous page's token, `None` for the first), fetched as the stream is read, until a page
/// names no next one. An `Err` for `size` (a page size out of bounds, or other input checked
/// first) is the stream's one item, and nothing is sent.
fn pages<C, T, F, Fut>(
    size: Result<Option<NonZeroU64>>,
    context: C,
    fetch: F,
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    C: Clone + Send + 'static,
    T: Send + 'static,
    F: Fn(C, Option<NonZeroU64>, Option<String>) -> Fut + Send + 'static,
    Fut: Future<Output = Page<T>> + Send,
{
    let start = (Vec::<T>::new().into_iter(), Some(None::<String>), Some(size), context, fetch);
    futures_util::stream::try_unfold(start, |(mut page, mut next, mut size, context, fetch)| async move {
        loop {
            if let Some(item) = page.next() {
                return Ok(Some((item, (page, next, size, context, fetch))));
            }
            let Some(token) = next.take() else { return Ok(None) };
            let page_size = match size.take() {
                Some(Err(e)) => return Err(e),
                Some(Ok(s)) => s,
                None => None,
            };
            let (items, token) = fetch(context.clone(), page_size, token).await?;
            next = token.filter(|t| !t.is_empty()).map(Some);
            page = items.into_iter();
            size = Some(Ok(page_size));
        }
    })
}
