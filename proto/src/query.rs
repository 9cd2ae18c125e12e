//! Answers and requests of the projection API: relationships between pairs, organization
//! profiles, timelines, meetings, and the stream of status changes.
//!
//! Plain serde types; the HTTP API answers them as JSON, and the NATS request-reply subjects of
//! [`crate::subjects::query_subject`] take the `*Request` types ([`requests`]) as their JSON body
//! and answer the same JSON. [`params`] reads a query string or a request body into them.
//!
//! Listings are paged: an answer holds at most `limit` items and, when more may follow, a
//! `next_cursor` to pass as `cursor`. A page may hold fewer items than `limit` (even none) while
//! `next_cursor` is present, because a request examines a bounded number of entries; a client
//! pages on until `next_cursor` is absent.

pub mod params;
pub mod requests;

pub use requests::*;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::events::{Evidence, OrganizationKind, Quantity};
use crate::{BusinessTime, EventType, Factuality, Slug, Status, StoredEvent};

/// A short reference to an event that shaped a relationship.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EventRef {
    /// The event id.
    pub id: Uuid,
    /// Its log sequence.
    pub sequence: u64,
    /// Its type.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When it happened.
    pub time: BusinessTime,
    /// How certain it is.
    pub factuality: Factuality,
    /// Its summary, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Its evidence (quote, source, language, confidence): given in the answer for one
    /// relationship (`GET /v1/relationships/{a}/{b}?topic=`), not in listings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

/// One move of a relationship's status: the asserted fact that moved it, and from what to what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StatusStep {
    /// The status before the fact.
    pub before: Status,
    /// The status the fact moved it to.
    pub after: Status,
    /// The fact (without its evidence; the relationship's facts carry it).
    #[serde(flatten)]
    pub event: EventRef,
}

/// The most steps a [`RelationshipView::ladder`] lists: the latest ones.
pub const MAX_LADDER_STEPS: usize = 100;

/// A fact that does not move the status (planned, possible, reported or negated): an upcoming
/// meeting, a rumour, a denial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Signal {
    /// The event behind this fact, with its evidence.
    #[serde(flatten)]
    pub event: EventRef,
    /// The status the event would move the pair to if it were asserted, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub would_reach: Option<Status>,
}

/// The relationship of a pair on one topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RelationshipView {
    /// The pair, sorted.
    pub organizations: [Slug; 2],
    /// The topic this view is about (`general` for meetings without topics).
    pub topic: Slug,
    /// The current status (as of the query's `as_of`).
    pub status: Status,
    /// Business time of the event that brought the current status; absent for `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<BusinessTime>,
    /// The asserted events that shaped it, in time order.
    #[serde(default)]
    pub events: Vec<EventRef>,
    /// Events that did not move it (planned, rumoured, denied), in time order.
    #[serde(default)]
    pub signals: Vec<Signal>,
    /// `events` and `signals` list the latest `limit` facts (default 50); when earlier ones
    /// exist, pass this as `before` to get the page before them. Absent on the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earlier_cursor: Option<String>,
    /// The status history as of the query's `as_of`, oldest first: each asserted fact that moved
    /// the status (the latest [`MAX_LADDER_STEPS`]). Given in the answer for one relationship,
    /// and in a listing asked with `ladder=true`; absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ladder: Vec<StatusStep>,
    /// With the ladder: when its earliest fact (event or signal) happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest: Option<BusinessTime>,
    /// With the ladder: how many facts (events and signals) it has as of `as_of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact_count: Option<u64>,
}

/// Every topic of a pair (`GET /v1/relationships/{a}/{b}` without `topic`), a page of topics at
/// a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PairView {
    /// The pair, sorted.
    pub organizations: [Slug; 2],
    /// One entry per topic with facts, in topic order.
    pub topics: Vec<RelationshipView>,
    /// Pass as `cursor` for the next topics; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The answer of the relationship query: one topic, or every topic of the pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum RelationshipAnswer {
    /// `topic` was given.
    One(RelationshipView),
    /// Every topic.
    Pair(PairView),
}

/// A page of `GET /v1/relationships?org=&topic=&status=`, in pair-topic order
/// (`a/b/topic`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RelationshipList {
    /// The matching relationships of this page.
    pub relationships: Vec<RelationshipView>,
    /// Pass as `cursor` for the next page; absent on the last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A person working at an organization, in its profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PersonRole {
    /// The person's id.
    pub id: Slug,
    /// Display name.
    pub name: String,
    /// Role at the organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// A cooperation relationship in an organization's summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CooperationSummary {
    /// The other organization.
    pub organization: Slug,
    /// The topic this view is about (`general` for meetings without topics).
    pub topic: Slug,
    /// The current status.
    pub status: Status,
    /// Since when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<BusinessTime>,
}

/// A supplier/customer relation in an organization's summary (from `procurement.planned`).
///
/// A procurement is usually announced before it happens, so planned, possible and rumoured
/// ones are listed too, each with its factuality; denied (`negated`) ones are not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TradeSummary {
    /// The other organization.
    pub organization: Slug,
    /// What is traded.
    pub item: String,
    /// How much, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Quantity>,
    /// When it was reported.
    pub time: BusinessTime,
    /// How certain the procurement is (`planned` for an announced purchase).
    #[serde(default)]
    pub factuality: Factuality,
    /// By when it is to be done, if said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<BusinessTime>,
}

/// A competitor in an organization's summary (from `competition.noted`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CompetitorSummary {
    /// The other organization.
    pub organization: Slug,
    /// Where they compete.
    pub topics: Vec<Slug>,
}

/// An organization's relationships, by kind.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RelationshipSummary {
    /// Cooperation relationships (pair and topic with a status above `none`).
    #[serde(default)]
    pub cooperation: Vec<CooperationSummary>,
    /// Organizations that supply this one.
    #[serde(default)]
    pub supplier: Vec<TradeSummary>,
    /// Organizations this one supplies.
    #[serde(default)]
    pub customer: Vec<TradeSummary>,
    /// The organizations it competes with, by topic (from `competition.noted`).
    #[serde(default)]
    pub competitor: Vec<CompetitorSummary>,
}

/// The answer of `GET /v1/organizations/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OrganizationView {
    /// The organization's slug, as events name it.
    pub id: Slug,
    /// Display name.
    pub name: String,
    /// Other names.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// What kind of organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<OrganizationKind>,
    /// Parent organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Slug>,
    /// Country, as registered (free text; an ISO 3166 code is recommended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// People affiliated with it.
    #[serde(default)]
    pub people: Vec<PersonRole>,
    /// Its relationships, by kind.
    pub relationships: RelationshipSummary,
    /// Whether a list above was cut at the projection's bound per request (thousands of
    /// entries); `GET /v1/relationships?org=` pages through every cooperation relationship.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

/// One page of `GET /v1/organizations/{id}/timeline`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TimelinePage {
    /// Events naming the organization, in time order (then sequence).
    pub items: Vec<StoredEvent>,
    /// Opaque cursor of the next page; absent on the last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// One change of a relationship's current status, as `GET /v1/stream` (Server-Sent Events)
/// sends it: the SSE `id` is `"{sequence}-{index}"`, resumable with `Last-Event-ID`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StatusChange {
    /// The log sequence of the event that caused it (the fact, or the `event.retracted`).
    pub sequence: u64,
    /// Its position among the changes that event caused (from 0).
    pub index: u32,
    /// The pair, sorted.
    pub organizations: [Slug; 2],
    /// The topic the status is about.
    pub topic: Slug,
    /// The current status before the event.
    pub before: Status,
    /// The current status after it.
    pub after: Status,
    /// Business time of the fact that brought `after`; absent for `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<BusinessTime>,
    /// The event that caused the change.
    pub event_id: Uuid,
}

/// One registered organization in a listing (`GET /v1/organizations`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OrganizationEntry {
    /// Its id.
    pub id: Slug,
    /// Its name.
    pub name: String,
    /// Other names it goes by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// What kind of organization it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<OrganizationKind>,
    /// Its country (ISO 3166-1 alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A page of `GET /v1/organizations?q=`: registered organizations in id order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OrganizationList {
    /// The organizations of this page that match.
    pub organizations: Vec<OrganizationEntry>,
    /// Pass as `cursor` for the next page; absent on the last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A relationship an event is a fact of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RelationshipRef {
    /// The pair, sorted.
    pub organizations: [Slug; 2],
    /// The topic.
    pub topic: Slug,
}

/// Where an applied event is in the projection (`GET /v1/events/{id}/relationships`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EventPlaces {
    /// The event id.
    pub id: Uuid,
    /// Its log sequence.
    pub sequence: u64,
    /// When it happened.
    pub time: BusinessTime,
    /// The relationships it is a fact of.
    #[serde(default)]
    pub relationships: Vec<RelationshipRef>,
    /// The organizations whose timeline lists it.
    #[serde(default)]
    pub organizations: Vec<Slug>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn relationship_view_has_the_contract_shape() {
        let v = RelationshipView {
            organizations: [Slug::parse("lg").unwrap(), Slug::parse("meta").unwrap()],
            topic: Slug::parse("xr").unwrap(),
            status: Status::None,
            since: None,
            events: vec![],
            signals: vec![],
            earlier_cursor: None,
            ladder: vec![],
            earliest: None,
            fact_count: None,
        };
        assert_eq!(
            serde_json::to_value(&v).unwrap(),
            json!({"organizations": ["lg", "meta"], "topic": "xr", "status": "none",
                "events": [], "signals": []})
        );
    }

    #[test]
    fn an_old_relationship_list_without_a_cursor_still_reads() {
        let l: RelationshipList = serde_json::from_value(json!({"relationships": []})).unwrap();
        assert_eq!(l.next_cursor, None);
    }
}
