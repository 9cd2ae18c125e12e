//! The cooperation read model: per pair and topic, the facts (one key each) and a summary of the
//! current status, kept with the domain core's [`step`] and [`fold`].
//!
//! An in-order fact (after the summary's last) is one [`step`]; a late fact or a retraction
//! re-folds that pair-topic's range only; a query `as_of` folds the range up to its bound.

use liaison_proto::query::{EventRef, RelationshipView, Signal};
use liaison_proto::{AsOf, Slug, Status};
use liaison_relations::{FactEntry, PairTopic, fold, step};

use crate::store::{FactRecord, Store, StoreError, Summary, Writes, decode, encode, keys};

/// A change of a pair-topic's current status caused by one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The pair-topic.
    pub key: PairTopic,
    /// The status before.
    pub before: Status,
    /// The status after.
    pub after: Status,
    /// When the fact that brought `after` happened.
    pub since: Option<liaison_proto::BusinessTime>,
}

fn fact_prefix(pair_topic: &str) -> Vec<u8> {
    keys::prefix(keys::FACT, pair_topic.as_bytes())
}

fn summary_key(pair_topic: &str) -> Vec<u8> {
    keys::key(keys::SUMMARY, &[pair_topic.as_bytes()])
}

fn index_keys(key: &PairTopic) -> [Vec<u8>; 3] {
    let pt = key.storage_key();
    [
        keys::key(keys::ORG_PAIR, &[key.a.as_str().as_bytes(), pt.as_bytes()]),
        keys::key(keys::ORG_PAIR, &[key.b.as_str().as_bytes(), pt.as_bytes()]),
        keys::key(
            keys::TOPIC_PAIR,
            &[key.topic.as_str().as_bytes(), pt.as_bytes()],
        ),
    ]
}

/// The summary's status, or `none`.
fn status_of(summary: &Option<Summary>) -> Status {
    summary.as_ref().map_or(Status::None, |s| s.status)
}

/// Adds the fact `record` (log `sequence`) to the pair-topic `key`; returns the change of its
/// current status, if any.
pub fn add_fact(
    w: &mut Writes<'_>,
    key: &PairTopic,
    sequence: u64,
    record: &FactRecord,
) -> Result<Option<Change>, StoreError> {
    let pt = key.storage_key();
    let order = keys::order(record.time, sequence);
    let mut fact_key = fact_prefix(&pt);
    fact_key.extend_from_slice(&order);
    w.insert(fact_key, record.to_bytes());
    let skey = summary_key(&pt);
    let old: Option<Summary> = w.get(&skey)?.map(|v| decode(&skey, &v)).transpose()?;
    let order_hex = hex::encode(order);
    let new = match &old {
        None => {
            for k in index_keys(key) {
                w.insert(k, Vec::new());
            }
            let entry = record.entry(sequence);
            let mut s = Summary {
                status: Status::None,
                since: None,
                since_event: None,
                last: order_hex,
            };
            if entry.moves_status()
                && let Some(next) = step(Status::None, entry.effect)
            {
                s.status = next;
                s.since = Some(entry.time);
                s.since_event = Some(entry.event_id);
            }
            s
        }
        Some(s) if order_hex > s.last => {
            let entry = record.entry(sequence);
            let mut s = s.clone();
            s.last = order_hex;
            if entry.moves_status()
                && let Some(next) = step(s.status, entry.effect)
            {
                s.status = next;
                s.since = Some(entry.time);
                s.since_event = Some(entry.event_id);
            }
            s
        }
        Some(_) => refold(w, &pt)?.expect("the fact just written is there"),
    };
    let change = change_of(key, status_of(&old), &new);
    w.insert(skey, encode(&new));
    Ok(change)
}

/// Removes the fact at `order_hex` (its [`keys::order`], hex) from the pair-topic `pair_topic`;
/// returns the change of its current status, if any.
pub fn remove_fact(
    w: &mut Writes<'_>,
    pair_topic: &str,
    order_hex: &str,
) -> Result<Option<Change>, StoreError> {
    let Some(key) = PairTopic::parse_storage_key(pair_topic) else {
        return Ok(None);
    };
    let mut fact_key = fact_prefix(pair_topic);
    fact_key.extend_from_slice(&hex::decode(order_hex).unwrap_or_default());
    w.remove(fact_key);
    let skey = summary_key(pair_topic);
    let old: Option<Summary> = w.get(&skey)?.map(|v| decode(&skey, &v)).transpose()?;
    let new = refold(w, pair_topic)?;
    match &new {
        Some(s) => w.insert(skey, encode(s)),
        None => {
            w.remove(skey);
            for k in index_keys(&key) {
                w.remove(k);
            }
        }
    }
    let after = new.unwrap_or(Summary {
        status: Status::None,
        since: None,
        since_event: None,
        last: String::new(),
    });
    Ok(change_of(&key, status_of(&old), &after))
}

fn change_of(key: &PairTopic, before: Status, after: &Summary) -> Option<Change> {
    (before != after.status).then(|| Change {
        key: key.clone(),
        before,
        after: after.status,
        since: after.since,
    })
}

/// The summary folded from every fact of the pair-topic (`None` when none is left).
///
/// The same as [`fold`] over the facts' [`FactEntry`]s, but reading only each fact's fold
/// header ([`FactRecord::fold_effect`]) and decoding only the fact that brought the status: a
/// late fact on a pair-topic of thousands re-folds them at the cost of the scan.
fn refold(w: &Writes<'_>, pair_topic: &str) -> Result<Option<Summary>, StoreError> {
    let mut status = Status::None;
    let mut since: Option<(Vec<u8>, Vec<u8>)> = None;
    let mut last: Option<[u8; keys::ORDER_LEN]> = None;
    w.for_each_prefix(&fact_prefix(pair_topic), |k, v| {
        if let Some(effect) = FactRecord::fold_effect(k, v)?
            && let Some(next) = step(status, effect)
        {
            status = next;
            since = Some((k.to_vec(), v.to_vec()));
        }
        last = k[k.len() - keys::ORDER_LEN..].try_into().ok();
        Ok(())
    })?;
    let Some(last) = last else {
        return Ok(None);
    };
    let since = since
        .map(|(k, v)| FactRecord::from_bytes(&k, &v))
        .transpose()?;
    Ok(Some(Summary {
        status,
        since: since.as_ref().map(|r| r.time),
        since_event: since.map(|r| r.id.to_string()),
        last: hex::encode(last),
    }))
}

/// The stored summary (current status, all facts) of a pair-topic.
pub fn summary(store: &Store, key: &PairTopic) -> Result<Option<Summary>, StoreError> {
    store.get(&summary_key(&key.storage_key()))
}

/// The facts of a pair-topic that happened by `as_of`, in order, with their sequences.
fn facts(
    store: &Store,
    pair_topic: &str,
    as_of: Option<AsOf>,
) -> Result<Vec<(u64, FactRecord)>, StoreError> {
    let prefix = fact_prefix(pair_topic);
    let mut end = prefix.clone();
    match as_of {
        Some(bound) => end.extend_from_slice(&keys::as_of_bound(bound)),
        None => end.extend_from_slice(&[0xff; keys::ORDER_LEN]),
    }
    store
        .tree()
        .range(prefix..=end)
        .map(|item| {
            let (k, v) = item?;
            Ok((keys::sequence_of(&k), FactRecord::from_bytes(&k, &v)?))
        })
        .collect()
}

/// The relationship of one pair-topic as of `as_of` (status `none` and no events when there
/// are no facts).
pub fn view(
    store: &Store,
    key: &PairTopic,
    as_of: Option<AsOf>,
) -> Result<RelationshipView, StoreError> {
    let facts = facts(store, &key.storage_key(), as_of)?;
    Ok(view_of(key, &facts))
}

/// The relationship built from `facts` (in order).
pub fn view_of(key: &PairTopic, facts: &[(u64, FactRecord)]) -> RelationshipView {
    let entries: Vec<FactEntry> = facts.iter().map(|(seq, r)| r.entry(*seq)).collect();
    let folded = fold(&entries);
    let mut events = Vec::new();
    let mut signals = Vec::new();
    for ((seq, record), entry) in facts.iter().zip(&entries) {
        let event = EventRef {
            id: record.id,
            sequence: *seq,
            event_type: record.event_type,
            time: record.time,
            factuality: record.factuality,
            summary: record.summary.clone(),
        };
        if entry.is_signal() {
            signals.push(Signal {
                event,
                would_reach: entry.effect.target(),
            });
        } else {
            events.push(event);
        }
    }
    RelationshipView {
        organizations: [key.a.clone(), key.b.clone()],
        topic: key.topic.clone(),
        status: folded.status,
        since: folded.since.map(|e| e.time),
        events,
        signals,
    }
}

/// Every topic of the pair of `x` and `y` with a fact by `as_of`, in topic order.
pub fn pair_views(
    store: &Store,
    x: &Slug,
    y: &Slug,
    as_of: Option<AsOf>,
) -> Result<Vec<RelationshipView>, StoreError> {
    let mut prefix = vec![keys::FACT];
    prefix.extend_from_slice(PairTopic::pair_prefix(x, y).as_bytes());
    let bound = as_of.map(keys::as_of_bound);
    let mut out = Vec::new();
    let mut current: Option<(String, Vec<(u64, FactRecord)>)> = None;
    for item in store.tree().scan_prefix(&prefix) {
        let (k, v) = item?;
        let split = k.len() - keys::ORDER_LEN - 1;
        let pt = String::from_utf8_lossy(&k[1..split]).into_owned();
        if bound.is_some_and(|b| k[split + 1..] > b[..]) {
            continue;
        }
        let fact = (keys::sequence_of(&k), FactRecord::from_bytes(&k, &v)?);
        match &mut current {
            Some((name, facts)) if *name == pt => facts.push(fact),
            _ => {
                if let Some((name, facts)) = current.take() {
                    push_view(&mut out, &name, &facts);
                }
                current = Some((pt, vec![fact]));
            }
        }
    }
    if let Some((name, facts)) = current {
        push_view(&mut out, &name, &facts);
    }
    Ok(out)
}

fn push_view(out: &mut Vec<RelationshipView>, pair_topic: &str, facts: &[(u64, FactRecord)]) {
    if let Some(key) = PairTopic::parse_storage_key(pair_topic) {
        out.push(view_of(&key, facts));
    }
}

/// The pair-topics of `org` (from the index), in key order.
pub fn of_organization(store: &Store, org: &Slug) -> Result<Vec<PairTopic>, StoreError> {
    index_scan(store, keys::ORG_PAIR, org)
}

/// The pair-topics on `topic` (from the index), in key order.
pub fn of_topic(store: &Store, topic: &Slug) -> Result<Vec<PairTopic>, StoreError> {
    index_scan(store, keys::TOPIC_PAIR, topic)
}

fn index_scan(store: &Store, table: u8, part: &Slug) -> Result<Vec<PairTopic>, StoreError> {
    let prefix = keys::prefix(table, part.as_str().as_bytes());
    store
        .tree()
        .scan_prefix(&prefix)
        .keys()
        .map(|k| {
            let k = k?;
            Ok(PairTopic::parse_storage_key(&String::from_utf8_lossy(
                &k[prefix.len()..],
            )))
        })
        .filter_map(Result::transpose)
        .collect()
}

/// Every pair-topic with a fact, in key order.
pub fn all(store: &Store) -> Result<Vec<PairTopic>, StoreError> {
    store
        .tree()
        .scan_prefix([keys::SUMMARY])
        .keys()
        .map(|k| {
            Ok(PairTopic::parse_storage_key(&String::from_utf8_lossy(
                &k?[1..],
            )))
        })
        .filter_map(Result::transpose)
        .collect()
}
