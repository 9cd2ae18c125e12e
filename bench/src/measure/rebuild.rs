//! Rebuild: how fast a fresh projection replays a large log. The log is loaded straight into
//! JetStream with atomic batches of 1000 envelopes (the bytes ingest would append), not through
//! HTTP — the ingest section measures HTTP; this keeps a million-event load to seconds.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::Utc;
use liaison_log::{AppendOptions, Appender, LogSettings, ensure_events_stream};

use liaison_testkit::workload::{Flavor, Generator};
use liaison_testkit::{Service, ServiceProcess};

use super::{get_until_ok, start_service, visibility_url};

/// What the load put in the log.
#[derive(Debug, Clone, Copy)]
pub struct Loaded {
    /// The log's last sequence: what the rebuild must reach.
    pub last_sequence: u64,
    /// Events appended.
    pub events: u64,
    /// Sum of the envelope payload sizes.
    pub payload_bytes: u64,
    /// Late facts among them.
    pub late: u64,
    /// Retractions among them.
    pub retractions: u64,
    /// Events appended per second by the loader.
    pub events_per_s: f64,
}

/// Appends the first `n` events of `generator` to the log at `nats_url`.
pub async fn load_log(nats_url: &str, generator: &mut Generator, n: u64) -> Result<Loaded> {
    let client = async_nats::connect(nats_url).await?;
    let js = async_nats::jetstream::new(client.clone());
    ensure_events_stream(&js, &LogSettings::default()).await?;
    // A generous ack timeout: a million-event load keeps nats-server busy (the default sync's
    // background flushes among it), and an atomic batch is not retried (1 attempt).
    let appender = Appender::with_options(
        client,
        AppendOptions {
            ack_timeout: Duration::from_secs(30),
            ..AppendOptions::default()
        },
    );
    let started = Instant::now();
    let (mut done, mut bytes, mut last) = (0u64, 0u64, 0u64);
    let (mut late, mut retractions) = (0u64, 0u64);
    while done < n {
        let size = (n - done).min(liaison_log::MAX_BATCH as u64) as usize;
        let now = Utc::now();
        let events = generator.take(size);
        late += events.iter().filter(|e| e.flavor == Flavor::Late).count() as u64;
        retractions += events
            .iter()
            .filter(|e| e.flavor == Flavor::Retraction)
            .count() as u64;
        let batch: Vec<_> = events.iter().map(|e| e.to_outgoing(now)).collect();
        bytes += batch.iter().map(|e| e.payload.len() as u64).sum::<u64>();
        // nats-server can stall for seconds while the kernel writes back the gigabytes the
        // run has written: an unacknowledged batch is sent again with the same message ids, and
        // "duplicate" then says the first attempt was stored.
        let mut attempt = 0;
        loop {
            attempt += 1;
            match appender.append_batch(batch.clone()).await {
                Ok(appended) => {
                    last = appended.last().map(|a| a.sequence).unwrap_or(last);
                    break;
                }
                Err(e) if e.err_code() == Some(liaison_log::ERR_BATCH_DUPLICATE_MSG_ID) => break,
                Err(e) if attempt < 6 => {
                    eprintln!("  atomic batch after {done} events: {e}; again in 5 s");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("atomic batch after {done} events"));
                }
            }
        }
        done += size as u64;
    }
    // The loader is the log's only writer: its end is the last loaded event (also when the
    // last batch's sequences were not told, being a duplicate of a stored attempt).
    last = last.max(liaison_log::last_sequence(&js).await?);
    Ok(Loaded {
        last_sequence: last,
        events: done,
        payload_bytes: bytes,
        late,
        retractions,
        events_per_s: done as f64 / started.elapsed().as_secs_f64(),
    })
}

/// Starts a projection with an empty data directory on the loaded log and waits until a query
/// with `min_sequence = last` answers: events/s from process start to caught up.
pub async fn rebuild(
    nats_url: &str,
    dir: &Path,
    loaded: Loaded,
    limit: Duration,
) -> Result<(f64, ServiceProcess)> {
    let started = Instant::now();
    let projection = start_service(
        Service::Projection,
        nats_url,
        dir,
        "/healthz",
        Duration::from_secs(30),
    )
    .await?;
    let client = super::http_client()?;
    let url = visibility_url(&projection.url(), &[], None, loaded.last_sequence);
    let visible = get_until_ok(&client, &url, limit).await?;
    let rate = loaded.last_sequence as f64 / visible.duration_since(started).as_secs_f64();
    Ok((rate, projection))
}
