//! The reference model of the property tests: the contract's status rules stated as plainly as
//! possible, every fact of the log in memory and every status folded from scratch.
//!
//! The services do not run it: they run the incremental [`crate::Ledger`], and the tests (the
//! crate's property tests, the projection's reference test) check that both agree, event by
//! event. Beside the pair-topics it keeps which pair-topics each event touched (to route a
//! retraction) and which events were retracted (so that a retraction arriving before its target
//! still ends in the same state), as a service does.

mod pair_topic;

use std::collections::{BTreeMap, BTreeSet};

use liaison_proto::{AsOf, EventId, Slug};

pub use pair_topic::{ReferencePairTopic, StatusView};

use crate::fact::Fact;
use crate::pair::{PairTopic, pair_topics};
use crate::transition::Transition;

/// Every pair-topic's facts, with the event index and the retracted ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferenceModel {
    states: BTreeMap<PairTopic, ReferencePairTopic>,
    by_event: BTreeMap<EventId, Vec<PairTopic>>,
    retracted: BTreeSet<EventId>,
}

impl ReferenceModel {
    /// No facts: every pair-topic is `none`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies a fact to every pair-topic it names; one transition per pair-topic. A fact already
    /// applied, or already retracted, changes nothing and gives no transitions.
    pub fn apply(&mut self, fact: &Fact) -> Vec<Transition> {
        if self.retracted.contains(&fact.event_id) || self.by_event.contains_key(&fact.event_id) {
            return Vec::new();
        }
        let keys = pair_topics(fact);
        let transitions = keys
            .iter()
            .map(|key| {
                self.states
                    .entry(key.clone())
                    .or_insert_with(|| ReferencePairTopic::new(key.clone()))
                    .apply(fact)
            })
            .collect();
        self.by_event.insert(fact.event_id, keys);
        transitions
    }

    /// Removes the effect of `event_id` everywhere, as if it had never been applied;
    /// `cause_event_id` is the `event.retracted` event. A pair-topic left without facts is
    /// dropped. The id stays retracted: applying it later changes nothing.
    pub fn retract(&mut self, event_id: EventId, cause_event_id: EventId) -> Vec<Transition> {
        self.retracted.insert(event_id);
        let Some(keys) = self.by_event.remove(&event_id) else {
            return Vec::new();
        };
        keys.into_iter()
            .filter_map(|key| {
                let state = self.states.get_mut(&key)?;
                let t = state.retract(event_id, cause_event_id);
                if state.is_empty() {
                    self.states.remove(&key);
                }
                Some(t)
            })
            .collect()
    }

    /// The status of `x` and `y` (in either order) on `topic`; `none` when they have no fact
    /// (or are the same organization).
    pub fn status(&self, x: &Slug, y: &Slug, topic: &Slug, as_of: Option<AsOf>) -> StatusView {
        PairTopic::new(x.clone(), y.clone(), topic.clone())
            .and_then(|key| self.states.get(&key))
            .map(|state| state.view(as_of))
            .unwrap_or_default()
    }

    /// The state of one pair-topic, if it has any fact.
    pub fn get(&self, key: &PairTopic) -> Option<&ReferencePairTopic> {
        self.states.get(key)
    }

    /// Every pair-topic with at least one fact, in key order.
    pub fn states(&self) -> impl Iterator<Item = &ReferencePairTopic> {
        self.states.values()
    }

    /// The view of every pair-topic with at least one fact that happened by `as_of`.
    pub fn views(&self, as_of: Option<AsOf>) -> BTreeMap<PairTopic, StatusView> {
        self.states
            .iter()
            .map(|(k, s)| (k.clone(), s.view(as_of)))
            .filter(|(_, v)| !v.events.is_empty() || !v.signals.is_empty())
            .collect()
    }

    /// The pair-topics an applied (and not retracted) event touched.
    pub fn pair_topics_of(&self, event_id: EventId) -> Option<&[PairTopic]> {
        self.by_event.get(&event_id).map(Vec::as_slice)
    }

    /// Whether `event_id` was retracted.
    pub fn is_retracted(&self, event_id: EventId) -> bool {
        self.retracted.contains(&event_id)
    }
}
