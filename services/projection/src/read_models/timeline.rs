//! Per organization, every event that names it in `time` order (then sequence), paged with an
//! opaque cursor; and every meeting, held and scheduled. A page reads a bounded number of
//! entries ([`Bounds`]), also when a filter (meetings only) skips most of them.

use chrono::{DateTime, Utc};
use liaison_proto::events::Evidence;
use liaison_proto::{AsOf, BusinessTime, Envelope, EventData, Slug, StoredEvent};
use serde::Deserialize;

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

/// The evidence of the event at `order` on `org`'s timeline (`Ok(None)` when it lists no event
/// there or the event has none): what a relationship's facts show of their bodies. Read through
/// the cache of decoded bodies, as the timeline reads them (decision 027).
pub fn evidence_at(
    store: &Store,
    org: &Slug,
    order: &[u8],
) -> Result<Option<Evidence>, StoreError> {
    let key = timeline_key(org.as_str(), order);
    let Some(value) = store.tree().get(&key)? else {
        return Ok(None);
    };
    let event = store.bodies().event(body_ref(&key, &value)?, |bytes| {
        decode_envelope(&key, bytes)
    })?;
    Ok(event.event.evidence().cloned())
}

/// The body reference of a timeline or meeting entry (`key`, `value`).
fn body_ref(key: &[u8], value: &[u8]) -> Result<BodyRef, StoreError> {
    BodyRef::from_bytes(value).ok_or_else(|| StoreError::Corrupt {
        key: escape(key),
        message: "not a body reference".into(),
    })
}

/// The event a timeline or meeting entry (`key`, `value`) refers to, with its sequence.
fn stored_event(store: &Store, key: &[u8], value: &[u8]) -> Result<StoredEvent, StoreError> {
    let at = body_ref(key, value)?;
    let event = store
        .bodies()
        .event(at, |bytes| decode_envelope(key, bytes))?;
    Ok(StoredEvent {
        sequence: keys::sequence_of(key),
        event: Envelope::clone(&event),
    })
}

/// Decodes a stored body into its [`Envelope`], as `serde_json::from_slice` would, in two
/// streaming passes instead of one buffered one.
///
/// `Envelope` flattens its `type` and `data` into the document, and serde decodes a flattened
/// field by first copying every key it does not know (the whole `data` object) into a generic
/// tree, then decoding the event from that tree: half a timeline query's time went there
/// (decision 027). Here the envelope's own fields are read with the rest skipped, and the event
/// from the same bytes by `EventData`'s adjacently tagged decoder, which ignores the other keys
/// and streams `data` when `type` precedes it (as every envelope this service wrote has it).
fn decode_envelope(key: &[u8], bytes: &[u8]) -> Result<Envelope, StoreError> {
    /// The envelope without its event (`type` and `data` are skipped).
    #[derive(Deserialize)]
    struct Head {
        specversion: String,
        id: uuid::Uuid,
        source: String,
        time: BusinessTime,
        datacontenttype: String,
        recordedat: DateTime<Utc>,
    }
    let head: Head = crate::store::decode(key, bytes)?;
    let event: EventData = crate::store::decode(key, bytes)?;
    Ok(Envelope {
        specversion: head.specversion,
        id: head.id,
        source: head.source,
        time: head.time,
        datacontenttype: head.datacontenttype,
        recordedat: head.recordedat,
        event,
    })
}

#[cfg(test)]
mod tests {
    use liaison_proto::{ClientEvent, Envelope};
    use liaison_testkit::events::{
        evidence, meeting_held, organization, partnership_announced, person, with_evidence,
    };
    use serde_json::{Value, json};

    use super::decode_envelope;

    /// `client` as ingest stores it: an envelope, serialized.
    fn stored(client: Value) -> Value {
        let client: ClientEvent = serde_json::from_value(client).unwrap();
        let recorded = "2024-03-01T09:00:00.123456Z".parse().unwrap();
        serde_json::to_value(Envelope::record(client, "/liaison/ingest", recorded)).unwrap()
    }

    #[test]
    fn an_envelope_decodes_in_two_passes_as_in_one() {
        let quoted = with_evidence(
            partnership_announced("2024-02-28T10:00:00Z", &["a", "b"], &["xr"]),
            evidence("https://news.example.com/1", "they \"signed\" — 합의", 0.55),
        );
        let mut data_first = stored(meeting_held("2024-02-28", &["a", "b"], &["xr"]));
        let data = data_first.as_object_mut().unwrap().remove("data").unwrap();
        let mut reordered = serde_json::Map::new();
        reordered.insert("data".into(), data);
        reordered.extend(data_first.as_object().unwrap().clone());
        let mut unknown = stored(organization("a"));
        unknown["extension"] = json!({"type": "not the event's"});
        let bodies = [
            stored(quoted),
            stored(person("p", "Person P", &[("a", "executive")])),
            Value::Object(reordered),
            unknown,
        ];
        for body in bodies {
            let bytes = serde_json::to_vec(&body).unwrap();
            let whole: Envelope = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(decode_envelope(b"k", &bytes).unwrap(), whole, "{body}");
        }
        let mut broken = stored(organization("a"));
        broken["data"] = json!({"id": 7});
        let bytes = serde_json::to_vec(&broken).unwrap();
        assert!(serde_json::from_slice::<Envelope>(&bytes).is_err());
        assert!(decode_envelope(b"k", &bytes).is_err());
    }
}
