//! Hostile input, generated: wrong types everywhere, unknown members, huge and empty and
//! whitespace strings, control characters, numbers out of range, long lists, duplicates, deep
//! nesting, arbitrary bytes. Whatever comes in, validation answers (never panics), lists at most
//! 100 problems and counts the rest exactly, points at a place that exists, keeps its messages
//! short, and does work linear in the size of the body — counted, not timed.

mod common;

use common::valid;
use liaison_proto::envelope::INGEST_SOURCE;
use liaison_proto::limits::MAX_REPORTED_ERRORS;
use liaison_proto::validate::{
    ValidationErrors, Work, validate_stored_with_work, validate_submission_with_work,
};
use liaison_proto::{Envelope, EventType, validate_submission};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Steps of validation allowed per byte of (compact) body, plus a constant for tiny bodies.
const STEPS_PER_BYTE: u64 = 16;
const STEPS_BASE: u64 = 4_096;

/// Strings an attacker would try.
fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("   \t\n".to_owned()),
        Just("\u{a0}\u{2003}".to_owned()),
        Just("\u{0}".to_owned()),
        Just("\u{1b}[31mred\u{1b}[0m".to_owned()),
        Just("\u{7f}\u{85}\u{9b}".to_owned()),
        Just("\u{202e}evil\u{202c}".to_owned()),
        Just("💥".repeat(2_000)),
        Just("é".repeat(2_049)),
        Just("x".repeat(9_000)),
        Just("Meta".to_owned()),
        Just("meta".to_owned()),
        Just("lg-electronics".to_owned()),
        Just("2024-02-30".to_owned()),
        Just("2024-02-28T25:00:00Z".to_owned()),
        Just("0190a000-0000-7000-8000-00000000000g".to_owned()),
        Just("javascript:alert(1)".to_owned()),
        Just("https://".to_owned()),
        Just("liaison.events.>".to_owned()),
        Just("~0/~1".to_owned()),
        "[a-z0-9-]{0,70}",
        any::<String>(),
    ]
}

/// Numbers an attacker would try (serde_json has no NaN or infinity: out-of-range text is a
/// parse error, tested on bytes below).
fn hostile_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(-0.0)),
        Just(json!(-1)),
        Just(json!(1.000_000_1)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(f64::MAX)),
        Just(json!(f64::MIN_POSITIVE)),
        Just(json!(1e-300)),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(|x| json!(x)),
    ]
}

/// Member names: the contract's own (so that a hostile value lands where a real one belongs)
/// and others.
fn member_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "type", "id", "time", "data", "organizations", "topics", "participants", "location",
            "organization", "counterpart", "buyer", "supplier", "item", "quantity", "by",
            "product", "event_id", "reason", "name", "aliases", "kind", "parent", "country",
            "affiliations", "role", "match", "event_types", "organizations_mode", "status",
            "factuality", "deliver", "nats_subject", "webhook", "url", "secret", "evidence",
            "quote", "publisher", "title", "published_at", "language", "confidence", "summary",
            "specversion", "source", "datacontenttype", "recordedat", "sequence",
        ])
        .prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

fn hostile_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        hostile_number(),
        hostile_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 256, 12, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..12).prop_map(Value::Array),
            prop::collection::btree_map(member_name(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

/// Where a mutation lands in an event.
#[derive(Debug, Clone)]
enum Target {
    Top,
    Data,
    Nested(&'static str),
}

#[derive(Debug, Clone)]
enum Mutation {
    Set(Target, String, Value),
    Remove(Target, String),
    /// A list of `n` copies of `item` (long lists, duplicates).
    Repeat(Target, String, Value, usize),
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        1 => Just(Target::Top),
        3 => Just(Target::Data),
        1 => Just(Target::Nested("evidence")),
        1 => Just(Target::Nested("match")),
        1 => Just(Target::Nested("deliver")),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (target(), member_name(), hostile_value()).prop_map(|(t, n, v)| Mutation::Set(t, n, v)),
        1 => (target(), member_name()).prop_map(|(t, n)| Mutation::Remove(t, n)),
        1 => (target(), member_name(), hostile_value(), 0usize..500)
            .prop_map(|(t, n, v, k)| Mutation::Repeat(t, n, v, k)),
    ]
}

fn apply(event: &mut Value, m: &Mutation) {
    let (target, name) = match m {
        Mutation::Set(t, n, _) | Mutation::Remove(t, n) | Mutation::Repeat(t, n, _, _) => (t, n),
    };
    let place = match target {
        Target::Top => Some(event),
        Target::Data => event.get_mut("data"),
        Target::Nested(key) => event.get_mut("data").and_then(|d| d.get_mut(*key)),
    };
    let Some(Value::Object(map)) = place else {
        return;
    };
    match m {
        Mutation::Set(_, _, v) => {
            map.insert(name.clone(), v.clone());
        }
        Mutation::Remove(..) => {
            map.remove(name);
        }
        Mutation::Repeat(_, _, v, k) => {
            map.insert(name.clone(), Value::Array(vec![v.clone(); *k]));
        }
    }
}

fn hostile_event() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(EventType::ALL.to_vec()),
        prop::collection::vec(mutation(), 0..5),
    )
        .prop_map(|(t, mutations)| {
            let mut event = valid(t);
            mutations.iter().for_each(|m| apply(&mut event, m));
            event
        })
}

fn hostile_body() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => hostile_event(),
        2 => prop::collection::vec(hostile_event(), 0..12).prop_map(Value::Array),
        1 => hostile_value(),
    ]
}

/// What must hold of any answer: bounded, exactly counted, pointing at a place of `body`
/// (or at a missing member of a place), with short messages.
fn check_answer(body: Option<&Value>, errors: &ValidationErrors) -> Result<(), TestCaseError> {
    prop_assert!(errors.errors().len() <= MAX_REPORTED_ERRORS);
    prop_assert!(!errors.errors().is_empty());
    prop_assert_eq!(errors.total(), errors.errors().len() + errors.more());
    if errors.more() > 0 {
        prop_assert_eq!(errors.errors().len(), MAX_REPORTED_ERRORS);
    }
    for e in errors.errors() {
        prop_assert!(e.detail.len() <= 1_024, "a long message: {}", e.detail);
        if let Some(body) = body {
            let parent = e.pointer.rsplit_once('/').map_or("", |(p, _)| p);
            prop_assert!(
                body.pointer(&e.pointer).is_some() || body.pointer(parent).is_some(),
                "{} points nowhere in {}",
                e.pointer,
                body
            );
        }
    }
    Ok(())
}

fn check_linear(work: Work, bytes: usize) -> Result<(), TestCaseError> {
    prop_assert!(
        work.total() <= STEPS_BASE + STEPS_PER_BYTE * bytes as u64,
        "{work:?} for {bytes} bytes"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_submission_gets_a_bounded_answer_in_linear_work(body in hostile_body()) {
        let (result, work) = validate_submission_with_work(&body);
        if let Err(errors) = &result {
            check_answer(Some(&body), errors)?;
        }
        check_linear(work, serde_json::to_vec(&body).unwrap().len())?;
    }

    #[test]
    fn any_stored_value_gets_a_bounded_answer(body in hostile_event()) {
        // As a stored entry: the envelope members around whatever the event became.
        let mut entry = body.clone();
        if let Value::Object(map) = &mut entry {
            map.entry("id").or_insert(json!("0190a000-0000-7000-8000-000000000001"));
            map.insert("specversion".into(), json!("1.0"));
            map.insert("source".into(), json!(INGEST_SOURCE));
            map.insert("datacontenttype".into(), json!("application/json"));
            map.insert("recordedat".into(), json!("2024-03-01T09:00:00Z"));
        }
        let bytes = serde_json::to_vec(&entry).unwrap();
        let (result, work) = validate_stored_with_work(&bytes);
        if let Err(errors) = &result {
            let too_large = errors.errors()[0].detail.starts_with("the entry is ");
            check_answer((!too_large).then_some(&entry), errors)?;
        }
        check_linear(work, bytes.len())?;
    }

    #[test]
    fn any_bytes_get_an_answer(bytes in prop::collection::vec(any::<u8>(), 0..4_096)) {
        if let Err(errors) = validate_stored(&bytes) {
            check_answer(None, &errors)?;
        }
    }

    #[test]
    fn a_damaged_entry_gets_an_answer(
        t in prop::sample::select(EventType::ALL.to_vec()),
        cut in any::<prop::sample::Index>(),
        splice in prop::sample::select(vec![
            &b"\\ud800"[..], b"\\udfff\\ud800", b"\xff\xfe", b"\x00", b"\x1b", b"\"", b"\\",
            b"1e400", b"-1e400", b"NaN", b"Infinity", b"{", b"]", b"[[[[[[[[", b",", b"",
        ]),
        truncate in any::<bool>(),
    ) {
        let event = validate_submission(&valid(t)).unwrap().remove(0);
        let envelope = Envelope::record(event, INGEST_SOURCE, chrono::Utc::now());
        let mut bytes = serde_json::to_vec(&envelope).unwrap();
        let at = cut.index(bytes.len());
        if truncate {
            bytes.truncate(at);
        }
        bytes.splice(at..at, splice.iter().copied());
        if let Err(errors) = validate_stored(&bytes) {
            check_answer(None, &errors)?;
        }
    }

    /// `n` numbers where organizations belong: one problem per item, plus each limit broken;
    /// the count is exact however many there are.
    #[test]
    fn wrong_types_are_counted_exactly(n in 0usize..3_000) {
        let body = json!({"type": "meeting.held", "time": "2024-02-28",
            "data": {"organizations": vec![1; n]}});
        let errors = validate_submission(&body).unwrap_err();
        let pairs = n * n.saturating_sub(1) / 2;
        let expected = n + usize::from(n > 16) + usize::from(pairs > 256) + usize::from(n < 2);
        prop_assert_eq!(errors.total(), expected);
        prop_assert_eq!(errors.errors().len(), expected.min(MAX_REPORTED_ERRORS));
    }

    /// `n` copies of one topic: every copy after the first is a duplicate.
    #[test]
    fn duplicates_are_counted_exactly(n in 2usize..3_000) {
        let body = json!({"type": "cooperation.discussed", "time": "2024-02-28",
            "data": {"organizations": ["meta", "lg-electronics"], "topics": vec!["xr"; n]}});
        let errors = validate_submission(&body).unwrap_err();
        let expected = (n - 1) + usize::from(n > 16) + usize::from(n > 256);
        prop_assert_eq!(errors.total(), expected);
        if n > 16 {
            prop_assert_eq!(
                &errors.errors()[0].pointer,
                "/data/topics",
                "the limit comes first"
            );
        }
    }
}

use liaison_proto::validate_stored;

/// Bodies that grow, each with the work it took: the work per byte must stay below the bound
/// at every size (a quadratic step would exceed it as the body grows).
fn assert_linear(name: &str, body: impl Fn(usize) -> Value, sizes: &[usize]) {
    for &n in sizes {
        let body = body(n);
        let bytes = serde_json::to_vec(&body).unwrap().len();
        let (result, work) = validate_submission_with_work(&body);
        if let Err(errors) = &result {
            assert!(errors.errors().len() <= MAX_REPORTED_ERRORS);
        }
        assert!(
            work.total() <= STEPS_BASE + STEPS_PER_BYTE * bytes as u64,
            "{name} with n = {n}: {work:?} for {bytes} bytes"
        );
    }
}

fn meeting(organizations: Value, topics: Value) -> Value {
    json!({"type": "meeting.held", "time": "2024-02-28",
           "data": {"organizations": organizations, "topics": topics}})
}

#[test]
fn validation_work_is_linear_in_the_body() {
    let sizes = [1_000, 10_000, 90_000];
    assert_linear(
        "distinct topics",
        |n| {
            meeting(
                json!(["meta", "lg-electronics"]),
                json!((0..n).map(|i| format!("t{i}")).collect::<Vec<_>>()),
            )
        },
        &sizes,
    );
    assert_linear(
        "duplicate topics",
        |n| meeting(json!(["meta", "lg-electronics"]), json!(vec!["xr"; n])),
        &[1_000, 50_000],
    );
    assert_linear(
        "numbers as organizations",
        |n| meeting(json!(vec![1; n]), json!([])),
        &[1_000, 100_000],
    );
    assert_linear(
        "distinct organizations",
        |n| {
            meeting(
                json!((0..n).map(|i| format!("org-{i}")).collect::<Vec<_>>()),
                json!(["xr"]),
            )
        },
        &sizes,
    );
    assert_linear(
        "unknown members",
        |n| {
            let mut v = valid(EventType::MeetingHeld);
            for i in 0..n {
                v["data"][format!("x{i}")] = json!(i);
            }
            v
        },
        &[1_000, 50_000],
    );
    assert_linear(
        "enum values",
        |n| {
            let mut v = valid(EventType::RuleCreated);
            v["data"]["match"]["status"] = json!(vec!["negotiating"; n]);
            v["data"]["match"]["event_types"] = json!(vec!["partnership.announced"; n]);
            v
        },
        &[1_000, 30_000],
    );
    assert_linear(
        "a full batch",
        |n| {
            let mut e = meeting(
                json!((0..16).map(|i| format!("org-{i}")).collect::<Vec<_>>()),
                json!([]),
            );
            e["data"]["participants"] = json!((0..32).map(|i| format!("p{i}")).collect::<Vec<_>>());
            Value::Array(vec![e; n])
        },
        &[10, 500],
    );
    assert_linear(
        "long texts",
        |n| {
            let mut v = valid(EventType::OrganizationRegistered);
            v["data"]["aliases"] = json!(vec!["é".repeat(3_000); n]);
            v
        },
        &[10, 1_000],
    );
    assert_linear(
        "deep values in an unknown member",
        |n| {
            let text = format!("{}{}", "[".repeat(n), "]".repeat(n));
            let deep: Value = serde_json::from_str(&text).unwrap();
            let mut v = valid(EventType::MeetingHeld);
            v["data"]["deep"] = deep;
            v
        },
        &[10, 120],
    );
}

#[test]
fn the_stored_check_is_linear_too() {
    let mut v = serde_json::to_value(Envelope::record(
        validate_submission(&valid(EventType::MeetingHeld))
            .unwrap()
            .remove(0),
        INGEST_SOURCE,
        chrono::Utc::now(),
    ))
    .unwrap();
    v["data"]["topics"] = json!((0..6_000).map(|i| format!("t{i}")).collect::<Vec<_>>());
    let bytes = serde_json::to_vec(&v).unwrap();
    let (result, work) = validate_stored_with_work(&bytes);
    assert_eq!(result.unwrap_err().errors()[0].pointer, "/data/topics");
    assert!(
        work.total() <= STEPS_BASE + STEPS_PER_BYTE * bytes.len() as u64,
        "{work:?}"
    );
}
