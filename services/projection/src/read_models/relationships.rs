//! The cooperation read model: per pair and topic, the facts (one key each) and a summary of the
//! current status, kept by the domain's [`Ledger`] in its layout
//! ([`liaison_relations::ledger::layout`]).
//!
//! [`Staging`] is the ledger's store while the applier stages a batch (the projection's staged
//! writes, read through, so a late fact re-folds with the facts of its own batch); [`Committed`]
//! serves queries from the committed tree, where a status as of a past date re-folds from its
//! bound. Both count what they read and write ([`StoreCost`]).

use liaison_proto::query::{EventRef, RelationshipView, Signal, StatusStep};
use liaison_proto::{AsOf, Slug, Status};
use liaison_relations::ledger::bytes::{FactBytes, OrderedBytes, Visit};
use liaison_relations::ledger::layout::{self, LayoutError};
use liaison_relations::{
    BadOrderKey, CostCounter, FactEntry, Ledger, LedgerStore, LedgerView, OrderKey, PairTopic,
    StoreCost, Summary, status_as_of,
};

use liaison_proto::query::MAX_LADDER_STEPS;
use liaison_relations::status_machine::step;

use crate::read_models::{Bounds, Listed, page_of, timeline};
use crate::store::{FactRecord, Store, StoreError, Writes, escape, keys};

/// The ledger over the writes of the batch being applied.
pub fn ledger<'w, 'a>(w: &'w mut Writes<'a>) -> Ledger<Staging<'w, 'a>> {
    Ledger::new(Staging::new(w))
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

fn corrupt(key: &[u8], source: LayoutError) -> StoreError {
    StoreError::Layout {
        key: escape(key),
        source,
    }
}

/// The ledger's store while a batch is applied: the projection's staged writes, read through.
/// Besides the ledger's keys it keeps the indexes of pair-topics by organization and by topic.
#[derive(Debug)]
pub struct Staging<'w, 'a> {
    w: &'w mut Writes<'a>,
    cost: CostCounter,
}

impl<'w, 'a> Staging<'w, 'a> {
    /// The store over `w`.
    pub fn new(w: &'w mut Writes<'a>) -> Self {
        Self {
            w,
            cost: CostCounter::default(),
        }
    }

    /// What it read and wrote so far.
    pub fn cost(&self) -> StoreCost {
        self.cost.get()
    }

    fn insert(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.cost.wrote(&key, &value);
        self.w.insert(key, value);
    }

    fn remove(&mut self, key: Vec<u8>) {
        self.cost.wrote(&key, &[]);
        self.w.remove(key);
    }
}

impl OrderedBytes for Staging<'_, '_> {
    type Error = StoreError;

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let value = self.w.get(key)?;
        if let Some(v) = &value {
            self.cost.read(key, v);
        }
        Ok(value)
    }

    fn scan_rev(
        &self,
        first: &[u8],
        last: &[u8],
        visit: &mut Visit<'_, StoreError>,
    ) -> Result<(), StoreError> {
        self.w.for_each_prefix_rev(first, |k, v| {
            if k > last {
                return Ok(true);
            }
            self.cost.read(k, v);
            visit(k, v)
        })
    }

    fn corrupt(&self, key: &[u8], source: LayoutError) -> StoreError {
        corrupt(key, source)
    }
}

/// A fact as the projection stores it: a [`FactRecord`] (the entry, its event type and summary).
fn record_in<B: OrderedBytes<Error = StoreError>>(
    bytes: &B,
    key: &PairTopic,
    at: OrderKey,
) -> Result<Option<FactEntry>, StoreError> {
    let k = layout::fact_key(key, at);
    bytes
        .get(&k)?
        .map(|v| FactRecord::from_bytes(&k, &v).map(|r| r.entry(at.sequence())))
        .transpose()
}

impl FactBytes for Staging<'_, '_> {
    fn fact_at(&self, key: &PairTopic, at: OrderKey) -> Result<Option<FactEntry>, StoreError> {
        record_in(self, key, at)
    }
}

impl LedgerStore for Staging<'_, '_> {
    type Record = FactRecord;

    fn put_fact(&mut self, key: &PairTopic, entry: &FactEntry, record: &FactRecord) {
        self.insert(
            layout::fact_key(key, entry.order_key()),
            record.to_bytes(entry),
        );
    }

    fn remove_fact(&mut self, key: &PairTopic, at: OrderKey) {
        self.remove(layout::fact_key(key, at));
    }

    fn put_summary(&mut self, key: &PairTopic, summary: &Summary) {
        self.insert(layout::summary_key(key), layout::encode_summary(summary));
    }

    fn remove_summary(&mut self, key: &PairTopic) {
        self.remove(layout::summary_key(key));
        for k in index_keys(key) {
            self.remove(k);
        }
    }

    fn opened(&mut self, key: &PairTopic) {
        for k in index_keys(key) {
            self.insert(k, Vec::new());
        }
    }
}

/// The ledger as the committed tree holds it, for queries.
#[derive(Debug)]
pub struct Committed<'s> {
    store: &'s Store,
    cost: CostCounter,
}

impl<'s> Committed<'s> {
    /// The ledger of `store`.
    pub fn new(store: &'s Store) -> Self {
        Self {
            store,
            cost: CostCounter::default(),
        }
    }
}

impl OrderedBytes for Committed<'_> {
    type Error = StoreError;

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let value = self.store.tree().get(key)?.map(|v| v.to_vec());
        if let Some(v) = &value {
            self.cost.read(key, v);
        }
        Ok(value)
    }

    fn scan_rev(
        &self,
        first: &[u8],
        last: &[u8],
        visit: &mut Visit<'_, StoreError>,
    ) -> Result<(), StoreError> {
        for item in self.store.tree().range(first..=last).rev() {
            let (k, v) = item?;
            self.cost.read(&k, &v);
            if !visit(&k, &v)? {
                break;
            }
        }
        Ok(())
    }

    fn corrupt(&self, key: &[u8], source: LayoutError) -> StoreError {
        corrupt(key, source)
    }
}

impl FactBytes for Committed<'_> {
    fn fact_at(&self, key: &PairTopic, at: OrderKey) -> Result<Option<FactEntry>, StoreError> {
        record_in(self, key, at)
    }
}

/// The stored summary (current status, all facts) of a pair-topic.
pub fn summary(store: &Store, key: &PairTopic) -> Result<Option<Summary>, StoreError> {
    Committed::new(store).summary(key)
}

/// Which facts of a relationship a view lists: the latest `limit` that happened by `as_of`,
/// strictly before `before` (the order from [`RelationshipView::earlier_cursor`]).
#[derive(Debug, Clone, Default)]
pub struct FactPage {
    /// Only facts that happened by then.
    pub as_of: Option<AsOf>,
    /// Only facts before this one.
    pub before: Option<OrderKey>,
    /// At most this many.
    pub limit: usize,
    /// With each fact its evidence (read from the event's body).
    pub evidence: bool,
    /// With the status ladder, the earliest fact and the count ([`ladder`]).
    pub ladder: bool,
}

/// A malformed `before` cursor.
#[derive(Debug, thiserror::Error)]
#[error("before: malformed cursor {cursor:?}")]
pub struct BadBefore {
    /// The cursor as given.
    pub cursor: String,
    /// What is wrong with it.
    #[source]
    pub source: BadOrderKey,
}

impl FactPage {
    /// The page of `limit` facts before the cursor `before` (as the view gave it).
    pub fn new(as_of: Option<AsOf>, before: Option<&str>, limit: usize) -> Result<Self, BadBefore> {
        let before = before
            .map(|c| {
                c.parse().map_err(|source| BadBefore {
                    cursor: c.to_owned(),
                    source,
                })
            })
            .transpose()?;
        Ok(Self {
            as_of,
            before,
            limit,
            evidence: false,
            ladder: false,
        })
    }

    /// This page, with each fact's evidence and the relationship's ladder (one relationship).
    pub fn whole(self) -> Self {
        Self {
            evidence: true,
            ladder: true,
            ..self
        }
    }
}

/// The relationship of one pair-topic as of `page.as_of`: its status and since over all its
/// facts, and the page's facts (status `none` and no events when there are none).
pub fn view(
    store: &Store,
    key: &PairTopic,
    page: &FactPage,
) -> Result<RelationshipView, StoreError> {
    let summary = status_as_of(&Committed::new(store), key, page.as_of)?;
    let prefix = layout::fact_prefix(key);
    let mut end = prefix.clone();
    end.extend_from_slice(
        &page
            .as_of
            .map_or([0xff; keys::ORDER_LEN], keys::as_of_bound),
    );
    if let Some(before) = page.before {
        end = end.min(layout::fact_key(key, before));
    }
    // Newest first, one more than the page to know whether there are earlier ones. `end` is
    // never a key: the as_of bound ends with sequence u64::MAX, and `before` is excluded.
    let mut facts = Vec::with_capacity(page.limit + 1);
    for item in store.tree().range(prefix..end).rev().take(page.limit + 1) {
        let (k, v) = item?;
        facts.push((k.to_vec(), FactRecord::from_bytes(&k, &v)?));
    }
    let earlier_cursor = if facts.len() > page.limit {
        facts.truncate(page.limit);
        let oldest = &facts[page.limit - 1].0;
        Some(
            layout::order_of(oldest)
                .map_err(|e| corrupt(oldest, e))?
                .to_string(),
        )
    } else {
        None
    };
    facts.reverse();
    let mut events = Vec::new();
    let mut signals = Vec::new();
    for (k, record) in facts {
        let entry = record.entry(keys::sequence_of(&k));
        let evidence = if page.evidence {
            let order = layout::order_of(&k).map_err(|e| corrupt(&k, e))?;
            timeline::evidence_at(store, &key.a, &order.to_bytes())?
        } else {
            None
        };
        let event = EventRef {
            id: record.id.uuid(),
            sequence: entry.sequence,
            event_type: record.event_type,
            time: record.time,
            factuality: record.factuality,
            summary: record.summary,
            evidence,
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
    let (ladder, earliest, fact_count) = if page.ladder {
        let l = ladder(store, key, page.as_of)?;
        (l.steps, l.earliest, Some(l.count))
    } else {
        (Vec::new(), None, None)
    };
    Ok(RelationshipView {
        organizations: [key.a.clone(), key.b.clone()],
        topic: key.topic.clone(),
        status: summary.as_ref().map_or(Status::None, |s| s.status),
        since: summary.and_then(|s| s.since),
        events,
        signals,
        earlier_cursor,
        ladder,
        earliest,
        fact_count,
    })
}

/// The status history of a pair-topic as of a bound: its moves, its earliest fact, its count.
#[derive(Debug, Clone, Default)]
pub struct Ladder {
    /// The latest [`MAX_LADDER_STEPS`] moves, oldest first.
    pub steps: Vec<StatusStep>,
    /// When the earliest fact happened.
    pub earliest: Option<liaison_proto::BusinessTime>,
    /// How many facts there are.
    pub count: u64,
}

/// The ladder of `key` up to `as_of`: the facts are read oldest first, and of each only the
/// one-byte fold header (whether and how it moves the status), as a re-fold does; only the facts
/// that moved the status are decoded whole.
pub fn ladder(store: &Store, key: &PairTopic, as_of: Option<AsOf>) -> Result<Ladder, StoreError> {
    let prefix = layout::fact_prefix(key);
    let mut end = prefix.clone();
    end.extend_from_slice(&as_of.map_or([0xff; keys::ORDER_LEN], keys::as_of_bound));
    let mut out = Ladder::default();
    let mut status = Status::None;
    let mut moves = std::collections::VecDeque::new();
    for item in store.tree().range(prefix..end) {
        let (k, v) = item?;
        out.count += 1;
        if out.earliest.is_none() {
            out.earliest = Some(FactRecord::from_bytes(&k, &v)?.time);
        }
        let header = layout::header_of(&v).map_err(|e| corrupt(&k, e))?;
        let Some(next) = header.moves().and_then(|effect| step(status, effect)) else {
            continue;
        };
        if moves.len() == MAX_LADDER_STEPS {
            moves.pop_front();
        }
        moves.push_back((status, next, k.to_vec(), v));
        status = next;
    }
    for (before, after, k, v) in moves {
        let record = FactRecord::from_bytes(&k, &v)?;
        out.steps.push(StatusStep {
            before,
            after,
            event: EventRef {
                id: record.id.uuid(),
                sequence: keys::sequence_of(&k),
                event_type: record.event_type,
                time: record.time,
                factuality: record.factuality,
                summary: record.summary,
                evidence: None,
            },
        });
    }
    Ok(out)
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
