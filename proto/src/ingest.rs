//! The ingest's answer to an append (`POST /v1/events`, and the `liaison.ingest.append`
//! request-reply subject): where each submitted event is in the log.
//!
//! The same body comes with `201` (at least one event appended now) and `200` (every event was
//! already in the log: an idempotent retry, answered with the original sequences).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where one submitted event is in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Appended {
    /// The event's id (the client's, or the UUID v7 ingest generated).
    pub id: Uuid,
    /// Its global position in the log (the stream sequence).
    pub sequence: u64,
}

/// The body of a successful append: one [`Appended`] per submitted event, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AppendAnswer {
    /// One entry per submitted event, in request order.
    pub events: Vec<Appended>,
}

impl AppendAnswer {
    /// The highest sequence of the answer (`None` when it is empty): the sequence a reader waits
    /// for (`min_sequence`) to see every event of the request.
    pub fn last_sequence(&self) -> Option<u64> {
        self.events.iter().map(|e| e.sequence).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_reads_as_ingest_writes_it() {
        let text = r#"{"events":[{"id":"00000000-0000-0000-0000-000000000001","sequence":7},
                       {"id":"00000000-0000-0000-0000-000000000002","sequence":9}]}"#;
        let answer: AppendAnswer = serde_json::from_str(text).unwrap();
        assert_eq!(answer.events[0].id, Uuid::from_u128(1));
        assert_eq!(answer.last_sequence(), Some(9));
        assert_eq!(AppendAnswer::default().last_sequence(), None);
        let back = serde_json::to_value(&answer).unwrap();
        assert_eq!(back["events"][1]["sequence"], 9);
    }
}
