//! Property: any valid generated event validates, and its typed form round-trips through JSON
//! (serialize, validate again, same typed event, same digest).

use liaison_proto::envelope::INGEST_SOURCE;
use liaison_proto::{ClientEvent, Envelope, EventType, validate_stored, validate_submission};
use proptest::prelude::*;
use serde_json::{Value, json};

fn slug() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9-]{0,20}"
}

fn slugs(min: usize, max: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::btree_set(slug(), min..=max).prop_map(|s| s.into_iter().collect())
}

fn text() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9 ,.'-]{0,30}"
}

fn time() -> impl Strategy<Value = String> {
    prop_oneof![
        (1990i32..2040, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        (1990i32..2040, 1u32..=12, 1u32..=28, 0u32..24, 0u32..60)
            .prop_map(|(y, m, d, h, mi)| format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:00Z")),
    ]
}

fn common() -> impl Strategy<Value = Value> {
    (
        prop::option::of(prop::sample::select(vec![
            "asserted", "planned", "possible", "reported", "negated",
        ])),
        // Hundredths: short decimals parse back exactly without serde_json's float_roundtrip.
        prop::option::of((
            text(),
            (0u32..=100).prop_map(|k| f64::from(k) / 100.0),
            time(),
        )),
        prop::option::of(text()),
    )
        .prop_map(|(f, ev, summary)| {
            let mut m = serde_json::Map::new();
            if let Some(f) = f {
                m.insert("factuality".into(), json!(f));
            }
            if let Some((publisher, confidence, at)) = ev {
                m.insert(
                    "evidence".into(),
                    json!({"url": "https://news.example.com/a?b=1", "publisher": publisher,
                        "confidence": confidence, "published_at": at}),
                );
            }
            if let Some(s) = summary {
                m.insert("summary".into(), json!(s));
            }
            Value::Object(m)
        })
}

fn data(t: EventType) -> BoxedStrategy<Value> {
    match t {
        EventType::OrganizationRegistered => (slug(), text(), prop::collection::vec(text(), 0..3), prop::option::of(prop::sample::select(vec!["company", "government", "other"])))
            .prop_map(|(id, name, aliases, kind)| json!({"id": id, "name": name, "aliases": aliases, "kind": kind}))
            .boxed(),
        EventType::PersonRegistered => (slug(), text(), slugs(0, 3))
            .prop_map(|(id, name, orgs)| {
                let aff: Vec<Value> = orgs.iter().map(|o| json!({"organization": o, "role": "CEO"})).collect();
                json!({"id": id, "name": name, "affiliations": aff})
            })
            .boxed(),
        EventType::MeetingHeld | EventType::MeetingScheduled => (slugs(2, 5), slugs(0, 3), slugs(0, 3), prop::option::of(text()))
            .prop_map(|(o, p, t, l)| json!({"organizations": o, "participants": p, "topics": t, "location": l}))
            .boxed(),
        EventType::CooperationDiscussed | EventType::NegotiationReported | EventType::CompetitionNoted => {
            (slugs(2, 5), slugs(1, 3)).prop_map(|(o, t)| json!({"organizations": o, "topics": t})).boxed()
        }
        EventType::AgreementSigned | EventType::PartnershipAnnounced => (slugs(2, 4), slugs(1, 3), prop::option::of(prop::sample::select(vec!["mou", "loi", "contract", "joint-venture"])))
            .prop_map(|(o, t, k)| json!({"organizations": o, "topics": t, "kind": k}))
            .boxed(),
        EventType::PartnershipEnded => (slugs(2, 4), slugs(1, 3), prop::option::of(text()))
            .prop_map(|(o, t, r)| json!({"organizations": o, "topics": t, "reason": r}))
            .boxed(),
        EventType::InterestExpressed => (slugs(2, 2), slugs(1, 3))
            .prop_map(|(o, t)| json!({"organization": o[0], "counterpart": o[1], "topics": t}))
            .boxed(),
        EventType::ProcurementPlanned => (slugs(2, 2), text(), prop_oneof![Just(json!(null)), (0u64..1_000_000).prop_map(|n| json!(n)), text().prop_map(|s| json!(s))], prop::option::of(time()))
            .prop_map(|(o, item, q, by)| json!({"buyer": o[0], "supplier": o[1], "item": item, "quantity": q, "by": by}))
            .boxed(),
        EventType::ProductLaunched => (slug(), text(), slugs(0, 3))
            .prop_map(|(o, p, t)| json!({"organization": o, "product": p, "topics": t}))
            .boxed(),
        EventType::EventRetracted => (any::<u128>(), prop::option::of(text()))
            .prop_map(|(n, r)| json!({"event_id": uuid::Uuid::from_u128(n), "reason": r}))
            .boxed(),
        EventType::RuleCreated => (slug(), slugs(0, 3), slugs(0, 2), prop::sample::subsequence(vec!["agreed", "active", "ended"], 0..=3), prop::bool::ANY)
            .prop_map(|(id, orgs, topics, status, all)| json!({"id": id,
                "match": {"organizations": orgs, "topics": topics, "status": status,
                    "organizations_mode": if all { "all" } else { "any" }, "event_types": ["partnership.announced"]},
                "deliver": {"nats_subject": format!("alerts.{id}")}}))
            .boxed(),
        EventType::RuleDeleted => slug().prop_map(|id| json!({"id": id})).boxed(),
    }
}

fn event() -> impl Strategy<Value = Value> {
    prop::sample::select(EventType::ALL.to_vec()).prop_flat_map(|t| {
        (data(t), common(), time(), prop::option::of(any::<u128>())).prop_map(
            move |(mut data, common, time, id)| {
                let map = data.as_object_mut().unwrap();
                map.extend(common.as_object().unwrap().clone());
                let mut e = json!({"type": t.as_str(), "time": time, "data": data});
                if let Some(n) = id {
                    e["id"] = json!(uuid::Uuid::from_u128(n));
                }
                e
            },
        )
    })
}

proptest! {
    #[test]
    fn valid_events_validate_and_round_trip(body in event()) {
        let events = validate_submission(&body).map_err(|e| TestCaseError::fail(format!("{e}\n{body}")))?;
        prop_assert_eq!(events.len(), 1);
        let typed: &ClientEvent = &events[0];
        let again = serde_json::to_value(typed).unwrap();
        let back = validate_submission(&again).map_err(|e| TestCaseError::fail(format!("{e}\n{again}")))?;
        prop_assert_eq!(&back[0], typed);
        prop_assert_eq!(back[0].digest(), typed.digest());
    }

    /// What ingest accepts, the services that follow the log accept as stored.
    #[test]
    fn valid_events_pass_the_consumers_check_as_stored(body in event()) {
        let event = validate_submission(&body).map_err(|e| TestCaseError::fail(format!("{e}\n{body}")))?.remove(0);
        let envelope = Envelope::record(event, INGEST_SOURCE, chrono::Utc::now());
        let payload = serde_json::to_vec(&envelope).unwrap();
        let back = validate_stored(&payload).map_err(|e| TestCaseError::fail(format!("{e}\n{envelope:?}")))?;
        prop_assert_eq!(back, envelope);
    }

    #[test]
    fn valid_batches_validate(bodies in prop::collection::vec(event(), 1..8)) {
        // Ids may repeat by chance only with negligible probability; drop them to be sure.
        let bodies: Vec<Value> = bodies.into_iter().map(|mut b| { b.as_object_mut().unwrap().remove("id"); b }).collect();
        let events = validate_submission(&Value::Array(bodies.clone())).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(events.len(), bodies.len());
    }
}
