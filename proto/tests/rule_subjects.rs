//! A rule's `deliver.nats_subject` may not be under `liaison.`, `$` or `_INBOX.` (CONTRACT.md,
//! "Access (v2)"): refused the same way in a submission (ingest, the notifier's `POST /v1/rules`)
//! and in a stored log entry (every follower's gate), so a rule published straight into the log
//! cannot make the notifier write there either.

mod common;

use chrono::{DateTime, Utc};
use common::valid;
use liaison_proto::envelope::INGEST_SOURCE;
use liaison_proto::{Envelope, EventType, validate_stored, validate_submission};
use serde_json::{Value, json};

/// A `rule.created` delivering on `subject`.
fn rule_on(subject: &str) -> Value {
    let mut body = valid(EventType::RuleCreated);
    body["data"]["deliver"]["nats_subject"] = json!(subject);
    body
}

/// Every problem of submission `body`, as `(pointer, detail)`.
fn submission_problems(body: &Value) -> Vec<(String, String)> {
    match validate_submission(body) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .errors()
            .iter()
            .map(|e| (e.pointer.clone(), e.detail.clone()))
            .collect(),
    }
}

/// The entry of a rule on `subject` as if it had been written into the log without ingest: a
/// valid rule stored, then its subject changed in the stored JSON.
fn stored_entry_on(subject: &str) -> Vec<u8> {
    let event = validate_submission(&valid(EventType::RuleCreated))
        .expect("the example rule is valid")
        .remove(0);
    let recorded: DateTime<Utc> = "2024-03-01T09:00:00Z".parse().unwrap();
    let mut entry = serde_json::to_value(Envelope::record(event, INGEST_SOURCE, recorded)).unwrap();
    entry["data"]["deliver"]["nats_subject"] = json!(subject);
    serde_json::to_vec(&entry).unwrap()
}

const REFUSED: &[&str] = &[
    "liaison.events.meeting.held._",
    "liaison.events.partnership.announced._",
    "liaison.alerts._outcome.0190a000-0000-7000-8000-000000000001",
    "liaison.alerts._redeliver.0190a000-0000-7000-8000-000000000001",
    "liaison.alerts.new-partnership",
    "liaison.ingest.append",
    "$JS.API.STREAM.DELETE.LIAISON_EVENTS",
    "$JS.API.CONSUMER.CREATE.LIAISON_EVENTS",
    "$SYS.REQ.SERVER.PING",
    "_INBOX.Jw5bHNaKrx2MzRqLPq.1",
];

#[test]
fn a_rule_may_not_publish_into_the_reserved_namespaces() {
    for subject in REFUSED {
        let problems = submission_problems(&rule_on(subject));
        assert_eq!(problems.len(), 1, "{subject}: {problems:?}");
        let (pointer, detail) = &problems[0];
        assert_eq!(pointer, "/data/deliver/nats_subject", "{subject}");
        assert!(
            detail.contains("is reserved: a rule may not publish under"),
            "{subject}: {detail}"
        );
    }
}

#[test]
fn the_gate_refuses_a_stored_rule_on_a_reserved_subject_at_the_same_pointer() {
    for subject in REFUSED {
        let errors = validate_stored(&stored_entry_on(subject))
            .err()
            .unwrap_or_else(|| panic!("a stored rule on {subject} passed the gate"));
        let pointers: Vec<&str> = errors.errors().iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/data/deliver/nats_subject"], "{subject}");
    }
}

#[test]
fn subjects_of_the_users_own_pass_submitted_and_stored() {
    for subject in [
        "alerts.lg",
        "team.meta.partnerships",
        "LIAISON.events.x",
        "liaisons.x",
    ] {
        assert_eq!(submission_problems(&rule_on(subject)), [], "{subject}");
        assert!(
            validate_stored(&stored_entry_on(subject)).is_ok(),
            "{subject} stored"
        );
    }
}
