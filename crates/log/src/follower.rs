//! The follower: the one loop by which every service keeps its sled state current with the log.
//!
//! Each service derives its own state from the log (docs/decisions/001-one-log.md,
//! docs/decisions/003-apply-exactly-once.md). The loop is the same everywhere, so it lives here:
//! read the checkpoint, check that the stream is the log the database was built from, replay it
//! from checkpoint + 1 with an ordered consumer, hand each batch of consecutive entries to the
//! service's [`Apply`] (an [`crate::Applier`], which gates, applies and checkpoints in one atomic
//! write), and publish how far it got. After any failure (NATS gone, a consumer lost, a sled
//! error) it starts again from the checkpoint, so an entry is applied exactly once in effect.
//!
//! Reading runs ahead of applying, bounded in entries and in bytes; batches are whatever has been
//! read ahead, up to [`FollowerOptions::max_batch`] entries and
//! [`FollowerOptions::max_batch_bytes`]: one entry at a time when the log is quiet (low latency),
//! large batches while catching up (throughput).
//!
//! While it runs, the follower watches the stream's identity (its creation time) and length,
//! polled and on JetStream's stream advisories: a stream deleted and created again, or one shorter
//! than the checkpoint, is not the log this database follows, and the follower stops applying and
//! reports [`FollowerStatus::WrongLog`] (docs/decisions/010-the-log-has-an-identity.md).
//!
//! The same poll tells when the log stops answering — NATS away, or on a cluster no stream
//! leader or no quorum — and since when ([`Follower::log_unanswered`]), so that readiness can
//! say so while the state already applied keeps answering (docs/decisions/022-the-cluster.md).

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_nats::jetstream;
use futures::StreamExt;
use tokio::sync::{Notify, Semaphore, watch};
use tokio_util::sync::CancellationToken;

use crate::apply::{Applied, Applier, ApplyError, EntryGate, ReadModel};
use crate::identity::{FactsError, LogIdentity, StreamFacts, mismatch, stream_facts};
use crate::read::{LogEntry, read_stream_from};

/// What the follower drives. [`Applier`] implements it; services implement a
/// [`ReadModel`] and wrap it in an applier, never this directly.
pub trait Apply: Send + Sync + 'static {
    /// The stream it applies (the log, or a service's stream of its own).
    fn stream(&self) -> &str;

    /// The last sequence applied (0 when nothing was).
    fn checkpoint(&self) -> Result<u64, ApplyError>;

    /// The identity of the log the state was built from, once known.
    fn identity(&self) -> Result<Option<LogIdentity>, ApplyError>;

    /// Applies `entries` — consecutive, in log order — read from `log`, with the new checkpoint
    /// in one atomic write.
    fn apply(&self, entries: &[LogEntry], log: &LogIdentity) -> Result<Applied, ApplyError>;
}

impl<M: ReadModel<G::Entry>, G: EntryGate> Apply for Applier<M, G> {
    fn stream(&self) -> &str {
        Applier::stream(self)
    }

    fn checkpoint(&self) -> Result<u64, ApplyError> {
        Applier::checkpoint(self)
    }

    fn identity(&self) -> Result<Option<LogIdentity>, ApplyError> {
        Applier::identity(self)
    }

    fn apply(&self, entries: &[LogEntry], log: &LogIdentity) -> Result<Applied, ApplyError> {
        Applier::apply(self, entries, log)
    }
}

/// Tuning of the follower loop.
#[derive(Debug, Clone)]
pub struct FollowerOptions {
    /// The most entries handed to one [`Apply::apply`] call.
    pub max_batch: usize,
    /// The most payload bytes handed to one [`Apply::apply`] call (one larger entry goes alone).
    pub max_batch_bytes: usize,
    /// The most payload bytes read ahead of applying.
    pub max_read_ahead_bytes: usize,
    /// How often the log's identity and last sequence are polled, for the lag and the check
    /// that the log is still the same.
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
            // Both bounds are memory a catching-up service holds on top of its sled cache:
            // 8 MiB of payload read ahead is over 5,000 events of the bench's 1.4 KB, more than
            // two batches of 2,000, so applying never waits on reading; 64 MiB (with each
            // entry's subject and headers beside it) was about 90 MiB of the projection's
            // peak during a rebuild (decision 023).
            max_batch_bytes: 4 * 1024 * 1024,
            max_read_ahead_bytes: 8 * 1024 * 1024,
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
    /// The stream is not the log this database follows (deleted and created again, or shorter
    /// than the checkpoint): nothing is applied until it is, or the data directory is reset.
    WrongLog(String),
    /// Shut down.
    Stopped,
}

impl FollowerStatus {
    /// Whether this status lets a service say it is ready (given a small enough lag).
    pub fn is_healthy(&self) -> bool {
        matches!(self, Self::Connecting | Self::Following)
    }
}

impl std::fmt::Display for FollowerStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Connecting => f.write_str("connecting"),
            Self::Following => f.write_str("following"),
            Self::Failing(reason) => write!(f, "failing, retrying: {reason}"),
            Self::WrongLog(reason) => write!(f, "stopped: {reason}"),
            Self::Stopped => f.write_str("stopped"),
        }
    }
}

struct Shared {
    applied: watch::Sender<u64>,
    log_last: AtomicU64,
    log_last_known: AtomicBool,
    status: Mutex<FollowerStatus>,
    /// The identity the follower applies under (stored, or the stream's when nothing is).
    expected: Mutex<Option<LogIdentity>>,
    /// Why the log is not the expected one, as the watcher last found it.
    wrong_log: Mutex<Option<String>>,
    /// Woken when the watcher finds the log is not the expected one.
    wrong_log_found: Notify,
    quarantined: AtomicU64,
    /// Since when the log has not answered the poll, and the last reason.
    unanswered: Mutex<Option<(Instant, String)>>,
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

impl std::fmt::Debug for Follower {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Follower")
            .field("applied", &self.applied())
            .field("status", &self.status())
            .finish()
    }
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

    /// Why the log found is not the one this database follows, if it is not (checked at every
    /// poll, so it can be known before the follower next tries to apply).
    pub fn wrong_log(&self) -> Option<String> {
        self.shared
            .wrong_log
            .lock()
            .expect("wrong log lock")
            .clone()
    }

    /// How many entries this follower quarantined since it started.
    pub fn quarantined(&self) -> u64 {
        self.shared.quarantined.load(Ordering::Acquire)
    }

    /// How long the log has not answered the follower's poll (its state and length), and why,
    /// when it does not: NATS away, or no stream leader / no quorum on a cluster. `None` while it
    /// answers.
    pub fn log_unanswered(&self) -> Option<(Duration, String)> {
        self.shared
            .unanswered
            .lock()
            .expect("unanswered lock")
            .as_ref()
            .map(|(since, why)| (since.elapsed(), why.clone()))
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
/// until `shutdown` fires, and a task that watches the log's identity and length. Fails only
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
        expected: Mutex::new(applier.identity()?),
        wrong_log: Mutex::new(None),
        wrong_log_found: Notify::new(),
        quarantined: AtomicU64::new(0),
        unanswered: Mutex::new(None),
    });
    let follower = Follower { shared };
    let stream = applier.stream().to_owned();
    tokio::spawn(follow(
        js.clone(),
        applier,
        follower.clone(),
        shutdown.clone(),
        options.clone(),
    ));
    tokio::spawn(watch_log(
        js,
        stream,
        follower.clone(),
        shutdown,
        options.lag_poll,
    ));
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
        let delay = match follow_once(&js, &applier, &follower, &shutdown, &options).await {
            Ok(()) => break,
            Err(ApplyError::WrongLog(reason)) => {
                tracing::error!(%reason, "the log is not the one this database follows; \
                    applying nothing until it is");
                shared.set_status(FollowerStatus::WrongLog(reason));
                options.lag_poll
            }
            Err(e) => {
                // Backoff grows only while no progress is made.
                if follower.applied() > applied_before {
                    failures = 0;
                }
                failures = failures.saturating_add(1);
                tracing::warn!(error = %e, attempt = failures, "following the log failed; retrying from the checkpoint");
                shared.set_status(FollowerStatus::Failing(e.to_string()));
                Duration::from_millis(100 * 2u64.saturating_pow(failures.min(6)))
                    .min(options.max_backoff)
            }
        };
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(delay) => {}
        }
    }
    shared.set_status(FollowerStatus::Stopped);
}

/// Checks the log, then follows it from the checkpoint until shutdown (Ok) or a failure (Err).
async fn follow_once(
    js: &jetstream::Context,
    applier: &Arc<dyn Apply>,
    follower: &Follower,
    shutdown: &CancellationToken,
    options: &FollowerOptions,
) -> Result<(), ApplyError> {
    let shared = &follower.shared;
    let (checkpoint, stored) = blocking(applier, |a| Ok((a.checkpoint()?, a.identity()?))).await?;
    shared.applied.send_replace(checkpoint);
    shared.set_status(FollowerStatus::Connecting);
    let stream = applier.stream().to_owned();
    let facts = stream_facts(js, &stream).await.map_err(|e| match e {
        // A service that holds state of a log that is gone must not wait quietly for a new one.
        FactsError::Missing(_) if checkpoint > 0 || stored.is_some() => ApplyError::WrongLog(
            format!("{e}; this service holds state up to sequence {checkpoint}"),
        ),
        e => ApplyError::Task(e.to_string()),
    })?;
    if let Some(reason) = mismatch(stored.as_ref(), checkpoint, &facts) {
        return Err(ApplyError::WrongLog(reason));
    }
    let log = facts.identity.clone();
    *shared.expected.lock().expect("expected lock") = Some(log.clone());
    *shared.wrong_log.lock().expect("wrong log lock") = None;
    follower.observe_log_sequence(facts.last_sequence);

    let budget = Budget::new(options.max_read_ahead_bytes);
    let (tx, mut rx) = tokio::sync::mpsc::channel(options.max_batch * 2);
    let reader = tokio::spawn(read_ahead(
        js.clone(),
        stream,
        checkpoint + 1,
        tx,
        budget.clone(),
    ));
    let _stop_reader = AbortOnDrop(reader);
    let mut pending: VecDeque<ReadAhead> = VecDeque::with_capacity(options.max_batch * 2);
    let mut received = Vec::with_capacity(options.max_batch);
    let mut last_progress = tokio::time::Instant::now();
    let mut stall_check = tokio::time::interval(options.stall_after / 4);
    let mut checkpoint = checkpoint;
    loop {
        if pending.is_empty() {
            let n = tokio::select! {
                _ = shutdown.cancelled() => return Ok(()),
                () = shared.wrong_log_found.notified() => {
                    let reason = follower.wrong_log().unwrap_or_else(|| "the log changed".to_owned());
                    return Err(ApplyError::WrongLog(reason));
                }
                n = rx.recv_many(&mut received, options.max_batch) => n,
                _ = stall_check.tick() => {
                    let behind = follower.log_last_sequence().is_some_and(|last| last > checkpoint);
                    if behind && last_progress.elapsed() >= options.stall_after {
                        return Err(ApplyError::Task(format!(
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
            if n == 0 {
                return Err(ApplyError::Task("the log's consumer ended".to_owned()));
            }
            pending.extend(received.drain(..));
        }
        last_progress = tokio::time::Instant::now();
        while pending.len() < options.max_batch
            && let Ok(more) = rx.try_recv()
        {
            pending.push_back(more);
        }
        let (entries, held, failure) =
            next_batch(&mut pending, options.max_batch, options.max_batch_bytes);
        if let Some(last) = entries.last().map(|e| e.sequence) {
            shared.set_status(FollowerStatus::Following);
            let applier = applier.clone();
            let log = log.clone();
            let outcome = tokio::task::spawn_blocking(move || applier.apply(&entries, &log))
                .await
                .map_err(|e| ApplyError::Task(format!("the apply task failed: {e}")))??;
            checkpoint = last;
            shared
                .quarantined
                .fetch_add(outcome.quarantined as u64, Ordering::AcqRel);
            shared.log_last.fetch_max(last, Ordering::AcqRel);
            shared.applied.send_replace(last);
        }
        budget.release(held);
        if let Some(e) = failure {
            return Err(e);
        }
    }
}

/// An entry read ahead, with the read-ahead bytes it holds; or a reading failure.
type ReadAhead = Result<(LogEntry, usize), ApplyError>;

/// Takes the next batch off the front of `pending`: at most `max_entries`, and at most
/// `max_bytes` of payload unless its first entry alone is larger. Returns the entries, the
/// read-ahead bytes they held, and a reading failure met at the front (which ends the attempt).
fn next_batch(
    pending: &mut VecDeque<ReadAhead>,
    max_entries: usize,
    max_bytes: usize,
) -> (Vec<LogEntry>, usize, Option<ApplyError>) {
    let mut entries = Vec::new();
    let mut bytes = 0usize;
    while entries.len() < max_entries {
        match pending.front() {
            None => break,
            Some(Ok((_, size))) if !entries.is_empty() && bytes + size > max_bytes => break,
            Some(Ok(_)) => {
                let Some(Ok((entry, size))) = pending.pop_front() else {
                    unreachable!("the front was an entry")
                };
                bytes += size;
                entries.push(entry);
            }
            Some(Err(_)) => {
                let Some(Err(e)) = pending.pop_front() else {
                    unreachable!("the front was an error")
                };
                return (entries, bytes, Some(e));
            }
        }
    }
    (entries, bytes, None)
}

/// The bytes that may be read ahead of applying: reading waits while they are all held.
#[derive(Clone)]
struct Budget {
    permits: Arc<Semaphore>,
    size: usize,
}

impl Budget {
    fn new(size: usize) -> Self {
        let size = size.clamp(1, Semaphore::MAX_PERMITS);
        Self {
            permits: Arc::new(Semaphore::new(size)),
            size,
        }
    }

    /// Waits until `bytes` (at most the whole budget) are free and holds them; how many it
    /// holds, or `None` when the budget is gone.
    async fn hold(&self, bytes: usize) -> Option<usize> {
        let bytes = bytes.clamp(1, self.size);
        let permit = self
            .permits
            .acquire_many(u32::try_from(bytes).unwrap_or(u32::MAX))
            .await
            .ok()?;
        permit.forget();
        Some(bytes)
    }

    fn release(&self, bytes: usize) {
        self.permits.add_permits(bytes);
    }
}

/// Reads the log from `start` into `tx`, each entry holding its payload's bytes of `budget` until
/// it is applied.
async fn read_ahead(
    js: jetstream::Context,
    stream: String,
    start: u64,
    tx: tokio::sync::mpsc::Sender<ReadAhead>,
    budget: Budget,
) {
    let entries = read_stream_from(&js, &stream, start);
    let mut entries = std::pin::pin!(entries);
    while let Some(entry) = entries.next().await {
        let item = match entry {
            Ok(entry) => match budget.hold(entry.payload.len()).await {
                Some(held) => Ok((entry, held)),
                None => return,
            },
            Err(e) => Err(ApplyError::Read(e)),
        };
        if tx.send(item).await.is_err() {
            return;
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

/// Polls the log's identity and last sequence, and listens to JetStream's advisories about the
/// stream, so that a replaced log is found within a poll, or at once when the advisory arrives.
async fn watch_log(
    js: jetstream::Context,
    stream: String,
    follower: Follower,
    shutdown: CancellationToken,
    every: Duration,
) {
    let client = js.client();
    let advisories = client
        .subscribe(format!("$JS.EVENT.ADVISORY.STREAM.*.{stream}"))
        .await
        .ok();
    let mut advisories = advisories.map(|s| s.boxed());
    loop {
        // Bounded: while NATS is away a request can wait for the client's whole request timeout.
        // Read before asking: whatever was applied by then was in the log before the answer.
        let applied = follower.applied();
        let bound = every.max(Duration::from_secs(1));
        match tokio::time::timeout(bound, stream_facts(&js, &stream)).await {
            Ok(found) => observe(&follower, found, applied),
            Err(_) => unanswered(
                &follower,
                Some(format!("no answer within {} ms", bound.as_millis())),
            ),
        }
        let advisory = async {
            match advisories.as_mut() {
                Some(stream) => stream.next().await.map(|_| ()),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
            _ = advisory => {}
        }
    }
}

/// Takes in what the server said about the stream, asked once `applied` entries were applied.
fn observe(follower: &Follower, found: Result<StreamFacts, FactsError>, applied: u64) {
    let shared = &follower.shared;
    unanswered(
        follower,
        match &found {
            Err(e @ FactsError::Unreachable { .. }) => Some(e.to_string()),
            _ => None,
        },
    );
    let wrong = match found {
        Ok(facts) => {
            follower.observe_log_sequence(facts.last_sequence);
            let expected = shared.expected.lock().expect("expected lock").clone();
            mismatch(expected.as_ref(), applied, &facts)
        }
        // Never followed: not created yet (on a secured NATS only the admin may create it).
        Err(FactsError::Missing(stream))
            if applied == 0 && shared.expected.lock().expect("expected lock").is_none() =>
        {
            Some(format!(
                "the log {stream} does not exist yet: an admin must create it (`liaison admin \
                 init-streams` with the NATS admin's credentials; `liaison dev` does)"
            ))
        }
        Err(FactsError::Missing(stream)) => Some(format!(
            "the log {stream} does not exist (deleted?); this service holds state up to \
             sequence {}",
            follower.applied()
        )),
        Err(FactsError::Unreachable { .. }) => None,
    };
    let changed = {
        let mut slot = shared.wrong_log.lock().expect("wrong log lock");
        let changed = *slot != wrong;
        slot.clone_from(&wrong);
        changed
    };
    if let Some(reason) = wrong
        && changed
    {
        tracing::error!(%reason, "the log is not the one this service follows");
        shared.wrong_log_found.notify_one();
    }
}

/// Records that the log did not answer the poll (`Some(why)`), or that it did (`None`).
fn unanswered(follower: &Follower, why: Option<String>) {
    let mut slot = follower.shared.unanswered.lock().expect("unanswered lock");
    match (why, slot.as_mut()) {
        (None, _) => *slot = None,
        (Some(why), Some((_, last))) => *last = why,
        (Some(why), None) => *slot = Some((Instant::now(), why)),
    }
}

async fn blocking<T: Send + 'static>(
    applier: &Arc<dyn Apply>,
    f: impl FnOnce(&dyn Apply) -> Result<T, ApplyError> + Send + 'static,
) -> Result<T, ApplyError> {
    let applier = applier.clone();
    tokio::task::spawn_blocking(move || f(applier.as_ref()))
        .await
        .map_err(|e| ApplyError::Task(format!("blocking task failed: {e}")))?
}
