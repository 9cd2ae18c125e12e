//! Running the whole Liaison stack on one machine: `nats-server` and the three services, as
//! child processes of `liaison dev` and `liaison demo` (and of end-to-end tests).
//!
//! Process supervision lives here, apart from any command, so that `dev`, `demo` and a test
//! crate start, watch and stop the stack the same way:
//!
//! 1. find `nats-server` 2.15 ([`find_nats_server`]) and the service binaries next to the running
//!    executable ([`find_service_binaries`]), and say what to do when one is missing;
//! 2. start `nats-server` with a configuration generated from `deploy/nats/single.conf`
//!    (JetStream, `sync_interval: always`, store in `<data-dir>/nats`), then `liaison-ingest`,
//!    `liaison-projection` and `liaison-notifier`, each with `LIAISON_DATA_DIR=<data-dir>/<service>`,
//!    waiting for each one's `/readyz`;
//! 3. stop them cleanly: `SIGTERM` to the services, wait, then `nats-server`.
//!
//! Children run in their own process group, so a Ctrl-C in the terminal reaches only the
//! supervisor, which then stops them in order. Every child is killed if the [`Stack`] is dropped
//! without [`Stack::stop`] (e.g. on a second Ctrl-C).

use std::fmt;
use std::io::{self, IsTerminal, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

use crate::error::EXIT_UNAVAILABLE;

/// The shipped single-node nats-server configuration, the base of the generated one.
pub const SINGLE_CONF: &str = include_str!("../../../deploy/nats/single.conf");

/// The nats-server minor version Liaison is built and tested against.
pub const REQUIRED_NATS_VERSION: &str = "v2.15.";

/// Environment variable naming the `nats-server` binary, taking precedence over the search.
pub const NATS_SERVER_ENV: &str = "LIAISON_NATS_SERVER";

/// Environment variable naming the directory of the service binaries (default: the directory
/// of the running executable).
pub const BIN_DIR_ENV: &str = "LIAISON_BIN_DIR";

/// What to do when nats-server is missing or of the wrong version.
const NATS_HINT: &str = "run `just setup` (it installs nats-server 2.15 into .tools/bin), \
                         or set LIAISON_NATS_SERVER to a nats-server 2.15 binary";

/// One of the three Liaison services.
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
    /// The services, in start order.
    pub const ALL: [Service; 3] = [Self::Ingest, Self::Projection, Self::Notifier];

    /// Short name (`ingest`), also the name of its data directory.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ingest => "ingest",
            Self::Projection => "projection",
            Self::Notifier => "notifier",
        }
    }

    /// File name of its binary (`liaison-ingest`).
    pub fn binary_name(self) -> &'static str {
        match self {
            Self::Ingest => "liaison-ingest",
            Self::Projection => "liaison-projection",
            Self::Notifier => "liaison-notifier",
        }
    }

    /// Its default HTTP address (the contract's).
    pub fn default_addr(self) -> SocketAddr {
        let port = match self {
            Self::Ingest => 7401,
            Self::Projection => 7402,
            Self::Notifier => 7403,
        };
        SocketAddr::from(([127, 0, 0, 1], port))
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why the stack could not be found, started or kept running. Every message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum StackError {
    /// No nats-server binary was found.
    #[error("nats-server not found (looked at {searched}): {NATS_HINT}")]
    NatsServerMissing {
        /// The places looked at.
        searched: String,
    },
    /// The nats-server found is not 2.15.
    #[error("{path} is `{version}`, but Liaison needs nats-server 2.15: {NATS_HINT}")]
    NatsServerVersion {
        /// The binary found.
        path: PathBuf,
        /// What it says its version is.
        version: String,
    },
    /// A service binary is not next to the `liaison` executable.
    #[error(
        "`{binary}` not found in {dir}: build the services with `cargo build --release -p liaison \
         -p liaison-ingest -p liaison-projection -p liaison-notifier` (or run `just demo`) and run \
         the `liaison` from the same target directory, or set LIAISON_BIN_DIR"
    )]
    ServiceMissing {
        /// The binary's file name.
        binary: &'static str,
        /// Where it was looked for.
        dir: PathBuf,
    },
    /// An address the stack needs is taken.
    #[error(
        "{what} cannot listen on {addr}: the address is in use. Is another `liaison dev` (or \
         `just nats`) running? Stop it first"
    )]
    AddressInUse {
        /// What wanted the address.
        what: String,
        /// The address.
        addr: SocketAddr,
    },
    /// A file or directory of the stack could not be prepared.
    #[error("cannot prepare {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// A process could not be spawned.
    #[error("cannot start {name} ({path}): {source}")]
    Spawn {
        /// The process's name.
        name: String,
        /// Its binary.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// A process exited while starting, or while the stack was running.
    #[error("{name} exited ({status}){hint}")]
    Exited {
        /// The process's name.
        name: String,
        /// How it exited.
        status: String,
        /// Where to read its log, or its last lines.
        hint: String,
    },
    /// A process did not become ready in time.
    #[error("{name} was not ready after {seconds} s (GET {url}: {last}){hint}")]
    NotReady {
        /// The process's name.
        name: String,
        /// How long the supervisor waited.
        seconds: u64,
        /// The readiness URL.
        url: String,
        /// The last answer or error.
        last: String,
        /// Where to read its log.
        hint: String,
    },
}

impl StackError {
    /// The process exit code for this error: 3, the stack is unavailable.
    pub fn exit_code(&self) -> u8 {
        EXIT_UNAVAILABLE
    }
}

/// Where the children's output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogMode {
    /// To the supervisor's stdout, each line prefixed with the process's name (colored when
    /// `color`), as `liaison dev` shows it.
    Prefixed {
        /// Color the prefixes.
        color: bool,
    },
    /// To `<data-dir>/logs/<name>.log`, as `liaison demo` keeps them out of its output.
    Files,
}

impl LogMode {
    /// Prefixed, colored when stdout is a terminal.
    pub fn prefixed() -> Self {
        Self::Prefixed {
            color: io::stdout().is_terminal(),
        }
    }
}

/// Everything needed to start a stack.
#[derive(Debug, Clone)]
pub struct StackConfig {
    /// Root of every process's data: `nats/`, `ingest/`, `projection/`, `notifier/`, `logs/`.
    pub data_dir: PathBuf,
    /// The `nats-server` 2.15 binary.
    pub nats_server: PathBuf,
    /// Directory of the three service binaries.
    pub bin_dir: PathBuf,
    /// Client address of nats-server.
    pub nats_addr: SocketAddr,
    /// Monitoring (HTTP) address of nats-server, used to wait for it.
    pub nats_monitor_addr: SocketAddr,
    /// HTTP addresses of ingest, projection and notifier.
    pub service_addrs: [SocketAddr; 3],
    /// Where the children's output goes.
    pub logs: LogMode,
    /// How long to wait for each process to become ready.
    pub ready_timeout: Duration,
    /// How long a stopping process may take before it is killed.
    pub stop_timeout: Duration,
    /// `LIAISON_API_TOKEN` for the services, if any.
    pub api_token: Option<String>,
}

impl StackConfig {
    /// The default stack on `data_dir`: default addresses, binaries found by
    /// [`find_nats_server`] and [`find_service_binaries`].
    pub fn discover(data_dir: impl Into<PathBuf>, logs: LogMode) -> Result<Self, StackError> {
        let bin_dir = default_bin_dir();
        find_service_binaries(&bin_dir)?;
        Ok(Self {
            data_dir: data_dir.into(),
            nats_server: find_nats_server()?,
            bin_dir,
            nats_addr: SocketAddr::from(([127, 0, 0, 1], 4222)),
            nats_monitor_addr: SocketAddr::from(([127, 0, 0, 1], 8222)),
            service_addrs: Service::ALL.map(Service::default_addr),
            logs,
            ready_timeout: Duration::from_secs(120),
            stop_timeout: Duration::from_secs(15),
            api_token: None,
        })
    }

    /// The NATS URL the services and clients use.
    pub fn nats_url(&self) -> String {
        format!("nats://{}", self.nats_addr)
    }

    /// The HTTP address of `service`.
    pub fn addr(&self, service: Service) -> SocketAddr {
        self.service_addrs[service as usize]
    }

    /// The base URL of `service` (`http://127.0.0.1:7401`).
    pub fn url(&self, service: Service) -> String {
        format!("http://{}", self.addr(service))
    }

    /// The directory of the log files in [`LogMode::Files`].
    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }

    /// The log file of the process `name` in [`LogMode::Files`].
    pub fn log_path(&self, name: &str) -> PathBuf {
        self.log_dir().join(format!("{name}.log"))
    }
}

/// The directory of the service binaries: `$LIAISON_BIN_DIR`, else the directory of the
/// running executable (its parent when that is a cargo `deps/` directory, as for tests).
pub fn default_bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(BIN_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    let dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir.parent().map(Path::to_path_buf).unwrap_or(dir)
    } else {
        dir
    }
}

/// The paths of the three service binaries in `dir`, in [`Service::ALL`] order; an error naming
/// the first one missing and how to build it.
pub fn find_service_binaries(dir: &Path) -> Result<[PathBuf; 3], StackError> {
    let paths = Service::ALL.map(|s| dir.join(s.binary_name()));
    for (service, path) in Service::ALL.iter().zip(&paths) {
        if !path.is_file() {
            return Err(StackError::ServiceMissing {
                binary: service.binary_name(),
                dir: dir.to_path_buf(),
            });
        }
    }
    Ok(paths)
}

/// The candidates for `nats-server`, in search order: `$LIAISON_NATS_SERVER`,
/// `<repo>/.tools/bin/nats-server` for every directory above the executable and above the
/// current directory, then every directory of `PATH`.
pub fn nats_server_candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(path) = std::env::var_os(NATS_SERVER_ENV).filter(|p| !p.is_empty()) {
        out.push(PathBuf::from(path));
    }
    let starts = [std::env::current_exe().ok(), std::env::current_dir().ok()];
    for start in starts.into_iter().flatten() {
        for dir in start.ancestors() {
            let candidate = dir.join(".tools/bin/nats-server");
            if !out.contains(&candidate) {
                out.push(candidate);
            }
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        out.extend(std::env::split_paths(&path).map(|dir| dir.join("nats-server")));
    }
    out
}

/// Finds a `nats-server` 2.15 among [`nats_server_candidates`].
pub fn find_nats_server() -> Result<PathBuf, StackError> {
    find_nats_server_in(&nats_server_candidates())
}

/// The first of `candidates` that exists, if it is version 2.15; otherwise an error that says to
/// run `just setup`.
pub fn find_nats_server_in(candidates: &[PathBuf]) -> Result<PathBuf, StackError> {
    let Some(found) = candidates.iter().find(|p| p.is_file()) else {
        let mut searched: Vec<String> = candidates
            .iter()
            .take(4)
            .map(|p| p.display().to_string())
            .collect();
        if candidates.len() > 4 {
            searched.push("PATH".to_owned());
        }
        return Err(StackError::NatsServerMissing {
            searched: searched.join(", "),
        });
    };
    let version = std::process::Command::new(found)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|e| format!("cannot run: {e}"));
    if version.contains(REQUIRED_NATS_VERSION) {
        Ok(found.clone())
    } else {
        Err(StackError::NatsServerVersion {
            path: found.clone(),
            version,
        })
    }
}

/// The nats-server configuration of a stack: `deploy/nats/single.conf` (JetStream,
/// `sync_interval: always`, `max_payload`) with its listen address, monitoring address and store
/// directory replaced.
pub fn nats_config(store_dir: &Path, listen: SocketAddr, monitor: SocketAddr) -> String {
    let mut out = String::from("# Generated by `liaison dev` from deploy/nats/single.conf.\n");
    for line in SINGLE_CONF.lines() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        if trimmed.starts_with("listen:") {
            out.push_str(&format!("{indent}listen: {listen}\n"));
        } else if trimmed.starts_with("http:") {
            out.push_str(&format!("{indent}http: {monitor}\n"));
        } else if trimmed.starts_with("store_dir:") {
            let dir = store_dir.display().to_string();
            out.push_str(&format!("{indent}store_dir: {dir:?}\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// What [`Stack::start`] reports as it goes.
#[derive(Debug, Clone)]
pub enum Progress {
    /// A process was spawned.
    Started {
        /// Its name (`nats`, `ingest`, …).
        name: String,
        /// Its process id.
        pid: u32,
    },
    /// A process answered ready.
    Ready {
        /// Its name.
        name: String,
        /// Where it listens (its URL).
        url: String,
        /// How long it took since it was spawned.
        elapsed: Duration,
    },
}

/// One running child.
struct Proc {
    name: String,
    child: Child,
    pumps: Vec<JoinHandle<()>>,
}

/// A running stack. Stop it with [`Stack::stop`]; dropping it kills every child.
pub struct Stack {
    config: StackConfig,
    nats: Option<Proc>,
    services: Vec<(Service, Proc)>,
}

impl fmt::Debug for Stack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stack")
            .field("data_dir", &self.config.data_dir)
            .field("nats", &self.config.nats_url())
            .finish_non_exhaustive()
    }
}

impl Stack {
    /// Starts nats-server, then ingest, projection and notifier, waiting for each to be ready;
    /// reports each step to `progress`. On failure, whatever was started is stopped.
    pub async fn start(
        config: StackConfig,
        mut progress: impl FnMut(Progress),
    ) -> Result<Stack, StackError> {
        let binaries = find_service_binaries(&config.bin_dir)?;
        check_free("nats-server", config.nats_addr)?;
        check_free("nats-server monitoring", config.nats_monitor_addr)?;
        for service in Service::ALL {
            check_free(service.binary_name(), config.addr(service))?;
        }
        let nats_dir = config.data_dir.join("nats");
        create_dir(&nats_dir)?;
        if config.logs == LogMode::Files {
            create_dir(&config.log_dir())?;
        }
        let conf_path = config.data_dir.join("nats-server.conf");
        let conf = nats_config(
            &absolute(&nats_dir),
            config.nats_addr,
            config.nats_monitor_addr,
        );
        std::fs::write(&conf_path, conf).map_err(|source| StackError::Io {
            path: conf_path.clone(),
            source,
        })?;

        let mut command = Command::new(&config.nats_server);
        command.arg("-c").arg(absolute(&conf_path));
        let started = Instant::now();
        let nats = spawn(&config, "nats", &config.nats_server, command)?;
        progress(Progress::Started {
            name: "nats".into(),
            pid: nats.child.id().unwrap_or_default(),
        });
        let mut stack = Stack {
            config,
            nats: Some(nats),
            services: Vec::new(),
        };
        let health = format!(
            "http://{}/healthz?js-enabled-only=true",
            stack.config.nats_monitor_addr
        );
        if let Err(e) = stack.wait_ready(None, &health).await {
            stack.stop().await;
            return Err(e);
        }
        progress(Progress::Ready {
            name: "nats".into(),
            url: stack.config.nats_url(),
            elapsed: started.elapsed(),
        });

        for (service, binary) in Service::ALL.into_iter().zip(binaries) {
            let data = absolute(&stack.config.data_dir.join(service.name()));
            let mut command = Command::new(&binary);
            command
                .env("LIAISON_DATA_DIR", &data)
                .env("LIAISON_HTTP_ADDR", stack.config.addr(service).to_string())
                .env("LIAISON_NATS_URL", stack.config.nats_url());
            match &stack.config.api_token {
                Some(token) => command.env("LIAISON_API_TOKEN", token),
                None => command.env_remove("LIAISON_API_TOKEN"),
            };
            let started = Instant::now();
            let proc = match spawn(&stack.config, service.name(), &binary, command) {
                Ok(p) => p,
                Err(e) => {
                    stack.stop().await;
                    return Err(e);
                }
            };
            progress(Progress::Started {
                name: service.name().into(),
                pid: proc.child.id().unwrap_or_default(),
            });
            stack.services.push((service, proc));
            let url = stack.config.url(service);
            if let Err(e) = stack
                .wait_ready(Some(service), &format!("{url}/readyz"))
                .await
            {
                stack.stop().await;
                return Err(e);
            }
            progress(Progress::Ready {
                name: service.name().into(),
                url,
                elapsed: started.elapsed(),
            });
        }
        Ok(stack)
    }

    /// The configuration the stack runs with.
    pub fn config(&self) -> &StackConfig {
        &self.config
    }

    /// Waits until any child exits, and says which and how: a running stack should never end
    /// by itself.
    pub async fn wait_for_exit(&mut self) -> StackError {
        let config = &self.config;
        let mut waits = Vec::new();
        if let Some(nats) = &mut self.nats {
            waits.push(Box::pin(wait_named(config, nats)));
        }
        for (_, proc) in &mut self.services {
            waits.push(Box::pin(wait_named(config, proc)));
        }
        let (error, _, _) = futures::future::select_all(waits).await;
        error
    }

    /// Stops the services (`SIGTERM`, then a kill after the stop timeout), then nats-server.
    pub async fn stop(mut self) {
        let timeout = self.config.stop_timeout;
        let services = std::mem::take(&mut self.services);
        let stops = services
            .into_iter()
            .rev()
            .map(|(_, proc)| terminate(proc, timeout));
        futures::future::join_all(stops).await;
        if let Some(nats) = self.nats.take() {
            terminate(nats, timeout).await;
        }
    }

    /// Polls `url` until it answers 200, the process exits, or the ready timeout passes.
    async fn wait_ready(&mut self, service: Option<Service>, url: &str) -> Result<(), StackError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("an HTTP client");
        let deadline = Instant::now() + self.config.ready_timeout;
        loop {
            let proc = match service {
                None => self.nats.as_mut().expect("nats-server is started first"),
                Some(s) => {
                    &mut self
                        .services
                        .iter_mut()
                        .find(|(svc, _)| *svc == s)
                        .expect("a started service")
                        .1
                }
            };
            if let Ok(Some(status)) = proc.child.try_wait() {
                let name = proc.name.clone();
                for pump in proc.pumps.drain(..) {
                    let _ = pump.await;
                }
                return Err(StackError::Exited {
                    name,
                    status: describe(status),
                    hint: log_hint(&self.config, &proc.name, true),
                });
            }
            let last = match http.get(url).send().await {
                Ok(r) if r.status().is_success() => return Ok(()),
                Ok(r) => {
                    let status = r.status();
                    let body = r.text().await.unwrap_or_default();
                    format!("{status} {}", body.trim())
                }
                Err(e) => e.to_string(),
            };
            if Instant::now() >= deadline {
                let name = proc.name.clone();
                return Err(StackError::NotReady {
                    hint: log_hint(&self.config, &name, false),
                    name,
                    seconds: self.config.ready_timeout.as_secs(),
                    url: url.to_owned(),
                    last,
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn wait_named(config: &StackConfig, proc: &mut Proc) -> StackError {
    let status = proc.child.wait().await;
    StackError::Exited {
        name: proc.name.clone(),
        status: match status {
            Ok(s) => describe(s),
            Err(e) => e.to_string(),
        },
        hint: log_hint(config, &proc.name, false),
    }
}

/// Sends `SIGTERM`, waits up to `timeout`, kills if still running, and drains its output.
async fn terminate(mut proc: Proc, timeout: Duration) {
    if let Some(pid) = proc.child.id().and_then(|id| i32::try_from(id).ok())
        && let Some(pid) = rustix::process::Pid::from_raw(pid)
    {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
    if tokio::time::timeout(timeout, proc.child.wait())
        .await
        .is_err()
    {
        let _ = proc.child.kill().await;
    }
    for pump in proc.pumps {
        let _ = pump.await;
    }
}

fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        _ => status.to_string(),
    }
}

fn log_hint(config: &StackConfig, name: &str, with_tail: bool) -> String {
    match config.logs {
        LogMode::Prefixed { .. } => "; its output is above".to_owned(),
        LogMode::Files => {
            let path = config.log_path(name);
            let mut hint = format!("; see its log at {}", path.display());
            if with_tail && let Ok(text) = std::fs::read_to_string(&path) {
                let lines: Vec<&str> = text.lines().collect();
                let tail = &lines[lines.len().saturating_sub(10)..];
                if !tail.is_empty() {
                    hint.push_str(", which ends with:\n");
                    hint.push_str(&tail.join("\n"));
                }
            }
            hint
        }
    }
}

fn check_free(what: &str, addr: SocketAddr) -> Result<(), StackError> {
    TcpListener::bind(addr)
        .map(drop)
        .map_err(|_| StackError::AddressInUse {
            what: what.to_owned(),
            addr,
        })
}

fn create_dir(path: &Path) -> Result<(), StackError> {
    std::fs::create_dir_all(path).map_err(|source| StackError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn spawn(
    config: &StackConfig,
    name: &str,
    path: &Path,
    mut command: Command,
) -> Result<Proc, StackError> {
    command
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .process_group(0);
    if !matches!(config.logs, LogMode::Prefixed { color: true }) {
        command.env("NO_COLOR", "1");
    }
    match &config.logs {
        LogMode::Files => {
            let log = config.log_path(name);
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log)
                .map_err(|source| StackError::Io {
                    path: log.clone(),
                    source,
                })?;
            let err = file.try_clone().map_err(|source| StackError::Io {
                path: log.clone(),
                source,
            })?;
            command.stdout(Stdio::from(file)).stderr(Stdio::from(err));
        }
        LogMode::Prefixed { .. } => {
            command.stdout(Stdio::piped()).stderr(Stdio::piped());
        }
    }
    let mut child = command.spawn().map_err(|source| StackError::Spawn {
        name: name.to_owned(),
        path: path.to_path_buf(),
        source,
    })?;
    let mut pumps = Vec::new();
    if let LogMode::Prefixed { color } = config.logs {
        let prefix = prefix(name, color);
        if let Some(out) = child.stdout.take() {
            pumps.push(tokio::spawn(pump(out, prefix.clone())));
        }
        if let Some(err) = child.stderr.take() {
            pumps.push(tokio::spawn(pump(err, prefix)));
        }
    }
    Ok(Proc {
        name: name.to_owned(),
        child,
        pumps,
    })
}

/// The line prefix of process `name`: padded to the longest name, colored per process.
pub fn prefix(name: &str, color: bool) -> String {
    let padded = format!("{name:>10} │ ");
    if !color {
        return padded;
    }
    let code = match name {
        "nats" => "35",
        "ingest" => "36",
        "projection" => "32",
        "notifier" => "33",
        _ => "34",
    };
    format!("\x1b[{code}m{padded}\x1b[0m")
}

async fn pump(output: impl AsyncRead + Unpin, prefix: String) {
    let mut lines = BufReader::new(output).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let mut stdout = io::stdout().lock();
        let _ = writeln!(stdout, "{prefix}{line}");
    }
}
