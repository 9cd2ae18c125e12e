//! The one applier every service follows the log with: services implement only
//! [`ReadModel::apply`] — "apply this decoded, checked event to my staged writes" — and
//! [`Applier`] does the rest, the same way everywhere:
//!
//! 1. skip what is at or below the checkpoint (applied already);
//! 2. check each entry at the [`gate`] (size, envelope, shape and limits, subject, registered
//!    names) and quarantine what fails, recording its sequence and reasons;
//! 3. hand each entry that passes to the read model, which stages its writes ([`Staged`]);
//!    an entry the model refuses, or panics on, is quarantined too, and the batch staged again
//!    without it — one entry never stops the entries after it;
//! 4. stage the checkpoint, the identity of the log and the gate's records, and commit it all in
//!    one atomic write (docs/decisions/003-apply-exactly-once.md,
//!    docs/decisions/009-consumers-guard-themselves.md).
//!
//! The follower ([`crate::follower`]) feeds it batches in log order and retries a batch after an
//! error that is not the entry's.

mod entry_gate;
mod error;
pub mod gate;
mod staged;
mod state;

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use liaison_proto::Envelope;
use liaison_proto::admin::{QuarantineEntry, QuarantineList};

pub use entry_gate::{EntryGate, EventGate};
pub use error::ApplyError;
pub use staged::{Entry, Staged, StagedTree};
pub use state::PREFIX as RESERVED_PREFIX;
pub use state::{checkpoint, identity};

use crate::LogEntry;
use crate::identity::LogIdentity;

/// The Prometheus counter of quarantined entries, labelled `service`.
pub const QUARANTINED_TOTAL: &str = "liaison_log_quarantined_total";

/// A log entry that passed the gate, as a read model gets it: `E` is what the gate made of it
/// (the typed event, for the log).
#[derive(Debug, Clone, Copy)]
pub struct Checked<'a, E = Envelope> {
    /// Its position in the log.
    pub sequence: u64,
    /// The subject it was published on.
    pub subject: &'a str,
    /// When the log stored it.
    pub published: DateTime<Utc>,
    /// The stored JSON document, as it is in the log.
    pub payload: &'a [u8],
    /// The typed entry: the event, for the log.
    pub event: &'a E,
}

/// What a service implements to follow the log: how one checked event changes its state. `E` is
/// the typed entry of the stream's [`EntryGate`]: the log's [`Envelope`] unless the model follows
/// another stream.
///
/// Called from a blocking thread with the applier's write lock held, so it may read sled
/// directly; it must write only through `staged`, which the applier commits atomically with the
/// checkpoint.
pub trait ReadModel<E = Envelope>: Send + Sync + 'static {
    /// The tree in which the applier keeps its records (checkpoint, log identity, registered
    /// names, quarantine) beside the model's own keys, under [`RESERVED_PREFIX`]. A model with
    /// one tree commits with one `Tree::apply_batch`; with several, one sled transaction.
    fn home(&self) -> sled::Tree;

    /// Called before the first event of a batch is staged — again when a batch is staged anew
    /// after an entry was refused — for per-batch state kept beside the staged writes.
    fn begin(&self) {}

    /// Stages the effect of `event`. An [`ApplyError::Refused`] quarantines this entry; any
    /// other error makes the follower retry the batch.
    fn apply(&self, staged: &mut Staged, event: &Checked<'_, E>) -> Result<(), ApplyError>;

    /// Called once a batch's events are staged, before the commit: for writes outside sled that
    /// the staged keys reference (they must survive a crash before the commit does).
    fn before_commit(&self, _staged: &mut Staged) -> Result<(), ApplyError> {
        Ok(())
    }

    /// Called after a batch committed, with its last sequence.
    fn after_commit(&self, _last: u64) {}

    /// The lock that everything else writing the model's trees takes, when something does (the
    /// applier then stages and commits under it too); `None`: the applier's own lock.
    fn shared_write_lock(&self) -> Option<Arc<Mutex<()>>> {
        None
    }
}

/// What one call of [`Applier::apply`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// The checkpoint after it.
    pub checkpoint: u64,
    /// Entries handed to the read model.
    pub applied: usize,
    /// Entries quarantined.
    pub quarantined: usize,
}

/// The applier of a service: a [`ReadModel`] behind the gate `G` of its stream (the log's
/// [`EventGate`] by default), the checkpoint and the stream's identity.
pub struct Applier<M, G = EventGate> {
    service: &'static str,
    model: M,
    gate: G,
    lock: Arc<Mutex<()>>,
}

impl<M, G: EntryGate> std::fmt::Debug for Applier<M, G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Applier")
            .field("service", &self.service)
            .field("stream", &self.gate.stream())
            .finish_non_exhaustive()
    }
}

/// How an entry of the batch being staged turned out.
enum Outcome {
    Applied,
    Quarantined(Box<QuarantineEntry>),
}

/// Staging stopped at an entry the read model refused or panicked on.
struct Poisoned {
    sequence: u64,
    reason: String,
}

impl<M: ReadModel> Applier<M> {
    /// The applier of `service` (the name used in logs, metrics and the quarantine list) over the
    /// event log.
    pub fn new(service: &'static str, model: M) -> Self {
        Self::with_gate(service, model, EventGate)
    }
}

impl<M: ReadModel<G::Entry>, G: EntryGate> Applier<M, G> {
    /// The applier of `service` over the stream of `gate`, checking every entry with it.
    pub fn with_gate(service: &'static str, model: M, gate: G) -> Self {
        Self {
            service,
            lock: model.shared_write_lock().unwrap_or_default(),
            model,
            gate,
        }
    }

    /// The stream it applies.
    pub fn stream(&self) -> &str {
        self.gate.stream()
    }

    /// The read model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// Held while a batch is staged and committed. Anything else that writes the read model's
    /// trees takes it too, so that the batch's reads see no write it did not stage itself.
    pub fn write_lock(&self) -> MutexGuard<'_, ()> {
        self.lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The last sequence applied (0: none).
    pub fn checkpoint(&self) -> Result<u64, ApplyError> {
        state::checkpoint(&self.model.home())
    }

    /// The identity of the log the state was built from, once an entry was applied.
    pub fn identity(&self) -> Result<Option<LogIdentity>, ApplyError> {
        state::identity(&self.model.home())
    }

    /// Up to `limit` quarantined entries after sequence `after`, oldest first.
    pub fn quarantine(&self, after: u64, limit: usize) -> Result<QuarantineList, ApplyError> {
        let home = self.model.home();
        let entries = state::quarantine_page(&home, after, limit)?;
        let next_after = (entries.len() == limit)
            .then(|| entries.last().map(|e| e.sequence))
            .flatten();
        Ok(QuarantineList {
            service: self.service.to_owned(),
            total: state::quarantined(&home)?,
            entries,
            next_after,
        })
    }

    /// Applies `entries` (consecutive, in log order) read from `log`: everything above the
    /// checkpoint, in one atomic write with the new checkpoint.
    pub fn apply(&self, entries: &[LogEntry], log: &LogIdentity) -> Result<Applied, ApplyError> {
        let _guard = self.write_lock();
        let home = self.model.home();
        let checkpoint = state::checkpoint(&home)?;
        let stored = state::identity(&home)?;
        if let Some(reason) = stored
            .as_ref()
            .filter(|stored| *stored != log)
            .map(|stored| format!("entries of {log} offered to a database built from {stored}"))
        {
            return Err(ApplyError::WrongLog(reason));
        }
        let fresh: Vec<&LogEntry> = entries.iter().filter(|e| e.sequence > checkpoint).collect();
        let Some(last) = fresh.last().map(|e| e.sequence) else {
            return Ok(Applied {
                checkpoint,
                ..Applied::default()
            });
        };
        let new_log = stored.is_none().then_some(log);
        let mut poisoned = HashMap::new();
        let (staged, applied) = loop {
            match self.stage(&home, &fresh, &poisoned)? {
                Ok(done) => break done,
                Err(Poisoned { sequence, reason }) => {
                    tracing::error!(service = self.service, sequence, %reason,
                        "the read model cannot apply this entry; quarantining it");
                    poisoned.insert(sequence, reason);
                }
            }
        };
        let mut staged = staged;
        let quarantined = fresh.len() - applied;
        {
            let home = staged.on(&home);
            state::stage_checkpoint(home, last);
            if let Some(log) = new_log {
                state::stage_identity(home, log);
            }
        }
        self.model.before_commit(&mut staged)?;
        staged.commit()?;
        self.model.after_commit(last);
        if quarantined > 0 {
            metrics::counter!(QUARANTINED_TOTAL, "service" => self.service)
                .increment(quarantined as u64);
        }
        Ok(Applied {
            checkpoint: last,
            applied,
            quarantined,
        })
    }

    /// Stages `entries`; the staged writes and how many entries the model applied, or the first
    /// entry the model refused (not in `poisoned` yet).
    fn stage(
        &self,
        home: &sled::Tree,
        entries: &[&LogEntry],
        poisoned: &HashMap<u64, String>,
    ) -> Result<Result<(Staged, usize), Poisoned>, ApplyError> {
        let mut staged = Staged::new();
        let mut applied = 0;
        self.model.begin();
        for entry in entries {
            let outcome = match poisoned.get(&entry.sequence) {
                Some(reason) => Outcome::Quarantined(Box::new(
                    gate::Refusal::single(format!("(service): {reason}")).record(entry),
                )),
                None => match self.stage_entry(home, &mut staged, entry)? {
                    Ok(outcome) => outcome,
                    Err(poison) => return Ok(Err(poison)),
                },
            };
            match outcome {
                Outcome::Applied => applied += 1,
                Outcome::Quarantined(record) => {
                    tracing::warn!(service = self.service, sequence = record.sequence,
                        subject = record.subject, reasons = ?record.reasons,
                        "quarantined a log entry; it is skipped");
                    state::stage_quarantine(staged.on(home), &record)?;
                }
            }
        }
        Ok(Ok((staged, applied)))
    }

    fn stage_entry(
        &self,
        home: &sled::Tree,
        staged: &mut Staged,
        entry: &LogEntry,
    ) -> Result<Result<Outcome, Poisoned>, ApplyError> {
        let envelope = match self.gate.check(entry, staged.on(home))? {
            Ok(envelope) => envelope,
            Err(refusal) => return Ok(Ok(Outcome::Quarantined(Box::new(refusal.record(entry))))),
        };
        let checked = Checked {
            sequence: entry.sequence,
            subject: &entry.subject,
            published: entry.published,
            payload: &entry.payload,
            event: &envelope,
        };
        let applied =
            std::panic::catch_unwind(AssertUnwindSafe(|| self.model.apply(staged, &checked)));
        let reason = match applied {
            Ok(Ok(())) => {
                self.gate
                    .passed(staged.on(home), &envelope, entry.sequence)?;
                return Ok(Ok(Outcome::Applied));
            }
            Ok(Err(error)) if error.blames_entry() => error.to_string(),
            Ok(Err(error)) => return Err(error),
            Err(panic) => format!("applying it panicked: {}", panic_message(&panic)),
        };
        Ok(Err(Poisoned {
            sequence: entry.sequence,
            reason,
        }))
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}
