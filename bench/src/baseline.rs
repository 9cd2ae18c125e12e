//! The raw engines, measured in the same run on the same payloads, so that every Liaison figure
//! comes with a ratio that survives a noisy machine:
//!
//! - JetStream async publish: the envelopes ingest would append (same subjects, same
//!   `Nats-Msg-Id`), published with many acknowledgements in flight, into a plain file stream on
//!   a separate nats-server with the same sync setting;
//! - a plain durable pull consumer writing each payload into sled, with its checkpoint in the
//!   same sled batch — what a projection is, minus the projection;
//! - sled alone writing what a projection writes per event: [`SCATTERED_KEYS`] new keys spread
//!   over the tree and one lookup of a key that is not there, in batches as large as the
//!   projection's, with the projection's sled settings — the ceiling sled puts on a rebuild
//!   (docs/decisions/024-where-sled-is-the-wall.md).

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use async_nats::jetstream::{self, consumer, stream};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use liaison_log::OutgoingEvent;

/// Acknowledgements in flight during the async publish.
const IN_FLIGHT: usize = 512;
const STREAM: &str = "BENCH_RAW";

/// Publishes `events` to a fresh stream on `nats_url`; returns events/s.
pub async fn js_publish(nats_url: &str, events: &[OutgoingEvent]) -> Result<f64> {
    let client = async_nats::connect(nats_url).await?;
    let js = jetstream::new(client);
    js.create_stream(stream::Config {
        name: STREAM.to_owned(),
        subjects: vec!["liaison.events.>".to_owned()],
        storage: stream::StorageType::File,
        ..Default::default()
    })
    .await
    .context("create the baseline stream")?;
    let started = Instant::now();
    let mut pending = FuturesUnordered::new();
    for event in events {
        if pending.len() >= IN_FLIGHT
            && let Some(ack) = pending.next().await
        {
            ack_ok(ack)?;
        }
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(async_nats::header::NATS_MESSAGE_ID, event.msg_id.as_str());
        let ack = js
            .publish_with_headers(event.subject.clone(), headers, event.payload.clone())
            .await?;
        pending.push(ack.into_future());
    }
    while let Some(ack) = pending.next().await {
        ack_ok(ack)?;
    }
    Ok(events.len() as f64 / started.elapsed().as_secs_f64())
}

fn ack_ok(
    ack: Result<jetstream::publish::PublishAck, jetstream::context::PublishError>,
) -> Result<()> {
    ack.map(|_| ()).context("baseline publish not acknowledged")
}

/// Reads the baseline stream (after [`js_publish`]) with a durable pull consumer and writes every
/// payload into a sled database in `dir`, each batch with its checkpoint; returns events/s.
pub async fn consumer_into_sled(
    nats_url: &str,
    dir: &std::path::Path,
    expected: u64,
) -> Result<f64> {
    let client = async_nats::connect(nats_url).await?;
    let js = jetstream::new(client);
    let stream = js.get_stream(STREAM).await?;
    let consumer = stream
        .create_consumer(consumer::pull::Config {
            durable_name: Some("bench-sled".to_owned()),
            ack_policy: consumer::AckPolicy::All,
            ..Default::default()
        })
        .await?;
    let db = sled::Config::new()
        .path(dir)
        .cache_capacity(128 * 1024 * 1024)
        .open()?;
    let events = db.open_tree("events")?;
    let started = Instant::now();
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(1000)
        .messages()
        .await?;
    let mut applied = 0u64;
    let mut batch = sled::Batch::default();
    let mut in_batch = 0;
    let deadline = started + Duration::from_secs(600);
    while applied < expected {
        let next = tokio::time::timeout(Duration::from_secs(10), messages.next())
            .await
            .context("baseline consumer stalled")?;
        let Some(message) = next else { break };
        let message = message.map_err(|e| anyhow::anyhow!("{e}"))?;
        let sequence = message
            .info()
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .stream_sequence;
        batch.insert(&sequence.to_be_bytes(), message.payload.as_ref());
        applied += 1;
        in_batch += 1;
        if in_batch == 1000 || applied == expected {
            batch.insert(b"checkpoint".as_slice(), &sequence.to_be_bytes());
            events.apply_batch(std::mem::take(&mut batch))?;
            message.ack().await.map_err(|e| anyhow::anyhow!("{e}"))?;
            in_batch = 0;
        }
        if Instant::now() > deadline {
            bail!("baseline consumer: {applied} of {expected} after 600 s");
        }
    }
    Ok(applied as f64 / started.elapsed().as_secs_f64())
}

/// Keys a projection writes per applied event on the bench's workload (6.8–7.5 measured with
/// `LIAISON_PROJECTION_PROFILE`: its index entry, fact, summary, two timeline entries, and in part
/// a meeting, a status change, a link), each under a key that lands anywhere in the tree.
pub const SCATTERED_KEYS: u64 = 7;

/// Events per batch in [`sled_scattered`]: what the projection stages per apply batch while
/// catching up.
const SCATTERED_BATCH: u64 = 2_000;

/// Writes `events` × [`SCATTERED_KEYS`] keys with 100-byte values into a fresh sled database in
/// `dir` (64 MiB cache, high-throughput mode, flushed every 500 ms: the services' settings), in
/// atomic batches of [`SCATTERED_BATCH`] events, keyed as a projection's are: per event one
/// random key (its id) after a lookup of it (absent), and the others appended under one of 1,000
/// prefixes each (an organization's timeline, a pair-topic's facts: time order within a prefix
/// scattered over the tree); returns events/s.
pub fn sled_scattered(dir: &std::path::Path, events: u64) -> Result<f64> {
    let db = sled::Config::new()
        .path(dir)
        .cache_capacity(64 * 1024 * 1024)
        .mode(sled::Mode::HighThroughput)
        .flush_every_ms(Some(500))
        .open()?;
    let tree = db.open_tree("projection")?;
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut random = move || {
        // splitmix64: spread keys as random event ids and slugs spread a projection's.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut key = move |table: u8, sequence: Option<u64>| {
        let mut k = vec![table];
        match sequence {
            Some(sequence) => {
                k.extend_from_slice(&((random() % 1_000) as u32).to_be_bytes());
                k.extend_from_slice(&sequence.to_be_bytes());
            }
            None => {
                k.extend_from_slice(&random().to_be_bytes());
                k.extend_from_slice(&random().to_be_bytes());
            }
        }
        k
    };
    let value = [7u8; 100];
    let started = Instant::now();
    let mut done = 0;
    while done < events {
        let size = SCATTERED_BATCH.min(events - done);
        let mut batch = sled::Batch::default();
        for sequence in done..done + size {
            let id = key(b'i', None);
            if tree.contains_key(&id)? {
                bail!("a random key was there");
            }
            batch.insert(id, &value[..]);
            for table in 1..SCATTERED_KEYS as u8 {
                batch.insert(key(b'a' + table, Some(sequence)), &value[..]);
            }
        }
        batch.insert(b"checkpoint".as_slice(), &done.to_be_bytes());
        tree.apply_batch(batch)?;
        done += size;
    }
    Ok(events as f64 / started.elapsed().as_secs_f64())
}
