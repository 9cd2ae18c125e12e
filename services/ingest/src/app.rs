//! Ingest on the service skeleton: the registry as the read model of the log, the append
//! operation behind HTTP and NATS, and the start-up task that sets up the log.
//!
//! Start-up never fails because NATS is down: the log stream is created by a task that retries
//! (logging every failure) until it succeeds, and appends answer `503` until the stream is there
//! and the registry has caught up with the log once. Ingest creates the stream only when it is
//! absent *and* this ingest never applied anything of a log: a log that disappeared is not
//! silently replaced by an empty one the services do not hold
//! (docs/decisions/010-the-log-has-an-identity.md). `/readyz` says what is missing.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream;
use axum::Router;
use liaison_log::{
    Applier, Follower, LogSettings, StreamSetup, StreamSetupError, ensure_events_stream_if,
};
use liaison_runtime::http::Check;
use liaison_runtime::service::{App, Context, Service, StartError};
use liaison_runtime::shutdown::Shutdown;

use crate::append::{Ingest, LogState};
use crate::config::{APPLY_WAIT, CATCH_UP_WAIT, Config};
use crate::registry::RegistryStore;
use crate::registry_model::{RegistryApplier, RegistryModel};
use crate::{http_api, metrics, nats_api};

/// The running ingest.
pub type Application = App<IngestService>;

/// `liaison-ingest` as a service of the skeleton.
#[derive(Debug)]
pub struct IngestService;

/// What ingest exposes once built.
#[derive(Clone)]
pub struct IngestHandle {
    /// The registry.
    pub store: RegistryStore,
    /// The append operation.
    pub ingest: Ingest,
}

impl Service for IngestService {
    const KIND: liaison_proto::services::Service = liaison_proto::services::Service::Ingest;
    const ABOUT: &'static str = "Accepts events and appends them to the Liaison log.";
    type Config = Config;
    type Handle = IngestHandle;

    fn common(config: &Config) -> &liaison_runtime::config::CommonArgs {
        &config.common
    }

    async fn build(
        config: Config,
        ctx: &mut Context,
    ) -> Result<(Router, IngestHandle), StartError> {
        let db = ctx.db()?;
        let store =
            RegistryStore::open(&db).map_err(|e| StartError::service("opening the registry", e))?;
        let followed = ctx.follow(RegistryModel::new(store.clone()))?;
        let state = Arc::new(LogState::default());
        let ingest = Ingest::new(
            store.clone(),
            RegistryApplier::new(followed.applier.clone()),
            ctx.nats().clone(),
            followed.follower.clone(),
            state.clone(),
            APPLY_WAIT,
            CATCH_UP_WAIT,
        );
        let auth = ctx.write_auth();
        let limits = config.json_limits();
        ctx.spawn(prepare_log(
            ctx.jetstream(),
            config.log_settings(),
            followed.applier.clone(),
            state.clone(),
            followed.follower.clone(),
            ctx.shutdown(),
        ));
        ctx.spawn(nats_api::serve(
            ctx.nats().clone(),
            ingest.clone(),
            limits,
            auth.clone(),
            ctx.shutdown(),
            config.max_nats_in_flight,
        ));
        ctx.spawn(report_metrics(
            ctx.health().clone(),
            state.clone(),
            followed.follower.clone(),
            ctx.shutdown(),
        ));
        let follower = followed.follower;
        ctx.check(move || stream_check(&state, &follower));
        let routes = http_api::routes(ingest.clone(), limits, auth, config.max_concurrent_appends)
            .merge(crate::schemas_api::routes());
        Ok((routes, IngestHandle { store, ingest }))
    }
}

/// The `stream` check: the log is set up and the registry caught up with it once.
fn stream_check(state: &LogState, follower: &Follower) -> Check {
    if let Some(problem) = state.problem() {
        return Check::fail("stream", problem);
    }
    if !state.stream_ready() {
        return Check::fail("stream", "the log stream is not set up yet; retrying");
    }
    if !state.caught_up() {
        return Check::fail(
            "stream",
            format!("catching up with the log (applied {})", follower.applied()),
        );
    }
    Check::pass(
        "stream",
        "the log is set up and the registry caught up with it",
    )
}

/// Sets up the log stream (creating it only when allowed), retrying until it works, then waits
/// until the registry has caught up with the log once; again whenever an append finds no stream.
async fn prepare_log(
    js: jetstream::Context,
    settings: LogSettings,
    applier: Arc<Applier<RegistryModel>>,
    state: Arc<LogState>,
    follower: Follower,
    shutdown: Shutdown,
) {
    loop {
        if !set_up_stream(&js, &settings, &applier, &state, &follower, &shutdown).await {
            return;
        }
        if !catch_up_once(&js, &state, &follower, &shutdown).await {
            return;
        }
        tokio::select! {
            () = shutdown.wait() => return,
            () = state.ensure_requested() => {
                tracing::info!("an append found no stream; setting up the log stream again");
            }
        }
    }
}

/// Why this ingest may not create the log, if it may not: it holds state of a log already.
fn may_create(applier: &Applier<RegistryModel>) -> Result<(), String> {
    let checkpoint = applier.checkpoint().map_err(|e| e.to_string())?;
    let identity = applier.identity().map_err(|e| e.to_string())?;
    match (checkpoint, identity) {
        (0, None) => Ok(()),
        (checkpoint, identity) => Err(format!(
            "this ingest holds the registry of a log up to sequence {checkpoint}{}: an empty new \
             log would not be the one the services hold, so it is not created; restore the \
             stream, or reset every service's data directory to start a new log",
            identity.map(|i| format!(" ({i})")).unwrap_or_default()
        )),
    }
}

/// Retries until the stream is set up; false when shutdown fired first.
async fn set_up_stream(
    js: &jetstream::Context,
    settings: &LogSettings,
    applier: &Arc<Applier<RegistryModel>>,
    state: &LogState,
    follower: &Follower,
    shutdown: &Shutdown,
) -> bool {
    let mut attempt: u32 = 0;
    loop {
        attempt += 1;
        let allowed = may_create(applier);
        let outcome = tokio::time::timeout(
            Duration::from_secs(10),
            ensure_events_stream_if(js, settings, allowed),
        )
        .await;
        match outcome {
            Ok(Ok(setup)) => {
                if let StreamSetup::Found { differences, .. } = &setup
                    && !differences.is_empty()
                {
                    tracing::warn!(
                        ?differences,
                        "the log stream's settings differ from ingest's; kept as they are"
                    );
                }
                follower.observe_log_sequence(setup.info().state.last_sequence);
                state.set_stream_ready();
                return true;
            }
            Ok(Err(error @ StreamSetupError::Missing { .. })) => {
                tracing::error!(attempt, %error, "the log is gone; appends answer 503");
                state.set_problem(error.to_string());
            }
            Ok(Err(error)) => tracing::warn!(attempt, %error,
                "cannot set up the log stream; appends answer 503 until it works; retrying"),
            Err(_) => tracing::warn!(
                attempt,
                "setting up the log stream timed out; appends answer 503 until it works; retrying"
            ),
        }
        if sleep_or_stop(backoff(attempt), shutdown).await {
            return false;
        }
    }
}

/// Waits until the registry has applied the log as it is now; false when shutdown fired first.
async fn catch_up_once(
    js: &jetstream::Context,
    state: &LogState,
    follower: &Follower,
    shutdown: &Shutdown,
) -> bool {
    let mut attempt: u32 = 0;
    while !state.caught_up() {
        attempt += 1;
        match liaison_log::last_sequence(js).await {
            Ok(last) => {
                follower.observe_log_sequence(last);
                let waited = tokio::select! {
                    () = shutdown.wait() => return false,
                    ok = follower.wait_applied(last, Duration::from_secs(5)) => ok,
                };
                if waited {
                    tracing::info!(
                        applied = follower.applied(),
                        "registry caught up with the log; accepting appends"
                    );
                    state.set_caught_up();
                } else {
                    tracing::info!(
                        applied = follower.applied(),
                        last,
                        "registry catching up with the log"
                    );
                }
            }
            Err(error) => {
                tracing::warn!(attempt, %error, "cannot read the log's length; retrying");
                if sleep_or_stop(backoff(attempt), shutdown).await {
                    return false;
                }
            }
        }
    }
    true
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
    health: liaison_runtime::nats::NatsHealth,
    state: Arc<LogState>,
    follower: Follower,
    shutdown: Shutdown,
) {
    loop {
        metrics::record_log(
            health.is_connected() && state.stream_ready() && follower.wrong_log().is_none(),
            follower.applied(),
            follower.lag(),
        );
        if sleep_or_stop(Duration::from_secs(1), &shutdown).await {
            return;
        }
    }
}
