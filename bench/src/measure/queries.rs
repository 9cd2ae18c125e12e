//! Query load over HTTP on a projection holding the large log: status of a pair on a topic, and
//! an organization's timeline, each with several requests in flight for a fixed time.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use futures::StreamExt;

use super::Latencies;
use liaison_testkit::workload::Generator;

/// Latencies and rate of one query kind.
#[derive(Debug, Clone)]
pub struct QueryResult {
    /// Per-request latency (successful requests).
    pub latencies: Latencies,
    /// Successful queries per second.
    pub per_s: f64,
    /// Non-2xx answers or failures.
    pub errors: u64,
}

/// Status query URLs for Zipf-popular pairs and topics.
pub fn status_urls(projection: &str, generator: &mut Generator, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let (a, b) = generator.random_pair();
            let t = Generator::topic(generator.topic_index());
            format!("{projection}/v1/relationships/{a}/{b}?topic={t}")
        })
        .collect()
}

/// Timeline query URLs for Zipf-popular organizations.
pub fn timeline_urls(projection: &str, generator: &mut Generator, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let rank = generator.popular_rank();
            let a = generator.org(rank);
            format!("{projection}/v1/organizations/{a}/timeline")
        })
        .collect()
}

/// GETs `urls` round-robin with `in_flight` concurrent requests for `window`.
pub async fn run(
    client: &reqwest::Client,
    urls: &[String],
    in_flight: usize,
    window: Duration,
) -> Result<QueryResult> {
    let started = Instant::now();
    let deadline = started + window;
    let results = futures::stream::iter(urls.iter().cycle().take(10_000_000))
        .take_while(|_| futures::future::ready(Instant::now() < deadline))
        .map(|url| async move {
            let t = Instant::now();
            let ok = match client.get(url).send().await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            };
            (ok, t.elapsed())
        })
        .buffer_unordered(in_flight)
        .collect::<Vec<_>>()
        .await;
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies = Latencies::default();
    let mut errors = 0;
    for (ok, d) in results {
        if ok {
            latencies.record(d);
        } else {
            errors += 1;
        }
    }
    if latencies.is_empty() {
        bail!(
            "no query succeeded ({errors} failed), e.g. GET {}",
            urls.first().cloned().unwrap_or_default()
        );
    }
    Ok(QueryResult {
        per_s: latencies.len() as f64 / elapsed,
        latencies,
        errors,
    })
}
