//! The services' incremental ledger, driven through an in-memory store in the services' byte
//! layout, against the reference: the same transitions as the reference model, event by event,
//! and the same statuses as a fold from scratch (`common::reference`), now and as of any date.
//! And its cost per fact, counted by the store, does not grow with a pair-topic's history.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use liaison_proto::{EventId, Factuality, Status};
use liaison_relations::ledger::layout;
use liaison_relations::{
    Effect, Fact, FactEntry, Ledger, LedgerView, MemoryStore, ReferenceModel, Route, StoreCost,
    Transition, status_as_of,
};
use proptest::prelude::*;

/// A service's use of the ledger: each event once, its route kept for a retraction, retracted
/// ids remembered.
#[derive(Default)]
struct Service {
    ledger: Option<Ledger<MemoryStore>>,
    routes: BTreeMap<EventId, Route>,
    retracted: BTreeSet<EventId>,
}

impl Service {
    fn ledger(&mut self) -> &mut Ledger<MemoryStore> {
        self.ledger
            .get_or_insert_with(|| Ledger::new(MemoryStore::new()))
    }

    fn store(&mut self) -> &MemoryStore {
        self.ledger().store()
    }

    fn apply(&mut self, fact: &Fact) -> Vec<Transition> {
        if self.retracted.contains(&fact.event_id) || self.routes.contains_key(&fact.event_id) {
            return Vec::new();
        }
        let applied = self.ledger().apply(fact, &()).unwrap();
        self.routes.insert(fact.event_id, applied.route);
        applied.transitions
    }

    fn retract(&mut self, target: EventId, cause: EventId) -> Vec<Transition> {
        self.retracted.insert(target);
        match self.routes.remove(&target) {
            Some(route) => self.ledger().retract(&route, cause).unwrap(),
            None => Vec::new(),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Every apply and retract gives exactly the reference model's transitions (before, after,
    /// cause, since, the fact that moved it), in any arrival order, retractions interleaved.
    #[test]
    fn the_ledger_gives_the_reference_models_transitions((_fs, _retracted, ops) in facts_with_retractions(24)) {
        let mut service = Service::default();
        let mut reference = ReferenceModel::new();
        for op in &ops {
            let (got, expected) = match op {
                Op::Apply(f) => (service.apply(f), reference.apply(f)),
                Op::Retract(target) => {
                    let cause = retraction_of(*target);
                    (service.retract(*target, cause), reference.retract(*target, cause))
                }
            };
            prop_assert_eq!(got, expected, "{:?}", op);
        }
    }

    /// After any arrival order, the stored summaries equal a fold from scratch over the facts
    /// kept, the stored facts are exactly those, in order, and `as_of` equals the reference
    /// model's view of the past.
    #[test]
    fn the_ledger_equals_a_fold_from_scratch(
        (fs, retracted, ops) in facts_with_retractions(24),
        as_of in as_of_strategy(),
    ) {
        let mut service = Service::default();
        let mut model = ReferenceModel::new();
        for op in &ops {
            match op {
                Op::Apply(f) => { service.apply(f); model.apply(f); }
                Op::Retract(target) => {
                    service.retract(*target, retraction_of(*target));
                    model.retract(*target, retraction_of(*target));
                }
            }
        }
        let kept: Vec<Fact> = fs.iter().zip(&retracted).filter(|(_, r)| !**r).map(|(f, _)| f.clone()).collect();
        let store = service.store();
        for key in all_keys() {
            let expected = reference(&kept, &key);
            let summary = store.summary(&key).unwrap();
            prop_assert_eq!(summary.as_ref().map_or(Status::None, |s| s.status), expected.status, "{}", key);
            prop_assert_eq!(summary.as_ref().and_then(|s| s.since), expected.since, "{}", key);
            prop_assert_eq!(summary.as_ref().and_then(|s| s.since_event), expected.since_event, "{}", key);

            let stored: Vec<FactEntry> = store
                .entries()
                .range(layout::fact_prefix(&key)..)
                .take_while(|(k, _)| k.starts_with(&layout::fact_prefix(&key)))
                .map(|(_, v)| layout::decode_entry(v).unwrap())
                .collect();
            let mut expected_ids: Vec<_> = in_time_order(&kept)
                .iter()
                .filter(|f| liaison_relations::pair_topics(f).contains(&key))
                .map(|f| f.event_id)
                .collect();
            prop_assert_eq!(stored.iter().map(|e| e.event_id).collect::<Vec<_>>(), expected_ids.clone(), "{}", key);
            prop_assert_eq!(summary.is_some(), !expected_ids.is_empty(), "a summary exactly while facts are left: {}", key);
            if let Some(s) = &summary {
                prop_assert_eq!(s.last, stored.last().unwrap().order_key());
            }

            let past = status_as_of(store, &key, Some(as_of)).unwrap();
            let view = model.status(&key.a, &key.b, &key.topic, Some(as_of));
            prop_assert_eq!(past.as_ref().map_or(Status::None, |s| s.status), view.status, "{} as of {:?}", key, as_of);
            prop_assert_eq!(past.as_ref().and_then(|s| s.since), view.since, "{} as of {:?}", key, as_of);
            prop_assert_eq!(past.as_ref().and_then(|s| s.since_event), view.since_event, "{} as of {:?}", key, as_of);
            expected_ids.clear();
        }
        if kept.is_empty() {
            prop_assert!(store.entries().is_empty(), "nothing left behind");
        }
    }
}

/// The `n`th fact of one pair-topic's history, a day after the one before.
fn nth(n: u64, effect: Effect) -> Fact {
    on_day(n, n, effect)
}

/// A fact of sequence `sequence` that happened on day `day` of one pair-topic's history.
fn on_day(day: u64, sequence: u64, effect: Effect) -> Fact {
    let day = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(day);
    let time = liaison_proto::BusinessTime::parse(&day.to_string()).unwrap();
    Fact::new(
        id(&format!("e{sequence}")),
        sequence,
        time,
        effect,
        Factuality::Asserted,
        [slug("meta"), slug("lg-electronics")],
        [slug("xr")],
    )
}

/// What applying `fact` cost the store.
fn cost_of(ledger: &mut Ledger<MemoryStore>, fact: &Fact) -> StoreCost {
    let before = ledger.store().cost();
    ledger.apply(fact, &()).unwrap();
    ledger.store().cost().since(&before)
}

#[test]
fn the_ten_thousandth_fact_costs_what_the_tenth_did() {
    let mut ledger = Ledger::new(MemoryStore::new());
    // Never an end, so that any re-fold of the history would have to read all of it.
    let effects = [
        Effect::Contact,
        Effect::Exploring,
        Effect::Agreed,
        Effect::Active,
    ];
    let mut tenth = StoreCost::default();
    let mut last = StoreCost::default();
    for n in 1..=10_000 {
        let cost = cost_of(&mut ledger, &nth(n, effects[n as usize % effects.len()]));
        match n {
            10 => tenth = cost,
            10_000 => last = cost,
            _ => {}
        }
    }
    assert!(last.reads <= 2 * tenth.reads, "{last:?} vs {tenth:?}");
    assert!(
        last.bytes_read <= 2 * tenth.bytes_read,
        "{last:?} vs {tenth:?}"
    );
    assert!(last.writes <= 2 * tenth.writes, "{last:?} vs {tenth:?}");
    assert!(
        last.bytes_written <= 2 * tenth.bytes_written,
        "{last:?} vs {tenth:?}"
    );
    // After an end, a late fact re-folds back only to it, not through the whole history.
    cost_of(&mut ledger, &nth(10_001, Effect::Ended));
    for n in 10_002..=10_005 {
        cost_of(&mut ledger, &nth(n, Effect::Contact));
    }
    let late = cost_of(&mut ledger, &on_day(10_003, 10_006, Effect::Agreed));
    assert!(late.reads <= 10, "{late:?}");
    // A retraction too.
    let route = ledger
        .apply(&nth(10_007, Effect::Active), &())
        .unwrap()
        .route;
    let before = ledger.store().cost();
    ledger.retract(&route, id("r1")).unwrap();
    let retraction = ledger.store().cost().since(&before);
    assert!(retraction.reads <= 10, "{retraction:?}");
}
