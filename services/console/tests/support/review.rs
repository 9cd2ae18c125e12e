//! The stack of the review queue's tests: everything the queue talks to — ingest, the
//! projection, the notifier and the reader, in-process on a real nats-server — and the console in
//! front of them. Without tokens unless asked: the review checks are about the queue, the
//! services' own tests check their tokens.

use std::time::{Duration, Instant};

use liaison_testkit::{NatsServer, ServerOptions};
use serde_json::Value;
use tempfile::TempDir;

use super::{Running, common, console, wait_ready};

/// nats-server, ingest, the projection, the notifier, the reader and the console.
pub struct ReviewStack {
    /// The nats-server.
    pub nats: NatsServer,
    /// liaison-ingest.
    pub ingest: Running,
    /// liaison-projection.
    pub projection: Running,
    /// liaison-notifier.
    pub notifier: Running,
    /// liaison-reader.
    pub reader: Running,
    /// liaison-console, forwarding to the four.
    pub console: Running,
    /// A plain HTTP client.
    pub http: reqwest::Client,
    _dir: TempDir,
}

impl ReviewStack {
    /// Starts everything (writes guarded by `token` when given) and waits until each is ready.
    pub async fn start(token: Option<&str>) -> ReviewStack {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let nats = NatsServer::start_with(ServerOptions::fast()).await;
        let url = nats.url();
        let at = |name: &str| common(&url, dir.path().join(name), token);
        let ingest = Running::start::<liaison_ingest::IngestService>(liaison_ingest::Config {
            common: at("ingest"),
            ..liaison_ingest::Config::default()
        })
        .await;
        let projection =
            Running::start::<liaison_projection::ProjectionService>(liaison_projection::Config {
                common: at("projection"),
                ..liaison_projection::Config::default()
            })
            .await;
        let notifier =
            Running::start::<liaison_notifier::NotifierService>(liaison_notifier::Config {
                common: at("notifier"),
                ..liaison_notifier::Config::default()
            })
            .await;
        // Pages of articles posted by their address are served on 127.0.0.1 by the tests.
        let reader = Running::start::<liaison_reader::ReaderService>(liaison_reader::Config {
            feed_allow_private: true,
            ..liaison_reader::Config::new(at("reader"))
        })
        .await;
        let urls = [&ingest, &projection, &notifier, &reader].map(|r| r.url.clone());
        let console = console(&url, dir.path(), |c| {
            let [i, p, n, r] = urls;
            c.ingest_url = i;
            c.projection_url = p;
            c.notifier_url = n;
            c.reader_url = r;
        })
        .await;
        let http = reqwest::Client::new();
        for service in [&ingest, &projection, &notifier, &reader, &console] {
            wait_ready(&http, &service.url).await;
        }
        ReviewStack {
            nats,
            ingest,
            projection,
            notifier,
            reader,
            console,
            http,
            _dir: dir,
        }
    }

    /// `method` `url` with a JSON `body` (and `token`); the status and the JSON answer.
    pub async fn call(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&Value>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("the service answers");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Appends `events` through ingest; the last sequence.
    pub async fn append(&self, events: &Value, token: Option<&str>) -> u64 {
        let url = format!("{}/v1/events", self.ingest.url);
        let (status, body) = self
            .call(reqwest::Method::POST, &url, Some(events), token)
            .await;
        assert!(
            (200..300).contains(&status),
            "appending failed: {status} {body}"
        );
        body["events"]
            .as_array()
            .and_then(|e| e.last())
            .and_then(|e| e["sequence"].as_u64())
            .expect("sequences in the answer")
    }

    /// Waits until the projection has applied the log up to `sequence`.
    pub async fn wait_applied(&self, sequence: u64) {
        let url = format!(
            "{}/v1/relationships?limit=1&min_sequence={sequence}",
            self.projection.url
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self
            .http
            .get(&url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            assert!(
                Instant::now() < deadline,
                "the projection did not apply {sequence}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops the services, then nats-server.
    pub async fn stop(self) {
        self.console.stop().await;
        self.reader.stop().await;
        self.notifier.stop().await;
        self.projection.stop().await;
        self.ingest.stop().await;
    }
}

/// The registrations of scenario `name` (its `organization.registered` and
/// `person.registered` events).
pub fn registrations(name: &str) -> Value {
    let events = super::scenario(name);
    Value::Array(
        events
            .as_array()
            .expect("a scenario is an array")
            .iter()
            .filter(|e| {
                e["type"]
                    .as_str()
                    .is_some_and(|t| t.ends_with(".registered"))
            })
            .cloned()
            .collect(),
    )
}
