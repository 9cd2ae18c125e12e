//! A built service, bound to its address: `App::build(config, shutdown) → address() →
//! run_until_stopped()`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use liaison_log::Follower;
use tokio::task::JoinHandle;

use super::context::Context;
use super::readiness::{log_check, stream_check};
use super::status::Status;
use super::{Service, StartError, quarantine};
use crate::auth::{BearerAuthLayer, Scope};
use crate::http::{self, Check, HttpServer};
use crate::shutdown::Shutdown;

/// How long the background tasks of a stopping service may take, all together.
pub const TASKS_GRACE: Duration = Duration::from_secs(3);

/// A running service.
pub struct App<S: Service> {
    server: HttpServer,
    shutdown: Shutdown,
    tasks: Vec<JoinHandle<()>>,
    db: Option<sled::Db>,
    follower: Option<Follower>,
    handle: S::Handle,
}

impl<S: Service> std::fmt::Debug for App<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("service", &S::KIND.name())
            .field("address", &self.server.address())
            .finish_non_exhaustive()
    }
}

impl<S: Service> App<S> {
    /// Validates `config`, connects to NATS (in the background), lets the service wire itself,
    /// and binds the HTTP address. The service stops when `shutdown` fires.
    pub async fn build(config: S::Config, shutdown: Shutdown) -> Result<Self, StartError> {
        let config = S::validate(config).map_err(StartError::Config)?;
        let mut common = S::common(&config).clone();
        common.sled_cache_mib = Some(common.sled_cache_mib(S::SLED_CACHE_MIB));
        common.check_tokens().map_err(StartError::Config)?;
        let (nats, health) = crate::nats::connect(&common, S::KIND.name()).await?;
        let mut ctx = Context {
            service: S::KIND.name(),
            common: common.clone(),
            nats,
            health: health.clone(),
            shutdown: shutdown.clone(),
            db: None,
            tasks: Vec::new(),
            checks: Vec::new(),
            followers: Vec::new(),
            quarantine: Vec::new(),
        };
        let (routes, handle) = S::build(config, &mut ctx).await?;
        let Context {
            db,
            mut tasks,
            checks,
            followers,
            quarantine,
            ..
        } = ctx;
        let follower = followers
            .iter()
            .find(|(stream, _)| stream == liaison_proto::subjects::EVENTS_STREAM)
            .map(|(_, follower)| follower.clone());
        // Every route of the service is a read unless it says otherwise (its own, stricter
        // layer: the write token opens the read scope too). Applied before the shared routes
        // are added, so that `/healthz`, `/readyz` and `/metrics` stay open.
        let tokens = common.tokens();
        let routes = routes.layer(BearerAuthLayer::scoped(tokens.clone(), Scope::Read));
        let status = Status::new(S::KIND.name(), followers.clone());
        tasks.push(tokio::spawn(status.clone().run_sampler(shutdown.token())));
        let routes = routes.merge(
            status
                .routes()
                .layer(BearerAuthLayer::scoped(tokens.clone(), Scope::Read)),
        );
        let routes = if quarantine.is_empty() {
            routes
        } else {
            routes.merge(quarantine::routes(
                quarantine,
                BearerAuthLayer::scoped(tokens, Scope::Write),
            ))
        };
        let readiness = {
            let checks = Arc::new(checks);
            let max_lag = common.ready_max_lag;
            move || -> Vec<Check> {
                std::iter::once(health.check())
                    .chain(followers.iter().map(|(stream, f)| {
                        if stream == liaison_proto::subjects::EVENTS_STREAM {
                            log_check(f, max_lag)
                        } else {
                            stream_check(stream, f, max_lag)
                        }
                    }))
                    .chain(checks.iter().map(|check| check()))
                    .collect()
            }
        };
        let router = http::service_router(routes, readiness);
        let server = HttpServer::build(common.http_addr(S::KIND.default_addr()), router)
            .await?
            .with_limits(common.http_limits());
        Ok(Self {
            server,
            shutdown,
            tasks,
            db,
            follower,
            handle,
        })
    }

    /// The HTTP address the service listens on (the real port when port 0 was asked for).
    pub fn address(&self) -> SocketAddr {
        self.server.address()
    }

    /// What the service exposes once built.
    pub fn handle(&self) -> &S::Handle {
        &self.handle
    }

    /// The follower of the log, when the service follows it.
    pub fn follower(&self) -> Option<&Follower> {
        self.follower.as_ref()
    }

    /// The signal that stops the service; trigger it to stop.
    pub fn shutdown_handle(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// Serves until the shutdown signal; then lets the service finish its work in flight, stops
    /// the background tasks (within [`TASKS_GRACE`]) and flushes the database.
    pub async fn run_until_stopped(self) -> Result<(), StartError> {
        let Self {
            server,
            shutdown,
            tasks,
            db,
            handle,
            ..
        } = self;
        let served = server.run_until_stopped(shutdown.clone()).await;
        shutdown.trigger();
        S::stopping(&handle).await;
        let all = futures::future::join_all(tasks);
        if tokio::time::timeout(TASKS_GRACE, all).await.is_err() {
            tracing::warn!(service = S::KIND.name(), grace = ?TASKS_GRACE,
                "background tasks did not stop in time; leaving them");
        }
        if let Some(db) = db
            && let Err(error) = db.flush_async().await
        {
            tracing::warn!(service = S::KIND.name(), %error, "flushing the database at shutdown failed");
        }
        served?;
        Ok(())
    }
}
