//! What ingest must know about the log to validate an append, kept in its own sled database:
//! the registered organizations and people, the rules, and every event id with its content
//! digest and sequence.
//!
//! JetStream's duplicate window lasts minutes; this index is what makes a retry recognisable
//! days later (docs/decisions/002-append-once.md). It is derived from the log only — written by
//! [`crate::registry_model`] through the applier of `liaison-log`, with its checkpoint in one
//! atomic write — so two instances on one
//! log agree, and a deleted data directory rebuilds itself by replay.
//!
//! Trees (values are JSON):
//!
//! | tree | key | value |
//! |---|---|---|
//! | `organizations` | slug | [`Registration`] of an `OrganizationRegistered` |
//! | `persons` | slug | [`Registration`] of a `PersonRegistered` |
//! | `rules` | slug | [`RuleRecord`] |
//! | `events` | UUID (16 bytes) | [`EventRecord`] |
//! | `meta` | `__liaison_log/…` | the applier's records: checkpoint, log identity, quarantine |

use liaison_proto::EventType;
use liaison_proto::events::{OrganizationRegistered, PersonRegistered, RuleCreated};
use liaison_proto::validate::{KnownEvent, KnownRule, Registry};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Tree names, shared with the applier.
pub(crate) const ORGANIZATIONS: &str = "organizations";
pub(crate) const PERSONS: &str = "persons";
pub(crate) const RULES: &str = "rules";
pub(crate) const EVENTS: &str = "events";
pub(crate) const META: &str = "meta";

/// Reading or decoding the registry failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// sled failed.
    #[error("sled: {0}")]
    Sled(#[from] sled::Error),
    /// A stored value does not decode (a bug, or a database of another version).
    #[error("corrupt registry record in tree {tree}: {message}")]
    Corrupt {
        /// The tree the record was read from.
        tree: &'static str,
        /// What serde said.
        message: String,
    },
}

/// Where an event is in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// The event's id.
    pub event_id: Uuid,
    /// Its sequence in the log.
    pub sequence: u64,
}

/// A registration in force (the first one in the log for its id) and where it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Registration<T> {
    /// The registering event.
    pub at: Position,
    /// What it registered.
    pub data: T,
}

/// A rule's latest definition and whether it was deleted since.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleRecord {
    /// The event that created the definition in force.
    pub at: Position,
    /// The definition.
    pub rule: RuleCreated,
    /// Whether a `rule.deleted` came after it.
    pub deleted: bool,
}

/// What ingest remembers of every event in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    /// Its content digest ([`liaison_proto::content_digest`]).
    pub digest: String,
    /// Its sequence in the log.
    pub sequence: u64,
    /// Its type.
    pub event_type: EventType,
    /// Whether an `event.retracted` names it.
    pub retracted: bool,
}

/// The registry: read side of ingest's sled database. Cheap to clone.
#[derive(Clone)]
pub struct RegistryStore {
    pub(crate) db: sled::Db,
    pub(crate) organizations: sled::Tree,
    pub(crate) persons: sled::Tree,
    pub(crate) rules: sled::Tree,
    pub(crate) events: sled::Tree,
    pub(crate) meta: sled::Tree,
}

impl std::fmt::Debug for RegistryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryStore").finish_non_exhaustive()
    }
}

impl RegistryStore {
    /// Opens (creating) the registry's trees in `db`.
    pub fn open(db: &sled::Db) -> Result<Self, RegistryError> {
        Ok(Self {
            db: db.clone(),
            organizations: db.open_tree(ORGANIZATIONS)?,
            persons: db.open_tree(PERSONS)?,
            rules: db.open_tree(RULES)?,
            events: db.open_tree(EVENTS)?,
            meta: db.open_tree(META)?,
        })
    }

    /// What the log holds under event id `id`.
    pub fn event_record(&self, id: &Uuid) -> Result<Option<EventRecord>, RegistryError> {
        read(&self.events, EVENTS, id.as_bytes())
    }

    /// The registration of organization `id`.
    pub fn organization_record(
        &self,
        id: &str,
    ) -> Result<Option<Registration<OrganizationRegistered>>, RegistryError> {
        read(&self.organizations, ORGANIZATIONS, id.as_bytes())
    }

    /// The registration of person `id`.
    pub fn person_record(
        &self,
        id: &str,
    ) -> Result<Option<Registration<PersonRegistered>>, RegistryError> {
        read(&self.persons, PERSONS, id.as_bytes())
    }

    /// The rule `id`.
    pub fn rule_record(&self, id: &str) -> Result<Option<RuleRecord>, RegistryError> {
        read(&self.rules, RULES, id.as_bytes())
    }

    /// Flushes the database to disk (at shutdown).
    pub fn flush(&self) -> Result<(), RegistryError> {
        self.db.flush()?;
        Ok(())
    }
}

pub(crate) fn decode<T: DeserializeOwned>(
    tree: &'static str,
    bytes: &[u8],
) -> Result<T, RegistryError> {
    serde_json::from_slice(bytes).map_err(|e| RegistryError::Corrupt {
        tree,
        message: e.to_string(),
    })
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("registry records serialize")
}

fn read<T: DeserializeOwned>(
    tree: &sled::Tree,
    name: &'static str,
    key: &[u8],
) -> Result<Option<T>, RegistryError> {
    tree.get(key)?.map(|bytes| decode(name, &bytes)).transpose()
}

/// Logs a read failure and answers "unknown": the referential checks then refuse rather than
/// accept on a storage error.
fn or_unknown<T>(result: Result<Option<T>, RegistryError>) -> Option<T> {
    result.unwrap_or_else(|error| {
        tracing::error!(%error, "reading the registry failed");
        None
    })
}

impl Registry for RegistryStore {
    fn organization(&self, id: &str) -> Option<OrganizationRegistered> {
        or_unknown(self.organization_record(id)).map(|r| r.data)
    }

    fn person(&self, id: &str) -> Option<PersonRegistered> {
        or_unknown(self.person_record(id)).map(|r| r.data)
    }

    fn event(&self, id: &Uuid) -> Option<KnownEvent> {
        or_unknown(self.event_record(id)).map(|r| KnownEvent {
            event_type: r.event_type,
            retracted: r.retracted,
        })
    }

    fn rule(&self, id: &str) -> Option<KnownRule> {
        or_unknown(self.rule_record(id)).map(|r| KnownRule {
            rule: r.rule,
            deleted: r.deleted,
        })
    }
}
