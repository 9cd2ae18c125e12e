//! One Liaison service binary as a child process: started with its address, data directory and
//! NATS URL in its environment, watched until it answers, stopped cleanly (`SIGTERM`), killed like
//! a crash (`SIGKILL`) and started again on the same port and data.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::Duration;

use liaison_proto::services::Service;

use crate::child::{ChildProcess, Output, log_tail};
use crate::error::StackError;
use crate::find::{bin_dir, find_service_binaries};
use crate::ports::free_addr;
use crate::ready::wait_http_ok;

/// How long a service may take to answer `/healthz` after a restart.
const UP_TIMEOUT: Duration = Duration::from_secs(30);

/// How to start a service.
#[derive(Debug, Clone)]
pub struct ServiceSetup {
    /// Which service.
    pub service: Service,
    /// Its binary.
    pub binary: PathBuf,
    /// `LIAISON_HTTP_ADDR`.
    pub addr: SocketAddr,
    /// `LIAISON_DATA_DIR`.
    pub data_dir: PathBuf,
    /// `LIAISON_NATS_URL`.
    pub nats_url: String,
    /// `LIAISON_API_TOKEN`; `None` removes an inherited one.
    pub api_token: Option<String>,
    /// More environment (`RUST_LOG`, the other services' URLs, its NATS credentials, …); the
    /// `LIAISON_NATS_*` credentials of the launcher's own environment are not passed on.
    pub env: Vec<(String, String)>,
    /// Where its stdout and stderr go.
    pub output: Output,
    /// The path that answers 200 once it is started (`/readyz`: connected and caught up).
    pub ready_path: String,
    /// How long it may take to answer there.
    pub ready_timeout: Duration,
}

impl ServiceSetup {
    /// `service` from [`bin_dir`] against `nats_url`, on a free port, with its data in
    /// `<root>/<name>` and its output in `<root>/<name>.log`, ready once `/readyz` answers.
    pub fn in_dir(service: Service, nats_url: &str, root: &Path) -> Result<Self, StackError> {
        let binary = find_service_binaries(&bin_dir(), &[service])?.remove(0);
        Ok(ServiceSetup {
            service,
            binary,
            addr: free_addr(),
            data_dir: root.join(service.name()),
            nats_url: nats_url.to_owned(),
            api_token: None,
            env: vec![("NO_COLOR".into(), "1".into())],
            output: Output::File(root.join(format!("{}.log", service.name()))),
            ready_path: "/readyz".into(),
            ready_timeout: Duration::from_secs(30),
        })
    }

    /// This setup with the environment variable `key` set to `value`.
    pub fn with_env(mut self, key: &str, value: &str) -> Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }
}

/// A running (or killed) service process. Dropping it kills the process.
#[derive(Debug)]
pub struct ServiceProcess {
    setup: ServiceSetup,
    process: Option<ChildProcess>,
}

impl ServiceProcess {
    /// Starts the service as `setup` says and waits until `setup.ready_path` answers 200.
    pub async fn launch(setup: ServiceSetup) -> Result<ServiceProcess, StackError> {
        ServiceProcess::launch_reporting(setup, &mut |_| {}).await
    }

    /// [`launch`](ServiceProcess::launch), telling `spawned` the pid once it is spawned.
    pub(crate) async fn launch_reporting(
        setup: ServiceSetup,
        spawned: &mut dyn FnMut(u32),
    ) -> Result<ServiceProcess, StackError> {
        let mut process = ServiceProcess {
            setup,
            process: None,
        };
        let (path, timeout) = (
            process.setup.ready_path.clone(),
            process.setup.ready_timeout,
        );
        process.spawn()?;
        spawned(process.pid().unwrap_or_default());
        process.wait_until(&path, timeout).await?;
        Ok(process)
    }

    /// Starts `service` against `nats_url` with its data and log under `root` (see
    /// [`ServiceSetup::in_dir`]) and waits until `/healthz` answers; panics with its log when it
    /// does not.
    pub async fn start(service: Service, nats_url: &str, root: &Path) -> ServiceProcess {
        let mut setup = ServiceSetup::in_dir(service, nats_url, root)
            .unwrap_or_else(|e| panic!("{e}"))
            .with_env("RUST_LOG", "info");
        setup.ready_path = "/healthz".into();
        ServiceProcess::launch(setup)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Which service this is.
    pub fn service(&self) -> Service {
        self.setup.service
    }

    /// How it was started.
    pub fn setup(&self) -> &ServiceSetup {
        &self.setup
    }

    /// Its HTTP address.
    pub fn addr(&self) -> SocketAddr {
        self.setup.addr
    }

    /// Its base URL (`http://127.0.0.1:<port>`).
    pub fn url(&self) -> String {
        format!("http://{}", self.setup.addr)
    }

    /// Its data directory.
    pub fn data_dir(&self) -> &Path {
        &self.setup.data_dir
    }

    /// The file its output goes to, if it goes to a file.
    pub fn log_path(&self) -> Option<&Path> {
        match &self.setup.output {
            Output::File(path) => Some(path),
            _ => None,
        }
    }

    /// Its process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(ChildProcess::pid)
    }

    /// Its peak resident set size so far, in bytes.
    pub fn peak_rss(&mut self) -> Option<u64> {
        self.process.as_mut().and_then(ChildProcess::peak_rss)
    }

    /// Whether the process runs.
    pub fn is_running(&mut self) -> bool {
        self.process
            .as_mut()
            .is_some_and(|p| p.exit_status().is_none())
    }

    /// Waits until `path` answers 200, failing early when the process exits.
    pub async fn wait_until(&mut self, path: &str, within: Duration) -> Result<(), StackError> {
        let url = format!("{}{path}", self.url());
        let output = self.setup.output.clone();
        let Some(process) = self.process.as_mut() else {
            return Err(StackError::Exited {
                name: self.setup.service.name().into(),
                status: "killed by the test".into(),
                hint: String::new(),
            });
        };
        wait_http_ok(process, &output, &url, within).await
    }

    /// Waits until `/readyz` answers 200 (connected to NATS, caught up); panics with the end of
    /// its log when it does not within `within`.
    pub async fn wait_ready(&mut self, within: Duration) {
        if let Err(e) = self.wait_until("/readyz", within).await {
            panic!("{e}\n--- its log ---\n{}", self.log_tail());
        }
    }

    /// Kills the process with SIGKILL, as a crash would, and reaps it.
    pub async fn kill9(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.kill();
        }
    }

    /// Stops the process cleanly: SIGTERM, then SIGKILL after `timeout`. How it ended, unless it
    /// was not running.
    pub async fn terminate(&mut self, timeout: Duration) -> Option<ExitStatus> {
        match self.process.take() {
            Some(mut process) => Some(process.terminate(timeout).await),
            None => None,
        }
    }

    /// Kills it (SIGKILL) and starts it again on the same port and data; waits until `/healthz`
    /// answers, and panics with its log when it does not.
    pub async fn restart(&mut self) {
        self.kill9().await;
        if let Err(e) = self.spawn() {
            panic!("{e}");
        }
        if let Err(e) = self.wait_until("/healthz", UP_TIMEOUT).await {
            panic!("{e}\n--- its log ---\n{}", self.log_tail());
        }
    }

    /// The last 40 lines of its log file, for failure messages.
    pub fn log_tail(&self) -> String {
        match self.log_path() {
            Some(path) => log_tail(path, 40),
            None => "(its output is not in a file)".into(),
        }
    }

    /// The running process, for a launcher that watches it.
    pub(crate) fn process_mut(&mut self) -> Option<&mut ChildProcess> {
        self.process.as_mut()
    }

    fn spawn(&mut self) -> Result<(), StackError> {
        let setup = &self.setup;
        let data_dir =
            std::path::absolute(&setup.data_dir).map_err(StackError::io(&setup.data_dir))?;
        std::fs::create_dir_all(&data_dir).map_err(StackError::io(&data_dir))?;
        let mut command = crate::spawn::command(&setup.binary);
        command
            .env("LIAISON_NATS_URL", &setup.nats_url)
            .env("LIAISON_DATA_DIR", &data_dir)
            .env("LIAISON_HTTP_ADDR", setup.addr.to_string());
        match &setup.api_token {
            Some(token) => command.env("LIAISON_API_TOKEN", token),
            None => command.env_remove("LIAISON_API_TOKEN"),
        };
        // A read token inherited from a CLI user's shell, without its API token, would stop
        // every service at start; `env` may still set one.
        command.env_remove("LIAISON_READ_TOKEN");
        // NATS credentials come from `env` alone: a shell's own (`source cli.env`) would make a
        // service connect as someone else.
        for var in liaison_secure::ACCESS_ENV {
            command.env_remove(var);
        }
        command.envs(setup.env.iter().map(|(k, v)| (k, v)));
        let name = setup.service.name();
        let process = ChildProcess::spawn(name, command, &setup.output).map_err(|source| {
            StackError::Spawn {
                name: name.into(),
                path: setup.binary.clone(),
                source,
            }
        })?;
        self.process = Some(process);
        Ok(())
    }
}
