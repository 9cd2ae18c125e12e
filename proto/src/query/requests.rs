//! The parameters of every projection query, one struct per query: the HTTP API reads its query
//! string (and path) into them, and the NATS request-reply API takes them as the JSON body, so
//! both transports accept the same names and refuse the same mistakes ([`super::params`]).
//!
//! Every struct denies unknown fields, and none is flattened (serde cannot both flatten and
//! deny), so `as_of` and `min_sequence` are fields of each; [`Consistency`] gathers them.

use serde::{Deserialize, Serialize};

use crate::{BusinessTime, Slug, Status};

/// Items on a page when `limit` is not given: timeline entries, meetings, the facts a
/// relationship lists.
pub const DEFAULT_LIMIT: u32 = 50;
/// The largest `limit` of a timeline or meetings page, and of the facts a relationship lists.
pub const MAX_LIMIT: u32 = 1000;
/// Relationships on a page of `GET /v1/relationships` when `limit` is not given (fewer when
/// `facts` is high: see [`MAX_FACTS_PER_ANSWER`]).
pub const DEFAULT_LIST_LIMIT: u32 = 50;
/// The largest `limit` of `GET /v1/relationships`.
pub const MAX_LIST_LIMIT: u32 = 500;
/// The most facts one answer may list over all its relationships: `limit × facts` of
/// `GET /v1/relationships`, and topics × `limit` of a pair without `topic`.
pub const MAX_FACTS_PER_ANSWER: u32 = 10_000;
/// The most topics one page of a pair (`GET /v1/relationships/{a}/{b}` without `topic`) lists.
pub const MAX_PAIR_TOPICS: u32 = 100;

/// The bounds every query takes: `as_of` and `min_sequence`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Consistency {
    /// Only facts that happened by then (a date includes the whole day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<BusinessTime>,
    /// Wait (bounded) until the projection has applied the log up to this sequence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_sequence: Option<u64>,
}

/// `GET /v1/relationships/{a}/{b}` and `liaison.query.relationship`: one pair, one topic or
/// all (answer: [`super::RelationshipView`] with `topic`, else a [`super::PairView`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationshipRequest {
    /// One organization.
    pub a: Slug,
    /// The other.
    pub b: Slug,
    /// One topic; every topic of the pair when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<Slug>,
    /// How many of the latest facts each view lists (default 50, at most 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = MAX_LIMIT))]
    pub limit: Option<u32>,
    /// Only facts before this cursor ([`super::RelationshipView::earlier_cursor`]; with `topic`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// The next page of topics ([`super::PairView::next_cursor`]; without `topic`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Only facts that happened by then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<BusinessTime>,
    /// Wait (bounded) until the log is applied up to this sequence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_sequence: Option<u64>,
}

/// `GET /v1/relationships` and `liaison.query.relationships`: the relationships that match,
/// a page at a time (answer: [`super::RelationshipList`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationshipsRequest {
    /// Only relationships of this organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Slug>,
    /// Only this topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<Slug>,
    /// Only this status (without it: every status above `none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Relationships on this page (default 50, at most 500; `limit × facts` at most 10,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = MAX_LIST_LIMIT))]
    pub limit: Option<u32>,
    /// The next page ([`super::RelationshipList::next_cursor`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// How many of the latest facts each relationship lists (default 50, at most 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = MAX_LIMIT))]
    pub facts: Option<u32>,
    /// With each relationship its status ladder, earliest fact and fact count
    /// ([`super::RelationshipView::ladder`]): what a client needs to show it as of any earlier
    /// date without asking again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ladder: Option<Flag>,
    /// Only facts that happened by then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<BusinessTime>,
    /// Wait (bounded) until the log is applied up to this sequence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_sequence: Option<u64>,
}

/// The longest `q` of `GET /v1/organizations`, in bytes.
pub const MAX_SEARCH_BYTES: usize = 200;

/// `GET /v1/organizations` and `liaison.query.organizations`: registered organizations whose
/// id, name or an alias contains `q` (case-insensitive), a page at a time (answer:
/// [`super::OrganizationList`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationsRequest {
    /// Text to look for in ids, names and aliases (at most [`MAX_SEARCH_BYTES`]); all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = MAX_SEARCH_BYTES))]
    pub q: Option<String>,
    /// Organizations on this page (default 50, at most 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = MAX_LIST_LIMIT))]
    pub limit: Option<u32>,
    /// The next page ([`super::OrganizationList::next_cursor`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Wait (bounded) until the log is applied up to this sequence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_sequence: Option<u64>,
}

/// `GET /v1/events/{id}/relationships`: where an applied event is (answer:
/// [`super::EventPlaces`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventPlacesRequest {
    /// The event id.
    pub id: uuid::Uuid,
    /// Wait (bounded) until the log is applied up to this sequence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_sequence: Option<u64>,
}

/// `GET /v1/organizations/{id}` and `liaison.query.organization` (answer:
/// [`super::OrganizationView`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationRequest {
    /// The organization.
    pub id: Slug,
    /// Only facts that happened by then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<BusinessTime>,
    /// Wait (bounded) until the log is applied up to this sequence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_sequence: Option<u64>,
}

/// `GET /v1/organizations/{id}/timeline` (and `/meetings`) and `liaison.query.timeline`
/// (answer: [`super::TimelinePage`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimelineRequest {
    /// The organization.
    pub id: Slug,
    /// Cursor from the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size (default 50, at most 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = MAX_LIMIT))]
    pub limit: Option<u32>,
    /// Only facts that happened by then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<BusinessTime>,
    /// Wait (bounded) until the log is applied up to this sequence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_sequence: Option<u64>,
}

/// `GET /v1/meetings` and `liaison.query.meetings`: every meeting, held and scheduled, in time
/// order (answer: [`super::TimelinePage`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingsRequest {
    /// Cursor from the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size (default 50, at most 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = MAX_LIMIT))]
    pub limit: Option<u32>,
    /// Only facts that happened by then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<BusinessTime>,
    /// Wait (bounded) until the log is applied up to this sequence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_sequence: Option<u64>,
}

/// Where `GET /v1/stream` starts without `Last-Event-ID`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StreamStart {
    /// Every change stored (a replay).
    Start,
}

/// The query of `GET /v1/stream` (Server-Sent Events of [`super::StatusChange`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamRequest {
    /// `start` replays every change; without it (and without a last event id) the stream
    /// starts at the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<StreamStart>,
    /// Resume after this SSE id (`<sequence>-<index>`), for clients that cannot send the
    /// `Last-Event-ID` header (the header wins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event_id: Option<String>,
}

/// A yes/no query parameter, written `true`/`false` (or `1`/`0`, which older clients send).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Flag {
    /// `true` or `1`.
    #[serde(rename = "true", alias = "1")]
    Yes,
    /// `false` or `0`.
    #[serde(rename = "false", alias = "0")]
    No,
}

/// The query of `POST /v1/admin/rebuild`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RebuildRequest {
    /// Answer when the rebuild is done (with its report) instead of at once with `202`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<Flag>,
}

macro_rules! consistency {
    ($($t:ty),*) => {$(
        impl $t {
            /// Its `as_of` and `min_sequence`.
            pub fn consistency(&self) -> Consistency {
                Consistency { as_of: self.as_of, min_sequence: self.min_sequence }
            }
        }
    )*};
}

consistency!(
    RelationshipRequest,
    RelationshipsRequest,
    OrganizationRequest,
    TimelineRequest,
    MeetingsRequest
);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::params::{from_json, from_query_string, parameter_names};
    use super::*;

    #[test]
    fn requests_read_flat_bounds() {
        let r: RelationshipRequest = serde_json::from_value(
            json!({"a": "meta", "b": "lg", "as_of": "2024-03-01", "min_sequence": 9}),
        )
        .unwrap();
        assert_eq!(r.consistency().min_sequence, Some(9));
        assert_eq!(r.topic, None);
    }

    #[test]
    fn every_request_refuses_a_misspelt_as_of() {
        fn refused<T: serde::de::DeserializeOwned + std::fmt::Debug>(body: serde_json::Value) {
            let e = from_json::<T>(body.to_string().as_bytes()).unwrap_err();
            assert_eq!(e.parameter.as_deref(), Some("asof"), "{e}");
            assert!(e.detail.contains("as_of, min_sequence"), "{e}");
        }
        refused::<RelationshipRequest>(json!({"a": "meta", "b": "lg", "asof": "2024-01-01"}));
        refused::<RelationshipsRequest>(json!({"asof": "2024-01-01"}));
        refused::<OrganizationRequest>(json!({"id": "meta", "asof": "2024-01-01"}));
        refused::<TimelineRequest>(json!({"id": "meta", "asof": "2024-01-01"}));
        refused::<MeetingsRequest>(json!({"asof": "2024-01-01"}));
    }

    #[test]
    fn the_query_string_and_the_json_body_take_the_same_names() {
        let q: RelationshipsRequest =
            from_query_string("org=meta&status=active&limit=5&facts=3&cursor=ab", &[]).unwrap();
        let j: RelationshipsRequest = from_json(
            br#"{"org": "meta", "status": "active", "limit": 5, "facts": 3, "cursor": "ab"}"#,
        )
        .unwrap();
        assert_eq!(q, j);
        assert_eq!(
            parameter_names::<MeetingsRequest>(),
            ["cursor", "limit", "as_of", "min_sequence"]
        );
    }

    #[test]
    fn stream_and_rebuild_flags_read_their_old_spellings() {
        let s: StreamRequest = from_query_string("from=start", &[]).unwrap();
        assert_eq!(s.from, Some(StreamStart::Start));
        assert!(from_query_string::<StreamRequest>("from=end", &[]).is_err());
        for (q, flag) in [
            ("wait=true", Flag::Yes),
            ("wait=1", Flag::Yes),
            ("wait=0", Flag::No),
        ] {
            let r: RebuildRequest = from_query_string(q, &[]).unwrap();
            assert_eq!(r.wait, Some(flag));
        }
    }
}
