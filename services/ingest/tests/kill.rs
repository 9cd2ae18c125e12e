//! `kill -9` of ingest in the middle of a stream of appends (single events and batches): every
//! event that was acknowledged is in the log exactly once, no batch is in the log in part, and
//! retrying every unanswered request after a restart appends nothing twice.

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use liaison_testkit::{NatsServer, ServerOptions};
use serde_json::{Value, json};
use support::{IngestProcess, meeting, new_id, org, read_log};
use tokio::sync::Mutex;
use uuid::Uuid;

const BATCH: usize = 300;

/// One request of the stream: its body and event ids, and whether it was acknowledged.
struct Sent {
    body: Value,
    ids: Vec<Uuid>,
    acknowledged: bool,
}

fn request(n: usize) -> (Value, Vec<Uuid>) {
    if n % 3 == 2 {
        let ids: Vec<Uuid> = (0..BATCH).map(|_| new_id()).collect();
        let body = Value::Array(
            ids.iter()
                .map(|id| meeting(Some(*id), "meta", "lg"))
                .collect(),
        );
        (body, ids)
    } else {
        let id = new_id();
        (meeting(Some(id), "lg", "meta"), vec![id])
    }
}

#[tokio::test]
async fn kill_9_mid_stream_loses_nothing_acknowledged_and_splits_no_batch() {
    let nats = NatsServer::start_with(ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ingest");
    let mut ingest = IngestProcess::start(&nats.url(), &data).await;
    assert_eq!(
        ingest.post(&json!([org("meta"), org("lg")])).await.status,
        201
    );

    let sent: Arc<Mutex<Vec<Sent>>> = Arc::default();
    for round in 0..3 {
        let url = ingest.url.clone();
        let in_batch = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(AtomicUsize::new(0));
        let stream = {
            let (sent, in_batch, answered) = (sent.clone(), in_batch.clone(), answered.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                for n in 0.. {
                    let (body, ids) = request(n);
                    let index = {
                        let mut sent = sent.lock().await;
                        sent.push(Sent {
                            body: body.clone(),
                            ids: ids.clone(),
                            acknowledged: false,
                        });
                        sent.len() - 1
                    };
                    in_batch.store(ids.len() > 1, Ordering::SeqCst);
                    let Ok(response) = http
                        .post(format!("{url}/v1/events"))
                        .json(&body)
                        .send()
                        .await
                    else {
                        return; // killed
                    };
                    if matches!(response.status().as_u16(), 200 | 201) {
                        sent.lock().await[index].acknowledged = true;
                        answered.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        };
        // Let some appends through, then kill while a batch is in flight.
        while answered.load(Ordering::SeqCst) < 4 + round {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        while !in_batch.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        tokio::time::sleep(Duration::from_millis(3 * round as u64)).await;
        ingest.kill9();
        let _ = stream.await;
        {
            let sent = sent.lock().await;
            let last = sent.last().expect("a request in flight");
            eprintln!(
                "round {round}: killed with {} requests sent, the last ({} events) {}",
                sent.len(),
                last.ids.len(),
                if last.acknowledged {
                    "answered"
                } else {
                    "unanswered"
                }
            );
        }
        check_log(&nats, &sent.lock().await, false).await;
        ingest = IngestProcess::start(&nats.url(), &data).await;
    }

    // Retry every request that got no answer: each now succeeds, and nothing is doubled.
    let mut sent = sent.lock().await;
    for request in sent.iter_mut().filter(|s| !s.acknowledged) {
        let answer = ingest.post(&request.body).await;
        assert!(matches!(answer.status, 200 | 201), "{answer:?}");
        request.acknowledged = true;
    }
    check_log(&nats, &sent, true).await;
}

/// Every acknowledged event once; every batch whole (consecutive) or absent; nothing twice.
async fn check_log(nats: &NatsServer, sent: &[Sent], all_acknowledged: bool) {
    let log = read_log(&nats.jetstream().await).await;
    let mut at: HashMap<Uuid, Vec<u64>> = HashMap::new();
    for (entry, envelope) in &log {
        at.entry(envelope.id).or_default().push(entry.sequence);
    }
    for (i, request) in sent.iter().enumerate() {
        let found: Vec<u64> = request
            .ids
            .iter()
            .filter_map(|id| at.get(id))
            .inspect(|seqs| assert_eq!(seqs.len(), 1, "request {i}: an event appended twice"))
            .map(|seqs| seqs[0])
            .collect();
        if request.acknowledged || all_acknowledged {
            assert_eq!(
                found.len(),
                request.ids.len(),
                "request {i}: acknowledged but missing"
            );
        }
        assert!(
            found.is_empty() || found.len() == request.ids.len(),
            "request {i}: a batch of {} is in the log in part ({})",
            request.ids.len(),
            found.len()
        );
        assert!(
            found.windows(2).all(|w| w[1] == w[0] + 1),
            "request {i}: a batch is not consecutive"
        );
    }
}
