//! The CloudEvents 1.0 envelope of an event, as a client submits it, as the log stores it, and
//! as readers receive it with its log sequence.
//!
//! Stored form (one JSON document per log message):
//!
//! ```json
//! {"specversion": "1.0", "id": "0190…", "source": "/liaison/ingest", "type": "meeting.held",
//!  "time": "2024-02-28", "datacontenttype": "application/json",
//!  "recordedat": "2024-03-01T09:00:00Z", "data": {…}}
//! ```
//!
//! Readers get the same document with the extension attribute `"sequence"` (the JetStream stream
//! sequence) added ([`StoredEvent`]).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{BusinessTime, EventData, EventType, subjects};

/// The CloudEvents version of every envelope.
pub const SPEC_VERSION: &str = "1.0";
/// The `datacontenttype` of every envelope.
pub const DATA_CONTENT_TYPE: &str = "application/json";
/// The `source` of events appended by the ingest service.
pub const INGEST_SOURCE: &str = "/liaison/ingest";

/// An event as a client submits it: `type`, optional `id`, `time` and `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ClientEvent {
    /// Client-chosen id; makes the request idempotent. The server generates a UUID v7 if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// When the business fact happened.
    pub time: BusinessTime,
    /// `type` and `data`.
    #[serde(flatten)]
    pub event: EventData,
}

impl ClientEvent {
    /// The event's type.
    pub fn event_type(&self) -> EventType {
        self.event.event_type()
    }

    /// The stable content digest of this submission (see [`content_digest`]).
    pub fn digest(&self) -> String {
        content_digest(&self.event, &self.time)
    }
}

/// An event as stored in the log: a CloudEvents 1.0 JSON document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Envelope {
    /// Always [`SPEC_VERSION`].
    pub specversion: String,
    /// The event id (the client's, or a UUID v7 the server generated).
    pub id: Uuid,
    /// Who appended it, such as [`INGEST_SOURCE`].
    #[schemars(length(min = 1, max = crate::limits::MAX_STRING_BYTES))]
    pub source: String,
    /// When the business fact happened.
    pub time: BusinessTime,
    /// Always [`DATA_CONTENT_TYPE`].
    pub datacontenttype: String,
    /// Extension attribute: when ingest recorded the event.
    pub recordedat: DateTime<Utc>,
    /// `type` and `data`.
    #[serde(flatten)]
    pub event: EventData,
}

impl Envelope {
    /// Wraps a client submission, keeping its id or generating a UUID v7.
    pub fn record(client: ClientEvent, source: &str, recorded_at: DateTime<Utc>) -> Self {
        let id = client.id.unwrap_or_else(Uuid::now_v7);
        Self::with_id(client, id, source, recorded_at)
    }

    /// Wraps a client submission under the given id.
    pub fn with_id(
        client: ClientEvent,
        id: Uuid,
        source: &str,
        recorded_at: DateTime<Utc>,
    ) -> Self {
        // Whole microseconds, so that the recorded time survives a JSON round trip unchanged.
        let recorded_at =
            DateTime::parse_from_rfc3339(&recorded_at.to_rfc3339_opts(SecondsFormat::Micros, true))
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or(recorded_at);
        Self {
            specversion: SPEC_VERSION.to_owned(),
            id,
            source: source.to_owned(),
            time: client.time,
            datacontenttype: DATA_CONTENT_TYPE.to_owned(),
            recordedat: recorded_at,
            event: client.event,
        }
    }

    /// The event's type.
    pub fn event_type(&self) -> EventType {
        self.event.event_type()
    }

    /// The log subject this event is appended on.
    pub fn subject(&self) -> String {
        subjects::event_subject(self.event_type().as_str(), self.event.subject_key())
    }

    /// The stable content digest of the submission this envelope was made from.
    pub fn digest(&self) -> String {
        content_digest(&self.event, &self.time)
    }
}

/// An event as served to readers: the envelope plus its log position, serialized as the
/// CloudEvents extension attribute `sequence` in the same JSON object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StoredEvent {
    /// The JetStream stream sequence: the global position in the log, from 1.
    pub sequence: u64,
    /// The stored envelope.
    #[serde(flatten)]
    pub event: Envelope,
}

/// A stable digest of an event's content (`type`, `time`, `data`): lowercase hex SHA-256 of
/// canonical JSON (object keys sorted, no whitespace) of the typed, normalized event.
///
/// Two submissions with the same meaning have the same digest whatever their key order, an
/// explicit `"factuality": "asserted"` or a time offset (`+01:00` vs `Z` for the same instant);
/// ingest compares it to recognise a retry (same id, same content) from a conflict (same id,
/// different content).
pub fn content_digest(event: &EventData, time: &BusinessTime) -> String {
    let mut doc = serde_json::to_value(event).expect("event data serializes");
    if let serde_json::Value::Object(map) = &mut doc {
        map.insert(
            "time".to_owned(),
            serde_json::Value::String(time.to_string()),
        );
    }
    let mut canonical = String::new();
    write_canonical(&doc, &mut canonical);
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// Writes `v` as JSON with object keys sorted, independent of serde_json's map ordering.
fn write_canonical(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn client(v: serde_json::Value) -> ClientEvent {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn digest_ignores_key_order_and_defaults() {
        let a = client(
            json!({"type": "meeting.held", "time": "2024-02-28T11:00:00+01:00",
            "data": {"organizations": ["meta", "lg"], "topics": ["xr"]}}),
        );
        let b = client(json!({"data": {"topics": ["xr"], "factuality": "asserted",
            "organizations": ["meta", "lg"]}, "time": "2024-02-28T10:00:00Z", "type": "meeting.held",
            "id": "0190a000-0000-7000-8000-000000000000"}));
        assert_eq!(a.digest(), b.digest());
        assert_eq!(a.digest().len(), 64);
        let c = client(json!({"type": "meeting.held", "time": "2024-02-28",
            "data": {"organizations": ["meta", "lg"], "topics": ["xr"]}}));
        assert_ne!(a.digest(), c.digest());
        let d = client(
            json!({"type": "meeting.scheduled", "time": "2024-02-28T10:00:00Z",
            "data": {"organizations": ["meta", "lg"], "topics": ["xr"]}}),
        );
        assert_ne!(a.digest(), d.digest());
    }

    #[test]
    fn stored_event_is_a_flat_cloudevent() {
        let c = client(json!({"type": "meeting.held", "time": "2024-02-28",
            "id": "0190a000-0000-7000-8000-000000000000",
            "data": {"organizations": ["meta", "lg"]}}));
        let digest = c.digest();
        let recorded = DateTime::parse_from_rfc3339("2024-03-01T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let env = Envelope::record(c, INGEST_SOURCE, recorded);
        assert_eq!(env.digest(), digest);
        assert_eq!(env.subject(), "liaison.events.meeting.held._");
        let stored = StoredEvent {
            sequence: 42,
            event: env,
        };
        let v = serde_json::to_value(&stored).unwrap();
        assert_eq!(
            v,
            json!({"sequence": 42, "specversion": "1.0", "id": "0190a000-0000-7000-8000-000000000000",
                "source": "/liaison/ingest", "time": "2024-02-28", "datacontenttype": "application/json",
                "recordedat": "2024-03-01T09:00:00Z", "type": "meeting.held",
                "data": {"organizations": ["meta", "lg"], "factuality": "asserted"}})
        );
        let back: StoredEvent = serde_json::from_value(v).unwrap();
        assert_eq!(back, stored);
    }

    #[test]
    fn record_generates_a_v7_id_when_absent() {
        let c = client(json!({"type": "rule.deleted", "time": "2024-02-28", "data": {"id": "r1"}}));
        let env = Envelope::record(c, INGEST_SOURCE, Utc::now());
        assert_eq!(env.id.get_version_num(), 7);
        assert_eq!(env.subject(), "liaison.events.rule.deleted.r1");
        let text = serde_json::to_string(&env).unwrap();
        let back: Envelope = serde_json::from_str(&text).unwrap();
        assert_eq!(back, env);
    }
}
