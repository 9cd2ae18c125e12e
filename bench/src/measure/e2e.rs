//! End to end: from ingest's `201` to the event being visible in a projection query
//! (`min_sequence`), at fixed offered loads (open loop: each event is sent at its scheduled time
//! whatever happened to the others), and the maximum sustained rate (closed loop, batches).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use tokio::sync::{Mutex, Semaphore};

use super::{Latencies, get_until_ok, post_events, visibility_url};
use liaison_testkit::workload::GenEvent;

/// How many requests an open-loop run keeps in flight at most (beyond it, sending lags).
const MAX_IN_FLIGHT: usize = 512;

/// The outcome of a fixed-load run.
#[derive(Debug, Clone)]
pub struct LoadResult {
    /// `201` → visible latencies.
    pub latencies: Latencies,
    /// Events sent per second, as achieved.
    pub achieved_per_s: f64,
    /// Events whose POST or probe failed.
    pub errors: u64,
    /// The first error, if any.
    pub first_error: Option<String>,
}

/// Sends `events` one per request at `rate` events/s and measures `201` → visible for each.
pub async fn fixed_load(
    client: &reqwest::Client,
    ingest: &str,
    projection: &str,
    events: Vec<GenEvent>,
    rate: f64,
) -> Result<LoadResult> {
    let latencies = Arc::new(Mutex::new(Latencies::default()));
    let failures = Arc::new(Mutex::new((0u64, None::<String>)));
    let gate = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(events.len());
    let n = events.len();
    for (i, event) in events.into_iter().enumerate() {
        let due = started + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due.into()).await;
        let permit = gate.clone().acquire_owned().await?;
        let (client, ingest, projection) =
            (client.clone(), ingest.to_owned(), projection.to_owned());
        let (latencies, failures) = (latencies.clone(), failures.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            let outcome = async {
                let seq = post_events(&client, &ingest, event.to_bytes()).await?;
                let acked = Instant::now();
                let seq = seq.into_iter().max().unwrap_or(0);
                let topic = event.body["data"]["topics"][0].as_str();
                let url = visibility_url(&projection, &event.organizations, topic, seq);
                let visible = get_until_ok(&client, &url, Duration::from_secs(10)).await?;
                anyhow::Ok(visible.duration_since(acked))
            }
            .await;
            match outcome {
                Ok(d) => latencies.lock().await.record(d),
                Err(e) => {
                    let mut f = failures.lock().await;
                    f.0 += 1;
                    f.1.get_or_insert(e.to_string());
                }
            }
        }));
    }
    let sent = started.elapsed().as_secs_f64().max(1e-3);
    for task in tasks {
        let _ = task.await;
    }
    let latencies = latencies.lock().await.clone();
    let (errors, first_error) = failures.lock().await.clone();
    if latencies.is_empty() {
        bail!(
            "no event became visible ({errors} errors; first: {})",
            first_error.unwrap_or_default()
        );
    }
    Ok(LoadResult {
        latencies,
        achieved_per_s: n as f64 / sent,
        errors,
        first_error,
    })
}

/// Waits until the projection and the notifier have applied the log up to `sequence`, so that a
/// latency window does not start while a service still drains an earlier section's backlog:
/// that measures the backlog, not the pipeline, and a notifier catching up takes the CPU the
/// projection needs (the full run's first 201 → visible windows had a p50 of 240 ms at
/// 500 events/s for that reason).
pub async fn settle(
    client: &reqwest::Client,
    projection: &str,
    notifier: Option<&str>,
    sequence: u64,
) -> Result<()> {
    let url = visibility_url(projection, &[], None, sequence);
    get_until_ok(client, &url, Duration::from_secs(300)).await?;
    let Some(notifier) = notifier else {
        return Ok(());
    };
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if notifier_applied(client, notifier)
            .await
            .is_some_and(|a| a >= sequence)
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the notifier did not apply sequence {sequence} within 600 s");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The sequence the notifier has applied, from its `/readyz` (`"applied N, lag L"`).
async fn notifier_applied(client: &reqwest::Client, notifier: &str) -> Option<u64> {
    let body: serde_json::Value = client
        .get(format!("{notifier}/readyz"))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let detail = body["checks"]["log"]["detail"].as_str()?;
    let after = detail.split("applied ").nth(1)?;
    after
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// Sends `events` in batches of 100, 8 requests in flight, then waits until the last is visible:
/// events / (first POST → last visible).
pub async fn max_rate(
    client: &reqwest::Client,
    ingest: &str,
    projection: &str,
    events: &[GenEvent],
) -> Result<(f64, super::ingest::Throughput)> {
    let started = Instant::now();
    let t = super::ingest::throughput(client, ingest, events, 100, 8).await?;
    let url = visibility_url(projection, &[], None, t.last_sequence);
    let visible = get_until_ok(client, &url, Duration::from_secs(120)).await?;
    let acked = events.len() as f64 - t.errors as f64 * 100.0;
    Ok((
        acked.max(0.0) / visible.duration_since(started).as_secs_f64(),
        t,
    ))
}
