//! The gate every log entry passes before a read model sees it: the checks ingest makes, made
//! again by each follower, because an entry may reach the log without ingest (anyone allowed to
//! publish into `liaison.events.>`, a bug, a restored backup).
//!
//! In order: the entry's size, that it is JSON and a CloudEvents envelope of the contract, the
//! shape and limits of its `data` (the same code as ingest's validation), that it sits on the
//! subject its content says, and that every organization and person it names was registered
//! earlier in the log. What fails is quarantined by the applier, never applied
//! (docs/decisions/009-consumers-guard-themselves.md).

use std::cell::RefCell;

use liaison_proto::admin::{
    MAX_QUARANTINE_REASONS, MAX_QUARANTINE_SUBJECT_BYTES, QuarantineEntry, truncate_to,
};
use liaison_proto::validate::{NameRegistry, unknown_names, validate_stored};
use liaison_proto::{Envelope, EventData};

use super::error::ApplyError;
use super::staged::StagedTree;
use super::state;
use crate::LogEntry;

/// Why an entry does not pass: its problems, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The problems kept (at most [`MAX_QUARANTINE_REASONS`]).
    pub reasons: Vec<String>,
    /// How many more were found.
    pub more: u64,
}

impl Refusal {
    fn new(reasons: impl IntoIterator<Item = String>) -> Self {
        let mut kept = Vec::new();
        let mut more = 0;
        for reason in reasons {
            if kept.len() < MAX_QUARANTINE_REASONS {
                kept.push(reason);
            } else {
                more += 1;
            }
        }
        Self {
            reasons: kept,
            more,
        }
    }

    /// A refusal for one reason.
    pub fn single(reason: String) -> Self {
        Self::new([reason])
    }

    /// The quarantine record of `entry` refused for these reasons.
    pub fn record(self, entry: &LogEntry) -> QuarantineEntry {
        QuarantineEntry {
            sequence: entry.sequence,
            subject: truncate_to(&entry.subject, MAX_QUARANTINE_SUBJECT_BYTES).to_owned(),
            bytes: entry.payload.len() as u64,
            published: entry.published,
            reasons: self.reasons,
            more_reasons: self.more,
        }
    }
}

/// Checks `entry` against the contract and the names registered before it (read through the
/// batch's staged writes of the home tree); the typed event when it passes.
pub fn check(entry: &LogEntry, home: &StagedTree) -> Result<Result<Envelope, Refusal>, ApplyError> {
    let envelope = match validate_stored(&entry.payload) {
        Ok(envelope) => envelope,
        Err(errors) => {
            let more = errors.more() as u64;
            let mut refusal = Refusal::new(errors.errors().iter().map(ToString::to_string));
            refusal.more += more;
            return Ok(Err(refusal));
        }
    };
    let expected = envelope.subject();
    if entry.subject != expected {
        return Ok(Err(Refusal::new([format!(
            "(subject): published on '{}', but a {} event with this content belongs on '{expected}'",
            truncate_to(&entry.subject, MAX_QUARANTINE_SUBJECT_BYTES),
            envelope.event_type()
        )])));
    }
    let names = Names {
        home,
        error: RefCell::new(None),
    };
    let unknown = unknown_names(&envelope.event, &names);
    if let Some(error) = names.error.into_inner() {
        return Err(error);
    }
    if !unknown.is_empty() {
        return Ok(Err(Refusal::new(unknown.iter().map(ToString::to_string))));
    }
    Ok(Ok(envelope))
}

/// Records what `event` registers, so that later entries may name it.
pub fn record_names(
    home: &mut StagedTree,
    event: &EventData,
    sequence: u64,
) -> Result<(), ApplyError> {
    match event {
        EventData::OrganizationRegistered(d) => {
            state::stage_organization(home, d.id.as_str(), sequence)
        }
        EventData::PersonRegistered(d) => state::stage_person(home, d.id.as_str(), sequence),
        _ => Ok(()),
    }
}

/// The registered names, as the validation asks for them.
struct Names<'a> {
    home: &'a StagedTree,
    /// A storage error met while looking a name up: it must neither pass the entry nor blame
    /// it, so the check fails and the batch is retried.
    error: RefCell<Option<ApplyError>>,
}

impl Names<'_> {
    fn lookup(&self, found: Result<bool, ApplyError>) -> bool {
        found.unwrap_or_else(|error| {
            self.error.borrow_mut().get_or_insert(error);
            false
        })
    }
}

impl NameRegistry for Names<'_> {
    fn organization_known(&self, id: &str) -> bool {
        self.lookup(state::organization_known(self.home, id))
    }

    fn person_known(&self, id: &str) -> bool {
        self.lookup(state::person_known(self.home, id))
    }
}
