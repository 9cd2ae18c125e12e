//! Properties of the other relation kinds: arrival order, repeats and retractions do not change
//! the links, and `as_of` equals building from the past only.

mod common;

use common::*;
use liaison_proto::{AsOf, Factuality};
use liaison_relations::{LinkFact, Links};
use proptest::prelude::*;

fn link_facts() -> impl Strategy<Value = Vec<LinkFact>> {
    let body = (
        any::<bool>(),
        0..TIMES.len(),
        prop_oneof![4 => Just(Factuality::Asserted), 1 => Just(Factuality::Reported)],
        proptest::sample::subsequence(ORGS.to_vec(), 2..=3),
        proptest::sample::subsequence(TOPICS.to_vec(), 0..=2),
    );
    proptest::collection::vec(body, 0..=16).prop_map(|bodies| {
        bodies
            .into_iter()
            .enumerate()
            .map(|(i, (supply, t, factuality, orgs, topics))| {
                let seq = i as u64 + 1;
                let id = id(&format!("e{seq}"));
                if supply {
                    LinkFact::procurement(
                        id,
                        seq,
                        time(TIMES[t]),
                        factuality,
                        slug(orgs[0]),
                        slug(orgs[1]),
                        "item",
                    )
                } else {
                    LinkFact::competition(
                        id,
                        seq,
                        time(TIMES[t]),
                        factuality,
                        orgs.iter().map(|o| slug(o)),
                        topics.iter().map(|t| slug(t)),
                    )
                }
            })
            .collect()
    })
}

fn build<'a>(facts: impl IntoIterator<Item = &'a LinkFact>) -> Links {
    let mut links = Links::new();
    for f in facts {
        links.apply(f);
    }
    links
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn links_ignore_arrival_order_repeats_and_retracted_facts(
        (fs, arrival) in link_facts().prop_flat_map(|fs| (Just(fs.clone()), Just(fs).prop_shuffle())),
        retract in proptest::collection::vec(proptest::bool::weighted(0.3), 16),
        at in proptest::sample::select(TIMES.to_vec()),
    ) {
        let expected = build(fs.iter().zip(&retract).filter(|(_, r)| !**r).map(|(f, _)| f));
        let mut links = build(&arrival);
        for f in &arrival {
            links.apply(f);
        }
        for (f, r) in fs.iter().zip(&retract) {
            if *r {
                links.retract(f.event_id);
            }
        }
        prop_assert_eq!(links.views(None), expected.views(None));
        let as_of = AsOf::parse(at).unwrap();
        let past = build(fs.iter().zip(&retract).filter(|(f, r)| !**r && as_of.includes(f.time)).map(|(f, _)| f));
        prop_assert_eq!(links.views(Some(as_of)), past.views(None));
    }
}
