//! The input of the status machine: one event, reduced to what the relationship status needs.
//!
//! The typed events of `liaison-proto` are decoded by the services; this crate deliberately does
//! not depend on them, so that the status rules can be tested and evolved on their own. A service
//! turns each event into a [`Fact`] (with [`Effect::for_event_type`]) and hands it over.

use chrono::{DateTime, Utc};
use liaison_proto::{BusinessTime, Factuality, Slug, Status};
use serde::{Deserialize, Serialize};

/// The topic a fact counts for when it names none (a meeting with no topics).
pub const GENERAL_TOPIC: &str = "general";

/// What an event does to the cooperation status of every pair-topic it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// `meeting.held`: moves to at least `contact`.
    Contact,
    /// `cooperation.discussed`, `interest.expressed`: moves to at least `exploring`.
    Exploring,
    /// `negotiation.reported`: moves to at least `negotiating`.
    Negotiating,
    /// `agreement.signed`: moves to at least `agreed`.
    Agreed,
    /// `partnership.announced`: moves to at least `active`.
    Active,
    /// `partnership.ended`: sets `ended`.
    Ended,
    /// No status effect, but kept on the pair-topic's timeline (`meeting.scheduled`,
    /// `competition.noted`).
    Other,
}

impl Effect {
    /// Every effect, in declaration order (the order of the status ranks, then `Ended`, `Other`).
    /// The projection stores an effect as its index here: never reorder, only append.
    pub const ALL: [Effect; 7] = [
        Effect::Contact,
        Effect::Exploring,
        Effect::Negotiating,
        Effect::Agreed,
        Effect::Active,
        Effect::Ended,
        Effect::Other,
    ];

    /// The effect of an event type of the contract, or `None` for the types that do not concern a
    /// pair-topic at all (registrations, `procurement.planned`, `product.launched`,
    /// `event.retracted`, unknown types).
    pub fn for_event_type(event_type: &str) -> Option<Self> {
        Some(match event_type {
            "meeting.held" => Self::Contact,
            "cooperation.discussed" | "interest.expressed" => Self::Exploring,
            "negotiation.reported" => Self::Negotiating,
            "agreement.signed" => Self::Agreed,
            "partnership.announced" => Self::Active,
            "partnership.ended" => Self::Ended,
            "meeting.scheduled" | "competition.noted" => Self::Other,
            _ => return None,
        })
    }

    /// The status this effect moves a pair-topic to (at least), or `None` for [`Effect::Other`].
    pub fn target(self) -> Option<Status> {
        Some(match self {
            Self::Contact => Status::Contact,
            Self::Exploring => Status::Exploring,
            Self::Negotiating => Status::Negotiating,
            Self::Agreed => Status::Agreed,
            Self::Active => Status::Active,
            Self::Ended => Status::Ended,
            Self::Other => return None,
        })
    }
}

/// One event as the status machine sees it.
///
/// Build it with [`Fact::new`], which applies the `general` topic rule and sorts and deduplicates
/// the slugs; the fields stay public so that tests and services can read them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// The event id (unique in the log); applying the same id twice is a no-op.
    pub event_id: String,
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
        event_id: impl Into<String>,
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

    /// Whether this fact can move the status (asserted and with a status effect).
    pub fn moves_status(&self) -> bool {
        self.factuality.moves_status() && self.effect.target().is_some()
    }
}

/// The part of a [`Fact`] that a pair-topic keeps: everything but the organizations and topics,
/// which the pair-topic's key already says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactEntry {
    /// The event id.
    pub event_id: String,
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
    /// The order in which facts count: business time (as an instant), then log sequence, then
    /// event id (only to make the order total should two facts ever share a sequence).
    pub fn order_key(&self) -> (DateTime<Utc>, u64, &str) {
        (self.time.instant(), self.sequence, &self.event_id)
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
            event_id: f.event_id.clone(),
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
    use super::*;

    #[test]
    fn every_contract_type_maps_as_the_table_says() {
        let rows = [
            ("meeting.held", Some(Status::Contact)),
            ("cooperation.discussed", Some(Status::Exploring)),
            ("interest.expressed", Some(Status::Exploring)),
            ("negotiation.reported", Some(Status::Negotiating)),
            ("agreement.signed", Some(Status::Agreed)),
            ("partnership.announced", Some(Status::Active)),
            ("partnership.ended", Some(Status::Ended)),
        ];
        for (t, s) in rows {
            assert_eq!(Effect::for_event_type(t).and_then(Effect::target), s, "{t}");
        }
        for t in ["meeting.scheduled", "competition.noted"] {
            assert_eq!(Effect::for_event_type(t), Some(Effect::Other), "{t}");
        }
        for t in [
            "organization.registered",
            "person.registered",
            "procurement.planned",
            "product.launched",
            "event.retracted",
            "nonsense",
        ] {
            assert_eq!(Effect::for_event_type(t), None, "{t}");
        }
    }

    #[test]
    fn no_topics_means_general() {
        assert_eq!(topics_or_general([]), vec![general_topic()]);
        let xr = Slug::parse("xr").unwrap();
        assert_eq!(topics_or_general([xr.clone(), xr.clone()]), vec![xr]);
    }
}
