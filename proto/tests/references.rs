//! Referential integrity and registration conflicts, against an in-memory registry.

mod common;

use std::cell::Cell;
use std::collections::HashMap;

use common::valid;
use liaison_proto::events::{OrganizationRegistered, PersonRegistered};
use liaison_proto::validate::{ErrorKind, KnownEvent, KnownRule, check_references_with, is_noop};
use liaison_proto::{ClientEvent, EventData, EventType, check_references, validate_submission};
use serde_json::{Value, json};
use uuid::Uuid;

#[derive(Default)]
struct Mem {
    orgs: HashMap<String, OrganizationRegistered>,
    persons: HashMap<String, PersonRegistered>,
    events: HashMap<Uuid, KnownEvent>,
    rules: HashMap<String, KnownRule>,
}

impl liaison_proto::Registry for Mem {
    fn organization(&self, id: &str) -> Option<OrganizationRegistered> {
        self.orgs.get(id).cloned()
    }
    fn person(&self, id: &str) -> Option<PersonRegistered> {
        self.persons.get(id).cloned()
    }
    fn event(&self, id: &Uuid) -> Option<KnownEvent> {
        self.events.get(id).copied()
    }
    fn rule(&self, id: &str) -> Option<KnownRule> {
        self.rules.get(id).cloned()
    }
}

fn events(body: Value) -> Vec<ClientEvent> {
    validate_submission(&body).unwrap_or_else(|e| panic!("{e}"))
}

fn org(id: &str) -> OrganizationRegistered {
    serde_json::from_value(json!({"id": id, "name": id.to_uppercase()})).unwrap()
}

/// A registry that knows `meta`, `lg`, `william-cho`, the rule `lg-watch`, and a few events.
fn registry() -> Mem {
    let mut m = Mem::default();
    for id in ["meta", "lg"] {
        m.orgs.insert(id.to_owned(), org(id));
    }
    let person: PersonRegistered =
        serde_json::from_value(json!({"id": "william-cho", "name": "William Cho"})).unwrap();
    m.persons.insert("william-cho".to_owned(), person);
    let rule = match events(valid(EventType::RuleCreated)).remove(0).event {
        EventData::RuleCreated(r) => r,
        _ => unreachable!(),
    };
    m.rules.insert(
        "lg-watch".to_owned(),
        KnownRule {
            rule,
            deleted: false,
        },
    );
    for (n, t, retracted) in [
        (1, EventType::MeetingHeld, false),
        (2, EventType::MeetingHeld, true),
        (3, EventType::EventRetracted, false),
        (4, EventType::OrganizationRegistered, false),
        (5, EventType::RuleCreated, false),
    ] {
        m.events.insert(
            uuid(n),
            KnownEvent {
                event_type: t,
                retracted,
            },
        );
    }
    m
}

fn uuid(n: u8) -> Uuid {
    Uuid::parse_str(&format!("0190a000-0000-7000-8000-0000000000{n:02x}")).unwrap()
}

fn problems(body: Value, reg: &Mem) -> Vec<(String, String, ErrorKind)> {
    let batch = body.is_array();
    match check_references_with(&events(body), reg, batch) {
        Ok(()) => Vec::new(),
        Err(e) => e
            .errors()
            .iter()
            .map(|e| (e.pointer.clone(), e.detail.clone(), e.kind))
            .collect(),
    }
}

fn invalid(p: &str, d: &str) -> (String, String, ErrorKind) {
    (p.to_owned(), d.to_owned(), ErrorKind::Invalid)
}

fn conflict(p: &str, d: &str) -> (String, String, ErrorKind) {
    (p.to_owned(), d.to_owned(), ErrorKind::Conflict)
}

#[test]
fn every_valid_example_references_known_things() {
    let reg = registry();
    for t in EventType::ALL {
        let mut body = valid(t);
        // Registrations of new ids, so that they do not conflict with the registry.
        match t {
            EventType::RuleCreated => body["data"]["id"] = json!("new-rule"),
            EventType::OrganizationRegistered => body["data"]["id"] = json!("samsung"),
            EventType::PersonRegistered => body["data"]["id"] = json!("jy-lee"),
            _ => {}
        }
        assert_eq!(problems(body, &reg), vec![], "{t}");
    }
}

#[test]
fn unknown_organization_is_reported_at_its_field() {
    let body = json!({"type": "meeting.held", "time": "2024-02-28",
        "data": {"organizations": ["meta", "lgg"]}});
    assert_eq!(
        problems(body, &registry()),
        vec![invalid(
            "/data/organizations/1",
            "unknown organization 'lgg'"
        )]
    );
}

#[test]
fn every_organization_field_is_checked() {
    let reg = registry();
    let cases = [
        (
            json!({"type": "interest.expressed", "time": "2024-02-28",
            "data": {"organization": "x", "counterpart": "y", "topics": ["xr"]}}),
            vec!["/data/organization", "/data/counterpart"],
        ),
        (
            json!({"type": "procurement.planned", "time": "2024-02-28",
            "data": {"buyer": "x", "supplier": "lg", "item": "panels"}}),
            vec!["/data/buyer"],
        ),
        (
            json!({"type": "product.launched", "time": "2024-02-28",
            "data": {"organization": "x", "product": "Q"}}),
            vec!["/data/organization"],
        ),
        (
            json!({"type": "organization.registered", "time": "2024-02-28",
            "data": {"id": "oculus", "name": "Oculus", "parent": "facebook"}}),
            vec!["/data/parent"],
        ),
        (
            json!({"type": "person.registered", "time": "2024-02-28",
            "data": {"id": "bob", "name": "Bob", "affiliations": [{"organization": "meta"}, {"organization": "x"}]}}),
            vec!["/data/affiliations/1/organization"],
        ),
        (
            json!({"type": "rule.created", "time": "2024-02-28",
            "data": {"id": "r", "match": {"organizations": ["lg", "x"]}}}),
            vec!["/data/match/organizations/1"],
        ),
        (
            json!({"type": "competition.noted", "time": "2024-02-28",
            "data": {"organizations": ["x", "meta", "y"], "topics": ["xr"]}}),
            vec!["/data/organizations/0", "/data/organizations/2"],
        ),
    ];
    for (body, expected) in cases {
        let got: Vec<String> = problems(body.clone(), &reg)
            .into_iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(got, expected, "{body}");
    }
}

#[test]
fn unknown_participant_is_reported() {
    let body = json!({"type": "meeting.held", "time": "2024-02-28",
        "data": {"organizations": ["meta", "lg"], "participants": ["william-cho", "mark"]}});
    assert_eq!(
        problems(body, &registry()),
        vec![invalid("/data/participants/1", "unknown person 'mark'")]
    );
}

#[test]
fn registration_earlier_in_the_batch_counts() {
    let body = json!([
        {"type": "organization.registered", "time": "2024-02-28", "data": {"id": "samsung", "name": "Samsung"}},
        {"type": "person.registered", "time": "2024-02-28", "data": {"id": "jy-lee", "name": "JY Lee",
            "affiliations": [{"organization": "samsung"}]}},
        {"type": "meeting.held", "time": "2024-02-28", "data": {"organizations": ["meta", "samsung"],
            "participants": ["jy-lee"]}}
    ]);
    assert_eq!(problems(body, &registry()), vec![]);
}

#[test]
fn registration_later_in_the_batch_does_not_count() {
    let body = json!([
        {"type": "meeting.held", "time": "2024-02-28", "data": {"organizations": ["meta", "samsung"]}},
        {"type": "organization.registered", "time": "2024-02-28", "data": {"id": "samsung", "name": "Samsung"}}
    ]);
    assert_eq!(
        problems(body, &registry()),
        vec![invalid(
            "/0/data/organizations/1",
            "unknown organization 'samsung'"
        )]
    );
}

#[test]
fn same_registration_again_is_a_noop_and_different_is_a_conflict() {
    let reg = registry();
    let same = json!({"type": "organization.registered", "time": "2025-01-01", "data": {"id": "meta", "name": "META"}});
    assert_eq!(problems(same.clone(), &reg), vec![]);
    assert!(is_noop(&events(same)[0], &reg));
    let other = json!({"type": "organization.registered", "time": "2025-01-01", "data": {"id": "meta", "name": "Meta Platforms"}});
    assert!(!is_noop(&events(other.clone())[0], &reg));
    let found = problems(other.clone(), &reg);
    assert_eq!(
        found,
        vec![conflict(
            "/data/id",
            "organization 'meta' is already registered with different content"
        )]
    );
    let err = check_references(&events(other), &reg).unwrap_err();
    assert!(err.is_conflict());
}

#[test]
fn conflicting_registrations_within_a_batch() {
    let body = json!([
        {"type": "organization.registered", "time": "2024-02-28", "data": {"id": "samsung", "name": "Samsung"}},
        {"type": "organization.registered", "time": "2024-02-28", "data": {"id": "samsung", "name": "Samsung"}},
        {"type": "organization.registered", "time": "2024-02-28", "data": {"id": "samsung", "name": "Samsung Electronics"}}
    ]);
    assert_eq!(
        problems(body, &registry()),
        vec![conflict(
            "/2/data/id",
            "organization 'samsung' is already registered with different content"
        )]
    );
}

#[test]
fn person_registration_conflict() {
    let body = json!({"type": "person.registered", "time": "2024-02-28", "data": {"id": "william-cho", "name": "W. Cho"}});
    assert_eq!(
        problems(body, &registry()),
        vec![conflict(
            "/data/id",
            "person 'william-cho' is already registered with different content"
        )]
    );
}

#[test]
fn invalid_wins_over_conflict() {
    let body = json!([
        {"type": "organization.registered", "time": "2024-02-28", "data": {"id": "meta", "name": "Other"}},
        {"type": "meeting.held", "time": "2024-02-28", "data": {"organizations": ["meta", "nope"]}}
    ]);
    let err = check_references(&events(body), &registry()).unwrap_err();
    assert_eq!(err.errors().len(), 2);
    assert_eq!(err.kind(), ErrorKind::Invalid);
}

fn retract(target: Uuid) -> Value {
    json!({"type": "event.retracted", "time": "2024-03-01", "data": {"event_id": target}})
}

#[test]
fn retraction_of_an_existing_event_passes() {
    assert_eq!(problems(retract(uuid(1)), &registry()), vec![]);
}

#[test]
fn retraction_of_an_unknown_event_is_rejected() {
    assert_eq!(
        problems(retract(uuid(99)), &registry()),
        vec![invalid(
            "/data/event_id",
            &format!("unknown event '{}'", uuid(99))
        )]
    );
}

#[test]
fn retraction_of_a_retracted_event_is_rejected() {
    assert_eq!(
        problems(retract(uuid(2)), &registry()),
        vec![invalid(
            "/data/event_id",
            &format!("event '{}' is already retracted", uuid(2))
        )]
    );
    let body = json!([retract(uuid(1)), retract(uuid(1))]);
    assert_eq!(
        problems(body, &registry()),
        vec![invalid(
            "/1/data/event_id",
            &format!("event '{}' is already retracted", uuid(1))
        )]
    );
}

#[test]
fn retraction_of_a_retraction_is_rejected() {
    assert_eq!(
        problems(retract(uuid(3)), &registry()),
        vec![invalid(
            "/data/event_id",
            &format!(
                "event '{}' is of type event.retracted; a retraction cannot be retracted",
                uuid(3)
            )
        )]
    );
}

#[test]
fn retraction_of_a_registration_is_rejected() {
    assert_eq!(
        problems(retract(uuid(4)), &registry()),
        vec![invalid(
            "/data/event_id",
            &format!(
                "event '{}' is of type organization.registered; registrations cannot be retracted",
                uuid(4)
            )
        )]
    );
}

#[test]
fn retraction_of_a_rule_event_is_rejected() {
    assert_eq!(
        problems(retract(uuid(5)), &registry())[0].0,
        "/data/event_id"
    );
}

#[test]
fn retraction_of_an_event_earlier_in_the_batch() {
    let mut meeting = valid(EventType::MeetingHeld);
    meeting["id"] = json!(uuid(50));
    meeting["data"]["participants"] = json!([]);
    let body = json!([meeting, retract(uuid(50))]);
    assert_eq!(problems(body, &registry()), vec![]);
}

#[test]
fn rule_deletion_needs_a_live_rule() {
    let reg = registry();
    let del = |id: &str| json!({"type": "rule.deleted", "time": "2024-03-01", "data": {"id": id}});
    assert_eq!(problems(del("lg-watch"), &reg), vec![]);
    assert_eq!(
        problems(del("nope"), &reg),
        vec![invalid("/data/id", "unknown rule 'nope'")]
    );
    assert_eq!(
        problems(json!([del("lg-watch"), del("lg-watch")]), &reg),
        vec![invalid("/1/data/id", "rule 'lg-watch' is already deleted")]
    );
    assert_eq!(
        problems(del("new-partnership"), &reg),
        vec![invalid(
            "/data/id",
            "rule 'new-partnership' is built in and cannot be deleted"
        )]
    );
}

#[test]
fn rule_creation_conflicts() {
    let reg = registry();
    let same = valid(EventType::RuleCreated);
    assert_eq!(problems(same.clone(), &reg), vec![]);
    assert!(is_noop(&events(same)[0], &reg));
    let mut other = valid(EventType::RuleCreated);
    other["data"]["name"] = json!("renamed");
    assert_eq!(
        problems(other, &reg),
        vec![conflict(
            "/data/id",
            "rule 'lg-watch' already exists with a different definition; delete it first"
        )]
    );
    let mut builtin = valid(EventType::RuleCreated);
    builtin["data"]["id"] = json!("new-partnership");
    assert_eq!(
        problems(builtin, &reg),
        vec![conflict(
            "/data/id",
            "rule 'new-partnership' is built in and cannot be redefined"
        )]
    );
}

/// A registry that counts the questions it is asked.
struct Counting<'a> {
    inner: &'a Mem,
    questions: Cell<usize>,
}

impl liaison_proto::Registry for Counting<'_> {
    fn organization(&self, id: &str) -> Option<OrganizationRegistered> {
        self.questions.set(self.questions.get() + 1);
        self.inner.organization(id)
    }
    fn person(&self, id: &str) -> Option<PersonRegistered> {
        self.questions.set(self.questions.get() + 1);
        self.inner.person(id)
    }
    fn event(&self, id: &Uuid) -> Option<KnownEvent> {
        self.questions.set(self.questions.get() + 1);
        self.inner.event(id)
    }
    fn rule(&self, id: &str) -> Option<KnownRule> {
        self.questions.set(self.questions.get() + 1);
        self.inner.rule(id)
    }
}

#[test]
fn a_full_batch_asks_the_registry_once_per_reference() {
    use liaison_proto::Registry as _;
    let mut mem = registry();
    let names: Vec<String> = (0..16).map(|i| format!("org-{i}")).collect();
    for id in &names {
        mem.orgs.insert(id.clone(), org(id));
    }
    let meeting = json!({"type": "meeting.held", "time": "2024-02-28",
        "data": {"organizations": names, "participants": ["william-cho"]}});
    let body = Value::Array(vec![meeting; 500]);
    let counting = Counting {
        inner: &mem,
        questions: Cell::new(0),
    };
    check_references_with(&events(body), &counting, true).unwrap();
    assert_eq!(counting.questions.get(), 500 * 17);
    assert!(mem.organization("org-0").is_some());

    // 500 retractions of distinct events: one question each, and no scan of the earlier ones.
    for n in 0..500u32 {
        mem.events.insert(
            Uuid::from_u128(1_000 + u128::from(n)),
            KnownEvent {
                event_type: EventType::MeetingHeld,
                retracted: false,
            },
        );
    }
    let retractions: Vec<Value> = (0..500u32)
        .map(|n| {
            json!({"type": "event.retracted", "time": "2024-03-01",
            "data": {"event_id": Uuid::from_u128(1_000 + u128::from(n))}})
        })
        .collect();
    let counting = Counting {
        inner: &mem,
        questions: Cell::new(0),
    };
    check_references_with(&events(Value::Array(retractions)), &counting, true).unwrap();
    assert_eq!(counting.questions.get(), 500);
}
