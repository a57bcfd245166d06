//! Paging: the items of a listing's pages as one stream, fetched as it is read, shared by
//! every listing of the client (messages, channels, members, contacts, scheduled messages,
//! reminders).

use std::future::Future;
use std::num::NonZeroU64;

use futures_core::Stream;

use crate::error::{Error, Result};

/// A page size the caller asked for, checked against `1..=max` before anything is sent.
pub(crate) fn page_size(n: Option<u64>, max: u64) -> Result<Option<NonZeroU64>> {
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
pub(crate) fn pages<C, T, F, Fut>(
    size: Result<Option<NonZeroU64>>,
    context: C,
    fetch: F,
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    C: Clone + Send + 'static,
    T: Send + 'static,
    F: Fn(C, Option<NonZeroU64>, Option<String>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(Vec<T>, Option<String>)>> + Send,
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
