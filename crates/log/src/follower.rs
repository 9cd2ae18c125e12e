//! The follower: the one loop by which every service keeps its sled state current with the log.
//!
//! Each service derives its own state from the log (ARCHITECTURE.md, decisions 1 and 3). The loop
//! is the same everywhere, so it lives here: read the checkpoint, replay the log from
//! checkpoint + 1 with an ordered consumer, hand each batch of consecutive entries to the service's
//! [`Apply`] implementation — which writes the derived state *and* the new checkpoint in one sled
//! transaction — and publish how far it got. After any failure (NATS gone, a consumer lost, a sled
//! error) it starts again from the checkpoint, so an entry is applied exactly once in effect.
//!
//! Batches are whatever has been read ahead, up to [`FollowerOptions::max_batch`]: one entry
//! at a time when the log is quiet (low latency), large batches while catching up (throughput).

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_nats::jetstream;
use futures::StreamExt;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::read::{LogEntry, last_sequence, read_from};

/// Applying entries to a service's state failed; the follower retries from the checkpoint.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ApplyError(pub String);

impl ApplyError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl From<sled::Error> for ApplyError {
    fn from(e: sled::Error) -> Self {
        Self(format!("sled: {e}"))
    }
}

impl<E: std::fmt::Debug> From<sled::transaction::TransactionError<E>> for ApplyError {
    fn from(e: sled::transaction::TransactionError<E>) -> Self {
        match e {
            sled::transaction::TransactionError::Abort(reason) => {
                Self(format!("transaction aborted: {reason:?}"))
            }
            sled::transaction::TransactionError::Storage(e) => Self(format!("sled: {e}")),
        }
    }
}

/// What a service implements to follow the log. Both methods are called from a blocking thread,
/// so they may do sled IO directly.
pub trait Apply: Send + Sync + 'static {
    /// The last sequence applied (0 when nothing was).
    fn checkpoint(&self) -> Result<u64, ApplyError>;

    /// Applies `entries` — consecutive, in log order, all above the checkpoint — and stores the
    /// last one's sequence as the new checkpoint, in one sled transaction.
    fn apply(&self, entries: &[LogEntry]) -> Result<(), ApplyError>;
}

/// Tuning of the follower loop.
#[derive(Debug, Clone)]
pub struct FollowerOptions {
    /// The most entries handed to one [`Apply::apply`] call.
    pub max_batch: usize,
    /// How often the log's last sequence is polled, for the lag.
    pub lag_poll: Duration,
    /// The longest wait between two attempts after a failure.
    pub max_backoff: Duration,
    /// How long the log may be known to hold unapplied entries while none arrives before the
    /// consumer is presumed stalled and recreated from the checkpoint. After a nats-server
    /// restart the ephemeral ordered consumer is gone, and the client may take several missed
    /// heartbeats to notice; this bounds that wait.
    pub stall_after: Duration,
}

impl Default for FollowerOptions {
    fn default() -> Self {
        Self {
            max_batch: 2_000,
            lag_poll: Duration::from_millis(500),
            max_backoff: Duration::from_secs(5),
            stall_after: Duration::from_secs(2),
        }
    }
}

/// Where the follower stands, for logs and `/readyz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowerStatus {
    /// Starting, or re-opening the log after a failure.
    Connecting,
    /// Reading and applying the log.
    Following,
    /// The last attempt failed with this error; it will try again.
    Failing(String),
    /// Shut down.
    Stopped,
}

struct Shared {
    applied: watch::Sender<u64>,
    log_last: AtomicU64,
    log_last_known: std::sync::atomic::AtomicBool,
    status: Mutex<FollowerStatus>,
}

impl Shared {
    fn set_status(&self, status: FollowerStatus) {
        *self.status.lock().expect("follower status lock") = status;
    }
}

/// A handle on a running follower: how far it got, and a way to wait for a sequence.
#[derive(Clone)]
pub struct Follower {
    shared: Arc<Shared>,
}

impl Follower {
    /// The last sequence applied.
    pub fn applied(&self) -> u64 {
        *self.shared.applied.borrow()
    }

    /// A receiver that changes every time a batch is applied (its value: the new checkpoint).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.shared.applied.subscribe()
    }

    /// Waits until `sequence` is applied, or `timeout` runs out; true when it was applied.
    pub async fn wait_applied(&self, sequence: u64, timeout: Duration) -> bool {
        let mut rx = self.shared.applied.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(|applied| *applied >= sequence))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// The last sequence of the log, as last polled (None until the first poll succeeds).
    pub fn log_last_sequence(&self) -> Option<u64> {
        self.shared
            .log_last_known
            .load(Ordering::Acquire)
            .then(|| self.shared.log_last.load(Ordering::Acquire))
    }

    /// How many entries of the log are not applied yet (None until the log was reached).
    pub fn lag(&self) -> Option<u64> {
        self.log_last_sequence()
            .map(|last| last.saturating_sub(self.applied()))
    }

    /// Where the follower stands.
    pub fn status(&self) -> FollowerStatus {
        self.shared
            .status
            .lock()
            .expect("follower status lock")
            .clone()
    }

    /// Records that the log holds at least `sequence` (e.g. right after an append), so the lag
    /// does not wait for the next poll.
    pub fn observe_log_sequence(&self, sequence: u64) {
        self.shared.log_last.fetch_max(sequence, Ordering::AcqRel);
        self.shared.log_last_known.store(true, Ordering::Release);
    }
}

/// Starts following the log with default options; see [`spawn_follower_with`].
pub fn spawn_follower(
    js: jetstream::Context,
    applier: Arc<dyn Apply>,
    shutdown: CancellationToken,
) -> Result<Follower, ApplyError> {
    spawn_follower_with(js, applier, shutdown, FollowerOptions::default())
}

/// Starts following the log: a task that applies every entry above the checkpoint, in order,
/// until `shutdown` fires, and a task that polls the log's last sequence for the lag. Fails only
/// when the checkpoint cannot be read.
pub fn spawn_follower_with(
    js: jetstream::Context,
    applier: Arc<dyn Apply>,
    shutdown: CancellationToken,
    options: FollowerOptions,
) -> Result<Follower, ApplyError> {
    let start = applier.checkpoint()?;
    let (applied, _) = watch::channel(start);
    let shared = Arc::new(Shared {
        applied,
        log_last: AtomicU64::new(0),
        log_last_known: false.into(),
        status: Mutex::new(FollowerStatus::Connecting),
    });
    let follower = Follower { shared };
    tokio::spawn(follow(
        js.clone(),
        applier,
        follower.clone(),
        shutdown.clone(),
        options.clone(),
    ));
    tokio::spawn(poll_lag(js, follower.clone(), shutdown, options.lag_poll));
    Ok(follower)
}

async fn follow(
    js: jetstream::Context,
    applier: Arc<dyn Apply>,
    follower: Follower,
    shutdown: CancellationToken,
    options: FollowerOptions,
) {
    let shared = &follower.shared;
    let mut failures: u32 = 0;
    while !shutdown.is_cancelled() {
        let applied_before = follower.applied();
        match follow_once(&js, &applier, &follower, &shutdown, &options).await {
            Ok(()) => break,
            Err(e) => {
                // Backoff grows only while no progress is made.
                if follower.applied() > applied_before {
                    failures = 0;
                }
                failures = failures.saturating_add(1);
                tracing::warn!(error = %e, attempt = failures, "following the log failed; retrying from the checkpoint");
                shared.set_status(FollowerStatus::Failing(e.to_string()));
                let backoff = Duration::from_millis(100 * 2u64.saturating_pow(failures.min(6)))
                    .min(options.max_backoff);
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(backoff) => {}
                }
            }
        }
    }
    shared.set_status(FollowerStatus::Stopped);
}

/// Follows from the checkpoint until shutdown (Ok) or a failure (Err).
async fn follow_once(
    js: &jetstream::Context,
    applier: &Arc<dyn Apply>,
    follower: &Follower,
    shutdown: &CancellationToken,
    options: &FollowerOptions,
) -> Result<(), ApplyError> {
    let shared = &follower.shared;
    let mut checkpoint = blocking(applier, |a| a.checkpoint()).await?;
    shared.applied.send_replace(checkpoint);
    shared.set_status(FollowerStatus::Connecting);
    // Reading runs ahead of applying, in its own task, into a buffer of two batches: while one
    // batch is applied the next one arrives, and a follower that is behind takes full batches
    // (the ordered consumer alone hands over what one pull brought, ≈ 130 entries).
    let (tx, mut rx) = tokio::sync::mpsc::channel(options.max_batch * 2);
    let reader = tokio::spawn({
        let entries = read_from(js, checkpoint + 1);
        async move {
            let mut entries = std::pin::pin!(entries);
            while let Some(entry) = entries.next().await {
                if tx.send(entry).await.is_err() {
                    return;
                }
            }
        }
    });
    let _stop_reader = AbortOnDrop(reader);
    let mut batch = Vec::with_capacity(options.max_batch);
    let mut last_progress = tokio::time::Instant::now();
    let mut stall_check = tokio::time::interval(options.stall_after / 4);
    loop {
        let received = tokio::select! {
            _ = shutdown.cancelled() => return Ok(()),
            n = rx.recv_many(&mut batch, options.max_batch) => n,
            _ = stall_check.tick() => {
                let behind = follower.log_last_sequence().is_some_and(|last| last > checkpoint);
                if behind && last_progress.elapsed() >= options.stall_after {
                    return Err(ApplyError::new(format!(
                        "no entry arrived for {:?} while the log is ahead of {checkpoint}; recreating the consumer",
                        options.stall_after
                    )));
                }
                if !behind {
                    last_progress = tokio::time::Instant::now();
                }
                continue;
            }
        };
        last_progress = tokio::time::Instant::now();
        if received == 0 {
            return Err(ApplyError::new("the log's consumer ended"));
        }
        let mut entries = Vec::with_capacity(batch.len());
        let mut failure = None;
        for item in batch.drain(..) {
            match item {
                Ok(entry) if entry.sequence > checkpoint => entries.push(entry),
                Ok(_) => {} // at or below the checkpoint: applied already
                Err(e) => {
                    failure = Some(ApplyError::new(format!("reading the log: {e}")));
                    break;
                }
            }
        }
        if let Some(last) = entries.last().map(|e| e.sequence) {
            shared.set_status(FollowerStatus::Following);
            let applier = applier.clone();
            tokio::task::spawn_blocking(move || applier.apply(&entries))
                .await
                .map_err(|e| ApplyError::new(format!("apply task failed: {e}")))??;
            checkpoint = last;
            shared.log_last.fetch_max(last, Ordering::AcqRel);
            shared.applied.send_replace(last);
        }
        if let Some(e) = failure {
            return Err(e);
        }
    }
}

/// Aborts a task when dropped: the reader ends with the attempt that started it.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn poll_lag(
    js: jetstream::Context,
    follower: Follower,
    shutdown: CancellationToken,
    every: Duration,
) {
    loop {
        // Bounded: while NATS is away a request can wait for the client's whole request
        // timeout, and a stale lag delays the stall detection of `follow_once`.
        if let Ok(Ok(last)) =
            tokio::time::timeout(every.max(Duration::from_secs(1)), last_sequence(&js)).await
        {
            follower.observe_log_sequence(last);
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

async fn blocking<T: Send + 'static>(
    applier: &Arc<dyn Apply>,
    f: impl FnOnce(&dyn Apply) -> Result<T, ApplyError> + Send + 'static,
) -> Result<T, ApplyError> {
    let applier = applier.clone();
    tokio::task::spawn_blocking(move || f(applier.as_ref()))
        .await
        .map_err(|e| ApplyError::new(format!("blocking task failed: {e}")))?
}
