//! `validate_stored`: a log entry as the services read it back, checked as ingest checked the
//! submission; and `unknown_names`, the referential check they share with ingest.

mod common;

use std::cell::Cell;
use std::collections::HashSet;

use chrono::{DateTime, Utc};
use common::valid;
use liaison_proto::envelope::INGEST_SOURCE;
use liaison_proto::{
    Envelope, EventData, EventType, NameRegistry, unknown_names, validate_stored,
    validate_submission,
};
use serde_json::{Value, json};

fn recorded() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-03-01T09:00:00.123456Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// Event `body` as ingest stores it.
fn stored(body: &Value) -> Envelope {
    let event = validate_submission(body)
        .unwrap_or_else(|e| panic!("{e}"))
        .remove(0);
    Envelope::record(event, INGEST_SOURCE, recorded())
}

fn entry(body: &Value) -> Value {
    serde_json::to_value(stored(body)).unwrap()
}

/// Every problem of the entry `v`, as `(pointer, detail)`.
fn problems(v: &Value) -> Vec<(String, String)> {
    problems_of(&serde_json::to_vec(v).unwrap())
}

fn problems_of(bytes: &[u8]) -> Vec<(String, String)> {
    match validate_stored(bytes) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .errors()
            .iter()
            .map(|e| (e.pointer.clone(), e.detail.clone()))
            .collect(),
    }
}

fn s(x: &str) -> String {
    x.to_owned()
}

#[test]
fn every_entry_ingest_writes_passes_and_comes_back_typed() {
    for t in EventType::ALL {
        let envelope = stored(&valid(t));
        let payload = serde_json::to_vec(&envelope).unwrap();
        assert_eq!(validate_stored(&payload).unwrap(), envelope, "{t}");
    }
}

#[test]
fn unknown_members_are_rejected_although_serde_would_ignore_them() {
    let mut v = entry(&valid(EventType::MeetingHeld));
    v["sequence"] = json!(42);
    v["traceparent"] = json!("00-abc");
    // The typed struct alone lets them through (its `type`/`data` are flattened).
    assert!(serde_json::from_value::<Envelope>(v.clone()).is_ok());
    let found = problems(&v);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, "/sequence");
    assert!(
        found[0]
            .1
            .starts_with("unknown field 'sequence'; expected one of: specversion, id")
    );
    assert_eq!(found[1].0, "/traceparent");
}

#[test]
fn every_envelope_member_is_required() {
    for member in [
        "specversion",
        "id",
        "source",
        "type",
        "time",
        "datacontenttype",
        "recordedat",
        "data",
    ] {
        let mut v = entry(&valid(EventType::CooperationDiscussed));
        v.as_object_mut().unwrap().remove(member);
        assert_eq!(
            problems(&v),
            vec![(
                format!("/{member}"),
                format!("required field '{member}' is missing")
            )],
            "{member}"
        );
    }
}

#[test]
fn envelope_members_have_their_shapes() {
    let base = entry(&valid(EventType::AgreementSigned));
    let cases: &[(&str, Value, &str)] = &[
        (
            "specversion",
            json!("0.3"),
            "unknown value '0.3'; expected one of: 1.0",
        ),
        (
            "id",
            json!("not-a-uuid"),
            "'not-a-uuid' is not a valid UUID",
        ),
        ("id", json!(7), "expected a string, got a number"),
        ("source", json!(" "), "must not be empty"),
        (
            "datacontenttype",
            json!("text/plain"),
            "unknown value 'text/plain'; expected one of: application/json",
        ),
        (
            "recordedat",
            json!("2024-03-01"),
            "'2024-03-01' is not a valid RFC 3339 timestamp",
        ),
        (
            "time",
            json!("2024-02-30"),
            "'2024-02-30' is not a valid date (YYYY-MM-DD) or RFC 3339 timestamp",
        ),
        (
            "type",
            json!("meeting.hold"),
            "unknown event type 'meeting.hold'; expected one of: organization.registered, \
             person.registered, meeting.held, meeting.scheduled, cooperation.discussed, \
             interest.expressed, negotiation.reported, agreement.signed, partnership.announced, \
             partnership.ended, procurement.planned, product.launched, competition.noted, \
             event.retracted, rule.created, rule.deleted",
        ),
    ];
    for (member, value, detail) in cases {
        let mut v = base.clone();
        v[*member] = value.clone();
        assert_eq!(
            problems(&v),
            vec![(format!("/{member}"), s(detail))],
            "{member}"
        );
    }
}

#[test]
fn data_is_checked_as_a_submission_is_with_pointers_into_the_entry() {
    let mut v = entry(&valid(EventType::MeetingHeld));
    v["data"]["organizations"] = json!(["meta", 5, "meta"]);
    v["data"]["topics"] = json!((0..17).map(|i| format!("t{i}")).collect::<Vec<_>>());
    assert_eq!(
        problems(&v),
        vec![
            (s("/data/topics"), s("holds at most 16 topics, got 17")),
            (
                s("/data/organizations/1"),
                s("expected a string, got a number")
            ),
            (
                s("/data/organizations/2"),
                s("duplicate organization 'meta' (also at /data/organizations/0)")
            ),
        ]
    );
}

#[test]
fn bytes_that_are_not_an_entry_are_refused_without_panic() {
    let deep = "[".repeat(50_000);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            Vec::new(),
            "the entry is not a JSON document: EOF while parsing",
        ),
        (
            b"   ".to_vec(),
            "the entry is not a JSON document: EOF while parsing",
        ),
        (
            b"{\"a\": \"\xff\"}".to_vec(),
            "the entry is not a JSON document: invalid unicode",
        ),
        (
            br#"{"a": "\ud800"}"#.to_vec(),
            "the entry is not a JSON document: ",
        ),
        (
            b"{\"a\": \"\x01\"}".to_vec(),
            "the entry is not a JSON document: control character",
        ),
        (
            deep.into_bytes(),
            "the entry is not a JSON document: recursion limit exceeded",
        ),
        (
            b"1e400".to_vec(),
            "the entry is not a JSON document: number out of range",
        ),
        (
            b"{} {}".to_vec(),
            "the entry is not a JSON document: trailing characters",
        ),
        (b"[]".to_vec(), "expected an event object, got an array"),
        (b"null".to_vec(), "expected an event object, got null"),
    ];
    for (bytes, start) in cases {
        let found = problems_of(&bytes);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "");
        assert!(found[0].1.starts_with(start), "{start}: {found:?}");
    }
}

#[test]
fn an_entry_with_thousands_of_unknown_members_answers_100_problems_and_a_count() {
    let mut v = entry(&valid(EventType::RuleDeleted));
    for i in 0..5_000 {
        v[format!("x{i}")] = json!(i);
    }
    let e = validate_stored(&serde_json::to_vec(&v).unwrap()).unwrap_err();
    assert_eq!(e.errors().len(), 100);
    assert_eq!(e.more(), 4_900);
}

/// A registry of names that counts the questions it is asked.
#[derive(Default)]
struct Names {
    organizations: HashSet<String>,
    persons: HashSet<String>,
    questions: Cell<usize>,
}

impl NameRegistry for Names {
    fn organization_known(&self, id: &str) -> bool {
        self.questions.set(self.questions.get() + 1);
        self.organizations.contains(id)
    }
    fn person_known(&self, id: &str) -> bool {
        self.questions.set(self.questions.get() + 1);
        self.persons.contains(id)
    }
}

fn data(body: Value) -> EventData {
    validate_submission(&body).unwrap().remove(0).event
}

#[test]
fn unknown_names_reports_every_kind_of_reference_below_data() {
    let names = Names {
        organizations: ["meta".to_owned()].into(),
        ..Names::default()
    };
    let cases: Vec<(EventType, Vec<&str>)> = vec![
        (
            EventType::MeetingHeld,
            vec!["/data/organizations/1", "/data/participants/0"],
        ),
        (EventType::InterestExpressed, vec!["/data/counterpart"]),
        (EventType::ProcurementPlanned, vec!["/data/supplier"]),
        (
            EventType::PersonRegistered,
            vec!["/data/affiliations/0/organization"],
        ),
        (EventType::RuleCreated, vec!["/data/match/organizations/0"]),
        (EventType::ProductLaunched, vec![]),
        (EventType::OrganizationRegistered, vec![]),
        (EventType::EventRetracted, vec![]),
    ];
    for (t, expected) in cases {
        let found: Vec<String> = unknown_names(&data(valid(t)), &names)
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert_eq!(found, expected, "{t}");
    }
    let mut child = valid(EventType::OrganizationRegistered);
    child["data"]["id"] = json!("oculus");
    child["data"]["parent"] = json!("facebook-reality-labs");
    let found = unknown_names(&data(child), &names);
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].pointer.as_str(), found[0].detail.as_str()),
        (
            "/data/parent",
            "unknown organization 'facebook-reality-labs'"
        )
    );
}

#[test]
fn unknown_names_asks_once_per_reference() {
    let names = Names::default();
    let mut meeting = valid(EventType::MeetingHeld);
    meeting["data"]["organizations"] = json!((0..16).map(|i| format!("o{i}")).collect::<Vec<_>>());
    meeting["data"]["topics"] = json!([]);
    meeting["data"]["participants"] = json!((0..32).map(|i| format!("p{i}")).collect::<Vec<_>>());
    let found = unknown_names(&data(meeting), &names);
    assert_eq!(found.len(), 48);
    assert_eq!(names.questions.get(), 48);
}
