//! The small record a ledger keeps per pair-topic beside its facts: the current status, the fact
//! that brought it, and the order of the newest fact.
//!
//! A fact that comes after `last` is one [`step`] of the status machine on the summary; only a
//! fact before it (late) or a retraction re-folds the pair-topic's facts.

use liaison_proto::{BusinessTime, EventId, Status};
use serde::{Deserialize, Serialize};

use crate::fact::FactEntry;
use crate::order::OrderKey;
use crate::status_machine::step;

/// The current status of a pair-topic over all its facts. Stored as JSON:
/// `{"status", "since"?, "since_event"?, "last"}` (`last` as the hex of its bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The status.
    pub status: Status,
    /// When the fact that brought it happened (`None` while the status is `none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<BusinessTime>,
    /// That fact's event id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_event: Option<EventId>,
    /// The order of the pair-topic's newest fact: a fact after it is one step, a fact before it
    /// is late and re-folds.
    pub last: OrderKey,
}

impl Summary {
    /// The summary of a pair-topic whose only fact is `entry`.
    pub fn first(entry: &FactEntry) -> Self {
        let mut summary = Self {
            status: Status::None,
            since: None,
            since_event: None,
            last: entry.order_key(),
        };
        summary.step(entry);
        summary
    }

    /// Takes `entry`, which comes after every fact folded so far, into account: one step of the
    /// status machine.
    pub fn step(&mut self, entry: &FactEntry) {
        self.last = self.last.max(entry.order_key());
        if entry.factuality.moves_status()
            && let Some(next) = step(self.status, entry.effect)
        {
            self.status = next;
            self.since = Some(entry.time);
            self.since_event = Some(entry.event_id);
        }
    }

    /// The status of an optional summary: `none` when there is none.
    pub fn status_of(summary: Option<&Self>) -> Status {
        summary.map_or(Status::None, |s| s.status)
    }
}

#[cfg(test)]
mod tests {
    use liaison_proto::Factuality;

    use super::*;
    use crate::effect::Effect;

    #[test]
    fn the_stored_form_is_the_one_the_projection_always_wrote() {
        let entry = FactEntry {
            event_id: "0190a000-0000-7000-8000-00000000002a".parse().unwrap(),
            sequence: 5,
            time: BusinessTime::parse("2024-02-28").unwrap(),
            effect: Effect::Exploring,
            factuality: Factuality::Asserted,
        };
        let s = Summary::first(&entry);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(
            json,
            format!(
                r#"{{"status":"exploring","since":"2024-02-28","since_event":"0190a000-0000-7000-8000-00000000002a","last":"{}"}}"#,
                hex::encode(entry.order_key().to_bytes())
            )
        );
        assert_eq!(serde_json::from_str::<Summary>(&json).unwrap(), s);
        let none = Summary {
            status: Status::None,
            since: None,
            since_event: None,
            last: entry.order_key(),
        };
        let json = serde_json::to_string(&none).unwrap();
        assert!(!json.contains("since"), "{json}");
        assert_eq!(serde_json::from_str::<Summary>(&json).unwrap(), none);
    }
}
