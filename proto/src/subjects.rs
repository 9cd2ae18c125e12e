//! Names on the NATS side of the contract: streams, subjects, queue groups.
//!
//! Every service and client takes these names from here, so a rename is one edit.
//!
//! The log is the stream [`EVENTS_STREAM`] on `liaison.events.<type>.<key>`, where `<type>` is the
//! event type with its dot (`meeting.held`) and `<key>` the id of the aggregate the event is about
//! where it has one (the organization of `organization.registered`, the person of
//! `person.registered`, the rule of `rule.*`) and [`NO_KEY`] otherwise. A subscriber filters by
//! type with `liaison.events.meeting.held.>` or `liaison.events.partnership.>`.

/// The JetStream stream that holds the log.
pub const EVENTS_STREAM: &str = "LIAISON_EVENTS";
/// Prefix of every log subject.
pub const EVENTS_PREFIX: &str = "liaison.events";
/// Wildcard for the whole log.
pub const EVENTS_ALL: &str = "liaison.events.>";
/// The `<key>` token of events that are not about a single aggregate.
pub const NO_KEY: &str = "_";

/// The JetStream stream that holds delivered alerts.
pub const ALERTS_STREAM: &str = "LIAISON_ALERTS";
/// Prefix of alert subjects: `liaison.alerts.<rule>`.
pub const ALERTS_PREFIX: &str = "liaison.alerts";
/// Wildcard for every alert.
pub const ALERTS_ALL: &str = "liaison.alerts.>";

/// Request-reply subject on which ingest appends (same body and answers as `POST /v1/events`).
pub const INGEST_APPEND: &str = "liaison.ingest.append";
/// Queue group of ingest instances.
pub const INGEST_QUEUE: &str = "liaison-ingest";

/// Prefix of projection query subjects: `liaison.query.<query>`.
pub const QUERY_PREFIX: &str = "liaison.query";
/// Queue group of projection instances, so that several share the query load.
pub const QUERY_QUEUE: &str = "liaison-projection";

/// The log subject of an event of `event_type` about aggregate `key` (or [`NO_KEY`]).
pub fn event_subject(event_type: &str, key: Option<&str>) -> String {
    format!("{EVENTS_PREFIX}.{event_type}.{}", key.unwrap_or(NO_KEY))
}

/// The subject alerts of `rule` are published on.
pub fn alert_subject(rule: &str) -> String {
    format!("{ALERTS_PREFIX}.{rule}")
}

/// The subject of projection query `name` (`relationship`, `relationships`, `organization`,
/// `timeline`).
pub fn query_subject(name: &str) -> String {
    format!("{QUERY_PREFIX}.{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_have_the_documented_shape() {
        assert_eq!(
            event_subject("meeting.held", None),
            "liaison.events.meeting.held._"
        );
        assert_eq!(
            event_subject("organization.registered", Some("meta")),
            "liaison.events.organization.registered.meta"
        );
        assert_eq!(
            alert_subject("new-partnership"),
            "liaison.alerts.new-partnership"
        );
        assert_eq!(query_subject("relationship"), "liaison.query.relationship");
    }
}
