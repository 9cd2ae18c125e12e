//! Shared set-up of the notifier tests: a real nats-server with the event log, the notifier
//! (in-process on port 0, or the real binary), events appended straight to the log (the
//! testkit's log helpers and event builders), and a real HTTP webhook receiver that verifies
//! every Standard Webhooks signature and can be told to fail.

#![allow(dead_code)]

pub mod counting;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_nats::jetstream;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use liaison_log::{Appender, Follower};
use liaison_notifier::config::{DeliveryArgs, SecretsArgs};
use liaison_notifier::delivery::signature::{secret_key, verify};
use liaison_notifier::store::Store;
use liaison_notifier::{Application, Config};
use liaison_proto::Alert;
use liaison_runtime::config::CommonArgs;
use liaison_runtime::shutdown::Shutdown;
use liaison_testkit::log::{EventLog, append_registered};
use liaison_testkit::{NatsServer, ServerOptions};
use serde_json::{Value, json};
use uuid::Uuid;

#[allow(unused_imports)] // not every test file uses it
pub use liaison_testkit::events::relation;

/// The secret every test rule uses (Standard Webhooks form).
pub const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// The secrets keys every test notifier seals with, unless a test gives others: one
/// `key_id:base64-key` (32 bytes) a line, the newest first.
pub const TEST_KEYS: &str = "2025-06:S2V5LW9mLVRlc3RzLUxHLXNlYWxzLXRoZS1zZWNyZXQ=";

/// The settings that give a notifier `keys` (in the key file's format).
pub fn keys(keys: &str) -> SecretsArgs {
    SecretsArgs {
        key_file: None,
        keys: Some(keys.to_owned()),
    }
}

/// A nats-server with the event log, and an appender.
pub struct Log {
    pub server: NatsServer,
    pub js: jetstream::Context,
    pub appender: Appender,
}

impl Log {
    pub async fn start(options: ServerOptions) -> Self {
        let EventLog {
            server,
            js,
            appender,
            ..
        } = EventLog::start(options).await;
        Self {
            server,
            js,
            appender,
        }
    }

    /// Appends `event` (`{"type", "time", "data"}`, optional `id`); its id and sequence.
    pub async fn append(&self, event: Value) -> (Uuid, u64) {
        append_registered(&self.appender, event).await
    }
}

/// Small, fast delivery settings for tests; webhooks may reach the receivers on 127.0.0.1
/// (`LIAISON_WEBHOOK_ALLOW_PRIVATE=1`).
pub fn fast_delivery(attempts: u32) -> DeliveryArgs {
    DeliveryArgs {
        webhook_attempts: attempts,
        webhook_timeout_ms: 2_000,
        backoff_base_ms: 50,
        backoff_max_ms: 200,
        webhook_allow_private: true,
    }
}

/// A notifier running in this process.
pub struct Notifier {
    pub base: String,
    pub follower: Follower,
    /// Its database (to look at what it stores).
    pub store: Store,
    pub shutdown: Shutdown,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Notifier {
    pub async fn start(log: &Log, delivery: DeliveryArgs) -> Self {
        Self::start_with(log, delivery, |_| {}).await
    }

    /// A notifier whose shared settings `adjust` changes (tokens, …).
    pub async fn start_with(
        log: &Log,
        delivery: DeliveryArgs,
        adjust: impl FnOnce(&mut CommonArgs),
    ) -> Self {
        Self::start_full(log, delivery, keys(TEST_KEYS), adjust).await
    }

    /// A notifier with these secrets keys.
    pub async fn start_keyed(log: &Log, delivery: DeliveryArgs, secrets: SecretsArgs) -> Self {
        Self::start_full(log, delivery, secrets, |_| {}).await
    }

    /// A notifier with these secrets keys and shared settings.
    pub async fn start_full(
        log: &Log,
        delivery: DeliveryArgs,
        secrets: SecretsArgs,
        adjust: impl FnOnce(&mut CommonArgs),
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut common = CommonArgs {
            nats_urls: vec![log.server.url()],
            data_dir: Some(dir.path().to_owned()),
            http_addr: Some("127.0.0.1:0".parse().unwrap()),
            sled_cache_mib: Some(16),
            ..CommonArgs::default()
        };
        adjust(&mut common);
        let shutdown = Shutdown::new();
        let config = Config {
            common,
            delivery,
            secrets,
        };
        let app = Application::build(config, shutdown.clone())
            .await
            .expect("notifier builds");
        let base = format!("http://{}", app.address());
        let follower = app.handle().follower.clone();
        let store = app.handle().store.clone();
        tokio::spawn(app.run_until_stopped());
        let http = reqwest::Client::new();
        let ready = eventually(Duration::from_secs(10), || async {
            http.get(format!("{base}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        })
        .await;
        assert!(ready, "the notifier is ready");
        Self {
            base,
            follower,
            store,
            shutdown,
            http,
            _dir: dir,
        }
    }

    pub async fn wait_applied(&self, sequence: u64) {
        assert!(
            self.follower
                .wait_applied(sequence, Duration::from_secs(10))
                .await,
            "sequence {sequence} applied in time"
        );
    }
}

/// `GET {base}{path}` as JSON, with the status.
pub async fn get(http: &reqwest::Client, base: &str, path: &str) -> (u16, Value) {
    let r = http.get(format!("{base}{path}")).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// `POST {base}{path}` with a JSON body, with the status.
pub async fn post(http: &reqwest::Client, base: &str, path: &str, body: &Value) -> (u16, Value) {
    let r = http
        .post(format!("{base}{path}"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Every alert of `GET /v1/alerts{query}`, following the pages.
pub async fn all_alerts(http: &reqwest::Client, base: &str, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let sep = if query.is_empty() { "?" } else { "&" };
        let path = match &cursor {
            Some(c) => format!("/v1/alerts{query}{sep}limit=50&cursor={c}"),
            None => format!("/v1/alerts{query}{sep}limit=50"),
        };
        let (status, body) = get(http, base, &path).await;
        assert_eq!(status, 200, "{body}");
        out.extend(body["alerts"].as_array().unwrap().iter().cloned());
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

/// Polls `check` until it is true or `timeout` runs out.
pub async fn eventually<F, Fut>(timeout: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What a receiver saw.
#[derive(Default)]
pub struct Seen {
    /// Every accepted delivery: webhook-id, the alert, when it arrived.
    pub accepted: Vec<(String, Alert, Instant)>,
    /// Calls answered with a failure on purpose.
    pub refused: u32,
    /// Calls whose signature did not verify.
    pub bad_signatures: u32,
}

/// A webhook receiver on a free port.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub fail_next: Arc<AtomicU32>,
    pub seen: Arc<Mutex<Seen>>,
}

#[derive(Clone)]
struct ReceiverState {
    key: Arc<Vec<u8>>,
    fail_next: Arc<AtomicU32>,
    seen: Arc<Mutex<Seen>>,
}

impl Receiver {
    /// A receiver that fails its first `fail` calls with `500`, then accepts.
    pub async fn start(fail: u32) -> Self {
        Self::start_with_secret(fail, SECRET).await
    }

    /// A receiver that verifies signatures with `secret` (the same as the rule's, in clear).
    pub async fn start_with_secret(fail: u32, secret: &str) -> Self {
        let state = ReceiverState {
            key: Arc::new(secret_key(secret).unwrap()),
            fail_next: Arc::new(AtomicU32::new(fail)),
            seen: Arc::default(),
        };
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url: format!("http://{addr}/hook"),
            fail_next: state.fail_next,
            seen: state.seen,
        }
    }

    /// Distinct alert ids accepted, with how many times each.
    pub fn accepted_counts(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for (id, _, _) in &self.seen.lock().unwrap().accepted {
            *counts.entry(id.clone()).or_default() += 1;
        }
        counts
    }

    pub fn bad_signatures(&self) -> u32 {
        self.seen.lock().unwrap().bad_signatures
    }
}

async fn receive(
    State(state): State<ReceiverState>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let id = header("webhook-id");
    let timestamp: i64 = header("webhook-timestamp").parse().unwrap_or(0);
    let signature = header("webhook-signature");
    let mut seen = state.seen.lock().unwrap();
    if !verify(&state.key, &id, timestamp, &body, &signature)
        || (chrono::Utc::now().timestamp() - timestamp).abs() > 300
    {
        seen.bad_signatures += 1;
        return StatusCode::UNAUTHORIZED;
    }
    if state
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        seen.refused += 1;
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let alert: Alert = serde_json::from_slice(&body).expect("an alert");
    assert_eq!(alert.id.to_string(), id, "webhook-id is the alert id");
    seen.accepted.push((id, alert, Instant::now()));
    StatusCode::NO_CONTENT
}

/// A webhook rule on `status` delivering to `receiver`.
pub fn webhook_rule(id: &str, receiver: &Receiver, status: &[&str]) -> Value {
    json!({
        "id": id,
        "match": {"status": status},
        "deliver": {"webhook": {"url": receiver.url, "secret": SECRET}}
    })
}

impl Log {
    /// A handle on an already started log (for a task that appends while the test goes on).
    pub fn from_parts(js: jetstream::Context, appender: Appender) -> LogHandle {
        LogHandle { js, appender }
    }
}

/// Appends without owning the server.
pub struct LogHandle {
    pub js: jetstream::Context,
    pub appender: Appender,
}

impl LogHandle {
    /// Like [`Log::append`].
    pub async fn append(&self, event: Value) -> (Uuid, u64) {
        append_registered(&self.appender, event).await
    }
}
