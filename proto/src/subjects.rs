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
/// Wildcard for every message of the alerts stream (alerts, and the notifier's own
/// [`ALERT_OUTCOME_PREFIX`] and [`ALERT_REDELIVER_PREFIX`] records).
pub const ALERTS_ALL: &str = "liaison.alerts.>";
/// Wildcard for the alerts alone, `liaison.alerts.<rule>` (a rule id is one token).
pub const ALERTS_ONLY: &str = "liaison.alerts.*";
/// Prefix of the outcomes of webhook attempts, `liaison.alerts._outcome.<alert id>`: notifier
/// instances tell one another how each delivery went. `_` starts no rule id, so no rule's
/// alerts can share these subjects.
pub const ALERT_OUTCOME_PREFIX: &str = "liaison.alerts._outcome";
/// Prefix of webhook redelivery requests, `liaison.alerts._redeliver.<alert id>`.
pub const ALERT_REDELIVER_PREFIX: &str = "liaison.alerts._redeliver";
/// The durable consumer on [`ALERTS_STREAM`] that every notifier instance takes webhook work
/// from (alerts and redelivery requests), so that each is posted by one instance at a time.
pub const WEBHOOK_CONSUMER: &str = "liaison-notifier-webhooks";

/// The JetStream stream of the reader: the articles it read with their candidates, the decisions
/// on them and the feeds it polls (docs/decisions/017-the-reader-service.md).
pub const ARTICLES_STREAM: &str = "LIAISON_ARTICLES";
/// Prefix of the articles stream's subjects.
pub const ARTICLES_PREFIX: &str = "liaison.articles";
/// Wildcard for the whole articles stream.
pub const ARTICLES_ALL: &str = "liaison.articles.>";

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

/// The articles-stream subject of the article `id` read.
pub fn article_subject(id: uuid::Uuid) -> String {
    format!("{ARTICLES_PREFIX}.read.{id}")
}

/// The articles-stream subject of the decisions on candidate `id`.
pub fn decision_subject(id: uuid::Uuid) -> String {
    format!("{ARTICLES_PREFIX}.decided.{id}")
}

/// The articles-stream subject of the registration of feed `id`.
pub fn feed_subject(id: uuid::Uuid) -> String {
    format!("{ARTICLES_PREFIX}.feed.{id}")
}

/// The subject alerts of `rule` are published on.
pub fn alert_subject(rule: &str) -> String {
    format!("{ALERTS_PREFIX}.{rule}")
}

/// The subject of the outcomes of webhook attempts on alert `alert_id`.
pub fn alert_outcome_subject(alert_id: &str) -> String {
    format!("{ALERT_OUTCOME_PREFIX}.{alert_id}")
}

/// The subject of redelivery requests of alert `alert_id`.
pub fn alert_redeliver_subject(alert_id: &str) -> String {
    format!("{ALERT_REDELIVER_PREFIX}.{alert_id}")
}

/// The subject of projection query `name` (`relationship`, `relationships`, `organization`,
/// `timeline`, `meetings`).
pub fn query_subject(name: &str) -> String {
    format!("{QUERY_PREFIX}.{name}")
}

/// Whether a service may answer a NATS request on `subject`, its reply subject.
///
/// A reply is a publish on whatever subject the requester names, so without this rule anyone
/// who may send a request could make a service publish into the log (`liaison.events.…`), into
/// another service's subjects, or into the JetStream and system APIs (`$JS.API.…`, `$SYS.…`).
/// Refused: subjects under `liaison.` and every subject starting with `$` (`$JS`, `$SYS`, `$KV`,
/// `$O`, …), subjects with wildcards or empty tokens, and the empty subject. Everything else is
/// an inbox: `_INBOX.…` by default, or the custom prefix a client chose.
pub fn is_reply_subject_allowed(subject: &str) -> bool {
    let well_formed = !subject.is_empty()
        && !subject.chars().any(char::is_whitespace)
        && subject
            .split('.')
            .all(|token| !token.is_empty() && token != "*" && token != ">");
    let first = subject.split('.').next().unwrap_or_default();
    well_formed && !first.starts_with('$') && first != "liaison"
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
        assert_eq!(alert_outcome_subject("x"), "liaison.alerts._outcome.x");
        assert_eq!(alert_redeliver_subject("x"), "liaison.alerts._redeliver.x");
        assert_eq!(query_subject("relationship"), "liaison.query.relationship");
    }

    #[test]
    fn replies_go_to_inboxes_only() {
        for inbox in [
            "_INBOX.abc.1",
            "_INBOX.H2kpVdOqJ5n4M1.9",
            "my-app.inbox.7",
            "liaisons.inbox",
            "LIAISON.events.x",
        ] {
            assert!(is_reply_subject_allowed(inbox), "{inbox} is an inbox");
        }
        for refused in [
            "",
            "liaison",
            "liaison.events.meeting.held._",
            "liaison.events.organization.registered.meta",
            "liaison.alerts.new-partnership",
            "liaison.query.relationship",
            "liaison.ingest.append",
            "$JS.API.STREAM.DELETE.LIAISON_EVENTS",
            "$JS.ACK.LIAISON_EVENTS.x.1.1.1.1.0",
            "$SYS.REQ.SERVER.PING",
            "$KV.bucket.key",
            "$O.store.x",
            "_INBOX.*",
            "_INBOX.>",
            "_INBOX..x",
            "_INBOX.x ",
        ] {
            assert!(!is_reply_subject_allowed(refused), "{refused:?} is refused");
        }
    }
}
