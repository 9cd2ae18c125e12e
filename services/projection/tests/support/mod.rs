//! Shared set-up of the projection tests: a real nats-server with the event log, events appended
//! directly as ingest would append them (the testkit's log helpers and event builders), and the
//! projection on port 0 with a temporary data directory.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use async_nats::jetstream;
use liaison_log::Appender;
use liaison_projection::store::Store;
use liaison_projection::{Application, Config};
use liaison_runtime::config::CommonArgs;
use liaison_runtime::shutdown::Shutdown;
use liaison_testkit::log::{EventLog, append_all};
use liaison_testkit::workload::{Generator, WorkloadConfig};
use liaison_testkit::{NatsServer, ServerOptions, events};
use serde_json::Value;

#[allow(unused_imports)] // not every test file uses it
pub use liaison_testkit::events::id_of;

/// A nats-server with the event stream.
pub struct Log {
    /// The server.
    pub server: NatsServer,
    /// JetStream on it.
    pub js: jetstream::Context,
    /// Appends to the log.
    pub appender: Appender,
    /// A plain client.
    pub client: async_nats::Client,
}

impl Log {
    /// A fast server (periodic fsync: the server is never killed in these tests).
    pub async fn start() -> Self {
        let EventLog {
            server,
            client,
            js,
            appender,
        } = EventLog::start(ServerOptions::fast()).await;
        Self {
            server,
            js,
            appender,
            client,
        }
    }

    /// Appends events (client JSON: `type`, `id`, `time`, `data`) in atomic batches of up to
    /// 1000; returns their sequences.
    pub async fn append(&self, events: &[Value]) -> Vec<u64> {
        append_all(&self.appender, events).await
    }

    /// Appends one event; returns its sequence.
    pub async fn append_one(&self, event: Value) -> u64 {
        self.append(&[event]).await[0]
    }
}

/// A client event with a fresh id.
pub fn event(event_type: &str, time: &str, data: Value) -> Value {
    events::with_new_id(events::event(event_type, time, data))
}

/// `organization.registered` of `id` (named `ID`), with a fresh id.
pub fn org(id: &str) -> Value {
    events::with_new_id(events::organization(id))
}

/// A running projection.
pub struct Projection {
    /// Its HTTP address.
    pub addr: SocketAddr,
    /// Stops it.
    pub shutdown: Shutdown,
    /// Its task.
    pub task: tokio::task::JoinHandle<()>,
    /// Its data directory.
    pub data_dir: PathBuf,
    /// The app's query side (to dump the live store).
    pub queries: std::sync::Arc<liaison_projection::queries::Queries>,
    /// The follower.
    pub follower: liaison_log::Follower,
    /// The rebuilder.
    pub rebuilder: std::sync::Arc<liaison_projection::rebuild::Rebuilder>,
}

impl Projection {
    /// Starts the projection on `nats_url`, storing in `data_dir`.
    pub async fn start(nats_url: &str, data_dir: PathBuf, tune: impl FnOnce(&mut Config)) -> Self {
        let common = CommonArgs {
            nats_urls: vec![nats_url.to_owned()],
            data_dir: Some(data_dir.clone()),
            http_addr: Some("127.0.0.1:0".parse().unwrap()),
            sled_cache_mib: Some(32),
            ..CommonArgs::default()
        };
        let mut config = Config {
            common,
            min_sequence_wait_ms: 10_000,
            ..Config::default()
        };
        tune(&mut config);
        let shutdown = Shutdown::new();
        let app = Application::build(config, shutdown.clone())
            .await
            .expect("build");
        let addr = app.address();
        let handle = app.handle().clone();
        let (queries, follower, rebuilder) = (handle.queries, handle.follower, handle.rebuilder);
        let task = tokio::spawn(async move {
            app.run_until_stopped().await.expect("run");
        });
        Self {
            addr,
            shutdown,
            task,
            data_dir,
            queries,
            follower,
            rebuilder,
        }
    }

    /// The live database.
    pub fn store(&self) -> std::sync::Arc<Store> {
        self.queries.store()
    }

    /// Waits until `sequence` is applied.
    pub async fn wait_applied(&self, sequence: u64) {
        assert!(
            self.follower
                .wait_applied(sequence, Duration::from_secs(60))
                .await,
            "sequence {sequence} applied in time (applied {})",
            self.follower.applied()
        );
    }

    /// Stops it and waits.
    pub async fn stop(self) {
        self.shutdown.trigger();
        let _ = self.task.await;
    }

    /// GET `path`: status and JSON body.
    pub async fn get(&self, path: &str) -> (u16, Value, reqwest::header::HeaderMap) {
        let r = reqwest::get(format!("http://{}{path}", self.addr))
            .await
            .expect("GET");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body, headers)
    }
}

/// `n` deterministic events of the testkit's dense workload (seeded, ids included): 12
/// organizations registered first, then relationship facts over 2024 of every type and
/// factuality, on 4 topics, a third of them late, some with 3 parties, meetings without topics,
/// and retractions of earlier facts. Two runs with one seed append the same log.
pub fn generate(n: usize, seed: u64) -> Vec<Value> {
    Generator::new(WorkloadConfig::dense(seed))
        .take(n)
        .into_iter()
        .map(|e| e.body)
        .collect()
}
