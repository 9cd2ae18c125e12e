//! [`NewestFirst`] reaches exactly [`fold`]'s status and `since`, reading facts newest first and
//! stopping early — the projection relies on it to re-fold a long history after a late fact.

mod common;

use common::{id, time};
use liaison_proto::Factuality;
use liaison_relations::{Effect, FactEntry, NewestFirst, fold};
use proptest::prelude::*;

/// Facts in order: any effect, asserted or not; `ended` often, so that runs and resets occur.
fn entries() -> impl Strategy<Value = Vec<FactEntry>> {
    proptest::collection::vec((0..9usize, proptest::bool::weighted(0.8)), 0..40).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (e, asserted))| FactEntry {
                event_id: id(&format!("e{i}")),
                sequence: i as u64 + 1,
                time: time("2024-01-01"),
                effect: Effect::ALL[e.min(5)], // 5..9 → ended: a third of the facts
                factuality: if asserted {
                    Factuality::Asserted
                } else {
                    Factuality::Reported
                },
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn newest_first_is_fold(entries in entries()) {
        let folded = fold(&entries);
        let mut backwards = NewestFirst::new();
        for (i, e) in entries.iter().enumerate().rev() {
            let moves = e.factuality.moves_status().then_some(e.effect);
            if !backwards.older(moves, || i) {
                break;
            }
        }
        let (status, since) = backwards.finish();
        prop_assert_eq!(status, folded.status);
        prop_assert_eq!(since.map(|i| &entries[i].event_id), folded.since.map(|e| &e.event_id));
    }
}

#[test]
fn it_stops_at_the_ended_before_a_climb() {
    let mut b = NewestFirst::new();
    assert!(b.older(Some(Effect::Agreed), || 3));
    assert!(b.older(Some(Effect::Contact), || 2));
    assert!(!b.older(Some(Effect::Ended), || 1), "nothing older matters");
    assert_eq!(b.finish(), (liaison_proto::Status::Agreed, Some(3)));
}
