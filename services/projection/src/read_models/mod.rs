//! The read models, one module each: how the applier writes them (through [`crate::store::Writes`])
//! and how queries read them (from a [`crate::store::Store`]).
//!
//! Every listing a query reads is bounded per request by [`Bounds`]: a page holds at most
//! `limit` items and examines at most `max_scan` entries, and ends with the key of the last entry
//! examined, from which the next page goes on.

pub mod links;
pub mod organizations;
pub mod places;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Pages through 0..n keeping the multiples of `every`, as a client following cursors
    /// would; the items seen and the entries examined per page.
    fn walk(n: u32, every: u32, bounds: Bounds) -> (Vec<u32>, Vec<usize>) {
        let mut seen = Vec::new();
        let mut examined_per_page = Vec::new();
        let mut after: Option<u32> = None;
        loop {
            let mut examined = 0;
            let entries = (0..n)
                .filter(|i| after.is_none_or(|a| *i > a))
                .map(Ok::<_, StoreError>);
            let (items, last) = page_of(
                entries,
                bounds,
                |i| i.to_string(),
                |i| {
                    examined += 1;
                    Ok((i % every == 0).then_some(i))
                },
            )
            .unwrap();
            assert!(items.len() <= bounds.limit);
            seen.extend(items);
            examined_per_page.push(examined);
            match last {
                Some(key) => after = Some(key.parse().unwrap()),
                None => return (seen, examined_per_page),
            }
        }
    }

    #[test]
    fn pages_see_every_item_once() {
        let bounds = Bounds {
            limit: 3,
            max_scan: 1000,
        };
        let (seen, _) = walk(20, 1, bounds);
        assert_eq!(seen, (0..20).collect::<Vec<_>>());
        let (seen, pages) = walk(9, 1, bounds);
        assert_eq!(seen.len(), 9);
        assert_eq!(
            pages.len(),
            3,
            "no empty last page when the items end with a page"
        );
    }

    #[test]
    fn a_rare_match_ends_a_page_at_the_scan_bound_and_goes_on_from_there() {
        let bounds = Bounds {
            limit: 10,
            max_scan: 50,
        };
        let (seen, examined) = walk(1000, 100, bounds);
        assert_eq!(seen, (0..10).map(|i| i * 100).collect::<Vec<_>>());
        assert!(examined.iter().all(|e| *e <= 50), "{examined:?}");
        assert_eq!(
            examined.iter().sum::<usize>(),
            1000,
            "each entry examined once"
        );
    }
}
