//! Shared set-up of the projection tests: a real nats-server with the event log, events appended
//! directly with the log crate's `Appender`, and the projection on port 0 with a temporary
//! data directory.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use async_nats::jetstream;
use liaison_log::{Appender, LogSettings, OutgoingEvent, ensure_events_stream};
use liaison_projection::store::Store;
use liaison_projection::{Application, Config};
use liaison_proto::{ClientEvent, Envelope};
use liaison_runtime::config::CommonArgs;
use liaison_runtime::shutdown::Shutdown;
use liaison_testkit::{NatsServer, ServerOptions};
use serde_json::{Value, json};
use uuid::Uuid;

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
        let server = NatsServer::start_with(ServerOptions::fast()).await;
        let client = server.client().await;
        let js = jetstream::new(client.clone());
        ensure_events_stream(&js, &LogSettings::default())
            .await
            .expect("ensure stream");
        Self {
            server,
            js,
            appender: Appender::new(client.clone()),
            client,
        }
    }

    /// Appends events (client JSON: `type`, `id`, `time`, `data`) in atomic batches of up to
    /// 1000; returns their sequences.
    pub async fn append(&self, events: &[Value]) -> Vec<u64> {
        let mut out = Vec::new();
        for chunk in events.chunks(1000) {
            let batch = chunk.iter().map(outgoing).collect();
            let appended = self
                .appender
                .append_batch(batch)
                .await
                .expect("append batch");
            out.extend(appended.into_iter().map(|a| a.sequence));
        }
        out
    }

    /// Appends one event; returns its sequence.
    pub async fn append_one(&self, event: Value) -> u64 {
        self.append(&[event]).await[0]
    }
}

/// The log message of a client event.
pub fn outgoing(event: &Value) -> OutgoingEvent {
    let client: ClientEvent = serde_json::from_value(event.clone()).expect("a valid event");
    let recorded = chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let envelope = Envelope::record(client, liaison_proto::envelope::INGEST_SOURCE, recorded);
    OutgoingEvent::new(
        envelope.subject(),
        envelope.id.to_string(),
        serde_json::to_vec(&envelope).unwrap().into(),
    )
}

/// A client event with a fresh id.
pub fn event(event_type: &str, time: &str, data: Value) -> Value {
    json!({"type": event_type, "id": Uuid::now_v7(), "time": time, "data": data})
}

/// `organization.registered` of `id`.
pub fn org(id: &str) -> Value {
    event(
        "organization.registered",
        "2000-01-01",
        json!({"id": id, "name": id.to_uppercase()}),
    )
}

/// The id of a client event.
pub fn id_of(event: &Value) -> String {
    event["id"].as_str().unwrap().to_owned()
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
            sled_cache_mib: 32,
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

/// `n` deterministic events (seeded): 12 organizations registered first, then relationship
/// facts at random business times (so many arrive late), of every factuality, on 4 topics, with
/// 2 or 3 parties, procurements, competitions, and retractions of earlier events. Ids are
/// derived from the seed, so two runs append the same log.
pub fn generate(n: usize, seed: u64) -> Vec<Value> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let orgs: Vec<String> = (0..12).map(|i| format!("o{i}")).collect();
    let topics = ["xr", "ai", "chips", "cloud"];
    let types = [
        "meeting.held",
        "meeting.scheduled",
        "cooperation.discussed",
        "negotiation.reported",
        "agreement.signed",
        "partnership.announced",
        "partnership.ended",
        "competition.noted",
        "procurement.planned",
    ];
    let factualities = [
        "asserted", "asserted", "asserted", "planned", "reported", "negated",
    ];
    let id = |i: usize| Uuid::from_u128(((seed as u128) << 64) | i as u128);
    let mut out: Vec<Value> = Vec::with_capacity(n);
    for (i, o) in orgs.iter().enumerate() {
        out.push(
            json!({"type": "organization.registered", "id": id(i), "time": "2000-01-01",
            "data": {"id": o, "name": o.to_uppercase()}}),
        );
    }
    while out.len() < n {
        let i = out.len();
        let time = format!(
            "2024-{:02}-{:02}",
            rng.random_range(1..=12),
            rng.random_range(1..=28)
        );
        if i > 20 && rng.random_ratio(1, 40) {
            let target = rng.random_range(12..i);
            out.push(json!({"type": "event.retracted", "id": id(i), "time": time,
                "data": {"event_id": out[target]["id"]}}));
            continue;
        }
        let a = rng.random_range(0..orgs.len());
        let mut b = rng.random_range(0..orgs.len() - 1);
        if b >= a {
            b += 1;
        }
        let mut parties = vec![orgs[a].clone(), orgs[b].clone()];
        if rng.random_ratio(1, 8) {
            let c = rng.random_range(0..orgs.len());
            if c != a && c != b {
                parties.push(orgs[c].clone());
            }
        }
        let t = types[rng.random_range(0..types.len())];
        let factuality = factualities[rng.random_range(0..factualities.len())];
        let topic = topics[rng.random_range(0..topics.len())];
        let data = match t {
            "procurement.planned" => json!({"buyer": parties[0], "supplier": parties[1],
                "item": "widgets", "factuality": factuality}),
            "meeting.held" | "meeting.scheduled" if rng.random_ratio(1, 3) => {
                json!({"organizations": parties, "factuality": factuality})
            }
            _ => json!({"organizations": parties, "topics": [topic], "factuality": factuality}),
        };
        out.push(json!({"type": t, "id": id(i), "time": time, "data": data}));
    }
    out
}
