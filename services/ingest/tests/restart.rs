//! Idempotency without a time limit: a retry of an acknowledged event after ingest was killed
//! and restarted answers `200` with the same sequence — also when its data directory was deleted
//! and rebuilt from the log.

mod support;

use liaison_testkit::{NatsServer, ServerOptions};
use serde_json::json;
use support::{IngestProcess, meeting, new_id, org, read_log};

#[tokio::test]
async fn a_retry_after_a_restart_answers_200_with_the_same_sequence() {
    let nats = NatsServer::start_with(ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ingest");
    let ingest = IngestProcess::start(&nats.url(), &data).await;
    let batch = json!([
        org("meta"),
        org("lg"),
        meeting(Some(new_id()), "meta", "lg")
    ]);
    let single = meeting(Some(new_id()), "meta", "lg");
    let batch_seqs = ingest.post(&batch).await.sequences();
    let single_answer = ingest.post(&single).await;
    assert_eq!(single_answer.status, 201);
    ingest.kill9();

    let ingest = IngestProcess::start(&nats.url(), &data).await;
    let again = ingest.post(&single).await;
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(again.sequences(), single_answer.sequences());
    let again = ingest.post(&batch).await;
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(again.sequences(), batch_seqs);
    let mut changed = single.clone();
    changed["data"]["topics"] = json!(["chips"]);
    assert_eq!(ingest.post(&changed).await.status, 409);
    ingest.kill9();

    // A deleted data directory rebuilds itself from the log.
    std::fs::remove_dir_all(&data).unwrap();
    let ingest = IngestProcess::start(&nats.url(), &data).await;
    let again = ingest.post(&single).await;
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(again.sequences(), single_answer.sequences());
    assert_eq!(ingest.post(&org("meta")).await.status, 200);
    assert_eq!(ingest.post(&meeting(None, "meta", "lg")).await.status, 201);
    assert_eq!(read_log(&nats.jetstream().await).await.len(), 5);
}
