//! Rebuild: replay the whole log into a fresh database beside the live one, then switch to it
//! atomically ([`crate::switch::StoreSwitch::switch_to`]); queries keep answering from the old
//! database until the switch, and the follower goes on applying to whichever is live.
//!
//! The switch happens under the applier's lock, once the fresh database has reached the live
//! checkpoint, so no batch is lost between the two: the follower's next batch goes to the new
//! database, which skips whatever it has already applied.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use async_nats::jetstream;
use futures::StreamExt;
use liaison_log::{LogEntry, ReadError};
use serde::Serialize;

use crate::applier::Applier;
use crate::store::{Store, StoreError};
use crate::switch::StoreSwitch;

/// Entries per applied batch while replaying.
const BATCH: usize = 2_000;

/// A rebuild failed; the live database is unchanged.
#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    /// Another rebuild is running.
    #[error("a rebuild is already running")]
    Busy,
    /// The log could not be read.
    #[error("reading the log: {0}")]
    Log(#[from] ReadError),
    /// The database failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// A blocking task failed.
    #[error("{0}")]
    Task(String),
}

/// What a rebuild did.
#[derive(Debug, Clone, Serialize)]
pub struct RebuildReport {
    /// The new live database directory.
    pub database: String,
    /// Its checkpoint at the switch.
    pub checkpoint: u64,
    /// How long it took, in seconds.
    pub seconds: f64,
}

/// Runs rebuilds, one at a time, for a running service.
#[derive(Debug)]
pub struct Rebuilder {
    js: jetstream::Context,
    stores: Arc<StoreSwitch>,
    applier: Arc<Applier>,
    busy: AtomicBool,
}

impl Rebuilder {
    /// A rebuilder for the service's databases and applier.
    pub fn new(js: jetstream::Context, stores: Arc<StoreSwitch>, applier: Arc<Applier>) -> Self {
        Self {
            js,
            stores,
            applier,
            busy: AtomicBool::new(false),
        }
    }

    /// Starts a rebuild in the background.
    pub fn start(self: &Arc<Self>) -> Result<(), RebuildError> {
        if self.busy.load(Ordering::Acquire) {
            return Err(RebuildError::Busy);
        }
        let this = self.clone();
        tokio::spawn(async move {
            match this.run().await {
                Ok(report) => tracing::info!(?report, "rebuild done"),
                Err(e) => tracing::error!(error = %e, "rebuild failed"),
            }
        });
        Ok(())
    }

    /// Rebuilds and switches; returns when the new database is live.
    pub async fn run(&self) -> Result<RebuildReport, RebuildError> {
        if self.busy.swap(true, Ordering::AcqRel) {
            return Err(RebuildError::Busy);
        }
        let result = rebuild(&self.js, &self.stores, Some(&self.applier)).await;
        self.busy.store(false, Ordering::Release);
        result
    }
}

/// Replays the log into a fresh database and switches to it. With `applier` (a running
/// service), the switch waits for the live checkpoint and happens under the applier's lock;
/// without (offline), it switches once the fresh database has the whole log.
pub async fn rebuild(
    js: &jetstream::Context,
    stores: &Arc<StoreSwitch>,
    applier: Option<&Arc<Applier>>,
) -> Result<RebuildReport, RebuildError> {
    let started = Instant::now();
    let fresh = Arc::new(stores.fresh()?);
    tracing::info!(dir = %fresh.path().display(), "rebuilding from the log");
    let mut target = liaison_log::last_sequence(js).await?;
    let mut entries = std::pin::pin!(liaison_log::read_from(js, 1).ready_chunks(BATCH));
    let mut applied = 0;
    loop {
        while applied < target {
            let Some(batch) = entries.next().await else {
                return Err(RebuildError::Task("the log's consumer ended".into()));
            };
            let batch = batch.into_iter().collect::<Result<Vec<LogEntry>, _>>()?;
            let Some(last) = batch.last().map(|e| e.sequence) else {
                continue;
            };
            let store = fresh.clone();
            tokio::task::spawn_blocking(move || Applier::apply_to(&store, &batch))
                .await
                .map_err(|e| RebuildError::Task(e.to_string()))??;
            applied = last;
        }
        let store = fresh.clone();
        let stores = stores.clone();
        let applier = applier.cloned();
        let switched = tokio::task::spawn_blocking(move || -> Result<Option<u64>, StoreError> {
            let _guard = applier
                .as_ref()
                .map(|a| a.lock.lock().unwrap_or_else(|e| e.into_inner()));
            let live = stores.current().checkpoint()?;
            if store.checkpoint()? < live {
                return Ok(Some(live));
            }
            let store = Arc::try_unwrap(store).unwrap_or_else(|arc| (*arc).clone());
            stores.switch_to(store)?;
            Ok(None)
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
