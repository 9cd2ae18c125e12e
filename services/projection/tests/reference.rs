//! The projection agrees with the domain core's reference model: the same log, applied by the
//! projection (the domain's ledger over sled: one-byte fold headers, newest-first re-folds,
//! pages) and by [`liaison_relations::ReferenceModel`] (every fact in memory, folded from the
//! start), gives every pair-topic the same status and since, now and as of past dates.

mod support;

use liaison_proto::{AsOf, ClientEvent, Envelope, EventData, EventId};
use liaison_relations::{Fact, ReferenceModel};
use support::{Log, Projection, generate};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_status_and_since_equals_the_reference_fold() {
    let log = Log::start().await;
    let dir = tempfile::tempdir().unwrap();
    let p = Projection::start(&log.server.url(), dir.path().join("p"), |_| {}).await;
    let events = generate(3_000, 11);
    let sequences = log.append(&events).await;
    p.wait_applied(*sequences.last().unwrap()).await;

    let mut reference = ReferenceModel::new();
    for (json, sequence) in events.iter().zip(&sequences) {
        let event: ClientEvent = serde_json::from_value(json.clone()).unwrap();
        let envelope = Envelope::record(event, "/test", chrono::Utc::now());
        let id = EventId::from(envelope.id);
        if let EventData::EventRetracted(d) = &envelope.event {
            reference.retract(d.event_id.into(), id);
        } else if let Some(fact) = Fact::from_envelope(&envelope, *sequence) {
            reference.apply(&fact);
        }
    }

    let mut compared = 0;
    for as_of in [None, Some("2024-03-15"), Some("2024-09-01")] {
        for (key, expected) in reference.views(as_of.map(|d| AsOf::parse(d).unwrap())) {
            let query = as_of.map_or(String::new(), |d| format!("&as_of={d}"));
            let (code, got, _) = p
                .get(&format!(
                    "/v1/relationships/{}/{}?topic={}&limit=1{query}",
                    key.a, key.b, key.topic
                ))
                .await;
            assert_eq!(code, 200, "{got}");
            assert_eq!(
                (got["status"].as_str().unwrap(), got["since"].as_str()),
                (
                    expected.status.as_str(),
                    expected.since.map(|t| t.to_string()).as_deref()
                ),
                "{key:?} as of {as_of:?}"
            );
            compared += 1;
        }
    }
    assert!(compared > 100, "only {compared} pair-topics compared");
    p.stop().await;
}
