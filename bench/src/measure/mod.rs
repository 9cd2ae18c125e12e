//! The measurement sections, and what they share: an HTTP client tuned for loopback load,
//! latency histograms, and the parsing of ingest's `201` answer.
//!
//! Every section returns `anyhow::Result`; the caller turns an error into "unavailable: <why>"
//! for that section's figures, so one missing endpoint never hides the rest of the run.

pub mod alerts;
pub mod cluster;
pub mod e2e;
pub mod footprint;
pub mod import;
pub mod ingest;
pub mod queries;
pub mod reader;
pub mod rebuild;

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use hdrhistogram::Histogram;
use liaison_testkit::{Service, ServiceProcess, ServiceSetup};
use serde_json::Value;

/// Starts `service` against `nats_url` with its data and log under `dir` and warnings-only
/// logging, and waits until `ready_path` answers 200 (at most `ready_timeout`).
pub async fn start_service(
    service: Service,
    nats_url: &str,
    dir: &Path,
    ready_path: &str,
    ready_timeout: Duration,
) -> Result<ServiceProcess> {
    let mut setup = ServiceSetup::in_dir(service, nats_url, dir)?.with_env("RUST_LOG", "warn");
    if service == Service::Notifier {
        // The alerts measure's webhook receiver listens on 127.0.0.1.
        setup = setup.with_env("LIAISON_WEBHOOK_ALLOW_PRIVATE", "1");
        // A rule with a webhook secret is refused without a key to seal it with (decision 015).
        let keys = liaison_testkit::stack::ensure_secrets_key(dir)?;
        setup = setup.with_env(
            "LIAISON_NOTIFIER_SECRETS_KEY_FILE",
            &keys.display().to_string(),
        );
    }
    setup.ready_path = ready_path.to_owned();
    setup.ready_timeout = ready_timeout;
    ServiceProcess::launch(setup)
        .await
        .with_context(|| format!("{} not ready", service.binary_name()))
}

/// An HTTP client for loopback load: large pool, no proxy, bounded timeouts.
pub fn http_client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(30))
        .build()?)
}

/// Latencies in microseconds, up to 10 minutes.
#[derive(Debug, Clone)]
pub struct Latencies(Histogram<u64>);

impl Default for Latencies {
    fn default() -> Self {
        Latencies(Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid bounds"))
    }
}

impl Latencies {
    /// Records one latency.
    pub fn record(&mut self, d: Duration) {
        let us = (d.as_micros() as u64).clamp(1, 600_000_000);
        self.0.record(us).expect("within bounds");
    }

    /// How many samples.
    pub fn len(&self) -> u64 {
        self.0.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The `q` quantile (0..=1) in milliseconds.
    pub fn ms(&self, q: f64) -> f64 {
        self.0.value_at_quantile(q) as f64 / 1000.0
    }
}

/// POSTs `body` (JSON bytes) to ingest and returns the sequences of the `201`/`200` answer.
pub async fn post_events(
    client: &reqwest::Client,
    ingest: &str,
    body: Vec<u8>,
) -> Result<Vec<u64>> {
    let response = client
        .post(format!("{ingest}/v1/events"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    let status = response.status();
    let text = response.text().await?;
    if status.as_u16() != 201 && status.as_u16() != 200 {
        bail!("POST /v1/events answered {status}: {}", truncate(&text));
    }
    let v: Value = serde_json::from_str(&text).context("201 body is not JSON")?;
    let events = v["events"].as_array().context("201 body has no events[]")?;
    events
        .iter()
        .map(|e| e["sequence"].as_u64().context("event without sequence"))
        .collect()
}

/// GETs `url` until it answers 200, retrying `503` (a `min_sequence` wait that ran out) until
/// `limit`; returns when it became 200.
pub async fn get_until_ok(client: &reqwest::Client, url: &str, limit: Duration) -> Result<Instant> {
    let deadline = Instant::now() + limit;
    loop {
        let response = client.get(url).send().await?;
        let status = response.status();
        if status.is_success() {
            let _ = response.bytes().await?;
            return Ok(Instant::now());
        }
        let text = response.text().await.unwrap_or_default();
        if status.as_u16() != 503 {
            bail!("GET {url} answered {status}: {}", truncate(&text));
        }
        if Instant::now() > deadline {
            bail!("GET {url} still 503 after {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// A cheap query that answers once the projection has applied `min_sequence` (the wait is the
/// same for every query): one fact of the event's pair on its topic, one timeline entry of a
/// lone organization. The answer is kept small on purpose: a hot pair's full view would measure
/// serialising it, not the pipeline.
pub fn visibility_url(
    projection: &str,
    organizations: &[String],
    topic: Option<&str>,
    min_sequence: u64,
) -> String {
    let topic = topic.map_or(String::new(), |t| format!("&topic={t}"));
    match organizations {
        [a, b, ..] => format!(
            "{projection}/v1/relationships/{a}/{b}?limit=1{topic}&min_sequence={min_sequence}"
        ),
        [a] => format!(
            "{projection}/v1/organizations/{a}/timeline?limit=1&min_sequence={min_sequence}"
        ),
        [] => {
            format!("{projection}/v1/relationships/org-0/org-1?limit=1&min_sequence={min_sequence}")
        }
    }
}

/// At most 200 characters of `s`.
pub fn truncate(s: &str) -> String {
    s.chars().take(200).collect()
}
