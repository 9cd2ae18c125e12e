//! The incremental status of pair-topics over a store — the one algorithm the projection and the
//! notifier both run.
//!
//! A pair-topic keeps one stored fact per key, in the order in which facts count
//! ([`OrderKey`]), and a small [`Summary`] (current status, the fact that brought it, the newest
//! fact's order). A fact after the newest is one step of the status machine on the summary; a
//! late fact or a retraction re-folds the pair-topic newest first, reading one [`FoldHeader`] byte
//! per fact, back only to its last `ended` ([`NewestFirst`]). Either way a fact costs the same
//! few reads and writes however long its pair-topic's history is.
//!
//! The store is the service's: [`LedgerView`] and [`LedgerStore`] are what the ledger needs of
//! it, and [`layout`] is how the services lay it out in sled. [`MemoryStore`] keeps it in memory
//! (the property tests compare it with the reference fold).
//!
//! Every change returns the [`Transition`] of the pair-topic's current status: the projection
//! records the ones that change it, the notifier matches its alert rules against all of them.

pub mod bytes;
mod cost;
mod header;
pub mod layout;
mod memory;
mod route;
mod summary;

use liaison_proto::{AsOf, EventId};

pub use cost::{CostCounter, StoreCost};
pub use header::{BadFoldHeader, FoldHeader};
pub use memory::MemoryStore;
pub use route::Route;
pub use summary::Summary;

use crate::fact::{Fact, FactEntry};
use crate::order::OrderKey;
use crate::pair::{PairTopic, pair_topics};
use crate::status_machine::NewestFirst;
use crate::transition::Transition;

/// What the ledger reads of a store. Reads must see every write made through [`LedgerStore`]
/// before them (a service's store reads through the writes it stages).
pub trait LedgerView {
    /// Why a read failed.
    type Error;

    /// The summary of `key`; `None` when it has no fact.
    fn summary(&self, key: &PairTopic) -> Result<Option<Summary>, Self::Error>;

    /// Feeds `visit` the order and the fold header of `key`'s facts, newest first, starting at
    /// the newest at or before `upto` (the newest of all with `None`), until `visit` returns
    /// false.
    fn newest_first(
        &self,
        key: &PairTopic,
        upto: Option<OrderKey>,
        visit: impl FnMut(OrderKey, FoldHeader) -> bool,
    ) -> Result<(), Self::Error>;

    /// `key`'s fact at `at`, whole.
    fn fact(&self, key: &PairTopic, at: OrderKey) -> Result<Option<FactEntry>, Self::Error>;
}

/// What the ledger writes to a store. Writes cannot fail: a service stages them in memory and
/// commits them with its checkpoint.
pub trait LedgerStore: LedgerView {
    /// What the store keeps of a fact beside the domain's [`FactEntry`] (the projection: the
    /// event's type and summary); `()` for nothing.
    type Record: ?Sized;

    /// Stores `entry` as a fact of `key`, at its [`FactEntry::order_key`], with its
    /// [`FoldHeader`].
    fn put_fact(&mut self, key: &PairTopic, entry: &FactEntry, record: &Self::Record);

    /// Removes `key`'s fact at `at`.
    fn remove_fact(&mut self, key: &PairTopic, at: OrderKey);

    /// Stores `key`'s summary.
    fn put_summary(&mut self, key: &PairTopic, summary: &Summary);

    /// Removes `key`'s summary: its last fact is gone. A store that indexes pair-topics (by
    /// organization, by topic) drops `key` from them here.
    fn remove_summary(&mut self, key: &PairTopic);

    /// `key` got its first fact. A store that indexes pair-topics adds `key` to them here.
    fn opened(&mut self, _key: &PairTopic) {}
}

/// What applying a fact did: where it went (to store for a later retraction) and the transition
/// of each pair-topic it concerns, in [`pair_topics`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Where the fact is stored.
    pub route: Route,
    /// One per pair-topic, changed or not.
    pub transitions: Vec<Transition>,
}

/// The ledger of pair-topics over the store `S`.
#[derive(Debug)]
pub struct Ledger<S> {
    store: S,
}

impl<S> Ledger<S> {
    /// The ledger kept in `store`.
    pub fn new(store: S) -> Self {
        Self { store }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The store, given back.
    pub fn into_store(self) -> S {
        self.store
    }
}

impl<S: LedgerStore> Ledger<S> {
    /// Adds `fact` (with the store's `record` of it) to every pair-topic it concerns.
    ///
    /// The caller applies each event once: it keeps the [`Route`] under the event's id, skips an
    /// event whose id it already holds, and hands the route to [`Ledger::retract`].
    pub fn apply(&mut self, fact: &Fact, record: &S::Record) -> Result<Applied, S::Error> {
        let entry = FactEntry::from(fact);
        let keys = pair_topics(fact);
        let transitions = keys
            .iter()
            .map(|key| self.add(key, &entry, record))
            .collect::<Result<_, _>>()?;
        Ok(Applied {
            route: Route {
                order: entry.order_key(),
                pair_topics: keys,
            },
            transitions,
        })
    }

    /// Removes the facts of the event at `route` from its pair-topics, as if they had never been
    /// applied; `cause` (the `event.retracted` event) is the transitions' cause.
    pub fn retract(&mut self, route: &Route, cause: EventId) -> Result<Vec<Transition>, S::Error> {
        route
            .pair_topics
            .iter()
            .map(|key| self.remove(key, route.order, cause))
            .collect()
    }

    /// Adds one fact to `key`: one step when it is the newest, a re-fold when it is late.
    pub fn add(
        &mut self,
        key: &PairTopic,
        entry: &FactEntry,
        record: &S::Record,
    ) -> Result<Transition, S::Error> {
        self.store.put_fact(key, entry, record);
        let old = self.store.summary(key)?;
        let new = match &old {
            None => {
                self.store.opened(key);
                Summary::first(entry)
            }
            Some(summary) if entry.order_key() > summary.last => {
                let mut summary = summary.clone();
                summary.step(entry);
                summary
            }
            Some(_) => {
                refold(&self.store, key, None)?.expect("a store reads the fact it was just given")
            }
        };
        self.store.put_summary(key, &new);
        Ok(transition(key, old.as_ref(), Some(&new), entry.event_id))
    }

    /// Removes `key`'s fact at `at` and re-folds; `cause` is the transition's cause. A pair-topic
    /// left without facts loses its summary.
    pub fn remove(
        &mut self,
        key: &PairTopic,
        at: OrderKey,
        cause: EventId,
    ) -> Result<Transition, S::Error> {
        self.store.remove_fact(key, at);
        let old = self.store.summary(key)?;
        let new = refold(&self.store, key, None)?;
        match &new {
            Some(summary) => self.store.put_summary(key, summary),
            None => self.store.remove_summary(key),
        }
        Ok(transition(key, old.as_ref(), new.as_ref(), cause))
    }
}

/// The summary of `key` as of `as_of`: the stored one for now (`None`), a fold of the facts up
/// to the bound for a past date. `None` when no fact had happened by then.
pub fn status_as_of<V: LedgerView>(
    view: &V,
    key: &PairTopic,
    as_of: Option<AsOf>,
) -> Result<Option<Summary>, V::Error> {
    match as_of {
        None => view.summary(key),
        Some(bound) => refold(view, key, Some(OrderKey::last_of(bound))),
    }
}

/// The summary folded from `key`'s facts at or before `upto` (all with `None`), newest first,
/// reading headers only and stopping as soon as older facts cannot change it; the fact that
/// brought the status is read whole. `None` when there is no such fact.
pub fn refold<V: LedgerView>(
    view: &V,
    key: &PairTopic,
    upto: Option<OrderKey>,
) -> Result<Option<Summary>, V::Error> {
    let mut fold = NewestFirst::new();
    let mut last = None;
    view.newest_first(key, upto, |at, header| {
        last.get_or_insert(at);
        fold.older(header.moves(), || at)
    })?;
    let Some(last) = last else {
        return Ok(None);
    };
    let (status, since_at) = fold.finish();
    let since = match since_at {
        Some(at) => view.fact(key, at)?,
        None => None,
    };
    Ok(Some(Summary {
        status,
        since: since.as_ref().map(|e| e.time),
        since_event: since.map(|e| e.event_id),
        last,
    }))
}

fn transition(
    key: &PairTopic,
    before: Option<&Summary>,
    after: Option<&Summary>,
    cause: EventId,
) -> Transition {
    Transition {
        key: key.clone(),
        before: Summary::status_of(before),
        after: Summary::status_of(after),
        cause_event_id: cause,
        since: after.and_then(|s| s.since),
        since_event: after.and_then(|s| s.since_event),
    }
}
