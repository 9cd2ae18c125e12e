//! The latency from the append of a causing event to the webhook call received, on this
//! machine (p50/p99). Ignored by default: `cargo test -p liaison-notifier --release --test
//! latency -- --ignored --nocapture`.

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use liaison_testkit::ServerOptions;
use support::{Log, Notifier, Receiver, eventually, fast_delivery, post, relation, webhook_rule};

const SAMPLES: usize = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement; run with --ignored --nocapture"]
async fn append_to_webhook_latency() {
    let log = Log::start(ServerOptions::default()).await;
    let notifier = Notifier::start(&log, fast_delivery(3)).await;
    let receiver = Receiver::start(0).await;
    let (status, _) = post(
        &notifier.http,
        &notifier.base,
        "/v1/rules",
        &webhook_rule("deals", &receiver, &["agreed"]),
    )
    .await;
    assert_eq!(status, 201);
    let mut sent = HashMap::new();
    for i in 0..SAMPLES {
        let event = relation(
            "agreement.signed",
            "2024-01-10",
            &format!("a-{i}"),
            &format!("b-{i}"),
            "xr",
        );
        let started = Instant::now();
        let (id, _) = log.append(event).await;
        sent.insert(id, started);
        // One at a time: the latency of a quiet system, not of a queue.
        let n = i + 1;
        assert!(
            eventually(Duration::from_secs(5), || async {
                receiver.seen.lock().unwrap().accepted.len() >= n
            })
            .await
        );
    }
    let mut micros: Vec<u128> = receiver
        .seen
        .lock()
        .unwrap()
        .accepted
        .iter()
        .map(|(_, alert, at)| at.duration_since(sent[&alert.event_id]).as_micros())
        .collect();
    micros.sort_unstable();
    let pct = |p: f64| micros[((micros.len() as f64 - 1.0) * p).round() as usize] as f64 / 1000.0;
    println!(
        "append → webhook received, {} alerts (sync_interval: always): p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        micros.len(),
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(1.0)
    );
    notifier.shutdown.trigger();
}
