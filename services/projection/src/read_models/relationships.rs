//! The cooperation read model: per pair and topic, the facts (one key each) and a summary of the
//! current status, kept with the domain core's [`step`] and [`NewestFirst`].
//!
//! An in-order fact (after the summary's last) is one [`step`]; a late fact or a retraction
//! re-folds that pair-topic newest first, back to its last `ended` ([`NewestFirst`]); a query
//! `as_of` does the same from its bound.

use liaison_proto::query::{EventRef, RelationshipView, Signal};
use liaison_proto::{AsOf, Slug, Status};
use liaison_relations::{NewestFirst, PairTopic, step};

use crate::read_models::{Bounds, Listed, page_of};
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

/// The summary of the facts fed newest first, reading only each fact's one-byte fold header
/// ([`FactRecord::fold_effect`]) and stopping as soon as older facts cannot change the
/// outcome ([`NewestFirst`]): a late fact on a pair-topic with a long history reads the facts
/// since its last `ended`, not the whole history. Only the fact that brought the status is
/// decoded.
#[derive(Default)]
struct HeaderFold {
    fold: NewestFirst<(Vec<u8>, Vec<u8>)>,
    last: Option<[u8; keys::ORDER_LEN]>,
}

impl HeaderFold {
    /// Feeds the next older fact, stored as (`k`, `v`); false when older ones do not matter.
    fn older(&mut self, k: &[u8], v: &[u8]) -> Result<bool, StoreError> {
        if self.last.is_none() {
            self.last = k[k.len() - keys::ORDER_LEN..].try_into().ok();
        }
        let effect = FactRecord::fold_effect(k, v)?;
        Ok(self.fold.older(effect, || (k.to_vec(), v.to_vec())))
    }

    /// The summary folded (`None` when no fact was fed).
    fn finish(self) -> Result<Option<Summary>, StoreError> {
        let Some(last) = self.last else {
            return Ok(None);
        };
        let (status, since) = self.fold.finish();
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
}

/// The summary folded from the facts of the pair-topic (`None` when none is left).
fn refold(w: &Writes<'_>, pair_topic: &str) -> Result<Option<Summary>, StoreError> {
    let mut fold = HeaderFold::default();
    w.for_each_prefix_rev(&fact_prefix(pair_topic), |k, v| fold.older(k, v))?;
    fold.finish()
}

/// The stored summary (current status, all facts) of a pair-topic.
pub fn summary(store: &Store, key: &PairTopic) -> Result<Option<Summary>, StoreError> {
    store.get(&summary_key(&key.storage_key()))
}

/// Which facts of a relationship a view lists: the latest `limit` that happened by `as_of`,
/// strictly before `before` (an order suffix from [`RelationshipView::earlier_cursor`]).
#[derive(Debug, Clone, Default)]
pub struct FactPage {
    /// Only facts that happened by then.
    pub as_of: Option<AsOf>,
    /// Only facts before this order suffix.
    pub before: Option<Vec<u8>>,
    /// At most this many.
    pub limit: usize,
}

/// A malformed `before` cursor.
#[derive(Debug, thiserror::Error)]
#[error("before: malformed cursor {0:?}")]
pub struct BadBefore(pub String);

impl FactPage {
    /// The page of `limit` facts before the cursor `before` (hex, as the view gave it).
    pub fn new(as_of: Option<AsOf>, before: Option<&str>, limit: usize) -> Result<Self, BadBefore> {
        let before = before
            .map(|c| {
                hex::decode(c)
                    .ok()
                    .filter(|b| b.len() == keys::ORDER_LEN)
                    .ok_or_else(|| BadBefore(c.to_owned()))
            })
            .transpose()?;
        Ok(Self {
            as_of,
            before,
            limit,
        })
    }
}

/// The status of a pair-topic as of `as_of` and when it was reached: the stored summary for
/// now, a fold of the facts' headers up to the bound for a past date.
fn status_as_of(
    store: &Store,
    pair_topic: &str,
    as_of: Option<AsOf>,
) -> Result<Option<Summary>, StoreError> {
    let Some(bound) = as_of else {
        return store.get(&summary_key(pair_topic));
    };
    let prefix = fact_prefix(pair_topic);
    let mut end = prefix.clone();
    end.extend_from_slice(&keys::as_of_bound(bound));
    let mut fold = HeaderFold::default();
    for item in store.tree().range(prefix..=end).rev() {
        let (k, v) = item?;
        if !fold.older(&k, &v)? {
            break;
        }
    }
    fold.finish()
}

/// The relationship of one pair-topic as of `page.as_of`: its status and since over all its
/// facts, and the page's facts (status `none` and no events when there are none).
pub fn view(
    store: &Store,
    key: &PairTopic,
    page: &FactPage,
) -> Result<RelationshipView, StoreError> {
    let pt = key.storage_key();
    let summary = status_as_of(store, &pt, page.as_of)?;
    let prefix = fact_prefix(&pt);
    let mut end = prefix.clone();
    end.extend_from_slice(
        &page
            .as_of
            .map_or([0xff; keys::ORDER_LEN], keys::as_of_bound),
    );
    if let Some(before) = &page.before {
        let mut before_key = prefix.clone();
        before_key.extend_from_slice(before);
        end = end.min(before_key);
    }
    // Newest first, one more than the page to know whether there are earlier ones. `end` is
    // never a key: the as_of bound ends with sequence u64::MAX, and `before` is excluded.
    let mut facts = Vec::with_capacity(page.limit + 1);
    for item in store.tree().range(prefix..end).rev().take(page.limit + 1) {
        let (k, v) = item?;
        facts.push((k.to_vec(), FactRecord::from_bytes(&k, &v)?));
    }
    let earlier_cursor = (facts.len() > page.limit).then(|| {
        facts.truncate(page.limit);
        let oldest = &facts[page.limit - 1].0;
        hex::encode(&oldest[oldest.len() - keys::ORDER_LEN..])
    });
    facts.reverse();
    let mut events = Vec::new();
    let mut signals = Vec::new();
    for (k, record) in facts {
        let entry = record.entry(keys::sequence_of(&k));
        let event = EventRef {
            id: record.id,
            sequence: entry.sequence,
            event_type: record.event_type,
            time: record.time,
            factuality: record.factuality,
            summary: record.summary,
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
    Ok(RelationshipView {
        organizations: [key.a.clone(), key.b.clone()],
        topic: key.topic.clone(),
        status: summary.as_ref().map_or(Status::None, |s| s.status),
        since: summary.and_then(|s| s.since),
        events,
        signals,
        earlier_cursor,
    })
}

/// One page of the topics of the pair of `x` and `y` with a fact by `page.as_of`, after the
/// topic `after`, in topic order, each with its page of facts; and the last topic examined
/// when more may follow.
pub fn pair_views(
    store: &Store,
    x: &Slug,
    y: &Slug,
    page: &FactPage,
    after: Option<&Slug>,
    bounds: Bounds,
) -> Result<Listed<RelationshipView>, StoreError> {
    let mut prefix = vec![keys::SUMMARY];
    prefix.extend_from_slice(PairTopic::pair_prefix(x, y).as_bytes());
    let mut start = prefix.clone();
    if let Some(topic) = after {
        start.extend_from_slice(topic.as_str().as_bytes());
        start.push(0); // strictly after
    }
    let topics = store
        .tree()
        .range(start..)
        .keys()
        .take_while(|k| k.as_ref().map_or(true, |k| k.starts_with(&prefix)))
        .filter_map(|k| match k {
            Err(e) => Some(Err(StoreError::from(e))),
            Ok(k) => PairTopic::parse_storage_key(&String::from_utf8_lossy(&k[1..])).map(Ok),
        });
    page_of(
        topics,
        bounds,
        |key| key.topic.to_string(),
        |key| {
            let view = view(store, &key, page)?;
            let has_facts = !view.events.is_empty() || !view.signals.is_empty();
            Ok(has_facts.then_some(view))
        },
    )
}

/// Which pair-topics a listing goes through.
#[derive(Debug, Clone, Copy)]
pub enum Listing<'a> {
    /// Those of an organization (its index).
    Organization(&'a Slug),
    /// Those on a topic (its index).
    Topic(&'a Slug),
    /// Every pair-topic with a fact.
    All,
}

/// The pair-topics of `listing` after `after`, in key order (`a/b/topic`), read lazily so that
/// a page stops reading where it ends.
pub fn list_after<'s>(
    store: &'s Store,
    listing: Listing<'_>,
    after: Option<&PairTopic>,
) -> impl Iterator<Item = Result<PairTopic, StoreError>> + 's {
    let prefix = match listing {
        Listing::Organization(org) => keys::prefix(keys::ORG_PAIR, org.as_str().as_bytes()),
        Listing::Topic(topic) => keys::prefix(keys::TOPIC_PAIR, topic.as_str().as_bytes()),
        Listing::All => vec![keys::SUMMARY],
    };
    let mut start = prefix.clone();
    if let Some(key) = after {
        start.extend_from_slice(key.storage_key().as_bytes());
        start.push(0); // strictly after
    }
    let skip = prefix.len();
    store
        .tree()
        .range(start..)
        .keys()
        .take_while(move |k| k.as_ref().map_or(true, |k| k.starts_with(&prefix)))
        .filter_map(move |k| match k {
            Err(e) => Some(Err(StoreError::from(e))),
            Ok(k) => PairTopic::parse_storage_key(&String::from_utf8_lossy(&k[skip..])).map(Ok),
        })
}
