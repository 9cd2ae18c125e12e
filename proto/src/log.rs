//! The log as the console reads it: the projection's `GET /v1/log` (the events in sequence order,
//! filtered on the server, paged by sequence cursors with a bound on entries and on entries
//! scanned), `GET /v1/log/events/{sequence|id}` (one event) and `GET /v1/log/stream` (a live tail
//! of the events, Server-Sent Events resumable by `Last-Event-ID` = sequence).
//!
//! Cursors are scan positions, not matches: `next_after` is the last sequence looked at, so a
//! page that stopped at its scan bound with few or no matches still says where to continue, and a
//! rare filter over a large log never holds a request longer than one bound's worth of reading
//! (docs/decisions/019-reading-the-log.md).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::query::StreamStart;
use crate::{BusinessTime, EventType, Factuality, Slug, StoredEvent};

/// Entries on a page of `GET /v1/log` when `limit` is not given.
pub const DEFAULT_LOG_LIMIT: u32 = 100;
/// The largest `limit` of `GET /v1/log`.
pub const MAX_LOG_LIMIT: u32 = 1000;
/// Entries of the log one page looks at when `scan` is not given.
pub const DEFAULT_LOG_SCAN: u32 = 10_000;
/// The largest `scan` of `GET /v1/log`.
pub const MAX_LOG_SCAN: u32 = 100_000;

/// The filters every reading of the log takes; an event matches when it passes each one given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LogFilter {
    /// Only events of this type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub event_type: Option<EventType>,
    /// Only events that name this organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Slug>,
    /// Only events on this topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<Slug>,
    /// Only events of this factuality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factuality: Option<Factuality>,
    /// Only events that happened at or after this business time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<BusinessTime>,
    /// Only events that happened by this business time (a date includes the whole day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<BusinessTime>,
}

/// `GET /v1/log`: a page of the log in sequence order (answer: [`LogPage`]).
///
/// Where the page starts: `after` (the sequences above it), `before` (the page that ends just
/// below it), `seq` (from this sequence on), else the start of the range. The range is the whole
/// log, or the entries recorded between `recorded_from` and `recorded_to` (the stream's own
/// timestamps, which grow with the sequence).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogRequest {
    /// Only events of this type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub event_type: Option<EventType>,
    /// Only events that name this organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Slug>,
    /// Only events on this topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<Slug>,
    /// Only events of this factuality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factuality: Option<Factuality>,
    /// Only events that happened at or after this business time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<BusinessTime>,
    /// Only events that happened by this business time (a date includes the whole day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<BusinessTime>,
    /// Only entries recorded at or after this instant (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_from: Option<DateTime<Utc>>,
    /// Only entries recorded at or before this instant (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_to: Option<DateTime<Utc>>,
    /// Seek: the page starts at this sequence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub seq: Option<u64>,
    /// The page after this cursor ([`LogPage::next_after`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
    /// The page before this cursor ([`LogPage::prev_before`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub before: Option<u64>,
    /// The most entries on the page (default 100, at most 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = MAX_LOG_LIMIT))]
    pub limit: Option<u32>,
    /// The most entries of the log the page looks at (default 10,000, at most 100,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = MAX_LOG_SCAN))]
    pub scan: Option<u32>,
}

impl LogRequest {
    /// Its filters.
    pub fn filter(&self) -> LogFilter {
        LogFilter {
            event_type: self.event_type,
            org: self.org.clone(),
            topic: self.topic.clone(),
            factuality: self.factuality,
            from: self.from,
            to: self.to,
        }
    }
}

/// A page of the log: the matching entries in sequence order and where to go on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LogPage {
    /// The matching events, by ascending sequence.
    pub entries: Vec<StoredEvent>,
    /// How many entries of the log the page looked at.
    pub scanned: u64,
    /// The first and the last sequence looked at (absent when none was).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scanned_from: Option<u64>,
    /// The last sequence looked at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scanned_to: Option<u64>,
    /// More of the range may follow: ask again with `after=` this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_after: Option<u64>,
    /// More of the range may precede: ask again with `before=` this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_before: Option<u64>,
    /// Whether the page stopped at its scan bound rather than at `limit` or the range's end.
    pub scan_bound_hit: bool,
    /// The range's first sequence (1, or the first recorded at `recorded_from`).
    pub range_first: u64,
    /// The range's last sequence when answered (the log's last, or the last recorded by
    /// `recorded_to`; 0 when empty).
    pub range_last: u64,
    /// The log's last sequence when answered (0 when empty).
    pub last_sequence: u64,
}

/// One event of the log with where it is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LogEventView {
    /// The event, with its sequence.
    pub event: StoredEvent,
    /// The log subject it was appended on.
    pub subject: String,
    /// When the stream stored it.
    pub stored_at: DateTime<Utc>,
    /// The sequence of the `event.retracted` that withdrew it, if the projection applied one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retracted_by: Option<u64>,
}

/// `GET /v1/log/stream`: the log's events as they are appended, Server-Sent Events whose `id` is
/// the sequence (`event: event`, data a [`StoredEvent`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogStreamRequest {
    /// Only events of this type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub event_type: Option<EventType>,
    /// Only events that name this organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Slug>,
    /// Only events on this topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<Slug>,
    /// Only events of this factuality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factuality: Option<Factuality>,
    /// `start` sends the log from its first event; without it (and without a last event id)
    /// the stream starts after the last event appended so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<StreamStart>,
    /// Resume after this sequence, for clients that cannot send `Last-Event-ID` (the header
    /// wins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event_id: Option<u64>,
}

impl LogStreamRequest {
    /// Its filters.
    pub fn filter(&self) -> LogFilter {
        LogFilter {
            event_type: self.event_type,
            org: self.org.clone(),
            topic: self.topic.clone(),
            factuality: self.factuality,
            from: None,
            to: None,
        }
    }
}

impl LogFilter {
    /// Whether `event` passes every filter given.
    pub fn matches(&self, event: &crate::Envelope) -> bool {
        if self.event_type.is_some_and(|t| t != event.event_type()) {
            return false;
        }
        if self
            .factuality
            .is_some_and(|f| f != event.event.factuality())
        {
            return false;
        }
        if let Some(org) = &self.org
            && !event.event.organizations().contains(&org)
        {
            return false;
        }
        if let Some(topic) = &self.topic
            && !event.event.topics().contains(topic)
        {
            return false;
        }
        if let Some(from) = self.from
            && event.time.instant() < from.instant()
        {
            return false;
        }
        if let Some(to) = self.to
            && !crate::AsOf::parse(&to.to_string()).is_ok_and(|to| to.includes(event.time))
        {
            return false;
        }
        true
    }

    /// Whether no filter is given.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::params::from_query_string;

    #[test]
    fn names_and_mistakes() {
        let r: LogRequest =
            from_query_string("type=meeting.held&org=meta&limit=5&after=3", &[]).unwrap();
        assert_eq!(r.event_type, Some(EventType::MeetingHeld));
        assert_eq!((r.limit, r.after), (Some(5), Some(3)));
        for (q, name) in [
            ("type=nope", "type"),
            ("org=Meta", "org"),
            ("factuality=sure", "factuality"),
            ("seq=x", "seq"),
            ("recorded_from=yesterday", "recorded_from"),
            ("from=2024-13-01", "from"),
            ("limit=-1", "limit"),
            ("frm=2024", "frm"),
        ] {
            let e = from_query_string::<LogRequest>(q, &[]).unwrap_err();
            assert!(e.detail.contains(name), "{q}: {e:?}");
        }
    }

    #[test]
    fn a_date_to_includes_the_day() {
        let e: crate::Envelope = serde_json::from_value(serde_json::json!({
            "specversion": "1.0", "id": "0190e7a0-0000-7000-8000-000000000001",
            "source": "/liaison/ingest", "time": "2024-02-28T15:00:00Z",
            "datacontenttype": "application/json", "recordedat": "2024-03-01T00:00:00Z",
            "type": "meeting.held",
            "data": {"organizations": ["meta", "lg-electronics"], "topics": ["xr"]}
        }))
        .unwrap();
        let to = |t: &str| LogFilter {
            to: Some(BusinessTime::parse(t).unwrap()),
            ..LogFilter::default()
        };
        assert!(to("2024-02-28").matches(&e));
        assert!(!to("2024-02-27").matches(&e));
        let org = LogFilter {
            org: Some(Slug::parse("meta").unwrap()),
            topic: Some(Slug::parse("xr").unwrap()),
            ..LogFilter::default()
        };
        assert!(org.matches(&e));
    }
}
