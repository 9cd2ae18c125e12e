//! `liaison-notifier`: follows the log, matches alert rules against the status transitions the
//! domain core detects, and delivers alerts to NATS and webhooks, at least once, with stable ids.
//!
//! - [`store`]: the sled trees and records;
//! - [`applier`]: the follower's [`liaison_log::Apply`] — events → facts → transitions →
//!   matching rules → alert records and pending deliveries, with the checkpoint, in one
//!   transaction;
//! - [`rules`]: which rules fire for a transition (pure);
//! - [`delivery`]: the worker that publishes alerts to NATS, and the webhook worker that takes
//!   work from the durable consumer every instance shares (and applies everyone's outcomes);
//! - [`http_api`]: `/v1/rules` and `/v1/alerts`;
//! - [`metrics`]: the notifier's Prometheus metrics.
//!
//! [`Application::build`] wires them; `main.rs` only parses flags.

pub mod applier;
pub mod delivery;
pub mod http_api;
pub mod metrics;
pub mod rules;
pub mod store;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream;
use liaison_log::{Appender, Follower, FollowerStatus, LogSettings, ensure_alerts_stream};
use liaison_runtime::auth::BearerAuthLayer;
use liaison_runtime::config::CommonArgs;
use liaison_runtime::http::{Check, HttpError, HttpServer, service_router};
use liaison_runtime::json_body::JsonLimits;
use liaison_runtime::shutdown::Shutdown;
use liaison_runtime::{nats, storage};
use tokio::sync::Notify;

use crate::applier::{Applier, RuleSet};
use crate::delivery::nats::NatsPublisher;
use crate::delivery::shared::{self, WebhookWorker};
use crate::delivery::worker::{DeliveryConfig, Worker};
use crate::store::Store;

/// The service name, for the data directory, logs and the NATS connection.
pub const SERVICE: &str = "notifier";
/// The default HTTP address of the contract.
pub const DEFAULT_HTTP_ADDR: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(
    std::net::Ipv4Addr::LOCALHOST,
    7403,
));
/// The largest lag (entries not yet applied) at which the notifier still reports ready.
pub const READY_MAX_LAG: u64 = 1_000;

/// Everything the notifier is configured with.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The flags every service shares.
    pub common: CommonArgs,
    /// Delivery and retry settings.
    pub delivery: DeliveryConfig,
    /// Replicas of the alerts stream (1 on one machine, 3 in a cluster).
    pub alerts_replicas: Option<usize>,
}

/// Starting the notifier failed.
#[derive(Debug, thiserror::Error)]
pub enum NotifierError {
    /// The NATS configuration is unusable.
    #[error(transparent)]
    Nats(#[from] nats::NatsError),
    /// The database cannot be opened.
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
    /// The database cannot be read.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The follower cannot start.
    #[error(transparent)]
    Follower(#[from] liaison_log::ApplyError),
    /// The HTTP server failed.
    #[error(transparent)]
    Http(#[from] HttpError),
}

/// A built notifier: bound, following the log and delivering; serving HTTP once run.
pub struct Application {
    server: HttpServer,
    shutdown: Shutdown,
    follower: Follower,
    store: Store,
    worker: tokio::task::JoinHandle<()>,
    webhooks: tokio::task::JoinHandle<()>,
}

impl Application {
    /// Connects, opens the database, starts the follower and the delivery worker, and binds the
    /// HTTP address. Stops when `shutdown` fires.
    pub async fn build(config: Config, shutdown: Shutdown) -> Result<Self, NotifierError> {
        metrics::describe();
        let common = &config.common;
        let (client, health) = nats::connect(common, SERVICE).await?;
        let js = jetstream::new(client.clone());
        let db = storage::open_db(&common.data_dir(SERVICE), common.sled_cache_mib, SERVICE)?;
        let store = Store::open(db).map_err(store::StoreError::from)?;
        let rules = RuleSet::load(&store)?;
        let wake = Arc::new(Notify::new());
        let applier = Arc::new(Applier::new(store.clone(), rules.clone(), wake.clone()));
        let follower = liaison_log::spawn_follower(js.clone(), applier, shutdown.token())?;

        let settings = LogSettings {
            replicas: config.alerts_replicas.unwrap_or(1),
            ..LogSettings::default()
        };
        tokio::spawn(keep_alerts_stream(js.clone(), settings, shutdown.clone()));
        let publisher = NatsPublisher::new(client.clone(), Duration::from_secs(5));
        let worker = Worker::new(
            store.clone(),
            publisher,
            config.delivery.clone(),
            wake.clone(),
        )
        .spawn(shutdown.token());
        tokio::spawn(shared::follow_outcomes(
            js.clone(),
            store.clone(),
            shutdown.token(),
        ));
        let webhooks = WebhookWorker::new(
            store.clone(),
            js.clone(),
            follower.clone(),
            config.delivery.clone(),
        )
        .spawn(shutdown.token());

        let state = http_api::ApiState {
            store: store.clone(),
            rules,
            follower: follower.clone(),
            appender: Appender::new(client),
            js: js.clone(),
            wake,
            apply_timeout: Duration::from_secs(10),
        };
        let auth = BearerAuthLayer::new(common.api_token().map(Into::into));
        let app =
            http_api::routes(state, auth).layer(axum::Extension(JsonLimits::new(256 * 1024, 32)));
        let readiness = {
            let follower = follower.clone();
            move || vec![health.check(), follower_check(&follower)]
        };
        let router = service_router(app, readiness);
        let server = HttpServer::build(common.http_addr(DEFAULT_HTTP_ADDR), router).await?;
        Ok(Self {
            server,
            shutdown,
            follower,
            store,
            worker,
            webhooks,
        })
    }

    /// The bound HTTP address.
    pub fn address(&self) -> SocketAddr {
        self.server.address()
    }

    /// The follower, to wait until a log sequence is applied.
    pub fn follower(&self) -> &Follower {
        &self.follower
    }

    /// Serves until shutdown, then stops the worker and flushes the database.
    pub async fn run_until_stopped(self) -> Result<(), NotifierError> {
        let result = self.server.run_until_stopped(self.shutdown.clone()).await;
        self.shutdown.trigger();
        let _ = self.worker.await;
        let _ = self.webhooks.await;
        if let Err(e) = self.store.db.flush_async().await {
            tracing::warn!(error = %e, "flushing the database at shutdown failed");
        }
        Ok(result?)
    }
}

/// The `log` readiness check: following, and within [`READY_MAX_LAG`] of the log's end.
fn follower_check(follower: &Follower) -> Check {
    match (follower.status(), follower.lag()) {
        (FollowerStatus::Following | FollowerStatus::Connecting, Some(lag))
            if lag <= READY_MAX_LAG =>
        {
            Check::pass("log", format!("applied {}, lag {lag}", follower.applied()))
        }
        (status, lag) => Check::fail(
            "log",
            format!("{status:?}, applied {}, lag {lag:?}", follower.applied()),
        ),
    }
}

/// Creates the alerts stream, retrying until it exists (NATS may be down at start).
async fn keep_alerts_stream(js: jetstream::Context, settings: LogSettings, shutdown: Shutdown) {
    let mut delay = Duration::from_millis(200);
    loop {
        match ensure_alerts_stream(&js, &settings).await {
            Ok(_) => return,
            Err(e) => tracing::warn!(error = %e, "cannot create the alerts stream yet; retrying"),
        }
        tokio::select! {
            _ = shutdown.wait() => return,
            _ = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}
