//! Per organization, every event that names it in `time` order (then sequence), paged with an
//! opaque cursor; and every meeting, held and scheduled. A page reads a bounded number of
//! entries ([`Bounds`]), also when a filter (meetings only) skips most of them.

use liaison_proto::{AsOf, Slug, StoredEvent};

use crate::read_models::{Bounds, page_of};
use crate::store::{BodyRef, Store, StoreError, Writes, escape, keys};

fn timeline_key(org: &str, order: &[u8]) -> Vec<u8> {
    let mut k = keys::prefix(keys::TIMELINE, org.as_bytes());
    k.extend_from_slice(order);
    k
}

fn meeting_key(order: &[u8]) -> Vec<u8> {
    keys::key(keys::MEETING, &[order])
}

/// Lists the event at `order` on the timelines of `orgs`, and among the meetings if `meeting`;
/// its `body` goes to the bodies file once, and each entry refers to it.
pub fn add(w: &mut Writes<'_>, orgs: &[String], order: &[u8], meeting: bool, body: &[u8]) {
    if orgs.is_empty() && !meeting {
        return;
    }
    let at = w.append_body(body).to_bytes();
    for org in orgs {
        w.insert(timeline_key(org, order), at.clone());
    }
    if meeting {
        w.insert(meeting_key(order), at);
    }
}

/// Undoes [`add`].
pub fn remove(w: &mut Writes<'_>, orgs: &[String], order: &[u8], meeting: bool) {
    for org in orgs {
        w.remove(timeline_key(org, order));
    }
    if meeting {
        w.remove(meeting_key(order));
    }
}

/// A page of events and the cursor of the next one.
pub type Page = (Vec<StoredEvent>, Option<String>);

/// A cursor: the order suffix of the last item returned, hex.
fn decode_cursor(cursor: &str) -> Option<Vec<u8>> {
    hex::decode(cursor)
        .ok()
        .filter(|b| b.len() == keys::ORDER_LEN)
}

/// A malformed cursor.
#[derive(Debug, thiserror::Error)]
#[error("malformed cursor {0:?}")]
pub struct BadCursor(pub String);

/// One page of `org`'s timeline (only its meetings with `meetings_only`): the events after
/// `cursor` up to `as_of`, within `bounds`; and the cursor of the next page, if there may be one.
pub fn page(
    store: &Store,
    org: &Slug,
    cursor: Option<&str>,
    as_of: Option<AsOf>,
    meetings_only: bool,
    bounds: Bounds,
) -> Result<Result<Page, BadCursor>, StoreError> {
    let prefix = keys::prefix(keys::TIMELINE, org.as_str().as_bytes());
    // An event is a meeting exactly when the meetings table lists its order: one point lookup
    // instead of reading and decoding its body.
    let keep = |order: &[u8]| -> Result<bool, StoreError> {
        Ok(!meetings_only || store.contains(&meeting_key(order))?)
    };
    scan(store, &prefix, cursor, as_of, bounds, keep)
}

/// Every meeting (held and scheduled) up to `as_of`, in time order, after `cursor`, within
/// `bounds`.
pub fn meetings(
    store: &Store,
    cursor: Option<&str>,
    as_of: Option<AsOf>,
    bounds: Bounds,
) -> Result<Result<Page, BadCursor>, StoreError> {
    scan(store, &[keys::MEETING], cursor, as_of, bounds, |_| Ok(true))
}

/// The entries under `prefix` (each `prefix` + order → body reference) after `cursor` and up
/// to `as_of` that `keep` accepts: at most `bounds.limit` of them, after examining at most
/// `bounds.max_scan`; the cursor (the last order examined) when more may follow.
fn scan(
    store: &Store,
    prefix: &[u8],
    cursor: Option<&str>,
    as_of: Option<AsOf>,
    bounds: Bounds,
    keep: impl Fn(&[u8]) -> Result<bool, StoreError>,
) -> Result<Result<Page, BadCursor>, StoreError> {
    let mut start = prefix.to_vec();
    if let Some(c) = cursor {
        let Some(after) = decode_cursor(c) else {
            return Ok(Err(BadCursor(c.to_owned())));
        };
        start.extend_from_slice(&after);
        start.push(0); // strictly after
    }
    let mut end = prefix.to_vec();
    end.extend_from_slice(&as_of.map_or([0xff; keys::ORDER_LEN], keys::as_of_bound));
    page_of(
        store
            .tree()
            .range(start..=end)
            .map(|item| item.map_err(StoreError::from)),
        bounds,
        |(k, _)| hex::encode(&k[prefix.len()..]),
        |(k, v)| {
            if keep(&k[prefix.len()..])? {
                stored_event(store, &k, &v).map(Some)
            } else {
                Ok(None)
            }
        },
    )
    .map(Ok)
}

/// The event at `order` on `org`'s timeline, if it lists one there.
pub fn body_at(store: &Store, org: &Slug, order: &[u8]) -> Result<Option<StoredEvent>, StoreError> {
    let key = timeline_key(org.as_str(), order);
    match store.tree().get(&key)? {
        Some(v) => stored_event(store, &key, &v).map(Some),
        None => Ok(None),
    }
}

/// The event a timeline or meeting entry (`key`, `value`) refers to, with its sequence.
fn stored_event(store: &Store, key: &[u8], value: &[u8]) -> Result<StoredEvent, StoreError> {
    let at = BodyRef::from_bytes(value).ok_or_else(|| StoreError::Corrupt {
        key: escape(key),
        message: "not a body reference".into(),
    })?;
    let event = crate::store::decode(key, &store.bodies().read(at)?)?;
    Ok(StoredEvent {
        sequence: keys::sequence_of(key),
        event,
    })
}
