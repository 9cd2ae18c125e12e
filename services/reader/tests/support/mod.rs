//! Shared set-up of the reader tests: a real nats-server with the event log, the real ingest
//! and reader in-process on port 0 with real sled databases, and HTTP helpers.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use liaison_ingest::IngestService;
use liaison_proto::reader::{
    Article, ArticlesEntry, ProposedCandidate, Rationale, article_id_of_url, candidate_id,
};
use liaison_proto::subjects::ARTICLES_STREAM;
use liaison_reader::{Config, ReaderHandle, ReaderService};
use liaison_runtime::config::CommonArgs;
use liaison_runtime::service::App;
use liaison_runtime::shutdown::Shutdown;
use liaison_testkit::ServerOptions;
use liaison_testkit::log::EventLog;
use serde_json::{Value, json};
use uuid::Uuid;

/// The German article the extractor is expected to read.
pub const GERMAN: &str = "Siemens und SAP haben am Dienstag eine Partnerschaft für KI \
    angekündigt, teilten die Unternehmen mit.";
/// The English article the extractor is expected to read.
pub const ENGLISH: &str = "Microsoft and OpenAI signed an agreement on AI on Monday, the \
    companies said.";

/// A service running in-process.
pub struct Running<H> {
    pub url: String,
    pub handle: H,
    shutdown: Shutdown,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl<H> Running<H> {
    /// Stops it and waits until it released its database.
    pub async fn stop(mut self) {
        self.shutdown.trigger();
        if let Some(task) = self.task.take() {
            task.await.expect("service task");
        }
    }
}

impl<H> Drop for Running<H> {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

fn common(nats_url: &str, data_dir: &Path) -> CommonArgs {
    CommonArgs {
        nats_urls: vec![nats_url.to_owned()],
        data_dir: Some(data_dir.to_owned()),
        http_addr: Some("127.0.0.1:0".parse().unwrap()),
        sled_cache_mib: Some(16),
        ..CommonArgs::default()
    }
}

/// The test settings of a reader: feeds on 127.0.0.1 allowed, intervals from 1 s.
pub fn reader_config(nats_url: &str, data_dir: &Path) -> Config {
    let mut config = Config::new(common(nats_url, data_dir));
    config.feed_allow_private = true;
    config.feed_min_interval_seconds = 1;
    config
}

/// Starts a reader with `config` and waits until it is ready.
pub async fn start_reader(config: Config) -> Running<ReaderHandle> {
    if std::env::var_os("RUST_LOG").is_some() {
        liaison_runtime::telemetry::init_tracing("reader-test", Default::default());
    }
    let app = App::<ReaderService>::build(config, Shutdown::new())
        .await
        .expect("the reader builds");
    let url = format!("http://{}", app.address());
    let handle = app.handle().clone();
    let shutdown = app.shutdown_handle();
    let task = tokio::spawn(async move { app.run_until_stopped().await.expect("reader runs") });
    let running = Running {
        url,
        handle,
        shutdown,
        task: Some(task),
    };
    wait_ready(&running.url).await;
    running
}

/// Starts ingest and waits until it is ready.
pub async fn start_ingest(nats_url: &str, data_dir: &Path) -> Running<()> {
    let config = liaison_ingest::Config {
        common: common(nats_url, data_dir),
        ..liaison_ingest::Config::default()
    };
    let app = App::<IngestService>::build(config, Shutdown::new())
        .await
        .expect("ingest builds");
    let url = format!("http://{}", app.address());
    let shutdown = app.shutdown_handle();
    let task = tokio::spawn(async move { app.run_until_stopped().await.expect("ingest runs") });
    let running = Running {
        url,
        handle: (),
        shutdown,
        task: Some(task),
    };
    wait_ready(&running.url).await;
    running
}

/// Waits until `url/readyz` answers 200.
pub async fn wait_ready(url: &str) {
    let client = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let answer = client.get(format!("{url}/readyz")).send().await;
        if let Ok(r) = answer {
            let status = r.status();
            let body = r.text().await.unwrap_or_default();
            if status == 200 {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{url} not ready in time: {body}"
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A nats-server with the log, ingest and a reader, on one temporary directory.
pub struct Stack {
    pub log: EventLog,
    pub ingest: Running<()>,
    pub reader: Running<ReaderHandle>,
    pub dir: tempfile::TempDir,
}

impl Stack {
    /// Starts everything; `tweak` adjusts the reader's settings.
    pub async fn start(tweak: impl FnOnce(&mut Config)) -> Stack {
        let log = EventLog::start(ServerOptions::fast()).await;
        let dir = tempfile::tempdir().unwrap();
        let ingest = start_ingest(&log.server.url(), &dir.path().join("ingest")).await;
        let mut config = reader_config(&log.server.url(), &dir.path().join("reader"));
        tweak(&mut config);
        let reader = start_reader(config).await;
        Stack {
            log,
            ingest,
            reader,
            dir,
        }
    }

    /// The reader's data directory.
    pub fn reader_dir(&self) -> PathBuf {
        self.dir.path().join("reader")
    }

    /// A reader configuration on this stack's NATS with data in `data_dir`.
    pub fn reader_config(&self, data_dir: &Path) -> Config {
        reader_config(&self.log.server.url(), data_dir)
    }

    /// Registers organizations `ids` through ingest.
    pub async fn register(&self, ids: &[(&str, &str)]) {
        let events: Vec<Value> = ids
            .iter()
            .map(|(id, name)| {
                json!({"type": "organization.registered", "time": "2020-01-01",
                       "data": {"id": id, "name": name}})
            })
            .collect();
        let (status, body) = post(&self.ingest.url, "/v1/events", &json!(events)).await;
        assert!(status == 201 || status == 200, "{status} {body}");
        // The reader's registry follows the log.
        let last = liaison_log::last_sequence(&self.log.js).await.unwrap();
        assert!(
            self.reader
                .handle
                .log
                .wait_applied(last, Duration::from_secs(10))
                .await
        );
    }

    /// Every event of the log with id `id`.
    pub async fn events_with_id(&self, id: Uuid) -> usize {
        liaison_testkit::log::read_log(&self.log.js)
            .await
            .into_iter()
            .filter(|(_, e)| e.id == id)
            .count()
    }

    /// How many entries the articles stream holds.
    pub async fn articles_entries(&self) -> u64 {
        let mut stream = self.log.js.get_stream(ARTICLES_STREAM).await.unwrap();
        stream.info().await.unwrap().state.messages
    }
}

/// `POST url+path` with a JSON body: the status and the JSON answer (or the text as a string).
pub async fn post(url: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{url}{path}"))
        .json(body)
        .send()
        .await
        .expect("request sent");
    answer(response).await
}

/// `POST url+path` with raw bytes as JSON.
pub async fn post_raw(url: &str, path: &str, body: Vec<u8>) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{url}{path}"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request sent");
    answer(response).await
}

/// `POST url+path` without a body.
pub async fn post_empty(url: &str, path: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{url}{path}"))
        .send()
        .await
        .expect("request sent");
    answer(response).await
}

/// `GET url+path`.
pub async fn get(url: &str, path: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{url}{path}"))
        .send()
        .await
        .expect("request sent");
    answer(response).await
}

async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

/// An article entry as a reader writes it, with one candidate per event of `events` (keys
/// `k0`, `k1`, … in order): the review queue's input without the extractor.
pub fn article_entry(url: &str, events: &[Value]) -> ArticlesEntry {
    let id = article_id_of_url(url);
    let candidates = events
        .iter()
        .enumerate()
        .map(|(i, event)| {
            let key = format!("k{i}");
            let cid = candidate_id(id, &key);
            let mut event = event.clone();
            event["id"] = json!(cid);
            ProposedCandidate {
                id: cid,
                key,
                confidence: 0.9,
                event,
                rationale: Rationale {
                    rule: "test".into(),
                    trigger: "signed".into(),
                    mentions: vec![],
                    cues: vec![],
                },
            }
        })
        .collect();
    ArticlesEntry::ArticleRead {
        article: Article {
            id,
            url: Some(url.to_owned()),
            title: None,
            publisher: None,
            published_at: liaison_proto::BusinessTime::parse("2024-03-05").unwrap(),
            language: liaison_proto::reader::Language::En,
            text: ENGLISH.to_owned(),
            read_at: chrono::Utc::now(),
            feed: None,
        },
        candidates,
    }
}

/// Publishes `entry` into the articles stream as the reader would, and waits until the
/// reader's review queue applied it.
pub async fn publish_entry(stack: &Stack, entry: &ArticlesEntry) -> u64 {
    let outgoing = liaison_log::OutgoingEvent::new(
        entry.subject(),
        entry.message_id(),
        serde_json::to_vec(entry).unwrap().into(),
    );
    let sequence = stack.log.appender.append(outgoing).await.unwrap().sequence;
    assert!(
        stack
            .reader
            .handle
            .articles
            .wait_applied(sequence, Duration::from_secs(10))
            .await
    );
    sequence
}
