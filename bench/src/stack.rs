//! A fresh Liaison stack as separate processes — `nats-server` and the three services — on free
//! loopback ports with their own temporary data, so that the bench measures the real binaries the
//! way they are deployed, and can read each process's peak memory from `/proc`.
//!
//! Service binaries are looked up next to the bench's own executable (`target/release/` under
//! `just bench`), or in `$LIAISON_BIN_DIR`.

use std::fs::File;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use liaison_testkit::free_port;

/// The fsync setting of the nats-server under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyncMode {
    /// `jetstream { sync_interval: always }`, as every shipped configuration.
    Always,
    /// The NATS default (periodic fsync, every 2 minutes).
    Default,
}

impl SyncMode {
    /// The label used in the table and the JSON.
    pub fn label(self) -> &'static str {
        match self {
            SyncMode::Always => "sync_always",
            SyncMode::Default => "sync_default",
        }
    }
}

/// A child process, killed (and reaped) when dropped.
#[derive(Debug)]
pub struct Proc {
    /// A short name for reports.
    pub name: String,
    child: std::process::Child,
    /// Its combined stdout/stderr.
    pub log: PathBuf,
}

impl Proc {
    fn spawn(name: &str, mut command: Command, log: PathBuf) -> Result<Proc> {
        let file = File::create(&log).with_context(|| format!("create {}", log.display()))?;
        let child = command
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file)
            .spawn()
            .with_context(|| format!("spawn {name}"))?;
        Ok(Proc {
            name: name.to_owned(),
            child,
            log,
        })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its peak resident set size so far (`VmHWM`), in bytes.
    pub fn peak_rss(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    }

    /// Whether it exited already (with what).
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            _ => None,
        }
    }

    /// The last lines of its log, to explain a failure.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(5)..].join(" | ")
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A nats-server with JetStream on a free port and a store under `dir`.
#[derive(Debug)]
pub struct Nats {
    /// The process.
    pub proc: Proc,
    /// Client port.
    pub port: u16,
    /// The JetStream store directory.
    pub store: PathBuf,
}

impl Nats {
    /// Starts a server with `sync` under `dir` and waits until JetStream is up.
    pub async fn start(dir: &Path, sync: SyncMode) -> Result<Nats> {
        let binary = std::panic::catch_unwind(liaison_testkit::nats_server_binary)
            .map_err(|_| anyhow::anyhow!("nats-server 2.15 not found (run `just setup`)"))?;
        std::fs::create_dir_all(dir)?;
        let store = dir.join("store");
        let mut last = String::new();
        for _ in 0..3 {
            let port = free_port();
            let monitor = free_port();
            let sync_line = match sync {
                SyncMode::Always => "  sync_interval: always\n",
                SyncMode::Default => "",
            };
            let config = format!(
                "server_name: liaison-bench-{port}\nlisten: 127.0.0.1:{port}\n\
                 http: 127.0.0.1:{monitor}\nmax_payload: 8MB\n\
                 jetstream {{\n  store_dir: \"{}\"\n{sync_line}}}\n",
                store.display()
            );
            let config_path = dir.join("nats-server.conf");
            std::fs::write(&config_path, config)?;
            let mut command = Command::new(&binary);
            command.arg("-c").arg(&config_path);
            let mut proc = Proc::spawn("nats-server", command, dir.join("nats-server.log"))?;
            let url = format!("http://127.0.0.1:{monitor}/healthz?js-enabled-only=true");
            match wait_http_ok(&mut proc, &url, Duration::from_secs(20)).await {
                Ok(()) => return Ok(Nats { proc, port, store }),
                Err(e) => last = e.to_string(),
            }
        }
        bail!("nats-server did not start: {last}")
    }

    /// The client URL.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

/// One Liaison service process.
#[derive(Debug)]
pub struct Service {
    /// The process.
    pub proc: Proc,
    /// Its HTTP address.
    pub addr: SocketAddr,
    /// Its sled data directory.
    pub data_dir: PathBuf,
}

impl Service {
    /// `http://<addr>`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Where the service binaries are.
pub fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LIAISON_BIN_DIR") {
        return PathBuf::from(dir);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("target/release"))
}

/// Starts `liaison-<kind>` against `nats_url` with its data under `dir`, then waits until
/// `ready_path` answers 200 (at most `ready_timeout`).
pub async fn start_service(
    kind: &str,
    nats_url: &str,
    dir: &Path,
    ready_path: &str,
    ready_timeout: Duration,
) -> Result<Service> {
    let binary = bin_dir().join(format!("liaison-{kind}"));
    if !binary.is_file() {
        bail!("{} not built", binary.display());
    }
    let data_dir = dir.join(kind);
    std::fs::create_dir_all(&data_dir)?;
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse()?;
    let mut command = Command::new(&binary);
    command
        .env("LIAISON_NATS_URL", nats_url)
        .env("LIAISON_DATA_DIR", &data_dir)
        .env("LIAISON_HTTP_ADDR", addr.to_string())
        .env("RUST_LOG", "warn");
    let mut proc = Proc::spawn(kind, command, dir.join(format!("{kind}.log")))?;
    let url = format!("http://{addr}{ready_path}");
    wait_http_ok(&mut proc, &url, ready_timeout)
        .await
        .with_context(|| format!("liaison-{kind} not ready"))?;
    Ok(Service {
        proc,
        addr,
        data_dir,
    })
}

/// Polls `url` until it answers 200, failing early when `proc` exits.
pub async fn wait_http_ok(proc: &mut Proc, url: &str, timeout: Duration) -> Result<()> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()?;
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = proc.exited() {
            bail!("{} exited ({status}): {}", proc.name, proc.log_tail());
        }
        if let Ok(r) = client.get(url).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{url} not 200 after {timeout:?}: {}", proc.log_tail());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Bytes allocated on disk to the files under `path` (recursively).
pub fn disk_bytes(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => disk_bytes(&e.path()),
            Ok(m) => {
                use std::os::unix::fs::MetadataExt;
                m.blocks() * 512
            }
            Err(_) => 0,
        })
        .sum()
}
