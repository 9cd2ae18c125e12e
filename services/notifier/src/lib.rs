//! `liaison-notifier`: follows the log, matches alert rules against the status transitions the
//! domain core detects, and delivers alerts to NATS and webhooks, at least once, with stable ids.
//!
//! - [`config`]: flags and environment, checked and clamped in one place;
//! - [`store`]: the sled trees and records;
//! - [`model`]: the notifier as a read model of the log — events → facts → transitions →
//!   matching rules → alert records and pending deliveries (the applier of `liaison-log` gates
//!   the entries and commits them with the checkpoint);
//! - [`rules`]: which rules fire for a transition (pure);
//! - [`secrets`]: the keys that seal webhook secrets before they enter the log, and open them
//!   in memory to sign a delivery;
//! - [`delivery`]: the queue that publishes alerts to NATS, and the webhook queue that takes
//!   work from the durable consumer every instance shares (and applies everyone's outcomes);
//! - [`http_api`]: `/v1/rules` and `/v1/alerts`;
//! - [`metrics`]: the notifier's Prometheus metrics.
//!
//! [`NotifierService`] wires them on the service skeleton of `liaison-runtime`.

pub mod config;
pub mod delivery;
pub mod http_api;
pub mod metrics;
pub mod model;
pub mod rules;
pub mod secrets;
pub mod store;

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream;
use axum::Router;
use liaison_log::{Appender, Follower, LogSettings, ensure_alerts_stream};
use liaison_runtime::auth::Scope;
use liaison_runtime::config::CommonArgs;
use liaison_runtime::json_body::JsonLimits;
use liaison_runtime::service::{App, Context, Service, StartError};
use liaison_runtime::shutdown::Shutdown;
use tokio::sync::Notify;

pub use config::Config;

use crate::delivery::nats::NatsPublisher;
use crate::delivery::nats_queue::NatsQueue;
use crate::delivery::webhook_queue::{self, WebhookQueue};
use crate::model::{NotifierModel, RuleSet};
use crate::secrets::Secrets;
use crate::store::Store;

/// The running notifier.
pub type Application = App<NotifierService>;

/// `liaison-notifier` as a service of the skeleton.
#[derive(Debug)]
pub struct NotifierService;

/// What the notifier exposes once built.
#[derive(Clone)]
pub struct NotifierHandle {
    /// The database.
    pub store: Store,
    /// How far the notifier got.
    pub follower: Follower,
}

impl Service for NotifierService {
    const KIND: liaison_proto::services::Service = liaison_proto::services::Service::Notifier;
    const ABOUT: &'static str =
        "Follows the Liaison log, matches alert rules, delivers alerts to NATS and webhooks.";
    /// A fact reads its pair-topics' summaries and writes a few small records: with the compact
    /// ledger a small cache keeps a catch-up within 256 MiB (decision 025).
    const SLED_CACHE_MIB: u64 = 16;
    type Config = Config;
    type Handle = NotifierHandle;

    fn common(config: &Config) -> &CommonArgs {
        &config.common
    }

    async fn build(
        config: Config,
        ctx: &mut Context,
    ) -> Result<(Router, NotifierHandle), StartError> {
        metrics::describe();
        let delivery = config.delivery();
        if delivery.targets.allows_private() {
            tracing::warn!(
                "LIAISON_WEBHOOK_ALLOW_PRIVATE is on: webhooks may reach loopback, private and \
                 link-local addresses (this machine, its network, the cloud's metadata service)"
            );
        }
        let secrets = Arc::new(Secrets::load(&config.secrets).map_err(StartError::Config)?);
        match secrets.ring() {
            Some(ring) => tracing::info!(
                key_ids = ?ring.ids().collect::<Vec<_>>(),
                "webhook secrets are sealed with key '{}'",
                ring.newest_id()
            ),
            None => tracing::warn!(
                "no secrets key ({} or {}): webhook rules cannot be created",
                secrets::KEY_FILE_ENV,
                secrets::KEYS_ENV
            ),
        }
        let db = ctx.db_with_segments(store::SLED_SEGMENT_BYTES)?;
        let store = Store::open(db).map_err(|e| StartError::service("opening the store", e))?;
        let rules =
            RuleSet::load(&store).map_err(|e| StartError::service("reading the rules", e))?;
        secrets.audit(rules.snapshot().values());
        let wake = Arc::new(Notify::new());
        let followed = ctx.follow(NotifierModel::new(
            store.clone(),
            rules.clone(),
            wake.clone(),
        ))?;
        let js = ctx.jetstream();
        let settings = ctx.common().log_settings();
        ctx.spawn(keep_alerts_stream(js.clone(), settings, ctx.shutdown()));
        let publisher = NatsPublisher::new(ctx.nats().clone(), Duration::from_secs(5));
        let queue = NatsQueue::new(store.clone(), publisher, delivery.clone(), wake.clone());
        let queue = queue.spawn(ctx.shutdown().token());
        ctx.spawn(async move {
            let _ = queue.await;
        });
        ctx.spawn(webhook_queue::follow_outcomes(
            js.clone(),
            store.clone(),
            ctx.shutdown().token(),
        ));
        let webhooks = WebhookQueue::new(
            store.clone(),
            js.clone(),
            followed.follower.clone(),
            delivery,
            secrets.clone(),
        );
        let webhooks = webhooks.spawn(ctx.shutdown().token());
        ctx.spawn(async move {
            let _ = webhooks.await;
        });
        let state = http_api::ApiState {
            store: store.clone(),
            rules,
            follower: followed.follower.clone(),
            appender: Appender::new(ctx.nats().clone()),
            js,
            wake,
            apply_timeout: Duration::from_secs(10),
            targets: config.delivery().targets,
            secrets,
        };
        let routes = http_api::routes(state, ctx.write_auth(), ctx.access(Scope::Confidential))
            .layer(axum::Extension(JsonLimits::new(256 * 1024, 32)));
        Ok((
            routes,
            NotifierHandle {
                store,
                follower: followed.follower,
            },
        ))
    }
}

/// Creates the alerts stream when absent, retrying until it exists (NATS may be down at start).
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
