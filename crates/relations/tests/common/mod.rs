//! Shared helpers of the integration tests: building facts tersely and generating them.

#![allow(dead_code, missing_docs)]

use liaison_proto::{BusinessTime, EventId, Factuality, Slug, Status};
use liaison_relations::{Effect, Fact, PairTopic};
use proptest::prelude::*;

/// The event id named `name` (`e1`, `r1`): a UUID derived from the name, so tests can write
/// ids as short names.
pub fn id(name: &str) -> EventId {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, name.as_bytes()).into()
}

pub fn slug(s: &str) -> Slug {
    Slug::parse(s).unwrap()
}

pub fn time(s: &str) -> BusinessTime {
    BusinessTime::parse(s).unwrap()
}

pub fn key(a: &str, b: &str, topic: &str) -> PairTopic {
    PairTopic::new(slug(a), slug(b), slug(topic)).unwrap()
}

/// An asserted fact between `orgs` on `topics`.
pub fn fact(id: &str, seq: u64, at: &str, effect: Effect, orgs: &[&str], topics: &[&str]) -> Fact {
    with_factuality(id, seq, at, effect, Factuality::Asserted, orgs, topics)
}

pub fn with_factuality(
    id: &str,
    seq: u64,
    at: &str,
    effect: Effect,
    factuality: Factuality,
    orgs: &[&str],
    topics: &[&str],
) -> Fact {
    Fact::new(
        self::id(id),
        seq,
        time(at),
        effect,
        factuality,
        orgs.iter().map(|o| slug(o)),
        topics.iter().map(|t| slug(t)),
    )
}

/// A fact between `meta` and `lg` on `xr`.
pub fn ml(id: &str, seq: u64, at: &str, effect: Effect) -> Fact {
    fact(id, seq, at, effect, &["meta", "lg"], &["xr"])
}

pub const ORGS: [&str; 4] = ["a", "b", "c", "d"];
pub const TOPICS: [&str; 2] = ["xr", "ai"];

/// A few times with many ties: dates, the same instants written as timestamps, and noons.
pub const TIMES: [&str; 8] = [
    "2024-01-01",
    "2024-01-01T00:00:00Z",
    "2024-01-01T12:00:00Z",
    "2024-01-02",
    "2024-01-02T12:00:00Z",
    "2024-01-03",
    "2024-01-03T00:00:00Z",
    "2024-01-04",
];

pub const EFFECTS: [Effect; 7] = Effect::ALL;

fn factuality() -> impl Strategy<Value = Factuality> {
    // Mostly asserted, so that statuses climb far enough to matter.
    prop_oneof![
        6 => Just(Factuality::Asserted),
        1 => proptest::sample::select(Factuality::ALL.to_vec()),
    ]
}

/// The content of one fact, before it gets an id and a sequence.
fn fact_body() -> impl Strategy<
    Value = (
        usize,
        Effect,
        Factuality,
        Vec<&'static str>,
        Vec<&'static str>,
    ),
> {
    (
        0..TIMES.len(),
        proptest::sample::select(EFFECTS.to_vec()),
        factuality(),
        proptest::sample::subsequence(ORGS.to_vec(), 2..=3),
        proptest::sample::subsequence(TOPICS.to_vec(), 0..=2),
    )
}

/// Up to `max` facts with ids `e1…` and sequences `1…` (as the log would number them).
pub fn facts(max: usize) -> impl Strategy<Value = Vec<Fact>> {
    proptest::collection::vec(fact_body(), 0..=max).prop_map(|bodies| {
        bodies
            .into_iter()
            .enumerate()
            .map(|(i, (t, effect, factuality, orgs, topics))| {
                let seq = i as u64 + 1;
                with_factuality(
                    &format!("e{seq}"),
                    seq,
                    TIMES[t],
                    effect,
                    factuality,
                    &orgs,
                    &topics,
                )
            })
            .collect()
    })
}

/// The facts sorted as they count: business time, then sequence.
pub fn in_time_order(facts: &[Fact]) -> Vec<Fact> {
    let mut sorted = facts.to_vec();
    sorted.sort_by_key(|f| (f.time.instant(), f.sequence));
    sorted
}

/// What a reference fold reports for one pair-topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub status: Status,
    pub since_event: Option<EventId>,
    pub since: Option<BusinessTime>,
    /// Every status the fold passed through, in order (after each change).
    pub path: Vec<Status>,
}

/// A from-scratch fold written independently of the crate: sort, then climb by rank.
pub fn reference(facts: &[Fact], key: &PairTopic) -> Reference {
    fn rank(s: Status) -> u8 {
        match s {
            Status::None | Status::Ended => 0,
            Status::Contact => 1,
            Status::Exploring => 2,
            Status::Negotiating => 3,
            Status::Agreed => 4,
            Status::Active => 5,
        }
    }
    let mut r = Reference {
        status: Status::None,
        since_event: None,
        since: None,
        path: Vec::new(),
    };
    for f in in_time_order(facts) {
        let names_key = f.organizations.contains(&key.a)
            && f.organizations.contains(&key.b)
            && f.topics.contains(&key.topic);
        if !names_key || f.factuality != Factuality::Asserted {
            continue;
        }
        let next = match f.effect {
            Effect::Other => continue,
            Effect::Ended if r.status == Status::Ended => continue,
            Effect::Ended => Status::Ended,
            Effect::Contact => Status::Contact,
            Effect::Exploring => Status::Exploring,
            Effect::Negotiating => Status::Negotiating,
            Effect::Agreed => Status::Agreed,
            Effect::Active => Status::Active,
        };
        if next == Status::Ended || rank(next) > rank(r.status) {
            r.status = next;
            r.since_event = Some(f.event_id);
            r.since = Some(f.time);
            r.path.push(next);
        }
    }
    r
}

/// Every pair-topic of the alphabets.
pub fn all_keys() -> Vec<PairTopic> {
    let mut keys = Vec::new();
    for (i, a) in ORGS.iter().enumerate() {
        for b in &ORGS[i + 1..] {
            for t in TOPICS.iter().chain(["general"].iter()) {
                keys.push(key(a, b, t));
            }
        }
    }
    keys
}

/// An operation of an arrival stream: apply a fact, or retract one by its id.
#[derive(Debug, Clone)]
pub enum Op {
    Apply(Fact),
    Retract(EventId),
}

/// The id of the `event.retracted` event that retracts `target`.
pub fn retraction_of(target: EventId) -> EventId {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, target.as_bytes()).into()
}

/// Up to `max` facts, the subset of them that is retracted, and an arrival order of the
/// applications and the retractions (a retraction may even arrive before its target).
pub fn facts_with_retractions(
    max: usize,
) -> impl Strategy<Value = (Vec<Fact>, Vec<bool>, Vec<Op>)> {
    facts(max)
        .prop_flat_map(|fs| {
            let n = fs.len();
            (
                Just(fs),
                proptest::collection::vec(proptest::bool::weighted(0.3), n),
            )
        })
        .prop_flat_map(|(fs, retracted)| {
            let mut ops: Vec<Op> = fs.iter().cloned().map(Op::Apply).collect();
            ops.extend(
                fs.iter()
                    .zip(&retracted)
                    .filter(|(_, r)| **r)
                    .map(|(f, _)| Op::Retract(f.event_id)),
            );
            (Just(fs), Just(retracted), Just(ops).prop_shuffle())
        })
}

pub fn as_of_strategy() -> impl Strategy<Value = liaison_proto::AsOf> {
    use liaison_proto::AsOf;
    prop_oneof![
        proptest::sample::select(TIMES.to_vec()).prop_map(|t| AsOf::parse(t).unwrap()),
        // Instants just before and at midnight, to probe the ties.
        proptest::sample::select(vec![
            "2023-12-31T23:59:59Z",
            "2024-01-01T00:00:00Z",
            "2024-01-01T11:59:59Z",
            "2024-01-02T00:00:00Z",
            "2024-01-03T23:59:59Z",
        ])
        .prop_map(|t| AsOf::parse(t).unwrap()),
    ]
}
