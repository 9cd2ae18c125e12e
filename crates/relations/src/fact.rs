//! The input of the status machine: one event, reduced to what the relationship status needs.
//!
//! [`Fact::from_envelope`] is the one place where an event of the log becomes a [`Fact`]: the
//! type's effect ([`Effect::of`]), the parties that form pairs, the topics (`general` when there
//! are none). [`Fact::new`] builds one by hand, for tests and generated histories.

use liaison_proto::{BusinessTime, Envelope, EventId, Factuality, Slug};
use serde::{Deserialize, Serialize};

use crate::effect::Effect;
use crate::order::OrderKey;

pub use liaison_proto::events::GENERAL_TOPIC;

/// One event as the status machine sees it.
///
/// Build it with [`Fact::from_envelope`] or [`Fact::new`], which apply the `general` topic rule
/// and sort and deduplicate the slugs; the fields stay public so that tests and services can read
/// them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// The event id (unique in the log); applying the same id twice is a no-op.
    pub event_id: EventId,
    /// The global log sequence; breaks ties between facts with the same time.
    pub sequence: u64,
    /// When the fact happened (business time, not arrival).
    pub time: BusinessTime,
    /// What it does to the status.
    pub effect: Effect,
    /// How certain it is; only `asserted` facts move the status.
    pub factuality: Factuality,
    /// The organizations it names (every unordered pair of them is concerned).
    pub organizations: Vec<Slug>,
    /// The topics it counts for (never empty when built with [`Fact::new`]).
    pub topics: Vec<Slug>,
}

impl Fact {
    /// A fact with sorted, deduplicated organizations and topics; no topics means `general`.
    pub fn new(
        event_id: impl Into<EventId>,
        sequence: u64,
        time: BusinessTime,
        effect: Effect,
        factuality: Factuality,
        organizations: impl IntoIterator<Item = Slug>,
        topics: impl IntoIterator<Item = Slug>,
    ) -> Self {
        let mut organizations: Vec<Slug> = organizations.into_iter().collect();
        organizations.sort();
        organizations.dedup();
        Self {
            event_id: event_id.into(),
            sequence,
            time,
            effect,
            factuality,
            organizations,
            topics: topics_or_general(topics),
        }
    }

    /// The fact an event of the log at `sequence` states, or `None` when its type concerns no
    /// pair-topic ([`Effect::of`]). The pairs are formed among the event's parties
    /// (`organizations[]`, or `organization` and `counterpart`).
    pub fn from_envelope(envelope: &Envelope, sequence: u64) -> Option<Self> {
        let data = &envelope.event;
        let effect = Effect::of(data.event_type())?;
        Some(Self::new(
            envelope.id,
            sequence,
            envelope.time,
            effect,
            data.factuality(),
            data.parties().into_iter().cloned(),
            data.topics(),
        ))
    }

    /// Whether this fact can move the status (asserted and with a status effect).
    pub fn moves_status(&self) -> bool {
        self.factuality.moves_status() && self.effect.target().is_some()
    }

    /// Where it counts among a pair-topic's facts.
    pub fn order_key(&self) -> OrderKey {
        OrderKey::new(self.time, self.sequence)
    }
}

/// The part of a [`Fact`] that a pair-topic keeps: everything but the organizations and topics,
/// which the pair-topic's key already says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactEntry {
    /// The event id.
    pub event_id: EventId,
    /// The global log sequence.
    pub sequence: u64,
    /// When the fact happened.
    pub time: BusinessTime,
    /// What it does to the status.
    pub effect: Effect,
    /// How certain it is.
    pub factuality: Factuality,
}

impl FactEntry {
    /// Where it counts: business time (as an instant), then log sequence.
    pub fn order_key(&self) -> OrderKey {
        OrderKey::new(self.time, self.sequence)
    }

    /// Whether this entry can move the status (asserted and with a status effect).
    pub fn moves_status(&self) -> bool {
        self.factuality.moves_status() && self.effect.target().is_some()
    }

    /// Whether this entry is a signal: a fact that is not asserted (planned, possible, reported
    /// or negated). Signals are listed but never move the status.
    pub fn is_signal(&self) -> bool {
        !self.factuality.moves_status()
    }
}

impl From<&Fact> for FactEntry {
    fn from(f: &Fact) -> Self {
        Self {
            event_id: f.event_id,
            sequence: f.sequence,
            time: f.time,
            effect: f.effect,
            factuality: f.factuality,
        }
    }
}

/// The `general` topic slug.
pub fn general_topic() -> Slug {
    Slug::parse(GENERAL_TOPIC).expect("`general` is a valid slug")
}

/// The topics sorted and deduplicated, or `[general]` when there are none.
pub fn topics_or_general(topics: impl IntoIterator<Item = Slug>) -> Vec<Slug> {
    let mut topics: Vec<Slug> = topics.into_iter().collect();
    topics.sort();
    topics.dedup();
    if topics.is_empty() {
        topics.push(general_topic());
    }
    topics
}

#[cfg(test)]
mod tests {
    use liaison_proto::ClientEvent;

    use super::*;

    fn envelope(v: serde_json::Value) -> Envelope {
        let client: ClientEvent = serde_json::from_value(v).unwrap();
        Envelope::record(client, "/test", chrono::Utc::now())
    }

    #[test]
    fn no_topics_means_general() {
        assert_eq!(topics_or_general([]), vec![general_topic()]);
        let xr = Slug::parse("xr").unwrap();
        assert_eq!(topics_or_general([xr.clone(), xr.clone()]), vec![xr]);
    }

    #[test]
    fn an_envelope_becomes_the_fact_it_states() {
        let e = envelope(serde_json::json!({
            "type": "interest.expressed", "time": "2024-02-28",
            "data": {"organization": "meta", "counterpart": "lg-electronics",
                     "topics": ["xr", "ai", "xr"], "factuality": "reported"}
        }));
        let fact = Fact::from_envelope(&e, 42).unwrap();
        let s = |x: &str| Slug::parse(x).unwrap();
        assert_eq!(fact.event_id, e.id);
        assert_eq!(fact.sequence, 42);
        assert_eq!(fact.time, e.time);
        assert_eq!(fact.effect, Effect::Exploring);
        assert_eq!(fact.factuality, Factuality::Reported);
        assert_eq!(fact.organizations, vec![s("lg-electronics"), s("meta")]);
        assert_eq!(fact.topics, vec![s("ai"), s("xr")]);
        assert!(!fact.moves_status());
    }

    #[test]
    fn a_meeting_without_topics_counts_for_general_and_other_types_state_no_fact() {
        let meeting = envelope(serde_json::json!({
            "type": "meeting.held", "time": "2024-02-28",
            "data": {"organizations": ["meta", "lg-electronics"]}
        }));
        let fact = Fact::from_envelope(&meeting, 1).unwrap();
        assert_eq!(fact.topics, vec![general_topic()]);
        assert!(fact.moves_status());
        let registration = envelope(serde_json::json!({
            "type": "organization.registered", "time": "2020-01-01",
            "data": {"id": "meta", "name": "Meta"}
        }));
        assert_eq!(Fact::from_envelope(&registration, 2), None);
    }
}
