//! The read models, one module each: how the applier writes them (through [`crate::store::Writes`])
//! and how queries read them (from a [`crate::store::Store`]).
//!
//! Every listing a query reads is bounded per request by [`Bounds`]: a page holds at most
//! `limit` items and examines at most `max_scan` entries, and ends with the key of the last entry
//! examined, from which the next page goes on.

pub mod links;
pub mod organizations;
pub mod relationships;
pub mod timeline;

use crate::store::StoreError;

/// How much one page of a listing may hold and read: at most `limit` items, after examining
/// at most `max_scan` entries (a filter that matches rarely cannot make one request read the
/// whole table; the page then ends early, with a cursor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Items on the page.
    pub limit: usize,
    /// Entries examined.
    pub max_scan: usize,
}

/// A page of a listing and the key of the last entry examined when more may follow.
pub type Listed<T> = (Vec<T>, Option<String>);

/// One page of a listing: walks `entries` in order and keeps what `keep` makes of each (`None`:
/// filtered out), until the page holds `bounds.limit` items or `bounds.max_scan` entries were
/// examined. The key ([`Listed`]'s cursor, from `key_of`) is that of the last entry examined, and
/// is given only when another entry follows, so that the next page starts strictly after it and
/// the last page has none.
pub fn page_of<E, T>(
    entries: impl IntoIterator<Item = Result<E, StoreError>>,
    bounds: Bounds,
    key_of: impl Fn(&E) -> String,
    mut keep: impl FnMut(E) -> Result<Option<T>, StoreError>,
) -> Result<Listed<T>, StoreError> {
    let mut out = Vec::new();
    let mut last = None;
    for (examined, entry) in entries.into_iter().enumerate() {
        let entry = entry?;
        if out.len() == bounds.limit || examined == bounds.max_scan {
            return Ok((out, last));
        }
        last = Some(key_of(&entry));
        if let Some(item) = keep(entry)? {
            out.push(item);
        }
    }
    Ok((out, None))
}
