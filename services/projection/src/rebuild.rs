//! Rebuild: replay the whole log into a fresh database beside the live one, then switch to it
//! atomically ([`crate::switch::StoreSwitch::switch_to`]); queries keep answering from the old
//! database until the switch, and the follower goes on applying to whichever is live.
//!
//! The switch happens under the applier's lock, once the fresh database has reached the live
//! checkpoint, so no batch is lost between the two: the follower's next batch goes to the new
//! database, which skips whatever it has already applied.
//!
//! A running service's [`Rebuilder`] keeps the progress of the rebuild running, or of the last
//! one ([`RebuildStatus`]: replayed up to which sequence of which target), for
//! `GET /v1/admin/rebuild`, which the console polls.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_nats::jetstream;
use futures::StreamExt;
use liaison_log::{Applier, ApplyError, FactsError, LogEntry, LogIdentity, ReadError};
use liaison_proto::subjects::EVENTS_STREAM;

use crate::model::{ProjectionModel, Target};
use crate::store::{Store, StoreError};
use crate::switch::StoreSwitch;

/// The live applier of a running projection.
pub type LiveApplier = Arc<Applier<ProjectionModel>>;

/// Entries per applied batch while replaying.
const BATCH: usize = 2_000;
/// Payload bytes per applied batch while replaying (one larger entry goes alone).
const BATCH_BYTES: usize = 16 * 1024 * 1024;

/// A rebuild failed; the live database is unchanged.
#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    /// Another rebuild is running.
    #[error("a rebuild is already running")]
    Busy,
    /// The log could not be read.
    #[error("reading the log: {0}")]
    Log(#[from] ReadError),
    /// The log's state could not be read.
    #[error("{0}")]
    Facts(#[from] FactsError),
    /// The database failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// Applying the log to the fresh database failed.
    #[error("{0}")]
    Apply(#[from] ApplyError),
    /// A blocking task failed.
    #[error("{0}")]
    Task(String),
}

pub use liaison_proto::admin::{RebuildReport, RebuildState, RebuildStatus};

/// Where a rebuild stands, updated as it replays.
#[derive(Debug, Default)]
pub struct Progress(Mutex<RebuildStatus>);

impl Progress {
    /// The status now.
    pub fn get(&self) -> RebuildStatus {
        self.0.lock().expect("rebuild progress lock").clone()
    }

    fn update(&self, change: impl FnOnce(&mut RebuildStatus)) {
        change(&mut self.0.lock().expect("rebuild progress lock"));
    }
}

/// Runs rebuilds, one at a time, for a running service.
#[derive(Debug)]
pub struct Rebuilder {
    js: jetstream::Context,
    stores: Arc<StoreSwitch>,
    applier: LiveApplier,
    busy: AtomicBool,
    progress: Progress,
}

impl Rebuilder {
    /// A rebuilder for the service's databases and applier.
    pub fn new(js: jetstream::Context, stores: Arc<StoreSwitch>, applier: LiveApplier) -> Self {
        Self {
            js,
            stores,
            applier,
            busy: AtomicBool::new(false),
            progress: Progress::default(),
        }
    }

    /// The rebuild running, or the last one.
    pub fn status(&self) -> RebuildStatus {
        self.progress.get()
    }

    /// Starts a rebuild in the background. The rebuild is claimed before this returns, so a
    /// status asked right after the `202` already says `running`, and a second start is refused
    /// as busy instead of being accepted and dropped.
    pub fn start(self: &Arc<Self>) -> Result<(), RebuildError> {
        self.claim()?;
        let this = self.clone();
        tokio::spawn(async move {
            match this.run_claimed().await {
                Ok(report) => tracing::info!(?report, "rebuild done"),
                Err(e) => tracing::error!(error = %e, "rebuild failed"),
            }
        });
        Ok(())
    }

    /// Rebuilds and switches; returns when the new database is live.
    pub async fn run(&self) -> Result<RebuildReport, RebuildError> {
        self.claim()?;
        self.run_claimed().await
    }

    /// Marks a rebuild as running, or says one already is.
    fn claim(&self) -> Result<(), RebuildError> {
        if self.busy.swap(true, Ordering::AcqRel) {
            return Err(RebuildError::Busy);
        }
        self.progress.update(|p| {
            *p = RebuildStatus {
                state: RebuildState::Running,
                started_at: Some(chrono::Utc::now()),
                ..RebuildStatus::default()
            }
        });
        Ok(())
    }

    /// Runs the rebuild [`claim`](Self::claim)ed, records how it ended and frees the claim.
    async fn run_claimed(&self) -> Result<RebuildReport, RebuildError> {
        let result = rebuild(&self.js, &self.stores, Some(&self.applier), &self.progress).await;
        self.progress.update(|p| match &result {
            Ok(report) => {
                p.state = RebuildState::Done;
                p.report = Some(report.clone());
            }
            Err(e) => {
                p.state = RebuildState::Failed;
                p.error = Some(e.to_string());
            }
        });
        self.busy.store(false, Ordering::Release);
        result
    }
}

/// Replays the log into a fresh database and switches to it. With `live` (a running service),
/// the switch waits for the live checkpoint and happens under the live applier's write lock —
/// unless the live database was built from another log (deleted and created again), which the
/// rebuild replaces as soon as it has the new log; without (offline), it switches once the
/// fresh database has the whole log. `progress` follows the replay.
pub async fn rebuild(
    js: &jetstream::Context,
    stores: &Arc<StoreSwitch>,
    live: Option<&LiveApplier>,
    progress: &Progress,
) -> Result<RebuildReport, RebuildError> {
    let started = Instant::now();
    let fresh = Arc::new(stores.fresh()?);
    tracing::info!(dir = %fresh.path().display(), "rebuilding from the log");
    let facts = liaison_log::stream_facts(js, EVENTS_STREAM).await?;
    let log = facts.identity;
    let applier = Arc::new(Applier::new(
        "projection",
        ProjectionModel::new(Target::Fixed(fresh.clone())),
    ));
    let mut target = facts.last_sequence;
    let mut entries = std::pin::pin!(liaison_log::read_from(js, 1).peekable());
    let mut applied = 0;
    loop {
        progress.update(|p| p.target = target);
        while applied < target {
            let batch = next_batch(entries.as_mut()).await?;
            if batch.is_empty() {
                return Err(RebuildError::Task("the log's consumer ended".into()));
            }
            let Some(last) = batch.last().map(|e| e.sequence) else {
                continue;
            };
            let (applier, log) = (applier.clone(), log.clone());
            tokio::task::spawn_blocking(move || applier.apply(&batch, &log))
                .await
                .map_err(|e| RebuildError::Task(e.to_string()))??;
            applied = last;
            progress.update(|p| p.applied = applied);
        }
        let store = fresh.clone();
        let (stores, live, log) = (stores.clone(), live.cloned(), log.clone());
        let switched = tokio::task::spawn_blocking(move || {
            switch_when_caught_up(&stores, store, live.as_ref(), &log)
        })
        .await
        .map_err(|e| RebuildError::Task(e.to_string()))??;
        match switched {
            Some(live) => target = live, // the live one moved on: catch up, then try again
            None => break,
        }
    }
    let live: Arc<Store> = stores.current();
    Ok(RebuildReport {
        database: live.path().display().to_string(),
        checkpoint: live.checkpoint()?,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The next batch of the log: what is read already, up to [`BATCH`] entries and [`BATCH_BYTES`]
/// of payload, waiting only for its first entry (empty when the log's consumer ended).
async fn next_batch(
    mut entries: std::pin::Pin<
        &mut futures::stream::Peekable<impl futures::Stream<Item = Result<LogEntry, ReadError>>>,
    >,
) -> Result<Vec<LogEntry>, RebuildError> {
    let mut batch = Vec::new();
    let mut bytes = 0;
    while batch.len() < BATCH {
        let next = if batch.is_empty() {
            entries.as_mut().next().await
        } else {
            match futures::FutureExt::now_or_never(entries.as_mut().peek()) {
                Some(Some(Ok(entry))) if bytes + entry.payload.len() > BATCH_BYTES => break,
                Some(Some(_)) => entries.as_mut().next().await,
                Some(None) | None => break,
            }
        };
        let Some(entry) = next else { break };
        let entry = entry?;
        bytes += entry.payload.len();
        batch.push(entry);
    }
    Ok(batch)
}

/// Switches to `fresh` under the live applier's lock when it has caught up with the live
/// database (or the live one follows another log); otherwise the live checkpoint to reach.
fn switch_when_caught_up(
    stores: &Arc<StoreSwitch>,
    fresh: Arc<Store>,
    live: Option<&LiveApplier>,
    log: &LogIdentity,
) -> Result<Option<u64>, RebuildError> {
    let _guard = live.map(|a| a.write_lock());
    let current = stores.current();
    let same_log =
        liaison_log::apply::identity(current.tree())?.is_none_or(|identity| identity == *log);
    let live_checkpoint = current.checkpoint()?;
    if same_log && fresh.checkpoint()? < live_checkpoint {
        return Ok(Some(live_checkpoint));
    }
    let fresh = Arc::try_unwrap(fresh).unwrap_or_else(|arc| (*arc).clone());
    stores.switch_to(fresh)?;
    Ok(None)
}

/// `liaison-projection rebuild`: asks the instance running at `--http-addr` to rebuild; when
/// none answers there, rebuilds the data directory offline.
pub fn command(config: crate::Config) -> std::process::ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("liaison-projection: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let _logs = liaison_runtime::telemetry::init_tracing("projection", config.common.log_format);
    match runtime.block_on(ask_or_rebuild(&config)) {
        Ok(report) => {
            println!("{report}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("liaison-projection rebuild: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Asks a running instance to rebuild, or rebuilds offline; the report as JSON text.
async fn ask_or_rebuild(config: &crate::Config) -> Result<String, String> {
    use liaison_runtime::service::Service;
    let addr = config
        .common
        .http_addr(crate::ProjectionService::KIND.default_addr());
    let url = format!("http://{addr}/v1/admin/rebuild?wait=true");
    let mut request = reqwest::Client::new().post(&url);
    if let Some(token) = config.common.api_token() {
        request = request.bearer_auth(token);
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            if status.is_success() {
                Ok(body)
            } else {
                Err(format!("{url} answered {status}: {body}"))
            }
        }
        Err(e) if e.is_connect() => {
            tracing::info!(%addr, "no running instance; rebuilding offline");
            let stores = Arc::new(
                StoreSwitch::open(
                    &config
                        .common
                        .data_dir(crate::ProjectionService::KIND.name()),
                    config
                        .common
                        .sled_cache_mib(liaison_runtime::config::DEFAULT_SLED_CACHE_MIB),
                )
                .map_err(|e| {
                    format!("opening the data directory (is an instance running elsewhere?): {e}")
                })?,
            );
            let (client, _health) = liaison_runtime::nats::connect(&config.common, "projection")
                .await
                .map_err(|e| e.to_string())?;
            let js = async_nats::jetstream::new(client);
            let report = rebuild(&js, &stores, None, &Progress::default())
                .await
                .map_err(|e| e.to_string())?;
            serde_json::to_string(&report).map_err(|e| e.to_string())
        }
        Err(e) => Err(format!("asking {url} to rebuild: {e}")),
    }
}
