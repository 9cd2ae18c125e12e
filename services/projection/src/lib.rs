//! `liaison-projection`: consumes the whole log, builds the read models in sled, and answers the
//! contract's queries over HTTP and NATS request-reply, with a stream of status changes (SSE).
//!
//! - [`applier`]: the follower's [`liaison_log::Apply`] — a batch of events and its checkpoint in
//!   one atomic sled write;
//! - [`store`], [`read_models`]: the tables and how each read model is written and read;
//! - [`queries`]: the queries, independent of transport; [`http_api`], [`nats_api`], [`sse`];
//! - [`rebuild`], [`switch`]: replay into a fresh database and switch to it atomically;
//! - [`metrics`]: lag, apply rate, query latency.
//!
//! The follower consumes with an ephemeral ordered consumer from checkpoint + 1: the checkpoint
//! in sled is the truth, which makes the consumer durable in effect (nothing is kept on the server).

pub mod applier;
pub mod http_api;
pub mod metrics;
pub mod nats_api;
pub mod queries;
pub mod read_models;
pub mod rebuild;
pub mod sse;
pub mod store;
pub mod switch;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream;
use liaison_log::{Follower, FollowerStatus};
use liaison_runtime::config::CommonArgs;
use liaison_runtime::http::{self, Check, HttpServer};
use liaison_runtime::shutdown::Shutdown;
use tokio_util::sync::CancellationToken;

use crate::applier::Applier;
use crate::queries::Queries;
use crate::rebuild::Rebuilder;
use crate::store::Store;
use crate::switch::StoreSwitch;

/// The default HTTP address of the projection.
pub const DEFAULT_HTTP_ADDR: &str = "127.0.0.1:7402";
/// The service name (data directory, logs, NATS client name).
pub const SERVICE: &str = "projection";

/// How the service is configured.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Flags shared by every service.
    pub common: CommonArgs,
    /// `/readyz` fails while the lag (log's last sequence − last applied) is above this.
    pub max_lag: u64,
    /// How long a query with `min_sequence` waits for the projection before `503`.
    pub min_sequence_wait: Duration,
    /// Whether to answer queries over NATS request-reply too.
    pub nats_queries: bool,
}

impl Settings {
    /// Defaults around `common`: max lag 1000, `min_sequence` wait 5 s, NATS queries on.
    pub fn new(common: CommonArgs) -> Self {
        Self {
            common,
            max_lag: 1000,
            min_sequence_wait: Duration::from_secs(5),
            nats_queries: true,
        }
    }
}

/// Starting the service failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The database could not be opened.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// NATS is misconfigured.
    #[error(transparent)]
    Nats(#[from] liaison_runtime::nats::NatsError),
    /// The HTTP server failed.
    #[error(transparent)]
    Http(#[from] liaison_runtime::http::HttpError),
    /// The follower could not start.
    #[error(transparent)]
    Follow(#[from] liaison_log::ApplyError),
}

/// The running service: built, bound, following the log; serving once
/// [`Application::run_until_stopped`] is called.
pub struct Application {
    server: HttpServer,
    stop: CancellationToken,
    stores: Arc<StoreSwitch>,
    queries: Arc<Queries>,
    follower: Follower,
    rebuilder: Arc<Rebuilder>,
    nats_task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("address", &self.server.address())
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Opens the database, connects to NATS (in the background), starts following the log and
    /// answering NATS queries, and binds the HTTP address.
    pub async fn build(settings: Settings) -> Result<Self, AppError> {
        let common = &settings.common;
        let stores = Arc::new(StoreSwitch::open(
            &common.data_dir(SERVICE),
            common.sled_cache_mib,
        )?);
        let (client, health) = liaison_runtime::nats::connect(common, SERVICE).await?;
        let js = jetstream::new(client.clone());
        let stop = CancellationToken::new();
        let applier = Arc::new(Applier::new(stores.clone()));
        let follower = liaison_log::spawn_follower(js.clone(), applier.clone(), stop.clone())?;
        let queries = Arc::new(Queries::new(stores.clone(), settings.min_sequence_wait));
        queries.set_follower(follower.clone());
        let rebuilder = Arc::new(Rebuilder::new(js, stores.clone(), applier.clone()));
        tokio::spawn(sample_position(follower.clone(), stop.clone()));

        let nats_task = settings.nats_queries.then(|| {
            let (queries, stop) = (queries.clone(), stop.clone());
            tokio::spawn(async move {
                if let Err(e) = nats_api::serve(client, queries, stop).await {
                    tracing::error!(error = %e, "cannot serve queries over NATS");
                }
            })
        });

        let readiness = {
            let (follower, max_lag) = (follower.clone(), settings.max_lag);
            move || vec![health.check(), lag_check(&follower, max_lag)]
        };
        let state = http_api::ApiState {
            queries: queries.clone(),
            rebuilder: rebuilder.clone(),
            applier,
        };
        let router = http::service_router(
            http_api::routes(state, common.api_token().map(Into::into)),
            readiness,
        );
        let addr = common.http_addr(DEFAULT_HTTP_ADDR.parse().expect("a valid address"));
        let server = HttpServer::build(addr, router)
            .await?
            .with_grace_period(Duration::from_secs(5));
        Ok(Self {
            server,
            stop,
            stores,
            queries,
            follower,
            rebuilder,
            nats_task,
        })
    }

    /// The bound HTTP address.
    pub fn address(&self) -> SocketAddr {
        self.server.address()
    }

    /// The live database (e.g. for [`Store::dump`]).
    pub fn store(&self) -> Arc<Store> {
        self.stores.current()
    }

    /// The queries.
    pub fn queries(&self) -> Arc<Queries> {
        self.queries.clone()
    }

    /// The follower: how far the projection got.
    pub fn follower(&self) -> Follower {
        self.follower.clone()
    }

    /// The rebuild runner.
    pub fn rebuilder(&self) -> Arc<Rebuilder> {
        self.rebuilder.clone()
    }

    /// Serves until `shutdown` fires; then stops following, answers the NATS queries already
    /// received, and flushes the database.
    pub async fn run_until_stopped(self, shutdown: Shutdown) -> Result<(), AppError> {
        let stop = self.stop.clone();
        let watcher = shutdown.clone();
        tokio::spawn(async move {
            watcher.wait().await;
            stop.cancel();
        });
        let served = self.server.run_until_stopped(shutdown).await;
        self.stop.cancel();
        if let Some(task) = self.nats_task {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
        if let Err(e) = self.stores.current().flush() {
            tracing::warn!(error = %e, "flushing the database at shutdown failed");
        }
        served?;
        Ok(())
    }
}

fn lag_check(follower: &Follower, max_lag: u64) -> Check {
    let status = follower.status();
    match follower.lag() {
        None => Check::fail("log", format!("the log was not reached yet ({status:?})")),
        Some(lag) if lag > max_lag => Check::fail(
            "log",
            format!("lag {lag} > {max_lag} (applied {})", follower.applied()),
        ),
        Some(lag) => Check::new(
            "log",
            !matches!(status, FollowerStatus::Stopped),
            format!("lag {lag} (applied {}, {status:?})", follower.applied()),
        ),
    }
}

/// Publishes the follower's position and the apply rate every second.
async fn sample_position(follower: Follower, stop: CancellationToken) {
    let mut last = (Instant::now(), follower.applied());
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
        let now = (Instant::now(), follower.applied());
        let rate = now.1.saturating_sub(last.1) as f64 / (now.0 - last.0).as_secs_f64();
        metrics::position(now.1, follower.lag(), rate);
        last = now;
    }
}
