//! Shared set-up of the ingest tests: a real nats-server (testkit), the service in-process on
//! port 0 with a temporary sled directory, or the real binary as a child process (to kill it),
//! plus the testkit's event builders and log reader.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use liaison_ingest::{Application, Config};
use liaison_runtime::config::CommonArgs;
use liaison_runtime::shutdown::Shutdown;
use liaison_testkit::events::{self, meeting_held, with_id};
use liaison_testkit::free_port;
use serde_json::Value;
use tokio::task::JoinHandle;

#[allow(unused_imports)] // not every test file uses them
pub use liaison_testkit::events::new_id;
#[allow(unused_imports)]
pub use liaison_testkit::log::read_log;

/// An ingest running in this process.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// Stops it.
    pub shutdown: Shutdown,
    task: Option<JoinHandle<()>>,
    http: reqwest::Client,
}

/// The settings of a test instance.
pub fn config(nats_url: &str, data_dir: &Path) -> Config {
    Config {
        common: CommonArgs {
            nats_urls: vec![nats_url.to_owned()],
            data_dir: Some(data_dir.to_owned()),
            http_addr: Some("127.0.0.1:0".parse().unwrap()),
            sled_cache_mib: Some(16),
            ..CommonArgs::default()
        },
        ..Config::default()
    }
}

/// Starts ingest in-process with `config` and waits until it is ready.
pub async fn spawn_app(config: Config) -> TestApp {
    let app = spawn_app_unready(config).await;
    app.wait_ready(Duration::from_secs(20)).await;
    app
}

/// Starts ingest in-process with `config`, without waiting for readiness.
pub async fn spawn_app_unready(config: Config) -> TestApp {
    if std::env::var_os("RUST_LOG").is_some() {
        liaison_runtime::telemetry::init_tracing("ingest-test", Default::default());
    }
    let app = Application::build(config, Shutdown::new())
        .await
        .expect("ingest builds");
    let url = format!("http://{}", app.address());
    let shutdown = app.shutdown_handle();
    let task = tokio::spawn(async move {
        app.run_until_stopped().await.expect("ingest runs");
    });
    TestApp {
        url,
        shutdown,
        task: Some(task),
        http: reqwest::Client::new(),
    }
}

impl TestApp {
    /// Waits until `/readyz` answers 200.
    pub async fn wait_ready(&self, within: Duration) {
        wait_ready(&self.http, &self.url, within).await;
    }

    /// `POST /v1/events` with a JSON body.
    pub async fn post(&self, body: &Value) -> Answer {
        post(&self.http, &self.url, body, None).await
    }

    /// `POST /v1/events` with a bearer token.
    pub async fn post_with_token(&self, body: &Value, token: &str) -> Answer {
        post(&self.http, &self.url, body, Some(token)).await
    }

    /// `POST /v1/events` with raw bytes and a content type.
    pub async fn post_raw(&self, body: impl Into<reqwest::Body>, content_type: &str) -> Answer {
        let response = self
            .http
            .post(format!("{}/v1/events", self.url))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request sent");
        Answer::read(response).await
    }

    /// `GET <path>`.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self
            .http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    /// Stops it and waits until it has released its database.
    pub async fn stop(mut self) {
        self.shutdown.trigger();
        if let Some(task) = self.task.take() {
            task.await.expect("ingest task");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

/// An HTTP answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: String,
    /// `Retry-After`, if any.
    pub retry_after: Option<String>,
    /// The body as JSON (`Null` when it is not JSON).
    pub body: Value,
}

impl Answer {
    async fn read(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap_or_default().to_owned())
        };
        let content_type = header("content-type").unwrap_or_default();
        let retry_after = header("retry-after");
        let bytes = response.bytes().await.unwrap_or_default();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            content_type,
            retry_after,
            body,
        }
    }

    /// The sequences of a 200/201 answer.
    pub fn sequences(&self) -> Vec<u64> {
        self.body["events"]
            .as_array()
            .unwrap_or_else(|| panic!("not a receipt: {self:?}"))
            .iter()
            .map(|e| e["sequence"].as_u64().expect("sequence"))
            .collect()
    }

    /// The first pointer of a problem's `errors`.
    pub fn pointer(&self) -> &str {
        self.body["errors"][0]["pointer"].as_str().unwrap_or("")
    }

    /// Asserts that this is a problem document with `status`.
    pub fn assert_problem(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "{self:#?}");
        assert_eq!(self.content_type, "application/problem+json", "{self:#?}");
        assert_eq!(self.body["status"], status, "{self:#?}");
        assert!(self.body["title"].is_string(), "{self:#?}");
        assert!(self.body["detail"].is_string(), "{self:#?}");
        self
    }
}

async fn post(http: &reqwest::Client, url: &str, body: &Value, token: Option<&str>) -> Answer {
    let mut request = http.post(format!("{url}/v1/events")).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request sent");
    Answer::read(response).await
}

async fn wait_ready(http: &reqwest::Client, url: &str, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let last = match http.get(format!("{url}/readyz")).send().await {
            Ok(r) if r.status() == 200 => return,
            Ok(r) => r.text().await.unwrap_or_default(),
            Err(e) => e.to_string(),
        };
        assert!(
            Instant::now() < deadline,
            "ingest at {url} not ready within {within:?}: {last}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The real `liaison-ingest` binary as a child process, so that it can be killed with SIGKILL.
pub struct IngestProcess {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    http: reqwest::Client,
}

impl IngestProcess {
    /// Starts the binary on a free port with its output in `<data_dir>.log`, and waits until it
    /// is ready.
    pub async fn start(nats_url: &str, data_dir: &Path) -> IngestProcess {
        let port = free_port();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log_path(data_dir))
            .expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_liaison-ingest"))
            .env("LIAISON_NATS_URL", nats_url)
            .env("LIAISON_DATA_DIR", data_dir)
            .env("LIAISON_HTTP_ADDR", format!("127.0.0.1:{port}"))
            .env("LIAISON_SLED_CACHE_MIB", "16")
            .env_remove("LIAISON_API_TOKEN")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("liaison-ingest starts");
        let process = IngestProcess {
            child,
            url: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        wait_ready(&process.http, &process.url, Duration::from_secs(20)).await;
        process
    }

    /// `POST /v1/events`.
    pub async fn post(&self, body: &Value) -> Answer {
        post(&self.http, &self.url, body, None).await
    }

    /// Kills it like a crash (SIGKILL) and reaps it.
    pub fn kill9(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
    }
}

impl Drop for IngestProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where a child process writes its output.
pub fn log_path(data_dir: &Path) -> PathBuf {
    data_dir.with_extension("log")
}

/// `organization.registered` of `id`, without a client id (a repeat is recognised by content).
pub fn org(id: &str) -> Value {
    events::organization(id)
}

/// `meeting.held` between `a` and `b` on XR, with client id `id` if given.
pub fn meeting(id: Option<uuid::Uuid>, a: &str, b: &str) -> Value {
    let event = meeting_held("2024-02-28", &[a, b], &["xr"]);
    match id {
        Some(id) => with_id(event, id),
        None => event,
    }
}
