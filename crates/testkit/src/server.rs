//! A single `nats-server` with JetStream, for tests.

use std::path::PathBuf;
use std::time::Duration;

use async_nats::jetstream;
use tempfile::TempDir;

use crate::ports::free_port;
use crate::process::{Process, write_file};

/// How many times a start is tried with fresh ports when the server exits (a port was taken).
const START_ATTEMPTS: usize = 4;

/// Options of a test server.
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
}

/// A real `nats-server` with JetStream on a free loopback port and a temporary store.
///
/// The process is killed when the value is dropped, and the store is deleted with it.
#[derive(Debug)]
pub struct NatsServer {
    dir: TempDir,
    port: u16,
    monitor_port: u16,
    options: ServerOptions,
    process: Option<Process>,
}

impl NatsServer {
    /// Starts a server with the default options (`sync_interval: always`), ready for JetStream.
    ///
    /// Panics with the tail of the server log when it does not start.
    pub async fn start() -> NatsServer {
        NatsServer::start_with(ServerOptions::default()).await
    }

    /// Starts a server with `options`, ready for JetStream.
    pub async fn start_with(options: ServerOptions) -> NatsServer {
        let dir = tempfile::Builder::new()
            .prefix("liaison-nats-")
            .tempdir()
            .expect("cannot create a temporary directory");
        let mut server = NatsServer {
            dir,
            port: 0,
            monitor_port: 0,
            options,
            process: None,
        };
        for attempt in 1..=START_ATTEMPTS {
            server.port = free_port();
            server.monitor_port = free_port();
            match server.launch().await {
                Ok(()) => return server,
                Err(failure) if failure.is_retryable() && attempt < START_ATTEMPTS => {
                    tracing::warn!(
                        attempt,
                        "nats-server exited at start; retrying on new ports"
                    );
                }
                Err(failure) => failure.panic_with_log(&server.log_path()),
            }
        }
        unreachable!("the last attempt panics or returns")
    }

    /// The client URL, `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// The client port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The HTTP monitoring port (`/healthz`, `/jsz`, `/varz`).
    pub fn monitor_port(&self) -> u16 {
        self.monitor_port
    }

    /// The JetStream store directory; it survives [`NatsServer::stop`].
    pub fn store_dir(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    /// The file that receives the server's stdout and stderr.
    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("nats-server.log")
    }

    /// Whether the server process is running (not [`stop`](NatsServer::stop)ped).
    pub fn is_running(&self) -> bool {
        self.process.is_some()
    }

    /// A new client connected to this server (default async-nats options: it reconnects forever).
    pub async fn client(&self) -> async_nats::Client {
        async_nats::connect(self.url())
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", self.url()))
    }

    /// A JetStream context on a new client.
    pub async fn jetstream(&self) -> jetstream::Context {
        jetstream::new(self.client().await)
    }

    /// Kills the server like a crash (SIGKILL), keeping its store and port for
    /// [`start_again`](NatsServer::start_again). Does nothing when already stopped.
    pub fn stop(&mut self) {
        if let Some(process) = self.process.take() {
            process.kill();
        }
    }

    /// Starts the server again on the same port with the same store; connected clients reconnect.
    ///
    /// Panics when it is still running or does not come up.
    pub async fn start_again(&mut self) {
        assert!(self.process.is_none(), "start_again: the server is running");
        if let Err(failure) = self.launch().await {
            failure.panic_with_log(&self.log_path());
        }
    }

    async fn launch(&mut self) -> Result<(), crate::process::StartFailure> {
        let config = self.dir.path().join("nats-server.conf");
        write_file(&config, &self.config());
        let mut process = Process::spawn(&config, &self.log_path());
        process
            .wait_ready(self.monitor_port, "/healthz?js-enabled-only=true")
            .await?;
        self.process = Some(process);
        Ok(())
    }

    fn config(&self) -> String {
        let sync = if self.options.sync_always {
            "  sync_interval: always\n"
        } else {
            ""
        };
        let batch = match self.options.batch_timeout {
            Some(timeout) => format!(
                "  limits {{\n    batch {{\n      timeout: {}s\n    }}\n  }}\n",
                timeout.as_secs().max(1)
            ),
            None => String::new(),
        };
        format!(
            "server_name: liaison-test-{port}\n\
             listen: 127.0.0.1:{port}\n\
             http: 127.0.0.1:{monitor}\n\
             jetstream {{\n  store_dir: \"{store}\"\n{sync}{batch}}}\n",
            port = self.port,
            monitor = self.monitor_port,
            store = self.store_dir().display(),
        )
    }
}
