//! Per organization, every event that names it in `time` order (then sequence), paged with an
//! opaque cursor; and every meeting, held and scheduled.

use liaison_proto::{AsOf, EventType, Slug, StoredEvent};

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

/// One page of `org`'s timeline: at most `limit` events after `cursor`, up to `as_of`; and the
/// cursor of the next page, if there may be one.
pub fn page(
    store: &Store,
    org: &Slug,
    cursor: Option<&str>,
    limit: usize,
    as_of: Option<AsOf>,
    types: Option<&[EventType]>,
) -> Result<Result<Page, BadCursor>, StoreError> {
    let prefix = keys::prefix(keys::TIMELINE, org.as_str().as_bytes());
    let start = match cursor {
        None => prefix.clone(),
        Some(c) => match decode_cursor(c) {
            Some(after) => {
                let mut k = prefix.clone();
                k.extend_from_slice(&after);
                k.push(0); // strictly after
                k
            }
            None => return Ok(Err(BadCursor(c.to_owned()))),
        },
    };
    let mut end = prefix.clone();
    end.extend_from_slice(&as_of.map_or([0xff; keys::ORDER_LEN], keys::as_of_bound));
    let mut items = Vec::new();
    let mut last = None;
    for item in store.tree().range(start..=end) {
        let (k, v) = item?;
        if items.len() == limit {
            return Ok(Ok((items, last)));
        }
        last = Some(hex::encode(&k[prefix.len()..]));
        let event = stored_event(store, &k, &v)?;
        if types.is_none_or(|t| t.contains(&event.event.event_type())) {
            items.push(event);
        }
    }
    Ok(Ok((items, None)))
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

/// Every meeting (held and scheduled) up to `as_of`, in time order, after `cursor`.
pub fn meetings(
    store: &Store,
    cursor: Option<&str>,
    limit: usize,
    as_of: Option<AsOf>,
) -> Result<Result<Page, BadCursor>, StoreError> {
    let prefix = vec![keys::MEETING];
    let start = match cursor {
        None => prefix.clone(),
        Some(c) => match decode_cursor(c) {
            Some(after) => {
                let mut k = meeting_key(&after);
                k.push(0);
                k
            }
            None => return Ok(Err(BadCursor(c.to_owned()))),
        },
    };
    let mut end = prefix.clone();
    end.extend_from_slice(&as_of.map_or([0xff; keys::ORDER_LEN], keys::as_of_bound));
    let mut items = Vec::new();
    for item in store.tree().range(start..=end) {
        let (k, v) = item?;
        if items.len() == limit {
            let last = items
                .last()
                .map(|e: &StoredEvent| hex::encode(keys::order(e.event.time, e.sequence)));
            return Ok(Ok((items, last)));
        }
        items.push(stored_event(store, &k, &v)?);
    }
    Ok(Ok((items, None)))
}
