//! A measurement, not a check: appends per second through the HTTP API of an in-process ingest
//! against a real nats-server, under `sync_interval: always` (the shipped setting) and under the
//! server's default periodic fsync: single events (1 client, and 32 in flight), batches of 100
//! (4 in flight) and of 500 (1 client). Ignored by default; run it with
//!
//! ```sh
//! cargo test --release -p liaison-ingest --test throughput -- --ignored --nocapture
//! ```

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use liaison_testkit::{NatsServer, ServerOptions};
use serde_json::{Value, json};
use support::{TestApp, config, meeting, new_id, org, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement; run with --ignored --nocapture, preferably --release"]
async fn appends_per_second_sync_always() {
    measure("sync always", ServerOptions::default()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement; run with --ignored --nocapture, preferably --release"]
async fn appends_per_second_nats_default_sync() {
    measure("NATS default sync", ServerOptions::fast()).await;
}

async fn measure(setting: &str, options: ServerOptions) {
    let nats = NatsServer::start_with(options).await;
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(spawn_app(config(&nats.url(), dir.path())).await);
    assert_eq!(app.post(&json!([org("meta"), org("lg")])).await.status, 201);

    let n = 300;
    let started = Instant::now();
    for _ in 0..n {
        let answer = app.post(&meeting(Some(new_id()), "meta", "lg")).await;
        assert_eq!(answer.status, 201, "{answer:?}");
    }
    report(setting, "single events, 1 client", n, started.elapsed());

    let bodies = (0..2_000).map(|_| meeting(Some(new_id()), "meta", "lg"));
    let (n, elapsed) = concurrently(&app, bodies, 32).await;
    report(setting, "single events, 32 in flight", n, elapsed);

    let bodies = (0..50).map(|_| batch(100));
    let (n, elapsed) = concurrently(&app, bodies, 4).await;
    report(setting, "batches of 100, 4 in flight", n, elapsed);

    let bodies = (0..20).map(|_| batch(500));
    let (n, elapsed) = concurrently(&app, bodies, 1).await;
    report(setting, "batches of 500, 1 client", n, elapsed);
}

fn batch(size: usize) -> Value {
    Value::Array(
        (0..size)
            .map(|_| meeting(Some(new_id()), "meta", "lg"))
            .collect(),
    )
}

/// Posts every body, `in_flight` at a time; how many events were appended, and how long it took.
async fn concurrently(
    app: &Arc<TestApp>,
    bodies: impl Iterator<Item = Value>,
    in_flight: usize,
) -> (usize, Duration) {
    let bodies: Vec<Value> = bodies.collect();
    let events = bodies
        .iter()
        .map(|b| b.as_array().map_or(1, Vec::len))
        .sum();
    let started = Instant::now();
    futures::stream::iter(bodies)
        .for_each_concurrent(in_flight, |body| async move {
            let answer = app.post(&body).await;
            assert_eq!(answer.status, 201, "{answer:?}");
        })
        .await;
    (events, started.elapsed())
}

fn report(setting: &str, what: &str, events: usize, elapsed: Duration) {
    println!(
        "{setting}, {what}: {events} events in {:.2} s = {:.0} events/s",
        elapsed.as_secs_f64(),
        events as f64 / elapsed.as_secs_f64()
    );
}
