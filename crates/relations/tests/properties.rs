//! The properties the status machine must hold whatever the log looks like: small alphabets of
//! organizations, topics and times, so that pairs collide and times tie often.

mod common;

use std::collections::BTreeMap;

use common::*;
use liaison_proto::Status;
use liaison_relations::{
    Fact, PairTopic, ReferenceModel, ReferencePairTopic, StatusView, pair_topics,
    partnership_formed,
};
use proptest::prelude::*;

const CASES: u32 = 512;

fn build<'a>(facts: impl IntoIterator<Item = &'a Fact>) -> ReferenceModel {
    let mut r = ReferenceModel::new();
    for f in facts {
        r.apply(f);
    }
    r
}

fn views(r: &ReferenceModel) -> BTreeMap<PairTopic, StatusView> {
    r.views(None)
}

/// A list of facts and a permutation of it (an arrival order).
fn facts_and_arrival() -> impl Strategy<Value = (Vec<Fact>, Vec<Fact>)> {
    facts(24).prop_flat_map(|fs| {
        let shuffled = Just(fs.clone()).prop_shuffle();
        (Just(fs), shuffled)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// 1. The same set of events in any arrival order gives the same state.
    #[test]
    fn arrival_order_does_not_matter((fs, arrival) in facts_and_arrival(), as_of in as_of_strategy()) {
        let in_log_order = build(&fs);
        let in_arrival_order = build(&arrival);
        prop_assert_eq!(views(&in_log_order), views(&in_arrival_order));
        prop_assert_eq!(in_log_order.views(Some(as_of)), in_arrival_order.views(Some(as_of)));
        prop_assert_eq!(&in_log_order, &in_arrival_order);
    }

    /// 2. Applying an event twice equals applying it once.
    #[test]
    fn applying_twice_equals_applying_once(
        (fs, arrival) in facts_and_arrival(),
        again in proptest::collection::vec(any::<proptest::sample::Index>(), 0..10),
    ) {
        let once = build(&fs);
        let mut twice = build(&arrival);
        if !fs.is_empty() {
            for i in again {
                let t = twice.apply(i.get(&fs));
                prop_assert!(t.is_empty(), "a repeat gives no transition");
            }
        }
        prop_assert_eq!(views(&once), views(&twice));
        prop_assert_eq!(&once, &twice);
    }

    /// 3. Appending then retracting an event equals never appending it — whatever the order of
    ///    the retraction and its target.
    #[test]
    fn retracting_equals_never_appending((fs, retracted, ops) in facts_with_retractions(20)) {
        let mut r = ReferenceModel::new();
        for op in &ops {
            match op {
                Op::Apply(f) => { r.apply(f); }
                Op::Retract(target) => { r.retract(*target, retraction_of(*target)); }
            }
        }
        let kept = fs.iter().zip(&retracted).filter(|(_, r)| !**r).map(|(f, _)| f);
        prop_assert_eq!(views(&r), views(&build(kept)));
    }

    /// 4. `as_of = t` equals the state built from only the events with time ≤ t.
    #[test]
    fn as_of_equals_building_from_the_past_only(fs in facts(24), as_of in as_of_strategy()) {
        let all = build(&fs);
        let past = build(fs.iter().filter(|f| as_of.includes(f.time)));
        prop_assert_eq!(all.views(Some(as_of)), views(&past));
    }

    /// 5. The reference model's per-pair state, fed in any order with retractions interleaved,
    ///    equals a from-scratch fold over the sorted facts (written independently in the tests).
    ///    (`tests/ledger.rs` holds the services' incremental ledger to the same.)
    #[test]
    fn reference_state_equals_a_fold_from_scratch((fs, retracted, ops) in facts_with_retractions(20)) {
        let mut states: BTreeMap<PairTopic, ReferencePairTopic> = BTreeMap::new();
        let mut gone = std::collections::BTreeSet::new();
        for op in &ops {
            match op {
                Op::Apply(f) if !gone.contains(&f.event_id) => {
                    for key in pair_topics(f) {
                        let state = states.entry(key.clone()).or_insert_with(|| ReferencePairTopic::new(key));
                        state.apply(f);
                    }
                }
                Op::Apply(_) => {}
                Op::Retract(target) => {
                    gone.insert(*target);
                    for state in states.values_mut() {
                        state.retract(*target, retraction_of(*target));
                    }
                }
            }
        }
        let kept: Vec<Fact> = fs.iter().zip(&retracted).filter(|(_, r)| !**r).map(|(f, _)| f.clone()).collect();
        for key in all_keys() {
            let expected = reference(&kept, &key);
            let view = states.get(&key).map(|s| s.view(None)).unwrap_or_default();
            prop_assert_eq!(view.status, expected.status, "{}", key);
            prop_assert_eq!(view.since_event, expected.since_event, "{}", key);
            prop_assert_eq!(view.since, expected.since, "{}", key);
            // The facts are listed in (time, sequence) order.
            let listed: Vec<(_, u64)> = view.events.iter().chain(&view.signals).map(|e| (e.time.instant(), e.sequence)).collect();
            prop_assert!(view.events.windows(2).all(|w| w[0].order_key() < w[1].order_key()));
            prop_assert!(view.signals.windows(2).all(|w| w[0].order_key() < w[1].order_key()));
            prop_assert_eq!(listed.len(), kept.iter().filter(|f| pair_topics(f).contains(&key)).count());
        }
    }

    /// 6. Applied in time order, the `new-partnership` transitions are exactly the times the
    ///    reference fold enters {agreed, active} from outside it; and every transition's `after`
    ///    is the current status.
    #[test]
    fn partnership_alerts_match_the_reference_fold(fs in facts(24)) {
        let ordered = in_time_order(&fs);
        let mut r = ReferenceModel::new();
        let mut alerts: BTreeMap<PairTopic, usize> = BTreeMap::new();
        for f in &ordered {
            for t in r.apply(f) {
                prop_assert_eq!(t.after, r.get(&t.key).unwrap().current());
                if partnership_formed(&t) {
                    *alerts.entry(t.key.clone()).or_default() += 1;
                }
            }
        }
        for key in all_keys() {
            let path = reference(&fs, &key).path;
            let mut before = Status::None;
            let mut entries = 0;
            for s in path {
                if s.is_partnership() && !before.is_partnership() {
                    entries += 1;
                }
                before = s;
            }
            prop_assert_eq!(alerts.get(&key).copied().unwrap_or(0), entries, "{}", key);
        }
    }

    /// In any arrival order, an alert is raised only when the current status really entered a
    /// partnership, and the final current status is the same as in time order.
    #[test]
    fn alerts_in_any_order_are_real_entries((fs, arrival) in facts_and_arrival()) {
        let mut r = ReferenceModel::new();
        let mut current: BTreeMap<PairTopic, Status> = BTreeMap::new();
        for f in &arrival {
            for t in r.apply(f) {
                let was = current.insert(t.key.clone(), t.after).unwrap_or(Status::None);
                prop_assert_eq!(t.before, was);
                if partnership_formed(&t) {
                    prop_assert!(!was.is_partnership() && t.after.is_partnership());
                }
            }
        }
        for key in all_keys() {
            prop_assert_eq!(current.get(&key).copied().unwrap_or(Status::None), reference(&fs, &key).status);
        }
    }
}
