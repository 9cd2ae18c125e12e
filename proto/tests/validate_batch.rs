//! Batches: pointers carry the event's index, limits hold, ids are unique within a batch.

mod common;

use common::{only, problems, valid};
use liaison_proto::limits::MAX_BATCH_EVENTS as MAX_BATCH;
use liaison_proto::{EventType, validate_submission};
use serde_json::{Value, json};

#[test]
fn a_valid_batch_keeps_its_order() {
    let body = json!([
        valid(EventType::OrganizationRegistered),
        valid(EventType::MeetingHeld)
    ]);
    let events = validate_submission(&body).unwrap();
    let types: Vec<EventType> = events.iter().map(|e| e.event_type()).collect();
    assert_eq!(
        types,
        vec![EventType::OrganizationRegistered, EventType::MeetingHeld]
    );
}

#[test]
fn pointers_in_a_batch_start_with_the_index() {
    let mut bad = valid(EventType::CooperationDiscussed);
    bad["data"]["topics"] = json!([]);
    bad["time"] = json!("2024-02-30");
    let body = json!([
        valid(EventType::MeetingHeld),
        valid(EventType::MeetingHeld),
        valid(EventType::MeetingHeld),
        bad
    ]);
    let mut found = problems(&body);
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                "/3/data/topics".to_owned(),
                "needs at least 1 topic, got 0".to_owned()
            ),
            (
                "/3/time".to_owned(),
                "'2024-02-30' is not a valid date (YYYY-MM-DD) or RFC 3339 timestamp".to_owned()
            ),
        ]
    );
}

#[test]
fn problems_of_several_events_are_all_reported() {
    let mut a = valid(EventType::MeetingHeld);
    a["type"] = json!("meeting.hold");
    let mut b = valid(EventType::ProcurementPlanned);
    b["data"]["supplier"] = json!("meta");
    let body = json!([a, valid(EventType::MeetingHeld), b]);
    let pointers: Vec<String> = problems(&body).into_iter().map(|p| p.0).collect();
    assert_eq!(pointers, vec!["/0/type", "/2/data/supplier"]);
}

#[test]
fn a_batch_of_one_still_has_indexed_pointers() {
    let mut a = valid(EventType::MeetingHeld);
    a["data"]["organizations"] = json!(["meta"]);
    assert_eq!(only(&json!([a])).0, "/0/data/organizations");
}

#[test]
fn an_empty_batch_is_rejected() {
    assert_eq!(
        only(&json!([])),
        (
            String::new(),
            "an empty batch holds no event; send at least one".to_owned()
        )
    );
}

#[test]
fn a_batch_beyond_the_limit_is_rejected() {
    let body = Value::Array(vec![valid(EventType::MeetingHeld); MAX_BATCH + 1]);
    assert_eq!(
        only(&body),
        (
            String::new(),
            format!(
                "a batch holds at most {MAX_BATCH} events, got {}; split it",
                MAX_BATCH + 1
            )
        )
    );
    let body = Value::Array(vec![valid(EventType::MeetingHeld); MAX_BATCH]);
    assert_eq!(validate_submission(&body).unwrap().len(), MAX_BATCH);
}

#[test]
fn a_batch_item_must_be_an_object() {
    assert_eq!(
        only(&json!([valid(EventType::MeetingHeld), 5])),
        (
            "/1".to_owned(),
            "expected an event object, got a number".to_owned()
        )
    );
}

#[test]
fn ids_are_unique_within_a_batch() {
    let mut a = valid(EventType::MeetingHeld);
    a["id"] = json!("0190a000-0000-7000-8000-00000000000a");
    let mut b = valid(EventType::MeetingScheduled);
    b["id"] = json!("0190A000-0000-7000-8000-00000000000A");
    assert_eq!(
        only(&json!([a, b])),
        (
            "/1/id".to_owned(),
            "duplicate id '0190a000-0000-7000-8000-00000000000a' in this batch (also at /0/id)"
                .to_owned()
        )
    );
}

#[test]
fn errors_serialize_as_problem_details_members() {
    let err = validate_submission(&json!([])).unwrap_err();
    assert_eq!(
        serde_json::to_value(&err).unwrap(),
        json!([{"pointer": "", "detail": "an empty batch holds no event; send at least one"}])
    );
    assert!(!err.is_conflict());
    assert_eq!(
        err.to_string(),
        "1 problem: (body): an empty batch holds no event; send at least one"
    );
}
