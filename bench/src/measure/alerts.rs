//! Alerts: from ingest's `201` for an event that makes a pair reach a new partnership, to the
//! alert received — by a webhook (a local receiver the bench runs) and on the NATS subject of the
//! built-in `new-partnership` rule.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use axum::extract::State;
use axum::routing::post;
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::Mutex;
use uuid::Uuid;

use super::{Latencies, post_events, truncate};

type Seen = Arc<Mutex<HashMap<String, Instant>>>;

/// Webhook and NATS alert latencies.
#[derive(Debug, Clone)]
pub struct AlertResult {
    /// `201` → webhook received.
    pub webhook: Latencies,
    /// `201` → NATS alert received.
    pub nats: Latencies,
    /// Alerts expected (one per event sent).
    pub expected: usize,
}

/// Registers a webhook rule on the notifier, sends `count` `partnership.announced` events (each
/// a fresh pair-topic, so each fires once) at 20 per second, and waits up to 10 s for the alerts.
pub async fn run(
    client: &reqwest::Client,
    ingest: &str,
    notifier: &str,
    nats_url: &str,
    count: usize,
    seed: u64,
) -> Result<AlertResult> {
    let webhook_seen: Seen = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hook_addr = listener.local_addr()?;
    let app = axum::Router::new()
        .route("/hook", post(receive))
        .with_state(webhook_seen.clone());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let nats_seen: Seen = Arc::default();
    let nats = async_nats::connect(nats_url).await?;
    let mut subscription = nats
        .subscribe(liaison_proto::subjects::alert_subject("new-partnership"))
        .await?;
    let nats_task = {
        let seen = nats_seen.clone();
        tokio::spawn(async move {
            while let Some(message) = subscription.next().await {
                if let Ok(v) = serde_json::from_slice::<Value>(&message.payload)
                    && let Some(id) = v["data"]["event_id"].as_str()
                {
                    seen.lock()
                        .await
                        .entry(id.to_owned())
                        .or_insert_with(Instant::now);
                }
            }
        })
    };

    let rule = json!({"id": format!("bench-{seed}"), "name": "bench webhook",
        "match": {"status": ["agreed", "active"]},
        "deliver": {"webhook": {"url": format!("http://{hook_addr}/hook"),
            "secret": "whsec_YmVuY2gtc2VjcmV0LWJlbmNoLXNlY3JldA=="}}});
    let response = client
        .post(format!("{notifier}/v1/rules"))
        .json(&rule)
        .send()
        .await?;
    let status = response.status();
    if !status.is_success() {
        bail!(
            "POST /v1/rules answered {status}: {}",
            truncate(&response.text().await?)
        );
    }
    // Let the notifier apply the rule event before the first partnership.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut sent: HashMap<String, Instant> = HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    for i in 0..count {
        tick.tick().await;
        let id = Uuid::now_v7();
        let event = json!({"type": "partnership.announced", "id": id, "time": "2030-01-01",
            "data": {"organizations": ["org-0", format!("org-{}", 1 + i % 50)],
                "topics": [format!("alert-{seed}-{i}")]}});
        post_events(client, ingest, serde_json::to_vec(&event)?)
            .await
            .context("posting a partnership")?;
        sent.insert(id.to_string(), Instant::now());
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let done =
            webhook_seen.lock().await.len() >= count && nats_seen.lock().await.len() >= count;
        if done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.abort();
    nats_task.abort();
    let latencies = |seen: &HashMap<String, Instant>| {
        let mut l = Latencies::default();
        for (id, at) in seen {
            if let Some(acked) = sent.get(id) {
                l.record(at.saturating_duration_since(*acked));
            }
        }
        l
    };
    let webhook = latencies(&*webhook_seen.lock().await);
    let nats = latencies(&*nats_seen.lock().await);
    Ok(AlertResult {
        webhook,
        nats,
        expected: count,
    })
}

async fn receive(State(seen): State<Seen>, body: axum::body::Bytes) -> &'static str {
    if let Ok(v) = serde_json::from_slice::<Value>(&body) {
        let id = v["event_id"]
            .as_str()
            .or_else(|| v["data"]["event_id"].as_str());
        if let Some(id) = id {
            seen.lock()
                .await
                .entry(id.to_owned())
                .or_insert_with(Instant::now);
        }
    }
    "ok"
}
