//! One test per rule of the contract's event table and of the validation rules: each asserts
//! the exact JSON pointer and the detail of the problem.

mod common;

use common::{only, problems, valid, with_data};
use liaison_proto::{EventType, validate_stored, validate_submission};
use serde_json::{Value, json};

fn s(x: &str) -> String {
    x.to_owned()
}

#[test]
fn every_valid_example_passes() {
    for t in EventType::ALL {
        let events = validate_submission(&valid(t)).unwrap_or_else(|e| panic!("{t}: {e}"));
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].event_type(), t);
    }
}

#[test]
fn required_fields_of_every_type_are_enforced() {
    let table: &[(EventType, &[&str])] = &[
        (EventType::OrganizationRegistered, &["id", "name"]),
        (EventType::PersonRegistered, &["id", "name"]),
        (EventType::MeetingHeld, &["organizations"]),
        (EventType::MeetingScheduled, &["organizations"]),
        (
            EventType::CooperationDiscussed,
            &["organizations", "topics"],
        ),
        (
            EventType::InterestExpressed,
            &["organization", "counterpart", "topics"],
        ),
        (EventType::NegotiationReported, &["organizations", "topics"]),
        (EventType::AgreementSigned, &["organizations", "topics"]),
        (
            EventType::PartnershipAnnounced,
            &["organizations", "topics"],
        ),
        (EventType::PartnershipEnded, &["organizations", "topics"]),
        (
            EventType::ProcurementPlanned,
            &["buyer", "supplier", "item"],
        ),
        (EventType::ProductLaunched, &["organization", "product"]),
        (EventType::CompetitionNoted, &["organizations", "topics"]),
        (EventType::EventRetracted, &["event_id"]),
        (EventType::RuleCreated, &["id", "match"]),
        (EventType::RuleDeleted, &["id"]),
    ];
    assert_eq!(table.len(), EventType::ALL.len());
    for (t, fields) in table {
        for f in *fields {
            assert_eq!(
                only(&with_data(*t, f, None)),
                (
                    format!("/data/{f}"),
                    format!("required field '{f}' is missing")
                ),
                "{t}"
            );
        }
    }
}

#[test]
fn optional_fields_of_every_type_may_be_left_out() {
    let table: &[(EventType, &[&str])] = &[
        (
            EventType::OrganizationRegistered,
            &["aliases", "kind", "parent", "country"],
        ),
        (EventType::PersonRegistered, &["aliases", "affiliations"]),
        (
            EventType::MeetingHeld,
            &["participants", "topics", "location"],
        ),
        (
            EventType::MeetingScheduled,
            &["participants", "topics", "location"],
        ),
        (EventType::AgreementSigned, &["kind"]),
        (EventType::PartnershipAnnounced, &["kind"]),
        (EventType::PartnershipEnded, &["reason"]),
        (EventType::ProcurementPlanned, &["quantity", "by"]),
        (EventType::ProductLaunched, &["topics"]),
        (EventType::EventRetracted, &["reason"]),
        (EventType::RuleCreated, &["name", "deliver"]),
    ];
    for (t, fields) in table {
        for f in *fields {
            assert_eq!(problems(&with_data(*t, f, None)), vec![], "{t} without {f}");
            assert_eq!(
                problems(&with_data(*t, f, Some(json!(null)))),
                vec![],
                "{t} with {f}: null"
            );
        }
    }
}

#[test]
fn required_null_is_rejected() {
    assert_eq!(
        only(&with_data(
            EventType::MeetingHeld,
            "organizations",
            Some(json!(null))
        )),
        (
            s("/data/organizations"),
            s("required field 'organizations' must not be null")
        )
    );
}

#[test]
fn meetings_and_cooperation_need_two_organizations() {
    for t in [
        EventType::MeetingHeld,
        EventType::MeetingScheduled,
        EventType::CooperationDiscussed,
    ] {
        assert_eq!(
            only(&with_data(t, "organizations", Some(json!(["meta"])))),
            (
                s("/data/organizations"),
                s("needs at least 2 distinct organizations, got 1")
            ),
            "{t}"
        );
    }
}

#[test]
fn pair_events_need_two_distinct_organizations() {
    for t in [
        EventType::NegotiationReported,
        EventType::AgreementSigned,
        EventType::PartnershipAnnounced,
        EventType::PartnershipEnded,
        EventType::CompetitionNoted,
    ] {
        assert_eq!(
            only(&with_data(t, "organizations", Some(json!([])))),
            (
                s("/data/organizations"),
                s("needs at least 2 distinct organizations, got 0")
            ),
            "{t}"
        );
    }
}

#[test]
fn duplicate_organizations_are_rejected() {
    let body = with_data(
        EventType::MeetingHeld,
        "organizations",
        Some(json!(["meta", "lg", "meta"])),
    );
    assert_eq!(
        only(&body),
        (
            s("/data/organizations/2"),
            s("duplicate organization 'meta' (also at /data/organizations/0)")
        )
    );
}

#[test]
fn duplicate_pair_is_both_a_duplicate_and_too_few() {
    let body = with_data(
        EventType::AgreementSigned,
        "organizations",
        Some(json!(["meta", "meta"])),
    );
    assert_eq!(
        problems(&body),
        vec![
            (
                s("/data/organizations/1"),
                s("duplicate organization 'meta' (also at /data/organizations/0)")
            ),
            (
                s("/data/organizations"),
                s("needs at least 2 distinct organizations, got 1")
            ),
        ]
    );
}

#[test]
fn duplicate_topics_and_participants_are_rejected() {
    let body = with_data(
        EventType::CooperationDiscussed,
        "topics",
        Some(json!(["xr", "xr"])),
    );
    assert_eq!(
        only(&body),
        (
            s("/data/topics/1"),
            s("duplicate topic 'xr' (also at /data/topics/0)")
        )
    );
    let body = with_data(
        EventType::MeetingHeld,
        "participants",
        Some(json!(["william-cho", "william-cho"])),
    );
    assert_eq!(only(&body).0, "/data/participants/1");
}

#[test]
fn required_topics_need_one() {
    assert_eq!(
        only(&with_data(
            EventType::InterestExpressed,
            "topics",
            Some(json!([]))
        )),
        (s("/data/topics"), s("needs at least 1 topic, got 0"))
    );
}

#[test]
fn meeting_topics_may_be_empty() {
    assert_eq!(
        problems(&with_data(
            EventType::MeetingHeld,
            "topics",
            Some(json!([]))
        )),
        vec![]
    );
}

#[test]
fn interest_needs_a_different_counterpart() {
    let body = with_data(
        EventType::InterestExpressed,
        "counterpart",
        Some(json!("meta")),
    );
    assert_eq!(
        only(&body),
        (
            s("/data/counterpart"),
            s("must differ from organization ('meta')")
        )
    );
}

#[test]
fn procurement_needs_a_different_supplier() {
    let body = with_data(
        EventType::ProcurementPlanned,
        "supplier",
        Some(json!("meta")),
    );
    assert_eq!(
        only(&body),
        (s("/data/supplier"), s("must differ from buyer ('meta')"))
    );
}

#[test]
fn an_organization_is_not_its_own_parent() {
    let body = with_data(
        EventType::OrganizationRegistered,
        "parent",
        Some(json!("meta")),
    );
    assert_eq!(
        only(&body),
        (
            s("/data/parent"),
            s("an organization cannot be its own parent ('meta')")
        )
    );
}

#[test]
fn procurement_quantity_is_a_number_or_text() {
    let t = EventType::ProcurementPlanned;
    assert_eq!(
        problems(&with_data(t, "quantity", Some(json!("10k units")))),
        vec![]
    );
    assert_eq!(
        only(&with_data(t, "quantity", Some(json!(-3)))),
        (s("/data/quantity"), s("must not be negative, got -3"))
    );
    assert_eq!(
        only(&with_data(t, "quantity", Some(json!(true)))),
        (
            s("/data/quantity"),
            s("expected a number or a string, got a boolean")
        )
    );
}

#[test]
fn slugs_are_checked_everywhere() {
    assert_eq!(
        only(&with_data(
            EventType::MeetingHeld,
            "organizations",
            Some(json!(["meta", "LG"]))
        )),
        (
            s("/data/organizations/1"),
            s(
                "'LG' is not a valid id: may hold only lowercase ASCII letters, digits and '-', found 'L'"
            )
        )
    );
    assert_eq!(
        only(&with_data(
            EventType::CooperationDiscussed,
            "topics",
            Some(json!(["extended reality"]))
        ))
        .0,
        "/data/topics/0"
    );
    assert_eq!(
        only(&with_data(
            EventType::OrganizationRegistered,
            "id",
            Some(json!(""))
        ))
        .1,
        "'' is not a valid id: must not be empty"
    );
    assert_eq!(
        only(&with_data(
            EventType::MeetingHeld,
            "participants",
            Some(json!(["William"]))
        ))
        .0,
        "/data/participants/0"
    );
    assert_eq!(
        only(&with_data(
            EventType::InterestExpressed,
            "organization",
            Some(json!(7))
        )),
        (
            s("/data/organization"),
            s("expected a string, got a number")
        )
    );
    let mut body = valid(EventType::PersonRegistered);
    body["data"]["affiliations"][0]["organization"] = json!("LG Electronics");
    assert_eq!(only(&body).0, "/data/affiliations/0/organization");
}

#[test]
fn enum_values_are_checked() {
    assert_eq!(
        only(&with_data(
            EventType::MeetingHeld,
            "factuality",
            Some(json!("rumour"))
        )),
        (
            s("/data/factuality"),
            s(
                "unknown value 'rumour'; expected one of: asserted, planned, possible, reported, negated"
            )
        )
    );
    assert_eq!(
        only(&with_data(
            EventType::AgreementSigned,
            "kind",
            Some(json!("handshake"))
        )),
        (
            s("/data/kind"),
            s("unknown value 'handshake'; expected one of: mou, loi, contract, joint-venture")
        )
    );
    assert_eq!(
        only(&with_data(
            EventType::PartnershipAnnounced,
            "kind",
            Some(json!("JV"))
        ))
        .0,
        "/data/kind"
    );
    assert_eq!(
        only(&with_data(
            EventType::OrganizationRegistered,
            "kind",
            Some(json!("ngo"))
        )),
        (
            s("/data/kind"),
            s("unknown value 'ngo'; expected one of: company, government, other")
        )
    );
}

#[test]
fn every_factuality_is_accepted() {
    for f in ["asserted", "planned", "possible", "reported", "negated"] {
        assert_eq!(
            problems(&with_data(
                EventType::NegotiationReported,
                "factuality",
                Some(json!(f))
            )),
            vec![]
        );
    }
}

#[test]
fn evidence_is_checked() {
    let evidence = json!({"url": "https://www.koreaherald.com/x", "publisher": "Korea Herald",
        "title": "Meta, LG", "published_at": "2024-02-29T08:00:00+09:00", "quote": "…",
        "language": "en", "confidence": 0.9});
    let t = EventType::MeetingHeld;
    assert_eq!(problems(&with_data(t, "evidence", Some(evidence))), vec![]);
    assert_eq!(
        only(&with_data(t, "evidence", Some(json!({"confidence": 1.5})))),
        (
            s("/data/evidence/confidence"),
            s("must be from 0 to 1, got 1.5")
        )
    );
    assert_eq!(
        only(&with_data(t, "evidence", Some(json!({"confidence": -0.1})))).0,
        "/data/evidence/confidence"
    );
    assert_eq!(
        only(&with_data(
            t,
            "evidence",
            Some(json!({"url": "koreaherald.com"}))
        )),
        (
            s("/data/evidence/url"),
            s("'koreaherald.com' is not an http(s) URL")
        )
    );
    assert_eq!(
        only(&with_data(
            t,
            "evidence",
            Some(json!({"url": "ftp://x.org/a"}))
        ))
        .0,
        "/data/evidence/url"
    );
    assert_eq!(
        only(&with_data(
            t,
            "evidence",
            Some(json!({"published_at": "2024-02-30"}))
        )),
        (
            s("/data/evidence/published_at"),
            s("'2024-02-30' is not a valid date (YYYY-MM-DD) or RFC 3339 timestamp")
        )
    );
    assert_eq!(
        only(&with_data(t, "evidence", Some(json!({"src": "x"})))),
        (
            s("/data/evidence/src"),
            s(
                "unknown field 'src'; expected one of: url, publisher, title, published_at, quote, language, confidence"
            )
        )
    );
    assert_eq!(
        only(&with_data(t, "evidence", Some(json!("https://x.org")))),
        (s("/data/evidence"), s("expected an object, got a string"))
    );
}

#[test]
fn text_fields_must_not_be_blank_or_huge() {
    assert_eq!(
        only(&with_data(
            EventType::OrganizationRegistered,
            "name",
            Some(json!("  "))
        )),
        (s("/data/name"), s("must not be empty"))
    );
    let huge = "x".repeat(4097);
    assert_eq!(
        only(&with_data(
            EventType::MeetingHeld,
            "summary",
            Some(json!(huge))
        )),
        (
            s("/data/summary"),
            s("must be at most 4096 bytes of UTF-8, got 4097")
        )
    );
}

#[test]
fn unknown_data_fields_are_rejected() {
    assert_eq!(
        only(&with_data(
            EventType::CooperationDiscussed,
            "topcs",
            Some(json!(["xr"]))
        )),
        (
            s("/data/topcs"),
            s(
                "unknown field 'topcs'; expected one of: organizations, topics, factuality, evidence, summary"
            )
        )
    );
    // A field of another type is unknown here too.
    assert_eq!(
        only(&with_data(
            EventType::CooperationDiscussed,
            "kind",
            Some(json!("mou"))
        ))
        .0,
        "/data/kind"
    );
}

#[test]
fn unknown_field_names_are_escaped_in_pointers() {
    assert_eq!(
        only(&with_data(EventType::MeetingHeld, "a/b~c", Some(json!(1)))).0,
        "/data/a~1b~0c"
    );
}

#[test]
fn unknown_top_level_fields_are_rejected() {
    let mut body = valid(EventType::MeetingHeld);
    body["tiem"] = json!("2024-02-28");
    assert_eq!(
        only(&body),
        (
            s("/tiem"),
            s("unknown field 'tiem'; expected one of: type, id, time, data")
        )
    );
}

#[test]
fn unknown_type_is_rejected() {
    let mut body = valid(EventType::MeetingHeld);
    body["type"] = json!("meeting.hold");
    let (pointer, detail) = only(&body);
    assert_eq!(pointer, "/type");
    assert!(
        detail.starts_with(
            "unknown event type 'meeting.hold'; expected one of: organization.registered, "
        ),
        "{detail}"
    );
}

#[test]
fn type_time_and_data_are_required() {
    let body = json!({});
    assert_eq!(
        problems(&body),
        vec![
            (s("/type"), s("required field 'type' is missing")),
            (s("/time"), s("required field 'time' is missing")),
            (s("/data"), s("required field 'data' is missing")),
        ]
    );
    let body = json!({"type": 3, "time": "2024-02-28", "data": []});
    assert_eq!(
        problems(&body),
        vec![
            (s("/type"), s("expected a string, got a number")),
            (s("/data"), s("expected an object, got an array")),
        ]
    );
}

#[test]
fn time_must_be_a_real_date_or_timestamp() {
    for bad in ["2024-02-30", "2023-02-29", "yesterday", "2024-02-28 10:00"] {
        let mut body = valid(EventType::MeetingHeld);
        body["time"] = json!(bad);
        assert_eq!(
            only(&body),
            (
                s("/time"),
                format!("'{bad}' is not a valid date (YYYY-MM-DD) or RFC 3339 timestamp")
            )
        );
    }
    let mut body = valid(EventType::MeetingHeld);
    body["time"] = json!("2024-02-28T10:00:00+09:00");
    assert_eq!(problems(&body), vec![]);
}

#[test]
fn id_must_be_a_uuid() {
    let mut body = valid(EventType::MeetingHeld);
    body["id"] = json!("event-1");
    assert_eq!(only(&body), (s("/id"), s("'event-1' is not a valid UUID")));
    body["id"] = json!("0190a000-0000-7000-8000-000000000001");
    let events = validate_submission(&body).unwrap();
    assert_eq!(
        events[0].id.unwrap().to_string(),
        "0190a000-0000-7000-8000-000000000001"
    );
}

#[test]
fn retraction_names_a_uuid() {
    assert_eq!(
        only(&with_data(
            EventType::EventRetracted,
            "event_id",
            Some(json!("abc"))
        )),
        (s("/data/event_id"), s("'abc' is not a valid UUID"))
    );
}

#[test]
fn rules_are_checked() {
    let t = EventType::RuleCreated;
    let mut body = valid(t);
    body["data"]["match"]["event_types"] = json!(["partnership.announced", "partnership.made"]);
    assert_eq!(only(&body).0, "/data/match/event_types/1");
    let mut body = valid(t);
    body["data"]["match"]["organizations_mode"] = json!("most");
    assert_eq!(
        only(&body),
        (
            s("/data/match/organizations_mode"),
            s("unknown value 'most'; expected one of: any, all")
        )
    );
    let mut body = valid(t);
    body["data"]["match"]["status"] = json!(["signed"]);
    assert_eq!(only(&body).0, "/data/match/status/0");
    let mut body = valid(t);
    body["data"]["match"]["factuality"] = json!(["rumour"]);
    assert_eq!(only(&body).0, "/data/match/factuality/0");
    let mut body = valid(t);
    body["data"]["match"]["orgs"] = json!(["lg"]);
    assert_eq!(only(&body).0, "/data/match/orgs");
    let mut body = valid(t);
    body["data"]["deliver"]["webhook"]["url"] = json!("not a url");
    assert_eq!(
        only(&body),
        (
            s("/data/deliver/webhook/url"),
            s("'not a url' is not an http(s) URL")
        )
    );
    let mut body = valid(t);
    body["data"]["deliver"]["nats_subject"] = json!("alerts.>");
    assert_eq!(only(&body).0, "/data/deliver/nats_subject");
    let mut body = valid(t);
    body["data"]["deliver"]["webhook"] = json!({"url": "https://x.org"});
    assert_eq!(
        only(&body),
        (
            s("/data/deliver/webhook/secret"),
            s("required field 'secret' is missing")
        )
    );
}

/// `body` (a valid submission) as ingest stores it in the log.
fn stored_envelope(body: &Value) -> Value {
    let event = validate_submission(body).unwrap().remove(0);
    let envelope = liaison_proto::Envelope::record(
        event,
        liaison_proto::envelope::INGEST_SOURCE,
        chrono::Utc::now(),
    );
    serde_json::to_value(envelope).unwrap()
}

#[test]
fn a_webhook_secret_in_clear_never_passes() {
    // Neither as a submission (ingest answers 422) nor as a log entry (every gate quarantines).
    for clear in [
        json!("s3cret"),
        json!(""),
        json!("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
    ] {
        let mut body = valid(EventType::RuleCreated);
        body["data"]["deliver"]["webhook"]["secret"] = clear.clone();
        let (pointer, detail) = only(&body);
        assert_eq!(pointer, "/data/deliver/webhook/secret");
        assert!(
            detail.starts_with("a webhook secret must be sealed")
                && detail.contains("POST /v1/rules"),
            "{detail}"
        );
        let mut stored = stored_envelope(&valid(EventType::RuleCreated));
        stored["data"]["deliver"]["webhook"]["secret"] = clear;
        let errors = validate_stored(&serde_json::to_vec(&stored).unwrap()).unwrap_err();
        assert_eq!(errors.errors()[0].pointer, "/data/deliver/webhook/secret");
    }
}

#[test]
fn a_sealed_secret_is_checked_member_by_member() {
    let t = EventType::RuleCreated;
    let with = |member: &str, value: Value| {
        let mut body = valid(t);
        body["data"]["deliver"]["webhook"]["secret"][member] = value;
        problems(&body)
    };
    let at = |member: &str| format!("/data/deliver/webhook/secret/{member}");
    assert_eq!(
        with("alg", json!("aes-256-gcm")),
        vec![(
            at("alg"),
            s("unknown value 'aes-256-gcm'; expected one of: xchacha20poly1305")
        )]
    );
    assert_eq!(with("key_id", json!("a key"))[0].0, at("key_id"));
    assert_eq!(
        with("nonce", json!("c2hvcnQ=")),
        vec![(
            at("nonce"),
            s("must be the base64 of 24 bytes, got 5 bytes")
        )]
    );
    assert_eq!(
        with("ciphertext", json!("not base64!")),
        vec![(
            at("ciphertext"),
            s("must be standard base64 (A-Z, a-z, 0-9, '+', '/', '=' padding)")
        )]
    );
    // Shorter than a tag: it cannot hold a secret.
    assert_eq!(
        with("ciphertext", json!("dGFn"))[0],
        (
            at("ciphertext"),
            s("must be the base64 of 17 to 4112 bytes, got 3 bytes")
        )
    );
    assert_eq!(
        with("plaintext", json!("s3cret"))[0].0,
        at("plaintext"),
        "no room for anything else"
    );
    let mut body = valid(t);
    body["data"]["deliver"]["webhook"]["secret"]
        .as_object_mut()
        .unwrap()
        .remove("key_id");
    assert_eq!(
        only(&body),
        (at("key_id"), s("required field 'key_id' is missing"))
    );
    let mut body = valid(t);
    body["data"]["deliver"]["webhook"]["secret"] = json!(42);
    assert_eq!(
        only(&body),
        (
            s("/data/deliver/webhook/secret"),
            s("expected an object, got a number")
        )
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let body = json!({"type": "interest.expressed", "time": "2024-13-01", "id": "x",
        "data": {"organization": "Meta", "counterpart": "lg", "topics": [], "factuality": "sure", "extra": 1}});
    // Members are walked in the order serde_json keeps them; compare as a set.
    let mut pointers: Vec<String> = problems(&body).into_iter().map(|p| p.0).collect();
    pointers.sort();
    assert_eq!(
        pointers,
        vec![
            "/data/extra",
            "/data/factuality",
            "/data/organization",
            "/data/topics",
            "/id",
            "/time",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>(),
    );
}

#[test]
fn body_must_be_an_object_or_array() {
    assert_eq!(
        only(&json!("meeting")),
        (
            s(""),
            s("expected an event object or an array of events, got a string")
        )
    );
}

#[test]
fn typed_events_keep_the_meaning() {
    let events = validate_submission(&valid(EventType::MeetingHeld)).unwrap();
    let e = &events[0];
    assert_eq!(e.event.organizations(), vec!["meta", "lg"]);
    assert_eq!(e.event.persons(), vec!["william-cho"]);
    assert_eq!(e.time.to_string(), "2024-02-28");
}
