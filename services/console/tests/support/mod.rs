//! The stack of the console's tests: a real nats-server (testkit), ingest and the projection
//! in-process on port 0 with temporary sled directories, and the console in front of them — the
//! way CONTRIBUTING.md starts services in tests, so the suite runs what this build compiled
//! rather than whatever binaries a target directory holds.

#![allow(dead_code)]

pub mod browser;
pub mod full_stack;
pub mod review;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use liaison_console::Config as ConsoleConfig;
use liaison_runtime::config::CommonArgs;
use liaison_runtime::service::{App, Service};
use liaison_runtime::shutdown::Shutdown;
use liaison_testkit::{NatsServer, ServerOptions};
use serde_json::Value;
use tempfile::TempDir;
use tokio::task::JoinHandle;

/// The write token of the test stacks.
pub const TOKEN: &str = "console-test-token";

/// The repository's root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A scenario of `deploy/scenarios/` (`meta-lg-2024`), as the JSON array ingest takes.
pub fn scenario(name: &str) -> Value {
    let path = repo_root().join(format!("deploy/scenarios/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("a scenario is JSON")
}

/// The shared settings of a service in a test: NATS, a data directory, port 0, a small cache.
pub fn common(nats_url: &str, data_dir: PathBuf, token: Option<&str>) -> CommonArgs {
    CommonArgs {
        nats_urls: vec![nats_url.to_owned()],
        data_dir: Some(data_dir),
        http_addr: Some("127.0.0.1:0".parse().expect("an address")),
        api_token: token.map(str::to_owned),
        sled_cache_mib: Some(16),
        ..CommonArgs::default()
    }
}

/// A service running in this process.
pub struct Running {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    shutdown: Shutdown,
    task: JoinHandle<()>,
}

impl Running {
    /// Builds `S` with `config` and serves it in the background.
    pub async fn start<S: Service>(config: S::Config) -> Running {
        let app = App::<S>::build(config, Shutdown::new())
            .await
            .unwrap_or_else(|e| panic!("{} builds: {e}", S::KIND.binary_name()));
        let url = format!("http://{}", app.address());
        let shutdown = app.shutdown_handle();
        let task = tokio::spawn(async move {
            app.run_until_stopped().await.expect("the service runs");
        });
        Running {
            url,
            shutdown,
            task,
        }
    }

    /// Stops it and waits for it.
    pub async fn stop(self) {
        self.shutdown.trigger();
        let _ = tokio::time::timeout(Duration::from_secs(10), self.task).await;
    }
}

/// A console in front of the given service URLs (the others at their defaults).
pub async fn console(nats_url: &str, dir: &Path, tune: impl FnOnce(&mut ConsoleConfig)) -> Running {
    let mut config = ConsoleConfig {
        common: common(nats_url, dir.join("console"), None),
        ..ConsoleConfig::default()
    };
    tune(&mut config);
    Running::start::<liaison_console::ConsoleService>(config).await
}

/// nats-server, ingest, the projection and the console; ingest and the projection require
/// [`TOKEN`] for writes.
pub struct TestStack {
    /// The nats-server.
    pub nats: NatsServer,
    /// liaison-ingest.
    pub ingest: Running,
    /// liaison-projection.
    pub projection: Running,
    /// liaison-console, forwarding to the two.
    pub console: Running,
    /// A plain HTTP client.
    pub http: reqwest::Client,
    _dir: TempDir,
}

impl TestStack {
    /// Starts everything and waits until each service is ready.
    pub async fn start() -> TestStack {
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
        let (ingest_url, projection_url) = (ingest.url.clone(), projection.url.clone());
        let console = console(&url, dir.path(), |c| {
            c.ingest_url = ingest_url;
            c.projection_url = projection_url;
        })
        .await;
        let http = reqwest::Client::new();
        for service in [&ingest, &projection, &console] {
            wait_ready(&http, &service.url).await;
        }
        TestStack {
            nats,
            ingest,
            projection,
            console,
            http,
            _dir: dir,
        }
    }

    /// Appends `events` through ingest (directly, with the token); the last sequence.
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

    /// Waits until the projection has applied the log up to `sequence`.
    pub async fn wait_applied(&self, sequence: u64) {
        let url = format!(
            "{}/v1/relationships?limit=1&min_sequence={sequence}",
            self.projection.url
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ok = self
                .http
                .get(&url)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                return;
            }
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
        self.projection.stop().await;
        self.ingest.stop().await;
    }
}

/// Waits until `<url>/readyz` answers 200.
pub async fn wait_ready(http: &reqwest::Client, url: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (ready, said) = match http.get(format!("{url}/readyz")).send().await {
            Ok(r) => (r.status().is_success(), r.text().await.unwrap_or_default()),
            Err(e) => (false, e.to_string()),
        };
        if ready {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{url} did not become ready: {said}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A loopback address nothing listens on.
pub fn closed_addr() -> SocketAddr {
    liaison_testkit::free_addr()
}
