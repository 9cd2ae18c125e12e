//! A measurement, not a check: appends per second through the HTTP API of an in-process ingest
//! against a real nats-server with `sync_interval: always`, for single events (sequential, and 16
//! concurrent clients) and for batches of 500. Ignored by default; run it with
//!
//! ```sh
//! cargo test --release -p liaison-ingest --test throughput -- --ignored --nocapture
//! ```

mod support;

use std::time::{Duration, Instant};

use liaison_testkit::{NatsServer, ServerOptions};
use serde_json::{Value, json};
use support::{config, meeting, new_id, org, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement; run with --ignored --nocapture, preferably --release"]
async fn appends_per_second() {
    let nats = NatsServer::start_with(ServerOptions::default()).await; // sync_interval: always
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(config(&nats.url(), dir.path())).await;
    assert_eq!(app.post(&json!([org("meta"), org("lg")])).await.status, 201);

    let n = 500;
    let started = Instant::now();
    for _ in 0..n {
        assert_eq!(
            app.post(&meeting(Some(new_id()), "meta", "lg"))
                .await
                .status,
            201
        );
    }
    report("single events, 1 client", n, started.elapsed());

    let clients = 16;
    let per_client = 100;
    let started = Instant::now();
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move {
                for _ in 0..per_client {
                    let answer = app.post(&meeting(Some(new_id()), "meta", "lg")).await;
                    assert_eq!(answer.status, 201, "{answer:?}");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    report(
        "single events, 16 clients",
        clients * per_client,
        started.elapsed(),
    );

    let batches = 20;
    let size = 500;
    let started = Instant::now();
    for _ in 0..batches {
        let body = Value::Array(
            (0..size)
                .map(|_| meeting(Some(new_id()), "meta", "lg"))
                .collect(),
        );
        assert_eq!(app.post(&body).await.status, 201);
    }
    report(
        "batches of 500, 1 client",
        batches * size,
        started.elapsed(),
    );
}

fn report(what: &str, events: usize, elapsed: Duration) {
    println!(
        "{what}: {events} events in {:.2} s = {:.0} events/s",
        elapsed.as_secs_f64(),
        events as f64 / elapsed.as_secs_f64()
    );
}
