//! `liaison-projection`: consumes the whole log, builds the read models in sled, and answers the
//! contract's queries over HTTP and NATS request-reply, with a stream of status changes (SSE).
//!
//! - [`model`]: the projection as a read model of the log — how one checked event becomes read
//!   models (the applier of `liaison-log` does the rest: gate, checkpoint, quarantine);
//! - [`store`], [`read_models`]: the tables and how each read model is written and read;
//! - [`queries`]: the queries, independent of transport; [`http_api`], [`nats_api`], [`sse`];
//! - [`event_log`]: the log itself, read by sequence from JetStream (pages, one event, a tail);
//! - [`rebuild`], [`switch`]: replay into a fresh database and switch to it atomically;
//! - [`metrics`]: lag, apply rate, query latency.
//!
//! [`ProjectionService`] wires them on the service skeleton of `liaison-runtime`.

pub mod event_log;
pub mod http_api;
pub mod metrics;
pub mod model;
pub mod nats_api;
pub mod preview;
pub mod queries;
pub mod read_models;
pub mod rebuild;
pub mod sse;
pub mod store;
pub mod switch;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use clap::{Args, Subcommand};
use liaison_log::{Applier, Follower};
use liaison_runtime::config::CommonArgs;
use liaison_runtime::service::{App, Context, Service, StartError};
use liaison_runtime::shutdown::Shutdown;

use crate::model::{ProjectionModel, Target};
use crate::queries::Queries;
use crate::rebuild::Rebuilder;
use crate::store::Store;
use crate::switch::StoreSwitch;

/// The running projection.
pub type Application = App<ProjectionService>;

/// Every setting of `liaison-projection`.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// The settings every Liaison service shares.
    #[command(flatten)]
    pub common: CommonArgs,
    /// How long a query with `min_sequence` waits for the projection before `503`.
    #[arg(
        long = "min-sequence-wait-ms",
        env = "LIAISON_PROJECTION_MIN_SEQUENCE_WAIT_MS",
        default_value_t = 5_000,
        value_name = "MS"
    )]
    pub min_sequence_wait_ms: u64,
    /// Do not answer queries over NATS request-reply (HTTP only).
    #[arg(long = "no-nats-queries", env = "LIAISON_PROJECTION_NO_NATS_QUERIES")]
    pub no_nats_queries: bool,
    /// Clients of `GET /v1/stream` served at once; one more gets `503` with `Retry-After`.
    #[arg(
        long = "max-stream-clients",
        env = "LIAISON_PROJECTION_MAX_STREAM_CLIENTS",
        default_value_t = http_api::HttpLimits::DEFAULT_MAX_STREAM_CLIENTS,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=10_000),
        value_name = "N"
    )]
    pub max_stream_clients: usize,
    /// NATS queries answered at once; one more is answered `503` at once.
    #[arg(
        long = "max-nats-in-flight",
        env = "LIAISON_PROJECTION_MAX_NATS_IN_FLIGHT",
        default_value_t = nats_api::DEFAULT_MAX_IN_FLIGHT,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000),
        value_name = "N"
    )]
    pub max_nats_in_flight: usize,
    /// What to do; serving is the default.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The projection's commands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve (the default).
    Serve,
    /// Replay the log into a fresh database and switch to it atomically. Asks the instance
    /// running at --http-addr to do it (queries keep answering from the old state meanwhile);
    /// when none answers there, rebuilds the data directory offline.
    Rebuild,
}

impl Default for Config {
    /// The documented defaults, ignoring flags and environment (for tests).
    fn default() -> Self {
        Self {
            common: CommonArgs::default(),
            min_sequence_wait_ms: 5_000,
            no_nats_queries: false,
            max_stream_clients: http_api::HttpLimits::DEFAULT_MAX_STREAM_CLIENTS,
            max_nats_in_flight: nats_api::DEFAULT_MAX_IN_FLIGHT,
            command: None,
        }
    }
}

impl Config {
    /// How long a query with `min_sequence` waits.
    pub fn min_sequence_wait(&self) -> Duration {
        Duration::from_millis(self.min_sequence_wait_ms)
    }
}

/// The projection's longest `min_sequence` wait: a longer one would hold a request (and a
/// client) longer than any client waits for an answer.
pub const MAX_MIN_SEQUENCE_WAIT_MS: u64 = 60_000;

/// `liaison-projection` as a service of the skeleton.
#[derive(Debug)]
pub struct ProjectionService;

/// What the projection exposes once built.
#[derive(Clone)]
pub struct ProjectionHandle {
    /// The live database and its rebuilt successors.
    pub stores: Arc<StoreSwitch>,
    /// The queries, as the HTTP and NATS APIs answer them.
    pub queries: Arc<Queries>,
    /// The rebuild runner.
    pub rebuilder: Arc<Rebuilder>,
    /// The applier the follower drives.
    pub applier: Arc<Applier<ProjectionModel>>,
    /// How far the projection got.
    pub follower: Follower,
    nats_task: Arc<std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

impl ProjectionHandle {
    /// The live database (e.g. for [`Store::dump`]).
    pub fn store(&self) -> Arc<Store> {
        self.stores.current()
    }
}

impl Service for ProjectionService {
    const KIND: liaison_proto::services::Service = liaison_proto::services::Service::Projection;
    const ABOUT: &'static str =
        "Consumes the Liaison log, builds the read models, answers queries.";
    type Config = Config;
    type Handle = ProjectionHandle;

    fn common(config: &Config) -> &CommonArgs {
        &config.common
    }

    fn validate(config: Config) -> Result<Config, String> {
        if config.max_stream_clients == 0 || config.max_nats_in_flight == 0 {
            return Err("--max-stream-clients and --max-nats-in-flight are at least 1".to_owned());
        }
        if config.min_sequence_wait_ms > MAX_MIN_SEQUENCE_WAIT_MS {
            return Err(format!(
                "--min-sequence-wait-ms (LIAISON_PROJECTION_MIN_SEQUENCE_WAIT_MS) is at most \
                 {MAX_MIN_SEQUENCE_WAIT_MS}, got {}",
                config.min_sequence_wait_ms
            ));
        }
        Ok(config)
    }

    async fn build(
        config: Config,
        ctx: &mut Context,
    ) -> Result<(Router, ProjectionHandle), StartError> {
        let stores = Arc::new(
            StoreSwitch::open(
                &ctx.data_dir(),
                ctx.common()
                    .sled_cache_mib(liaison_runtime::config::DEFAULT_SLED_CACHE_MIB),
            )
            .map_err(|e| StartError::service("opening the projection's database", e))?,
        );
        let followed = ctx.follow(ProjectionModel::new(Target::Live(stores.clone())))?;
        let queries = Arc::new(Queries::new(stores.clone(), config.min_sequence_wait()));
        queries.set_follower(followed.follower.clone());
        let rebuilder = Arc::new(Rebuilder::new(
            ctx.jetstream(),
            stores.clone(),
            followed.applier.clone(),
        ));
        ctx.spawn(sample_position(followed.follower.clone(), ctx.shutdown()));
        let nats_task = (!config.no_nats_queries).then(|| {
            let (client, queries, stop) = (ctx.nats().clone(), queries.clone(), ctx.shutdown());
            tokio::spawn(nats_api::serve(
                client,
                queries,
                stop,
                config.max_nats_in_flight,
            ))
        });
        let state = http_api::ApiState {
            queries: queries.clone(),
            rebuilder: rebuilder.clone(),
            applier: followed.applier.clone(),
        };
        let limits = http_api::HttpLimits {
            max_stream_clients: config.max_stream_clients,
        };
        let routes = http_api::routes_with(state, ctx.common().api_token().map(Into::into), limits);
        let log = event_log::LogState {
            js: ctx.jetstream(),
            queries: queries.clone(),
        };
        let routes = routes.merge(event_log::routes(log, config.max_stream_clients));
        let handle = ProjectionHandle {
            stores,
            queries,
            rebuilder,
            applier: followed.applier,
            follower: followed.follower,
            nats_task: Arc::new(std::sync::Mutex::new(nats_task)),
        };
        Ok((routes, handle))
    }

    /// Answers the NATS queries already received, then flushes the database.
    async fn stopping(handle: &ProjectionHandle) {
        let task = handle
            .nats_task
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(task) = task {
            let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
        }
        if let Err(e) = handle.stores.current().flush() {
            tracing::warn!(error = %e, "flushing the database at shutdown failed");
        }
    }
}

/// Publishes the follower's position and the apply rate every second.
async fn sample_position(follower: Follower, stop: Shutdown) {
    let mut last = (Instant::now(), follower.applied());
    loop {
        tokio::select! {
            () = stop.wait() => return,
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
        let now = (Instant::now(), follower.applied());
        let rate = now.1.saturating_sub(last.1) as f64 / (now.0 - last.0).as_secs_f64();
        metrics::position(now.1, follower.lag(), rate);
        last = now;
    }
}
