//! One pair-topic of the reference model: every fact in memory, sorted, and the status folded
//! from all of them from scratch ([`fold`]) on every question.
//!
//! Nothing stores it: it is the plain statement of the rules that the services' incremental
//! [`crate::Ledger`] is tested against.

use liaison_proto::{AsOf, BusinessTime, EventId, Status};
use serde::{Deserialize, Serialize};

use crate::fact::{Fact, FactEntry};
use crate::pair::PairTopic;
use crate::status_machine::fold;
use crate::transition::Transition;

/// A pair-topic's status as a query sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatusView {
    /// The status.
    pub status: Status,
    /// When the fact that moved the status to its value happened; `None` for `none`.
    pub since: Option<BusinessTime>,
    /// The event id of that fact.
    pub since_event: Option<EventId>,
    /// The asserted facts (status-moving or not), in time order.
    pub events: Vec<FactEntry>,
    /// The facts that are not asserted (planned, possible, reported, negated), in time order.
    pub signals: Vec<FactEntry>,
}

/// Every fact of one pair-topic, kept sorted by (time, sequence) and unique by event id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferencePairTopic {
    key: PairTopic,
    facts: Vec<FactEntry>,
}

impl ReferencePairTopic {
    /// An empty state (status `none`) for `key`.
    pub fn new(key: PairTopic) -> Self {
        Self {
            key,
            facts: Vec::new(),
        }
    }

    /// The pair-topic this state is for.
    pub fn key(&self) -> &PairTopic {
        &self.key
    }

    /// The facts, in (time, sequence) order.
    pub fn facts(&self) -> &[FactEntry] {
        &self.facts
    }

    /// Whether no fact is left.
    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    /// Whether the fact with this event id is here.
    pub fn contains(&self, event_id: EventId) -> bool {
        self.position(event_id).is_some()
    }

    /// The current status (all facts).
    pub fn current(&self) -> Status {
        fold(&self.facts).status
    }

    /// Adds a fact at its place in time. A fact whose event id is already here is ignored (the
    /// first one stays), so applying the same fact twice is a no-op.
    ///
    /// The fact should be one that [`crate::pair_topics`] routes to this key; this is checked in
    /// debug builds only.
    pub fn apply(&mut self, fact: &Fact) -> Transition {
        debug_assert!(
            crate::pair::pair_topics(fact).contains(&self.key),
            "fact {} does not concern {}",
            fact.event_id,
            self.key
        );
        self.apply_entry(FactEntry::from(fact))
    }

    /// Like [`ReferencePairTopic::apply`], for an entry already stripped of its organizations.
    pub fn apply_entry(&mut self, entry: FactEntry) -> Transition {
        let before = self.current();
        let cause = entry.event_id;
        if !self.contains(entry.event_id) {
            let order = |e: &FactEntry| (e.order_key(), e.event_id);
            let at = self.facts.partition_point(|e| order(e) < order(&entry));
            self.facts.insert(at, entry);
        }
        self.transition(before, cause)
    }

    /// Removes the fact with `event_id`, as if it had never been applied; `cause_event_id` is the
    /// retraction event (it becomes the transition's cause). Unknown ids change nothing.
    pub fn retract(&mut self, event_id: EventId, cause_event_id: EventId) -> Transition {
        let before = self.current();
        if let Some(at) = self.position(event_id) {
            self.facts.remove(at);
        }
        self.transition(before, cause_event_id)
    }

    /// The status built only from the facts that happened by `as_of` (all facts with `None`).
    pub fn view(&self, as_of: Option<AsOf>) -> StatusView {
        let upto = match as_of {
            None => self.facts.len(),
            Some(bound) => self.facts.partition_point(|e| bound.includes(e.time)),
        };
        let facts = &self.facts[..upto];
        let folded = fold(facts);
        let (signals, events) = facts.iter().cloned().partition(FactEntry::is_signal);
        StatusView {
            status: folded.status,
            since: folded.since.map(|e| e.time),
            since_event: folded.since.map(|e| e.event_id),
            events,
            signals,
        }
    }

    fn position(&self, event_id: EventId) -> Option<usize> {
        self.facts.iter().position(|e| e.event_id == event_id)
    }

    fn transition(&self, before: Status, cause_event_id: EventId) -> Transition {
        let folded = fold(&self.facts);
        Transition {
            key: self.key.clone(),
            before,
            after: folded.status,
            cause_event_id,
            since: folded.since.map(|e| e.time),
            since_event: folded.since.map(|e| e.event_id),
        }
    }
}
