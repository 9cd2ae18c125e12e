//! The other relation kinds: supplier/customer (from `procurement.planned`, directional) and
//! competitor (from `competition.noted`, per topic).
//!
//! They have no status machine: a link exists from its first asserted fact on, and facts that
//! are not asserted are listed as signals. One [`LinkState`] per [`LinkKey`] can be kept on its
//! own and updated incrementally; [`Links`] is the in-memory aggregate of all of them (the
//! projection stores link facts one per key, routed by [`LinkFact::keys`]).

use std::collections::{BTreeMap, BTreeSet};

use liaison_proto::{AsOf, BusinessTime, EventId, Factuality, Slug};
use serde::{Deserialize, Serialize};

use crate::fact::topics_or_general;
use crate::order::OrderKey;
use crate::pair::PairTopic;

/// Which link, between whom.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum LinkKey {
    /// `supplier` supplies `customer` (the buyer of a `procurement.planned`).
    Supplies {
        /// The supplier.
        supplier: Slug,
        /// The buyer.
        customer: Slug,
    },
    /// The pair competes on the topic.
    Competes(PairTopic),
}

impl LinkKey {
    /// A byte key for an ordered store: `supplies/{supplier}/{customer}` or
    /// `competes/{a}/{b}/{topic}`.
    pub fn storage_key(&self) -> String {
        match self {
            Self::Supplies { supplier, customer } => format!("supplies/{supplier}/{customer}"),
            Self::Competes(k) => format!("competes/{}", k.storage_key()),
        }
    }

    /// Whether `org` is one of the link's organizations.
    pub fn involves(&self, org: &Slug) -> bool {
        match self {
            Self::Supplies { supplier, customer } => supplier == org || customer == org,
            Self::Competes(k) => &k.a == org || &k.b == org,
        }
    }
}

/// One event of a link kind, routed to the links it establishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkFact {
    /// The event id.
    pub event_id: EventId,
    /// The global log sequence.
    pub sequence: u64,
    /// When it happened.
    pub time: BusinessTime,
    /// How certain it is; only asserted facts establish a link.
    pub factuality: Factuality,
    /// The procured item, for a supply.
    pub item: Option<String>,
    /// The links it concerns (sorted, without duplicates).
    pub keys: Vec<LinkKey>,
}

impl LinkFact {
    /// A `procurement.planned`: `supplier` supplies `buyer` with `item`. A buyer that is its own
    /// supplier makes no link.
    pub fn procurement(
        event_id: impl Into<EventId>,
        sequence: u64,
        time: BusinessTime,
        factuality: Factuality,
        buyer: Slug,
        supplier: Slug,
        item: impl Into<String>,
    ) -> Self {
        let keys = if buyer == supplier {
            Vec::new()
        } else {
            vec![LinkKey::Supplies {
                supplier,
                customer: buyer,
            }]
        };
        Self {
            event_id: event_id.into(),
            sequence,
            time,
            factuality,
            item: Some(item.into()),
            keys,
        }
    }

    /// A `competition.noted`: every unordered pair of `organizations` competes on each topic
    /// (`general` when there is none).
    pub fn competition(
        event_id: impl Into<EventId>,
        sequence: u64,
        time: BusinessTime,
        factuality: Factuality,
        organizations: impl IntoIterator<Item = Slug>,
        topics: impl IntoIterator<Item = Slug>,
    ) -> Self {
        let mut orgs: Vec<Slug> = organizations.into_iter().collect();
        orgs.sort();
        orgs.dedup();
        let topics = topics_or_general(topics);
        let mut keys = Vec::new();
        for (i, a) in orgs.iter().enumerate() {
            for b in &orgs[i + 1..] {
                for topic in &topics {
                    keys.push(LinkKey::Competes(PairTopic {
                        a: a.clone(),
                        b: b.clone(),
                        topic: topic.clone(),
                    }));
                }
            }
        }
        keys.sort();
        Self {
            event_id: event_id.into(),
            sequence,
            time,
            factuality,
            item: None,
            keys,
        }
    }

    fn entry(&self) -> LinkEntry {
        LinkEntry {
            event_id: self.event_id,
            sequence: self.sequence,
            time: self.time,
            factuality: self.factuality,
            item: self.item.clone(),
        }
    }
}

/// What a link keeps of each of its facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkEntry {
    /// The event id.
    pub event_id: EventId,
    /// The global log sequence.
    pub sequence: u64,
    /// When it happened.
    pub time: BusinessTime,
    /// How certain it is.
    pub factuality: Factuality,
    /// The procured item, for a supply.
    pub item: Option<String>,
}

/// A link as a query sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkView {
    /// Which link.
    pub key: LinkKey,
    /// Whether an asserted fact establishes it.
    pub established: bool,
    /// When the first asserted fact happened.
    pub since: Option<BusinessTime>,
    /// The asserted facts, in (time, sequence) order.
    pub events: Vec<LinkEntry>,
    /// The other facts (planned, possible, reported, negated), in (time, sequence) order.
    pub signals: Vec<LinkEntry>,
}

/// Every fact of one link, sorted by (time, sequence) and unique by event id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkState {
    key: LinkKey,
    entries: Vec<LinkEntry>,
}

impl LinkState {
    /// No fact yet for `key`.
    pub fn new(key: LinkKey) -> Self {
        Self {
            key,
            entries: Vec::new(),
        }
    }

    /// The link this state is for.
    pub fn key(&self) -> &LinkKey {
        &self.key
    }

    /// Whether no fact is left.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds the fact at its place in time; an event id already here is ignored. Returns whether
    /// it was added.
    pub fn apply(&mut self, fact: &LinkFact) -> bool {
        if self.entries.iter().any(|e| e.event_id == fact.event_id) {
            return false;
        }
        let entry = fact.entry();
        let key = |e: &LinkEntry| (OrderKey::new(e.time, e.sequence), e.event_id);
        let at = self.entries.partition_point(|e| key(e) < key(&entry));
        self.entries.insert(at, entry);
        true
    }

    /// Removes the fact with `event_id`; returns whether it was here.
    pub fn retract(&mut self, event_id: EventId) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.event_id != event_id);
        self.entries.len() != before
    }

    /// The link built from the facts that happened by `as_of` (all with `None`); `None` when no
    /// fact had happened by then.
    pub fn view(&self, as_of: Option<AsOf>) -> Option<LinkView> {
        let upto = match as_of {
            None => self.entries.len(),
            Some(bound) => self.entries.partition_point(|e| bound.includes(e.time)),
        };
        if upto == 0 {
            return None;
        }
        let (events, signals): (Vec<_>, Vec<_>) = self.entries[..upto]
            .iter()
            .cloned()
            .partition(|e| e.factuality.moves_status());
        Some(LinkView {
            key: self.key.clone(),
            established: !events.is_empty(),
            since: events.first().map(|e| e.time),
            events,
            signals,
        })
    }
}

/// Every link of the log in memory, with the event index and the retracted ids.
///
/// Not serializable on purpose: services store the per-key states one by one, not this.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    states: BTreeMap<LinkKey, LinkState>,
    by_event: BTreeMap<EventId, Vec<LinkKey>>,
    retracted: BTreeSet<EventId>,
}

impl Links {
    /// No links.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies a fact to every link it concerns; returns those keys (empty when the event was
    /// already applied or retracted).
    pub fn apply(&mut self, fact: &LinkFact) -> Vec<LinkKey> {
        if self.retracted.contains(&fact.event_id) || self.by_event.contains_key(&fact.event_id) {
            return Vec::new();
        }
        for key in &fact.keys {
            self.states
                .entry(key.clone())
                .or_insert_with(|| LinkState::new(key.clone()))
                .apply(fact);
        }
        self.by_event.insert(fact.event_id, fact.keys.clone());
        fact.keys.clone()
    }

    /// Removes `event_id` everywhere, as if never applied; returns the links it touched.
    pub fn retract(&mut self, event_id: EventId) -> Vec<LinkKey> {
        self.retracted.insert(event_id);
        let keys = self.by_event.remove(&event_id).unwrap_or_default();
        for key in &keys {
            if let Some(state) = self.states.get_mut(key) {
                state.retract(event_id);
                if state.is_empty() {
                    self.states.remove(key);
                }
            }
        }
        keys
    }

    /// One link, as of `as_of`.
    pub fn view(&self, key: &LinkKey, as_of: Option<AsOf>) -> Option<LinkView> {
        self.states.get(key)?.view(as_of)
    }

    /// Every link that involves `org` and has a fact by `as_of`, in key order.
    pub fn of_organization(&self, org: &Slug, as_of: Option<AsOf>) -> Vec<LinkView> {
        self.states
            .values()
            .filter(|s| s.key().involves(org))
            .filter_map(|s| s.view(as_of))
            .collect()
    }

    /// Every link with a fact by `as_of`, in key order.
    pub fn views(&self, as_of: Option<AsOf>) -> Vec<LinkView> {
        self.states.values().filter_map(|s| s.view(as_of)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Slug {
        Slug::parse(x).unwrap()
    }

    fn t(x: &str) -> BusinessTime {
        BusinessTime::parse(x).unwrap()
    }

    fn e(n: u128) -> EventId {
        uuid::Uuid::from_u128(n).into()
    }

    #[test]
    fn procurement_is_directional() {
        let mut links = Links::new();
        links.apply(&LinkFact::procurement(
            e(1),
            1,
            t("2024-01-01"),
            Factuality::Asserted,
            s("meta"),
            s("lg"),
            "displays",
        ));
        let of_meta = links.of_organization(&s("meta"), None);
        assert_eq!(of_meta.len(), 1);
        assert_eq!(
            of_meta[0].key,
            LinkKey::Supplies {
                supplier: s("lg"),
                customer: s("meta")
            }
        );
        assert!(of_meta[0].established);
        assert_eq!(of_meta[0].events[0].item.as_deref(), Some("displays"));
        assert_eq!(links.of_organization(&s("lg"), None), of_meta);
    }

    #[test]
    fn competition_is_per_pair_and_topic() {
        let fact = LinkFact::competition(
            e(1),
            1,
            t("2024-01-01"),
            Factuality::Asserted,
            [s("meta"), s("apple"), s("sony")],
            [s("xr")],
        );
        assert_eq!(fact.keys.len(), 3);
        let mut links = Links::new();
        links.apply(&fact);
        assert_eq!(links.of_organization(&s("meta"), None).len(), 2);
    }

    #[test]
    fn a_rumoured_link_is_a_signal_only() {
        let mut links = Links::new();
        links.apply(&LinkFact::competition(
            e(1),
            1,
            t("2024-01-01"),
            Factuality::Reported,
            [s("meta"), s("apple")],
            [],
        ));
        let v = &links.views(None)[0];
        assert!(!v.established);
        assert_eq!(v.signals.len(), 1);
        assert_eq!(v.since, None);
    }

    #[test]
    fn as_of_and_retraction() {
        let mut links = Links::new();
        let f = |id: EventId, seq, at: &str| {
            LinkFact::competition(id, seq, t(at), Factuality::Asserted, [s("a"), s("b")], [])
        };
        links.apply(&f(e(2), 2, "2024-01-03"));
        links.apply(&f(e(1), 1, "2024-01-01"));
        let v = links.views(None);
        assert_eq!(v[0].since, Some(t("2024-01-01")));
        assert!(
            links
                .views(Some(AsOf::parse("2023-12-31").unwrap()))
                .is_empty()
        );
        links.retract(e(1));
        assert_eq!(links.views(None)[0].since, Some(t("2024-01-03")));
        links.retract(e(2));
        assert!(links.views(None).is_empty());
        assert!(links.apply(&f(e(2), 2, "2024-01-03")).is_empty());
    }

    #[test]
    fn link_state_round_trips_through_json() {
        let fact = LinkFact::procurement(
            e(1),
            1,
            t("2024-01-01"),
            Factuality::Planned,
            s("a"),
            s("b"),
            "x",
        );
        let mut state = LinkState::new(fact.keys[0].clone());
        state.apply(&fact);
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(serde_json::from_str::<LinkState>(&json).unwrap(), state);
        assert_eq!(
            LinkKey::Competes(PairTopic::new(s("b"), s("a"), s("xr")).unwrap()).storage_key(),
            "competes/a/b/xr"
        );
    }
}
