//! The whole stack behind the console: nats-server, ingest, the projection and the notifier,
//! each requiring [`super::TOKEN`] for writes (and the notifier for its rules and alerts), and the
//! console forwarding to the three — for the checks that need alerts beside the graph.

use std::time::Duration;

use liaison_testkit::{NatsServer, ServerOptions};
use serde_json::Value;
use tempfile::TempDir;

use super::{Running, TOKEN, common, console, wait_ready};

/// nats-server, ingest, the projection, the notifier and the console.
pub struct FullStack {
    /// The nats-server.
    pub nats: NatsServer,
    /// liaison-ingest.
    pub ingest: Running,
    /// liaison-projection.
    pub projection: Running,
    /// liaison-notifier.
    pub notifier: Running,
    /// liaison-console, forwarding to the three.
    pub console: Running,
    /// A plain HTTP client.
    pub http: reqwest::Client,
    _dir: TempDir,
}

impl FullStack {
    /// Starts everything and waits until each service is ready.
    pub async fn start() -> FullStack {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let nats = NatsServer::start_with(ServerOptions::fast()).await;
        let url = nats.url();
        let ingest = Running::start::<liaison_ingest::IngestService>(liaison_ingest::Config {
            common: common(&url, dir.path().join("ingest"), Some(TOKEN)),
            ..liaison_ingest::Config::default()
        })
        .await;
        let projection =
            Running::start::<liaison_projection::ProjectionService>(liaison_projection::Config {
                common: common(&url, dir.path().join("projection"), Some(TOKEN)),
                ..liaison_projection::Config::default()
            })
            .await;
        let notifier =
            Running::start::<liaison_notifier::NotifierService>(liaison_notifier::Config {
                common: common(&url, dir.path().join("notifier"), Some(TOKEN)),
                ..liaison_notifier::Config::default()
            })
            .await;
        let urls = (
            ingest.url.clone(),
            projection.url.clone(),
            notifier.url.clone(),
        );
        let console = console(&url, dir.path(), |c| {
            (c.ingest_url, c.projection_url, c.notifier_url) = urls;
        })
        .await;
        let http = reqwest::Client::new();
        for service in [&ingest, &projection, &notifier, &console] {
            wait_ready(&http, &service.url).await;
        }
        FullStack {
            nats,
            ingest,
            projection,
            notifier,
            console,
            http,
            _dir: dir,
        }
    }

    /// Appends `events` through ingest (with the token); the last sequence.
    pub async fn append(&self, events: &Value) -> u64 {
        let response = self
            .http
            .post(format!("{}/v1/events", self.ingest.url))
            .bearer_auth(TOKEN)
            .json(events)
            .send()
            .await
            .expect("ingest answers");
        let status = response.status();
        let body: Value = response.json().await.expect("a JSON answer");
        assert!(status.is_success(), "appending failed: {status} {body}");
        body["events"]
            .as_array()
            .and_then(|e| e.last())
            .and_then(|e| e["sequence"].as_u64())
            .expect("sequences in the answer")
    }

    /// `GET <service url><path>` with the token; the JSON answer (a success, or it panics).
    pub async fn get(&self, service: &Running, path: &str) -> Value {
        let response = self
            .http
            .get(format!("{}{path}", service.url))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("the service answers");
        let status = response.status();
        let body: Value = response.json().await.expect("a JSON answer");
        assert!(status.is_success(), "GET {path}: {status} {body}");
        body
    }

    /// Waits until every service that follows the log has applied it up to `sequence`, as their
    /// `GET /v1/admin/status` says.
    pub async fn wait_applied(&self, sequence: u64) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        for service in [&self.projection, &self.notifier] {
            loop {
                let status = self.get(service, "/v1/admin/status").await;
                let checkpoint = status["streams"][0]["checkpoint"].as_u64().unwrap_or(0);
                if checkpoint >= sequence {
                    break;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "{} did not apply {sequence}: {status}",
                    service.url
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }

    /// Stops the services, then nats-server.
    pub async fn stop(self) {
        self.console.stop().await;
        for service in [self.notifier, self.projection, self.ingest] {
            service.stop().await;
        }
    }
}
