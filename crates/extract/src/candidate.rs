//! A candidate event: what the extractor proposes, and why.

use liaison_proto::EventType;
use serde::{Deserialize, Serialize};

/// One proposed event, before a person (or the auto-accept threshold) decides on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// A key unique within the article and stable across runs (type, organizations, topics,
    /// factuality): the reader derives the candidate's id and its event id from the article's id
    /// and this key, so reading the same article again proposes the same candidates.
    pub key: String,
    /// The event's type.
    pub event_type: EventType,
    /// The business time: a date `YYYY-MM-DD` resolved against the publication date.
    pub time: String,
    /// The event's `data` as `POST /v1/events` takes it (with `factuality`; without `evidence`,
    /// which the reader fills from the article).
    pub data: serde_json::Map<String, serde_json::Value>,
    /// How sure the rule is, 0–1.
    pub confidence: f64,
    /// The sentence quoted as evidence, as it stands in the article's text.
    pub quote: String,
    /// Where that sentence is in the article's text (byte offsets, end exclusive).
    pub quote_span: (usize, usize),
    /// What in the text produced the candidate.
    pub rationale: Rationale,
}

/// What produced a candidate, for the reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rationale {
    /// The name of the rule (as in the rules data file).
    pub rule: String,
    /// The trigger word or phrase, as in the text.
    pub trigger: String,
    /// The names in the text that were resolved to the event's organizations, in text order
    /// (`Samsung-Chef`, `der südkoreanische Konzern`).
    pub mentions: Vec<String>,
    /// The factuality and date cues found in the clause (`soll`, `Insidern zufolge`, `last week`).
    pub cues: Vec<String>,
}
