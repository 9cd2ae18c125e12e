//! Wiring: NATS, sled, the follower, the HTTP and NATS APIs, and the start-up task that sets up
//! the log, in the `build → address → run_until_stopped` shape so that tests run the real
//! service in-process on port 0.
//!
//! Start-up never fails because NATS is down: the client connects in the background, the log
//! stream is created or updated by a task that retries (logging every failure) until it
//! succeeds, and appends answer `503` until the stream is ensured and the registry has caught up
//! with the log once. `/readyz` says which of these is missing.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream;
use liaison_log::follower::{ApplyError, Follower, spawn_follower};
use liaison_log::{LogSettings, ensure_events_stream};
use liaison_runtime::auth::BearerAuthLayer;
use liaison_runtime::http::{self, Check, HttpError, HttpServer};
use liaison_runtime::nats::{self, NatsError, NatsHealth};
use liaison_runtime::shutdown::Shutdown;
use liaison_runtime::storage::{StorageError, open_db};
use tokio::task::JoinHandle;

use crate::append::{Ingest, LogState};
use crate::config::{Config, SERVICE};
use crate::registry::{RegistryError, RegistryStore};
use crate::registry_applier::RegistryApplier;
use crate::{http_api, metrics, nats_api};

/// Why the service could not start (never because NATS is unreachable).
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The NATS options are unusable (a bad URL, unreadable credentials).
    #[error(transparent)]
    Nats(#[from] NatsError),
    /// The sled database cannot be opened (another ingest uses it, permissions).
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The registry's trees cannot be opened.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The follower cannot read its checkpoint.
    #[error("cannot start following the log: {0}")]
    Follower(#[from] ApplyError),
    /// The HTTP server cannot bind or failed.
    #[error(transparent)]
    Http(#[from] HttpError),
}

/// The running service, bound to its HTTP address.
pub struct Application {
    server: HttpServer,
    shutdown: Shutdown,
    tasks: Vec<JoinHandle<()>>,
    store: RegistryStore,
    follower: Follower,
}

impl Application {
    /// Builds the service with its own shutdown signal (see [`Application::shutdown_handle`]).
    pub async fn build(config: Config) -> Result<Self, StartError> {
        Self::build_with_shutdown(config, Shutdown::new()).await
    }

    /// Builds the service; it stops when `shutdown` fires.
    pub async fn build_with_shutdown(
        config: Config,
        shutdown: Shutdown,
    ) -> Result<Self, StartError> {
        let (client, health) = nats::connect(&config.common, SERVICE).await?;
        let db = open_db(&config.data_dir(), config.common.sled_cache_mib, SERVICE)?;
        let store = RegistryStore::open(&db)?;
        let js = jetstream::new(client.clone());
        let state = Arc::new(LogState::default());
        let applier = RegistryApplier::new(store.clone());
        let follower = spawn_follower(js.clone(), Arc::new(applier.clone()), shutdown.token())?;
        let ingest = Ingest::new(
            store.clone(),
            applier,
            client.clone(),
            follower.clone(),
            state.clone(),
            config.apply_wait(),
            config.catch_up_wait(),
        );
        let auth = BearerAuthLayer::new(config.common.api_token().map(Into::into));
        let limits = config.json_limits();

        let tasks = vec![
            tokio::spawn(prepare_log(
                js,
                config.log_settings(),
                state.clone(),
                follower.clone(),
                shutdown.clone(),
            )),
            tokio::spawn(nats_api::serve(
                client,
                ingest.clone(),
                limits,
                auth.clone(),
                shutdown.clone(),
            )),
            tokio::spawn(report_metrics(
                health.clone(),
                state.clone(),
                follower.clone(),
                shutdown.clone(),
            )),
        ];

        let readiness = {
            let (health, state, follower) = (health, state, follower.clone());
            let max_lag = config.ready_max_lag();
            move || checks(&health, &state, &follower, max_lag)
        };
        let router = http::service_router(http_api::routes(ingest, limits, auth), readiness);
        let server = HttpServer::build(config.http_addr(), router).await?;
        Ok(Self {
            server,
            shutdown,
            tasks,
            store,
            follower,
        })
    }

    /// The HTTP address the service listens on.
    pub fn address(&self) -> SocketAddr {
        self.server.address()
    }

    /// The signal that stops the service; trigger it to stop.
    pub fn shutdown_handle(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// The follower that keeps the registry current (for tests and diagnostics).
    pub fn follower(&self) -> &Follower {
        &self.follower
    }

    /// Serves until the shutdown signal, then stops every task and flushes the database.
    pub async fn run_until_stopped(self) -> Result<(), StartError> {
        let Self {
            server,
            shutdown,
            tasks,
            store,
            ..
        } = self;
        let served = server.run_until_stopped(shutdown.clone()).await;
        shutdown.trigger();
        for task in tasks {
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                tracing::warn!("a background task did not stop within 5 s");
            }
        }
        if let Err(error) = store.flush() {
            tracing::warn!(%error, "cannot flush the registry at shutdown");
        }
        served?;
        Ok(())
    }
}

/// The `/readyz` checks: NATS, the log stream, the registry's lag.
fn checks(health: &NatsHealth, state: &LogState, follower: &Follower, max_lag: u64) -> Vec<Check> {
    let log = if state.stream_ready() {
        Check::pass("log", "stream LIAISON_EVENTS created or updated")
    } else {
        Check::fail(
            "log",
            "stream LIAISON_EVENTS not created or updated yet; retrying",
        )
    };
    let applied = follower.applied();
    let registry = match follower.lag() {
        _ if !state.caught_up() => Check::fail(
            "registry",
            format!("catching up with the log (applied {applied})"),
        ),
        Some(lag) if lag <= max_lag => Check::pass(
            "registry",
            format!("applied {applied}, lag {lag} <= {max_lag}"),
        ),
        Some(lag) => Check::fail(
            "registry",
            format!("applied {applied}, lag {lag} > {max_lag}"),
        ),
        None => Check::fail(
            "registry",
            format!("applied {applied}; the log's length is unknown"),
        ),
    };
    vec![health.check(), log, registry]
}

/// Creates or updates the log stream, retrying until it succeeds, then waits until the registry
/// has caught up with the log once; again whenever an append finds no stream.
async fn prepare_log(
    js: jetstream::Context,
    settings: LogSettings,
    state: Arc<LogState>,
    follower: Follower,
    shutdown: Shutdown,
) {
    loop {
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let outcome = tokio::time::timeout(
                Duration::from_secs(10),
                ensure_events_stream(&js, &settings),
            )
            .await;
            match outcome {
                Ok(Ok(info)) => {
                    tracing::info!(
                        stream = info.config.name,
                        replicas = info.config.num_replicas,
                        last_sequence = info.state.last_sequence,
                        "log stream created or updated"
                    );
                    state.set_stream_ready();
                    follower.observe_log_sequence(info.state.last_sequence);
                    break;
                }
                Ok(Err(error)) => tracing::warn!(
                    attempt,
                    %error,
                    "cannot create or update the log stream; appends answer 503 until it works; retrying"
                ),
                Err(_) => tracing::warn!(
                    attempt,
                    "creating or updating the log stream timed out; appends answer 503 until it works; retrying"
                ),
            }
            if sleep_or_stop(backoff(attempt), &shutdown).await {
                return;
            }
        }
        let mut attempt: u32 = 0;
        while !state.caught_up() {
            attempt += 1;
            match liaison_log::last_sequence(&js).await {
                Ok(last) => {
                    follower.observe_log_sequence(last);
                    let waited = tokio::select! {
                        () = shutdown.wait() => return,
                        ok = follower.wait_applied(last, Duration::from_secs(5)) => ok,
                    };
                    if waited {
                        tracing::info!(
                            applied = follower.applied(),
                            "registry caught up with the log; accepting appends"
                        );
                        state.set_caught_up();
                        break;
                    }
                    tracing::info!(
                        applied = follower.applied(),
                        last,
                        "registry catching up with the log"
                    );
                }
                Err(error) => {
                    tracing::warn!(attempt, %error, "cannot read the log's length; retrying");
                    if sleep_or_stop(backoff(attempt), &shutdown).await {
                        return;
                    }
                }
            }
        }
        tokio::select! {
            () = shutdown.wait() => return,
            () = state.ensure_requested() => {
                tracing::info!("an append found no stream; ensuring the log stream again");
            }
        }
    }
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(100 * 2u64.saturating_pow(attempt.min(6))).min(Duration::from_secs(5))
}

/// Sleeps for `delay`; true when shutdown fired meanwhile.
async fn sleep_or_stop(delay: Duration, shutdown: &Shutdown) -> bool {
    tokio::select! {
        () = shutdown.wait() => true,
        () = tokio::time::sleep(delay) => false,
    }
}

/// Refreshes the gauges of the log and the follower every second.
async fn report_metrics(
    health: NatsHealth,
    state: Arc<LogState>,
    follower: Follower,
    shutdown: Shutdown,
) {
    loop {
        metrics::record_log(
            health.is_connected() && state.stream_ready(),
            follower.applied(),
            follower.lag(),
        );
        if sleep_or_stop(Duration::from_secs(1), &shutdown).await {
            return;
        }
    }
}
