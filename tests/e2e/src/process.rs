//! One service binary as a child process: started on a free loopback port with its own data
//! directory, killed with SIGKILL, started again on the same port and data.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use liaison_testkit::free_port;
use tokio::process::{Child, Command};

/// The three services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// `liaison-ingest`.
    Ingest,
    /// `liaison-projection`.
    Projection,
    /// `liaison-notifier`.
    Notifier,
}

impl Service {
    /// Every service, in start order.
    pub const ALL: [Service; 3] = [Self::Ingest, Self::Projection, Self::Notifier];

    /// The binary's name.
    pub fn binary_name(self) -> &'static str {
        match self {
            Self::Ingest => "liaison-ingest",
            Self::Projection => "liaison-projection",
            Self::Notifier => "liaison-notifier",
        }
    }
}

/// Where cargo put the workspace's binaries: the directory above the test executable's `deps/`.
pub fn binary_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps/<test>");
    dir.to_path_buf()
}

/// A running (or stopped) service process.
pub struct ServiceProcess {
    service: Service,
    binary: PathBuf,
    port: u16,
    data_dir: PathBuf,
    log_path: PathBuf,
    nats_url: String,
    child: Option<Child>,
}

impl ServiceProcess {
    /// Starts `service` against `nats_url`, with its data under `root/<binary name>` and its log in
    /// `root/<binary name>.log`; waits until `/healthz` answers.
    pub async fn start(service: Service, nats_url: &str, root: &Path) -> Self {
        let binary = binary_dir().join(service.binary_name());
        assert!(
            binary.exists(),
            "{} is missing: run `cargo build --workspace` (or `just test`) first",
            binary.display()
        );
        let mut process = Self {
            service,
            binary,
            port: free_port(),
            data_dir: root.join(service.binary_name()),
            log_path: root.join(format!("{}.log", service.binary_name())),
            nats_url: nats_url.to_owned(),
            child: None,
        };
        process.spawn().await;
        process
    }

    async fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .expect("open the service log");
        let child = Command::new(&self.binary)
            .env("LIAISON_NATS_URL", &self.nats_url)
            .env("LIAISON_DATA_DIR", &self.data_dir)
            .env("LIAISON_HTTP_ADDR", format!("127.0.0.1:{}", self.port))
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.binary.display()));
        self.child = Some(child);
        self.wait_http().await;
    }

    async fn wait_http(&self) {
        self.wait_for("/healthz", Duration::from_secs(30)).await;
    }

    /// Waits until `/readyz` answers 200 (connected to NATS, caught up).
    pub async fn wait_ready(&self, within: Duration) {
        self.wait_for("/readyz", within).await;
    }

    /// Polls `path` until it answers a 2xx, or panics with the service's log after `within`.
    async fn wait_for(&self, path: &str, within: Duration) {
        let url = format!("{}{path}", self.url());
        let deadline = Instant::now() + within;
        let client = reqwest::Client::new();
        while Instant::now() < deadline {
            if let Ok(r) = client.get(&url).send().await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{} did not answer {path} within {within:?}; its log:\n{}",
            self.service.binary_name(),
            self.log_tail()
        );
    }

    /// The service's base URL (`http://127.0.0.1:<port>`).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Kills the process with SIGKILL, as a crash would, and waits for it to be gone.
    pub async fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.start_kill().expect("SIGKILL");
            let _ = child.wait().await;
        }
    }

    /// Starts the process again on the same port and data directory.
    pub async fn restart(&mut self) {
        self.kill9().await;
        self.spawn().await;
    }

    /// The last lines of the service's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}
