//! Events as clients send them — `{"type", "time", "data"}` JSON with an optional `id` — for
//! tests, in one place, so that every test writes an event of a type the same way and a change of
//! the contract is one change here.
//!
//! Builders return `serde_json::Value` (what `POST /v1/events` and the log helpers take, and what
//! a test can still bend into an invalid event). They carry no `id` unless asked
//! ([`with_id`], [`with_new_id`]): without one, ingest recognises a repeated registration by its
//! content, which some tests rely on.
//!
//! ```
//! use liaison_testkit::events::{meeting_held, organization, with_new_id};
//! let batch = [
//!     organization("meta"),
//!     organization("lg-electronics"),
//!     with_new_id(meeting_held("2024-02-28", &["meta", "lg-electronics"], &["xr"])),
//! ];
//! assert_eq!(batch[2]["data"]["topics"][0], "xr");
//! ```

use serde_json::{Value, json};
use uuid::Uuid;

/// The business time of [`organization`] and [`person`]: earlier than any fact a test writes, so
/// that registrations never move an `as_of` answer.
pub const REGISTERED_AT: &str = "2000-01-01";

/// A fresh client id (UUID v7).
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// An event of `event_type` at `time` with `data`, without an id.
pub fn event(event_type: &str, time: &str, data: Value) -> Value {
    json!({"type": event_type, "time": time, "data": data})
}

/// `event` with the client id `id`.
pub fn with_id(mut event: Value, id: Uuid) -> Value {
    event["id"] = json!(id);
    event
}

/// `event` with a fresh client id.
pub fn with_new_id(event: Value) -> Value {
    with_id(event, new_id())
}

/// The client id of `event`; panics when it has none.
pub fn id_of(event: &Value) -> String {
    event["id"]
        .as_str()
        .unwrap_or_else(|| panic!("the event has no id: {event}"))
        .to_owned()
}

/// `event` with `data.factuality` set (`asserted`, `planned`, `possible`, `reported`, `negated`).
pub fn with_factuality(mut event: Value, factuality: &str) -> Value {
    event["data"]["factuality"] = json!(factuality);
    event
}

/// `event` with `data.evidence` set.
pub fn with_evidence(mut event: Value, evidence: Value) -> Value {
    event["data"]["evidence"] = evidence;
    event
}

/// Evidence from an article at `url`: its quoted sentence, in English, with `confidence`.
pub fn evidence(url: &str, quote: &str, confidence: f64) -> Value {
    json!({"url": url, "publisher": "Example News", "title": "Report",
           "published_at": "2024-02-28", "quote": quote, "language": "en",
           "confidence": confidence})
}

/// `organization.registered` of `slug`, named after it in capitals (`meta` → `META`).
pub fn organization(slug: &str) -> Value {
    organization_named(slug, &slug.to_uppercase())
}

/// `organization.registered` of `slug` with its display `name`.
pub fn organization_named(slug: &str, name: &str) -> Value {
    event(
        "organization.registered",
        REGISTERED_AT,
        json!({"id": slug, "name": name}),
    )
}

/// `person.registered` of `slug`, with `(organization, role)` affiliations.
pub fn person(slug: &str, name: &str, affiliations: &[(&str, &str)]) -> Value {
    let affiliations: Vec<Value> = affiliations
        .iter()
        .map(|(organization, role)| json!({"organization": organization, "role": role}))
        .collect();
    event(
        "person.registered",
        REGISTERED_AT,
        json!({"id": slug, "name": name, "affiliations": affiliations}),
    )
}

/// An event naming `organizations` on `topics` (the shape of every relation type); `topics` is
/// left out when empty (a meeting without topics counts for `general`).
pub fn relation_of(event_type: &str, time: &str, organizations: &[&str], topics: &[&str]) -> Value {
    let mut data = json!({"organizations": organizations});
    if !topics.is_empty() {
        data["topics"] = json!(topics);
    }
    event(event_type, time, data)
}

/// An event of `event_type` between `a` and `b` on one `topic`.
pub fn relation(event_type: &str, time: &str, a: &str, b: &str, topic: &str) -> Value {
    relation_of(event_type, time, &[a, b], &[topic])
}

/// `meeting.held` (status `contact`).
pub fn meeting_held(time: &str, organizations: &[&str], topics: &[&str]) -> Value {
    relation_of("meeting.held", time, organizations, topics)
}

/// `meeting.scheduled`: a meeting to come, a signal.
pub fn meeting_scheduled(time: &str, organizations: &[&str], topics: &[&str]) -> Value {
    with_factuality(
        relation_of("meeting.scheduled", time, organizations, topics),
        "planned",
    )
}

/// `cooperation.discussed` (status `exploring`).
pub fn cooperation_discussed(time: &str, organizations: &[&str], topics: &[&str]) -> Value {
    relation_of("cooperation.discussed", time, organizations, topics)
}

/// `interest.expressed` by `organization` in `counterpart` (status `exploring`).
pub fn interest_expressed(
    time: &str,
    organization: &str,
    counterpart: &str,
    topics: &[&str],
) -> Value {
    event(
        "interest.expressed",
        time,
        json!({"organization": organization, "counterpart": counterpart, "topics": topics}),
    )
}

/// `negotiation.reported` (status `negotiating`).
pub fn negotiation_reported(time: &str, organizations: &[&str], topics: &[&str]) -> Value {
    relation_of("negotiation.reported", time, organizations, topics)
}

/// `agreement.signed` (status `agreed`).
pub fn agreement_signed(time: &str, organizations: &[&str], topics: &[&str]) -> Value {
    relation_of("agreement.signed", time, organizations, topics)
}

/// `partnership.announced` (status `active`).
pub fn partnership_announced(time: &str, organizations: &[&str], topics: &[&str]) -> Value {
    relation_of("partnership.announced", time, organizations, topics)
}

/// `partnership.ended` (status `ended`).
pub fn partnership_ended(time: &str, organizations: &[&str], topics: &[&str]) -> Value {
    relation_of("partnership.ended", time, organizations, topics)
}

/// `competition.noted` (the competitor relation).
pub fn competition_noted(time: &str, organizations: &[&str], topics: &[&str]) -> Value {
    relation_of("competition.noted", time, organizations, topics)
}

/// `procurement.planned`: `buyer` plans to buy `item` from `supplier`.
pub fn procurement_planned(time: &str, buyer: &str, supplier: &str, item: &str) -> Value {
    event(
        "procurement.planned",
        time,
        json!({"buyer": buyer, "supplier": supplier, "item": item}),
    )
}

/// `product.launched` by `organization`.
pub fn product_launched(time: &str, organization: &str, product: &str, topics: &[&str]) -> Value {
    event(
        "product.launched",
        time,
        json!({"organization": organization, "product": product, "topics": topics}),
    )
}

/// `event.retracted` of the event `event_id`, with a `reason`.
pub fn retraction(time: &str, event_id: &str, reason: &str) -> Value {
    event(
        "event.retracted",
        time,
        json!({"event_id": event_id, "reason": reason}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every builder makes an event the contract accepts (registrations first, so that the
    /// references resolve).
    #[test]
    fn every_builder_passes_validation() {
        let target = with_new_id(meeting_held("2024-02-28", &["meta", "lg-electronics"], &[]));
        let batch = vec![
            organization("meta"),
            organization_named("lg-electronics", "LG Electronics"),
            organization("nvidia"),
            person(
                "william-cho",
                "William Cho",
                &[("lg-electronics", "chief executive")],
            ),
            target.clone(),
            meeting_scheduled("2024-03-05", &["meta", "lg-electronics"], &["ai"]),
            cooperation_discussed("2024-02-28", &["meta", "lg-electronics"], &["xr"]),
            interest_expressed("2024-02-28", "meta", "lg-electronics", &["ai"]),
            negotiation_reported("2024-03-01", &["meta", "lg-electronics"], &["xr"]),
            agreement_signed("2024-03-02", &["meta", "lg-electronics"], &["xr"]),
            partnership_announced("2024-03-03", &["meta", "lg-electronics"], &["xr"]),
            partnership_ended("2024-03-04", &["meta", "lg-electronics"], &["xr"]),
            competition_noted("2024-03-04", &["meta", "nvidia"], &["chips"]),
            procurement_planned("2024-03-04", "meta", "nvidia", "H100 accelerators"),
            product_launched("2024-03-04", "meta", "Quest 3", &["xr"]),
            with_evidence(
                with_factuality(
                    relation("meeting.held", "2024-03-04", "meta", "nvidia", "ai"),
                    "reported",
                ),
                evidence("https://news.example.com/1", "The two met in Seoul.", 0.6),
            ),
        ];
        liaison_proto::validate_submission(&Value::Array(batch))
            .unwrap_or_else(|e| panic!("{e:?}"));
        let retract = retraction(
            "2024-03-06",
            &id_of(&target),
            "the source withdrew the story",
        );
        liaison_proto::validate_submission(&retract).unwrap_or_else(|e| panic!("{e:?}"));
    }

    #[test]
    fn ids_only_when_asked() {
        let plain = organization("meta");
        assert!(plain.get("id").is_none());
        assert_eq!(plain["data"]["name"], "META");
        let id = new_id();
        assert_eq!(id_of(&with_id(plain, id)), id.to_string());
        let meeting = meeting_held("2024-02-28", &["a", "b"], &[]);
        assert!(meeting["data"].get("topics").is_none(), "{meeting}");
    }
}
