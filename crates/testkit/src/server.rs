//! One `nats-server` process with JetStream: for a test (free ports, a temporary store), for the
//! bench (a store under its run directory) and for `liaison dev` (the data directory, fixed
//! ports). It can be killed like a crash and started again on the same ports and store, to test
//! services that must survive a NATS outage.
//!
//! A server is open ([`NatsServer::start`]: anyone may connect, no TLS — for the tests of
//! everything but access, and the bench) or secured as shipped ([`NatsServer::start_secured`]:
//! TLS required, one user per role with its permissions, credentials generated for it).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_nats::jetstream;
use liaison_secure::{DEV_HOSTS, NatsAccess, NatsSecrets, Role, SECRETS_DIR, Servers};
use tempfile::TempDir;

use crate::child::{ChildProcess, Output};
use crate::error::StackError;
use crate::find::found_nats_server;
use crate::nats_config::{NatsConfig, SyncMode};
use crate::ports::free_addrs;
use crate::ready::wait_http_ok;

/// How many times a start on free ports is tried with fresh ports when the server exits (a port
/// was taken between choosing it and binding it).
const START_ATTEMPTS: usize = 4;

/// How long a server may take to become healthy, by default.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// The options a test may choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerOptions {
    /// `jetstream { sync_interval: always }`, as every shipped configuration does (the default).
    /// `false` uses the server's default periodic fsync, which is faster but not crash-safe.
    pub sync_always: bool,
    /// `jetstream { limits { batch { timeout } } }`: how long an atomic batch (ADR-50) may go
    /// without a message before the server abandons it; `None` keeps the server default (10 s).
    pub batch_timeout: Option<Duration>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            sync_always: true,
            batch_timeout: None,
        }
    }
}

impl ServerOptions {
    /// The server's default (periodic) fsync: for tests that write a lot and never kill the host.
    pub fn fast() -> Self {
        ServerOptions {
            sync_always: false,
            ..ServerOptions::default()
        }
    }

    /// These options with an atomic batch timeout of `timeout` (whole seconds, at least 1).
    pub fn with_batch_timeout(self, timeout: Duration) -> Self {
        ServerOptions {
            batch_timeout: Some(timeout),
            ..self
        }
    }

    /// The fsync setting these options ask for.
    pub fn sync(self) -> SyncMode {
        if self.sync_always {
            SyncMode::Always
        } else {
            SyncMode::Default
        }
    }
}

/// How to start a server: its configuration, where the configuration file and output go.
#[derive(Debug, Clone)]
pub struct NatsSetup {
    /// The `nats-server` 2.15 binary.
    pub binary: PathBuf,
    /// The configuration (addresses, store, fsync).
    pub config: NatsConfig,
    /// Replace `config.listen` and `config.monitor` with free ports (and try fresh ones when the
    /// server loses the race for one).
    pub free_ports: bool,
    /// Where the generated configuration file is written.
    pub conf_path: PathBuf,
    /// Where its stdout and stderr go.
    pub output: Output,
    /// How long it may take to become healthy.
    pub ready_timeout: Duration,
}

impl NatsSetup {
    /// A server with its files in `dir`: `nats-server.conf`, `nats-server.log` and the store in
    /// `store/`, on free ports.
    pub fn in_dir(dir: &Path, sync: SyncMode) -> Result<NatsSetup, StackError> {
        let store_dir = std::path::absolute(dir.join("store")).map_err(StackError::io(dir))?;
        Ok(NatsSetup {
            binary: found_nats_server()?,
            config: NatsConfig {
                sync,
                ..NatsConfig::shipped(store_dir)
            },
            free_ports: true,
            conf_path: dir.join("nats-server.conf"),
            output: Output::File(dir.join("nats-server.log")),
            ready_timeout: READY_TIMEOUT,
        })
    }
}

/// A real `nats-server` with JetStream. The process is killed when the value is dropped (and a
/// temporary store deleted with it).
#[derive(Debug)]
pub struct NatsServer {
    setup: NatsSetup,
    process: Option<ChildProcess>,
    _temp: Option<TempDir>,
}

impl NatsServer {
    /// Starts an open test server (no TLS, no users: anyone may connect and do anything) with the
    /// default options (`sync_interval: always`) on free ports and a temporary store, ready for
    /// JetStream. For tests of everything but access; [`start_secured`](Self::start_secured)
    /// runs the shipped access rules.
    ///
    /// Panics with the tail of the server log when it does not start.
    pub async fn start() -> NatsServer {
        NatsServer::start_with(ServerOptions::default()).await
    }

    /// Starts an open test server with `options`, ready for JetStream.
    pub async fn start_with(options: ServerOptions) -> NatsServer {
        NatsServer::start_in_temp(options, false).await
    }

    /// Starts a test server secured as shipped: TLS required, the users of every [`Role`] with
    /// their permissions, credentials and certificates generated into its temporary directory.
    /// [`client`](Self::client) connects as the admin, [`client_as`](Self::client_as) as any role.
    pub async fn start_secured() -> NatsServer {
        NatsServer::start_secured_with(ServerOptions::default()).await
    }

    /// Starts a secured test server with `options`.
    pub async fn start_secured_with(options: ServerOptions) -> NatsServer {
        NatsServer::start_in_temp(options, true).await
    }

    async fn start_in_temp(options: ServerOptions, secured: bool) -> NatsServer {
        let temp = tempfile::Builder::new()
            .prefix("liaison-nats-")
            .tempdir()
            .expect("cannot create a temporary directory");
        let mut setup =
            NatsSetup::in_dir(temp.path(), options.sync()).unwrap_or_else(|e| panic!("{e}"));
        setup.config.batch_timeout = options.batch_timeout;
        if secured {
            let secrets = NatsSecrets::ensure(temp.path().join(SECRETS_DIR), &DEV_HOSTS)
                .unwrap_or_else(|e| panic!("{e}"));
            setup.config.secrets = Some(secrets);
        }
        let mut server = NatsServer::launch(setup)
            .await
            .unwrap_or_else(|e| panic!("nats-server did not start: {e}"));
        server._temp = Some(temp);
        server
    }

    /// Starts a server as `setup` says and waits until JetStream is up.
    pub async fn launch(setup: NatsSetup) -> Result<NatsServer, StackError> {
        NatsServer::launch_reporting(setup, &mut |_| {}).await
    }

    /// [`launch`](NatsServer::launch), telling `spawned` the pid of each process it spawns.
    pub(crate) async fn launch_reporting(
        setup: NatsSetup,
        spawned: &mut dyn FnMut(u32),
    ) -> Result<NatsServer, StackError> {
        if let Some(parent) = setup.config.store_dir.parent() {
            std::fs::create_dir_all(parent).map_err(StackError::io(parent))?;
        }
        let mut server = NatsServer {
            setup,
            process: None,
            _temp: None,
        };
        let attempts = if server.setup.free_ports {
            START_ATTEMPTS
        } else {
            1
        };
        for attempt in 1..=attempts {
            if server.setup.free_ports {
                let [listen, monitor] = free_addrs(2)[..] else {
                    unreachable!("two addresses were asked for")
                };
                server.setup.config.listen = listen;
                server.setup.config.monitor = monitor;
            }
            match server.spawn(spawned).await {
                Ok(()) => return Ok(server),
                Err(e) if e.exited() && attempt < attempts => {
                    tracing::warn!(
                        attempt,
                        "nats-server exited at start; retrying on new ports"
                    );
                }
                Err(e) => return Err(e),
            }
        }
        unreachable!("the last attempt returns")
    }

    /// The client URL, `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://{}", self.setup.config.listen)
    }

    /// The client address.
    pub fn addr(&self) -> SocketAddr {
        self.setup.config.listen
    }

    /// The client port.
    pub fn port(&self) -> u16 {
        self.setup.config.listen.port()
    }

    /// The HTTP monitoring port (`/healthz`, `/jsz`, `/varz`).
    pub fn monitor_port(&self) -> u16 {
        self.setup.config.monitor.port()
    }

    /// The HTTP monitoring address.
    pub fn monitor_addr(&self) -> SocketAddr {
        self.setup.config.monitor
    }

    /// The JetStream store directory; it survives [`NatsServer::stop`].
    pub fn store_dir(&self) -> &Path {
        &self.setup.config.store_dir
    }

    /// The file that receives the server's stdout and stderr, if it goes to a file.
    pub fn log_path(&self) -> Option<&Path> {
        match &self.setup.output {
            Output::File(path) => Some(path),
            _ => None,
        }
    }

    /// The generated configuration file.
    pub fn conf_path(&self) -> &Path {
        &self.setup.conf_path
    }

    /// Whether the server process is running (not [`stop`](NatsServer::stop)ped, not exited).
    pub fn is_running(&mut self) -> bool {
        self.process
            .as_mut()
            .is_some_and(|p| p.exit_status().is_none())
    }

    /// Its process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(ChildProcess::pid)
    }

    /// Its peak resident set size so far, in bytes.
    pub fn peak_rss(&mut self) -> Option<u64> {
        self.process.as_mut().and_then(ChildProcess::peak_rss)
    }

    /// The generated credentials and certificates of a secured server; `None` when it is open.
    pub fn secrets(&self) -> Option<&NatsSecrets> {
        self.setup.config.secrets.as_ref()
    }

    /// What a client of `role` connects with (its nkey seed, the CA). Panics when the server is
    /// open.
    pub fn access(&self, role: Role) -> NatsAccess {
        self.secrets()
            .map(|s| s.access(role))
            .unwrap_or_else(|| panic!("the server at {} is open: it has no roles", self.url()))
    }

    /// A new client connected to this server (default async-nats options: it reconnects
    /// forever); on a secured server, as the admin.
    pub async fn client(&self) -> async_nats::Client {
        match self.secrets() {
            Some(_) => self.client_as(Role::Admin).await,
            None => async_nats::connect(self.url())
                .await
                .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", self.url())),
        }
    }

    /// A new client connected as `role` (with its own inbox prefix); panics when it cannot
    /// connect or the server is open.
    pub async fn client_as(&self, role: Role) -> async_nats::Client {
        self.connect(&self.access(role), &role.inbox_prefix())
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {} as {role}: {e}", self.url()))
    }

    /// Connects with `access` and `inbox_prefix`, once (no retry): the error says why the
    /// server refused, for tests of who may connect. Panics when `access` itself is unusable.
    pub async fn connect(
        &self,
        access: &NatsAccess,
        inbox_prefix: &str,
    ) -> Result<async_nats::Client, async_nats::ConnectError> {
        connect_once(&[self.url()], access, inbox_prefix).await
    }

    /// A JetStream context on a new client.
    pub async fn jetstream(&self) -> jetstream::Context {
        jetstream::new(self.client().await)
    }

    /// Kills the server like a crash (SIGKILL), keeping its store and ports for
    /// [`start_again`](NatsServer::start_again). Does nothing when already stopped.
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.kill();
        }
    }

    /// Stops the server cleanly (SIGTERM, then SIGKILL after `timeout`).
    pub async fn terminate(&mut self, timeout: Duration) {
        if let Some(mut process) = self.process.take() {
            process.terminate(timeout).await;
        }
    }

    /// Starts the server again on the same ports with the same store; connected clients
    /// reconnect.
    ///
    /// Panics when it is still running or does not come up.
    pub async fn start_again(&mut self) {
        assert!(self.process.is_none(), "start_again: the server is running");
        if let Err(e) = self.spawn(&mut |_| {}).await {
            panic!("nats-server did not start again: {e}");
        }
    }

    /// The running process, for a launcher that watches it.
    pub(crate) fn process_mut(&mut self) -> Option<&mut ChildProcess> {
        self.process.as_mut()
    }

    async fn spawn(&mut self, spawned: &mut dyn FnMut(u32)) -> Result<(), StackError> {
        let setup = &self.setup;
        let conf_path =
            std::path::absolute(&setup.conf_path).map_err(StackError::io(&setup.conf_path))?;
        let conf_dir = conf_path.parent().unwrap_or(Path::new("/"));
        let conf = setup.config.render(conf_dir);
        std::fs::write(&conf_path, conf).map_err(StackError::io(&conf_path))?;
        let mut command = crate::spawn::command(&setup.binary);
        command.arg("-c").arg(conf_path);
        let mut process =
            ChildProcess::spawn("nats", command, &setup.output).map_err(|source| {
                StackError::Spawn {
                    name: "nats-server".into(),
                    path: setup.binary.clone(),
                    source,
                }
            })?;
        spawned(process.pid());
        let health = format!(
            "http://{}/healthz?js-enabled-only=true",
            setup.config.monitor
        );
        wait_http_ok(&mut process, &setup.output, &health, setup.ready_timeout).await?;
        self.process = Some(process);
        Ok(())
    }
}

/// Connects to `urls` with `access` once, without retrying, within 5 s.
pub(crate) async fn connect_once(
    urls: &[String],
    access: &NatsAccess,
    inbox_prefix: &str,
) -> Result<async_nats::Client, async_nats::ConnectError> {
    let servers = Servers::parse(urls).unwrap_or_else(|e| panic!("{e}"));
    access
        .connect_options(&servers, inbox_prefix)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .connection_timeout(Duration::from_secs(5))
        .connect(servers.addrs().to_vec())
        .await
}
