//! The whole log's relationships in memory: what the property tests run on and what a rebuild
//! can use.
//!
//! It is the same [`PairTopicState`] the services store one by one, plus the two indexes a
//! service keeps beside them: which pair-topics each event touched (to route a retraction) and
//! which events were retracted (so that a retraction arriving before its target still ends in
//! the same state).

use std::collections::{BTreeMap, BTreeSet};

use liaison_proto::{AsOf, Slug};

use crate::fact::Fact;
use crate::pair::{PairTopic, pair_topics};
use crate::pair_state::{PairTopicState, StatusView};
use crate::transition::Transition;

/// Every pair-topic's state, with the event index and the retracted ids.
///
/// Not serializable on purpose: services store the per-key states one by one, not this.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relations {
    states: BTreeMap<PairTopic, PairTopicState>,
    by_event: BTreeMap<String, Vec<PairTopic>>,
    retracted: BTreeSet<String>,
}

impl Relations {
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
                    .or_insert_with(|| PairTopicState::new(key.clone()))
                    .apply(fact)
            })
            .collect();
        self.by_event.insert(fact.event_id.clone(), keys);
        transitions
    }

    /// Removes the effect of `event_id` everywhere, as if it had never been applied;
    /// `cause_event_id` is the `event.retracted` event. A pair-topic left without facts is
    /// dropped. The id stays retracted: applying it later changes nothing.
    pub fn retract(&mut self, event_id: &str, cause_event_id: &str) -> Vec<Transition> {
        self.retracted.insert(event_id.to_owned());
        let Some(keys) = self.by_event.remove(event_id) else {
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
    pub fn get(&self, key: &PairTopic) -> Option<&PairTopicState> {
        self.states.get(key)
    }

    /// Every pair-topic with at least one fact, in key order.
    pub fn states(&self) -> impl Iterator<Item = &PairTopicState> {
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
    pub fn pair_topics_of(&self, event_id: &str) -> Option<&[PairTopic]> {
        self.by_event.get(event_id).map(Vec::as_slice)
    }

    /// Whether `event_id` was retracted.
    pub fn is_retracted(&self, event_id: &str) -> bool {
        self.retracted.contains(event_id)
    }
}
