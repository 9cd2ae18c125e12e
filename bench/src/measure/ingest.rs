//! Ingest throughput: events/s through `POST /v1/events`, one event per request and batches of
//! 100, each with several requests in flight (closed loop, bounded in count).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Result, bail};
use futures::StreamExt;

use super::post_events;
use liaison_testkit::workload::GenEvent;

/// The outcome of one throughput run.
#[derive(Debug, Clone)]
pub struct Throughput {
    /// Events acknowledged per second.
    pub events_per_s: f64,
    /// Requests that failed.
    pub errors: u64,
    /// The highest sequence acknowledged.
    pub last_sequence: u64,
    /// The first error, if any.
    pub first_error: Option<String>,
}

/// Sends every registration in batches of up to 500 (the contract's largest batch), in order
/// (nothing can be ingested before the organizations it names); returns the last sequence.
pub async fn register(client: &reqwest::Client, ingest: &str, events: &[GenEvent]) -> Result<u64> {
    let mut last = 0;
    for chunk in events.chunks(liaison_proto::limits::MAX_BATCH_EVENTS) {
        let body = serde_json::to_vec(&chunk.iter().map(|e| &e.body).collect::<Vec<_>>())?;
        last = post_events(client, ingest, body)
            .await?
            .into_iter()
            .max()
            .unwrap_or(last);
    }
    Ok(last)
}

/// POSTs `events` in requests of `per_request` events, `in_flight` at a time.
pub async fn throughput(
    client: &reqwest::Client,
    ingest: &str,
    events: &[GenEvent],
    per_request: usize,
    in_flight: usize,
) -> Result<Throughput> {
    let errors = Arc::new(AtomicU64::new(0));
    let last = Arc::new(AtomicU64::new(0));
    let acked = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(std::sync::Mutex::new(None::<String>));
    let bodies: Vec<(usize, Vec<u8>)> = events
        .chunks(per_request)
        .map(|chunk| {
            let body = if per_request == 1 {
                chunk[0].to_bytes()
            } else {
                serde_json::to_vec(&chunk.iter().map(|e| &e.body).collect::<Vec<_>>())
                    .expect("serializes")
            };
            (chunk.len(), body)
        })
        .collect();
    let started = Instant::now();
    futures::stream::iter(bodies)
        .for_each_concurrent(in_flight, |(n, body)| {
            let (errors, last, acked) = (errors.clone(), last.clone(), acked.clone());
            let first_error = first_error.clone();
            async move {
                match post_events(client, ingest, body).await {
                    Ok(seqs) => {
                        acked.fetch_add(n as u64, Ordering::Relaxed);
                        last.fetch_max(seqs.into_iter().max().unwrap_or(0), Ordering::Relaxed);
                    }
                    Err(e) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        first_error.lock().unwrap().get_or_insert(e.to_string());
                    }
                }
            }
        })
        .await;
    let elapsed = started.elapsed().as_secs_f64();
    let acked = acked.load(Ordering::Relaxed);
    let first_error = first_error.lock().unwrap().take();
    if acked == 0 {
        bail!(
            "no request succeeded ({} errors; first: {})",
            errors.load(Ordering::Relaxed),
            first_error.unwrap_or_default()
        );
    }
    Ok(Throughput {
        events_per_s: acked as f64 / elapsed,
        errors: errors.load(Ordering::Relaxed),
        last_sequence: last.load(Ordering::Relaxed),
        first_error,
    })
}
