//! The notifier's compact ledger against the testkit's dense workload (late facts, dates and
//! instants, three-party facts, retractions): applied in small batches it stores exactly the
//! bytes a rebuild in one go stores, and what it stores reads back as the reference model's
//! state of every pair-topic.

use std::collections::BTreeMap;

use chrono::Utc;
use liaison_log::LogEntry;
use liaison_proto::EventData;
use liaison_relations::{Fact, FactEntry, ReferenceModel};
use liaison_testkit::workload::{Generator, WorkloadConfig};

use super::layout;
use crate::store::{AlertRecord, Store, decode};

const EVENTS: usize = 3_000;

fn log_entries() -> Vec<LogEntry> {
    let recorded = Utc::now();
    Generator::new(WorkloadConfig::dense(20_241_130))
        .take(EVENTS)
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let envelope = e.to_envelope(recorded);
            LogEntry {
                sequence: i as u64 + 1,
                subject: envelope.subject(),
                headers: async_nats::HeaderMap::new(),
                payload: serde_json::to_vec(&envelope).unwrap().into(),
                published: recorded,
            }
        })
        .collect()
}

/// Applies `entries` in batches of the given sizes (in turn, the last one repeated), into a new
/// database; the store.
fn applied(entries: &[LogEntry], sizes: &[usize]) -> (Store, tempfile::TempDir) {
    let (applier, store, log, dir) = super::test_applier();
    let mut rest = entries;
    let mut sizes = sizes
        .iter()
        .copied()
        .chain(std::iter::repeat(*sizes.last().unwrap()));
    while !rest.is_empty() {
        let (batch, after) = rest.split_at(sizes.next().unwrap().min(rest.len()));
        let applied = applier.apply(batch, &log).unwrap();
        assert_eq!(applied.applied, batch.len());
        rest = after;
    }
    assert_eq!(applier.quarantine(0, 10).unwrap().total, 0);
    (store, dir)
}

fn dump(tree: &sled::Tree) -> Vec<(Vec<u8>, Vec<u8>)> {
    tree.iter()
        .map(|kv| {
            let (k, v) = kv.unwrap();
            (k.to_vec(), v.to_vec())
        })
        .collect()
}

#[test]
fn small_batches_store_what_a_rebuild_stores_and_read_back_as_the_reference() {
    let entries = log_entries();
    let (incremental, _a) = applied(&entries, &[1, 2, 7, 50, 13]);
    let (rebuilt, _b) = applied(&entries, &[EVENTS]);
    assert_eq!(dump(&incremental.pair_topics), dump(&rebuilt.pair_topics));
    assert_eq!(dump(&incremental.events), dump(&rebuilt.events));
    assert_eq!(
        dump(&incremental.alerts_by_sequence),
        dump(&rebuilt.alerts_by_sequence)
    );
    let alerts = |store: &Store| -> Vec<liaison_proto::Alert> {
        store
            .alerts
            .iter()
            .values()
            .map(|v| decode::<AlertRecord>(&v.unwrap()).unwrap().alert)
            .collect()
    };
    assert!(!alerts(&rebuilt).is_empty(), "the workload raises alerts");
    assert_eq!(alerts(&incremental), alerts(&rebuilt));

    // What the reference model makes of the same events, pair-topic by pair-topic.
    let mut reference = ReferenceModel::new();
    for entry in &entries {
        let envelope: liaison_proto::Envelope = serde_json::from_slice(&entry.payload).unwrap();
        match &envelope.event {
            EventData::EventRetracted(d) => {
                reference.retract(d.event_id.into(), envelope.id.into());
            }
            _ => {
                if let Some(fact) = Fact::from_envelope(&envelope, entry.sequence) {
                    reference.apply(&fact);
                }
            }
        }
    }
    let stored = read_back(&rebuilt);
    let expected: BTreeMap<_, _> = reference
        .views(None)
        .into_iter()
        .filter(|(_, v)| !v.events.is_empty() || !v.signals.is_empty())
        .collect();
    assert_eq!(
        stored.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    let mut late = 0;
    for (key, view) in &expected {
        let (summary, facts) = &stored[key];
        assert_eq!(
            (summary.status, summary.since, summary.since_event),
            (view.status, view.since, view.since_event),
            "{key:?}"
        );
        let mut all: Vec<FactEntry> = view.events.iter().chain(&view.signals).cloned().collect();
        all.sort_by_key(FactEntry::order_key);
        late += all
            .windows(2)
            .filter(|w| w[0].sequence > w[1].sequence)
            .count();
        assert_eq!(facts, &all, "{key:?}");
    }
    assert!(late > 0, "the workload has late facts");
}

/// Every pair-topic with facts in `store`: its summary and facts, decoded.
fn read_back(
    store: &Store,
) -> BTreeMap<liaison_relations::PairTopic, (liaison_relations::Summary, Vec<FactEntry>)> {
    let mut out = BTreeMap::new();
    for kv in store.pair_topics.scan_prefix([layout::SUMMARY]) {
        let (k, v) = kv.unwrap();
        let key = layout::decode_pair_topic(&k[1..]).unwrap();
        let (n, summary) = layout::decode_numbered_summary(&v).unwrap();
        let facts = store
            .pair_topics
            .scan_prefix(layout::fact_prefix(n))
            .map(|kv| {
                let (k, v) = kv.unwrap();
                layout::decode_fact(layout::order_of(&k).unwrap(), &v).unwrap()
            })
            .collect();
        out.insert(key, (summary, facts));
    }
    out
}
