//! Which stream an applier follows and what it checks each entry against: the one seam that lets
//! the same applier and follower (checkpoint, quarantine, identity, bounded read-ahead) serve the
//! event log and a service's stream of its own, such as the reader's articles stream
//! (docs/decisions/017-the-reader-service.md).
//!
//! The log's gate is [`EventGate`] (the checks of [`super::gate`]); another stream brings its own
//! [`EntryGate`], whose typed entries its read model takes ([`super::ReadModel`]`<G::Entry>`).

use liaison_proto::Envelope;
use liaison_proto::subjects::EVENTS_STREAM;

use super::error::ApplyError;
use super::gate::{self, Refusal};
use super::staged::StagedTree;
use crate::LogEntry;

/// What every entry of one stream must pass before a read model sees it.
pub trait EntryGate: Send + Sync + 'static {
    /// The typed entry that passes, as the read model gets it.
    type Entry: Send + 'static;

    /// The JetStream stream whose entries this gate checks.
    fn stream(&self) -> &str;

    /// Checks `entry`, reading what earlier entries recorded through the batch's staged writes
    /// of the applier's home tree; the typed entry when it passes, or why not (the applier
    /// quarantines it). An `Err` is the service's, not the entry's: the batch is retried.
    fn check(
        &self,
        entry: &LogEntry,
        home: &StagedTree,
    ) -> Result<Result<Self::Entry, Refusal>, ApplyError>;

    /// Records what a passed and applied entry means for later checks (e.g. the names it
    /// registers), staged with the batch.
    fn passed(
        &self,
        _home: &mut StagedTree,
        _entry: &Self::Entry,
        _sequence: u64,
    ) -> Result<(), ApplyError> {
        Ok(())
    }
}

/// The gate of the event log, [`EVENTS_STREAM`]: size, envelope, shape and limits, subject, and
/// names registered earlier (docs/decisions/009-consumers-guard-themselves.md).
#[derive(Debug, Clone, Copy, Default)]
pub struct EventGate;

impl EntryGate for EventGate {
    type Entry = Envelope;

    fn stream(&self) -> &str {
        EVENTS_STREAM
    }

    fn check(
        &self,
        entry: &LogEntry,
        home: &StagedTree,
    ) -> Result<Result<Envelope, Refusal>, ApplyError> {
        gate::check(entry, home)
    }

    fn passed(
        &self,
        home: &mut StagedTree,
        entry: &Envelope,
        sequence: u64,
    ) -> Result<(), ApplyError> {
        gate::record_names(home, &entry.event, sequence)
    }
}
