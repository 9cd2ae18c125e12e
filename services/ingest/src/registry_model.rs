//! Keeps the registry current with the log: the registry's [`ReadModel`], which the one applier
//! of `liaison-log` drives (checking each entry, skipping what it applied, checkpointing).
//!
//! First one wins: a registration of an id already registered (possible only when two instances
//! raced, since ingest checks before appending and guards registrations with
//! `Nats-Expected-Last-Subject-Sequence`) is ignored with a warning, and so is an event id seen
//! twice.
//!
//! The append operation also records what it has just appended ([`RegistryApplier::record_appended`]),
//! right after the log's acknowledgement, so that it need not wait for the follower to read its
//! own events back. Those writes are the same effect the model has for the same entries, without
//! moving the checkpoint: when the follower reaches them, it finds the event id recorded at the
//! same sequence and skips it. Only effects that commute with the follower's in-order apply are
//! recorded so (an event id with its digest, a guarded registration, a retraction flag); rule
//! events depend on order, and are left to the follower. Both write under the applier's write
//! lock, so neither reads what the other is half-way through writing.

use std::sync::Arc;

use liaison_log::{Applier, ApplyError, Checked, ReadModel, Staged, StagedTree};
use liaison_proto::{Envelope, EventData};

use crate::registry::{
    EVENTS, EventRecord, ORGANIZATIONS, PERSONS, Position, RULES, Registration, RegistryStore,
    RuleRecord, decode, encode,
};

/// The registry as a read model of the log.
#[derive(Debug, Clone)]
pub struct RegistryModel {
    store: RegistryStore,
}

impl RegistryModel {
    /// The model writing to `store`.
    pub fn new(store: RegistryStore) -> Self {
        Self { store }
    }
}

impl ReadModel for RegistryModel {
    fn home(&self) -> sled::Tree {
        self.store.meta.clone()
    }

    fn apply(&self, staged: &mut Staged, event: &Checked<'_>) -> Result<(), ApplyError> {
        // The digest (a canonical encoding and a SHA-256) only for an entry not recorded yet:
        // the entries this instance appended were recorded by the append already, and digesting
        // them again was a tenth of ingest's CPU in an import (decision 026).
        apply_one(&self.store, staged, event.sequence, event.event, || {
            event.event.digest()
        })
    }
}

/// The applier of the registry, and the writes the append operation makes ahead of it.
#[derive(Debug, Clone)]
pub struct RegistryApplier(Arc<Applier<RegistryModel>>);

impl RegistryApplier {
    /// Wraps the applier the follower drives.
    pub fn new(applier: Arc<Applier<RegistryModel>>) -> Self {
        Self(applier)
    }

    /// The applier, for the follower and the quarantine.
    pub fn applier(&self) -> &Arc<Applier<RegistryModel>> {
        &self.0
    }

    /// Whether [`record_appended`](Self::record_appended) can record `envelope` ahead of the
    /// follower: its effect must not depend on the order of application (rules do).
    pub fn can_record_ahead(envelope: &Envelope) -> bool {
        !matches!(
            envelope.event,
            EventData::RuleCreated(_) | EventData::RuleDeleted(_)
        )
    }

    /// Records events this instance has just appended — `(sequence, envelope, digest)`, as the
    /// log acknowledged them — in one atomic write, without moving the checkpoint. Each must pass
    /// [`can_record_ahead`](Self::can_record_ahead). Idempotent: the follower's later apply of the
    /// same entries is a no-op, and so is recording an entry it already applied.
    pub fn record_appended(&self, appended: &[(u64, &Envelope, &str)]) -> Result<(), ApplyError> {
        debug_assert!(appended.iter().all(|(_, e, _)| Self::can_record_ahead(e)));
        let _lock = self.0.write_lock();
        let store = &self.0.model().store;
        let mut staged = Staged::new();
        for (sequence, envelope, digest) in appended {
            apply_one(store, &mut staged, *sequence, envelope, || {
                (*digest).to_owned()
            })?;
        }
        Ok(staged.commit()?)
    }
}

fn get<T: serde::de::DeserializeOwned>(
    tree: &StagedTree,
    name: &'static str,
    key: &[u8],
) -> Result<Option<T>, ApplyError> {
    tree.get(key)?
        .map(|bytes| decode(name, &bytes).map_err(|e| ApplyError::corrupt(key, e)))
        .transpose()
}

fn put<T: serde::Serialize>(tree: &mut StagedTree, key: &[u8], value: &T) {
    tree.insert(key, encode(value));
}

/// Records a registration of `id` unless one is already in force: the first registration in
/// the log wins. A later one with other content can only come from a race between ingest
/// instances (each checks before appending); it is logged and ignored.
fn register_first<T>(
    tree: &mut StagedTree,
    name: &'static str,
    id: &str,
    at: Position,
    data: &T,
) -> Result<(), ApplyError>
where
    T: Clone + PartialEq + serde::Serialize + serde::de::DeserializeOwned,
{
    let key = id.as_bytes();
    match get::<Registration<T>>(tree, name, key)? {
        None => put(
            tree,
            key,
            &Registration {
                at,
                data: data.clone(),
            },
        ),
        Some(first) if first.data != *data => tracing::warn!(
            tree = name,
            id,
            sequence = at.sequence,
            first = first.at.sequence,
            "registered again with other content (a race between instances); the first \
             registration stays in force"
        ),
        Some(_) => {}
    }
    Ok(())
}

/// Stages the effect of the entry at `sequence` on the registry, unless its event id is recorded
/// already; `digest` is asked only for an entry recorded now.
fn apply_one(
    store: &RegistryStore,
    staged: &mut Staged,
    sequence: u64,
    envelope: &Envelope,
    digest: impl FnOnce() -> String,
) -> Result<(), ApplyError> {
    let id = envelope.id;
    let at = Position {
        event_id: id,
        sequence,
    };
    let events = staged.on(&store.events);
    if let Some(first) = get::<EventRecord>(events, EVENTS, id.as_bytes())? {
        if first.sequence != sequence {
            tracing::warn!(%id, sequence, first = first.sequence,
                "event id already in the log at an earlier sequence; keeping the first");
        }
        // Otherwise recorded already, by the append that wrote it or by an earlier apply.
        return Ok(());
    }
    put(
        events,
        id.as_bytes(),
        &EventRecord {
            digest: digest(),
            sequence,
            event_type: envelope.event_type(),
            retracted: false,
        },
    );
    match &envelope.event {
        EventData::OrganizationRegistered(data) => register_first(
            staged.on(&store.organizations),
            ORGANIZATIONS,
            data.id.as_str(),
            at,
            data,
        )?,
        EventData::PersonRegistered(data) => register_first(
            staged.on(&store.persons),
            PERSONS,
            data.id.as_str(),
            at,
            data,
        )?,
        EventData::EventRetracted(data) => {
            let events = staged.on(&store.events);
            let key = data.event_id.as_bytes();
            if let Some(mut target) = get::<EventRecord>(events, EVENTS, key)? {
                target.retracted = true;
                put(events, key, &target);
            }
        }
        EventData::RuleCreated(data) => {
            let rules = staged.on(&store.rules);
            let key = data.id.as_str().as_bytes();
            let live = get::<RuleRecord>(rules, RULES, key)?.filter(|r| !r.deleted);
            if !live.is_some_and(|existing| existing.rule == *data) {
                put(
                    rules,
                    key,
                    &RuleRecord {
                        at,
                        rule: data.clone(),
                        deleted: false,
                    },
                );
            }
        }
        EventData::RuleDeleted(data) => {
            let rules = staged.on(&store.rules);
            let key = data.id.as_str().as_bytes();
            if let Some(mut rule) = get::<RuleRecord>(rules, RULES, key)? {
                rule.deleted = true;
                put(rules, key, &rule);
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use chrono::Utc;
    use liaison_log::{LogEntry, LogIdentity};
    use liaison_proto::ClientEvent;
    use serde_json::json;

    fn entry(sequence: u64, event: serde_json::Value) -> LogEntry {
        let client: ClientEvent = serde_json::from_value(event).unwrap();
        let envelope = Envelope::record(client, liaison_proto::envelope::INGEST_SOURCE, Utc::now());
        LogEntry {
            sequence,
            subject: envelope.subject(),
            headers: Default::default(),
            payload: Bytes::from(serde_json::to_vec(&envelope).unwrap()),
            published: Utc::now(),
        }
    }

    fn org(id: &str, name: &str) -> serde_json::Value {
        json!({"type": "organization.registered", "time": "2024-01-01", "data": {"id": id, "name": name}})
    }

    fn log() -> LogIdentity {
        LogIdentity {
            stream: "LIAISON_EVENTS".into(),
            created: Utc::now(),
        }
    }

    fn applier(dir: &std::path::Path) -> (RegistryStore, RegistryApplier) {
        let db = sled::Config::new().path(dir).open().unwrap();
        let store = RegistryStore::open(&db).unwrap();
        let applier = Arc::new(Applier::new("ingest", RegistryModel::new(store.clone())));
        (store, RegistryApplier::new(applier))
    }

    #[test]
    fn applies_registrations_events_and_retractions_with_the_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let (store, registry) = applier(dir.path());
        let applier = registry.applier();
        let log = log();
        let meeting_id = uuid::Uuid::now_v7();
        let entries = vec![
            entry(1, org("meta", "Meta")),
            entry(2, org("lg", "LG")),
            entry(3, org("meta", "Meta Platforms")),
            entry(
                4,
                json!({"type": "meeting.held", "id": meeting_id, "time": "2024-02-28",
                    "data": {"organizations": ["meta", "lg"]}}),
            ),
            LogEntry {
                payload: Bytes::from_static(b"not json"),
                ..entry(5, org("x", "X"))
            },
            entry(
                6,
                json!({"type": "event.retracted", "time": "2024-03-01", "data": {"event_id": meeting_id}}),
            ),
        ];
        applier.apply(&entries[..3], &log).unwrap();
        assert_eq!(applier.checkpoint().unwrap(), 3);
        // first registration wins
        assert_eq!(
            store
                .organization_record("meta")
                .unwrap()
                .unwrap()
                .data
                .name,
            "Meta"
        );
        assert_eq!(
            store
                .organization_record("meta")
                .unwrap()
                .unwrap()
                .at
                .sequence,
            1
        );
        // re-applying what is at or below the checkpoint changes nothing; not-JSON is quarantined
        applier.apply(&entries, &log).unwrap();
        assert_eq!(applier.checkpoint().unwrap(), 6);
        assert!(store.organization_record("x").unwrap().is_none());
        assert_eq!(applier.quarantine(0, 10).unwrap().entries[0].sequence, 5);
        let meeting = store.event_record(&meeting_id).unwrap().unwrap();
        assert_eq!(meeting.sequence, 4);
        assert!(meeting.retracted);
    }

    #[test]
    fn recording_ahead_then_applying_the_same_entries_gives_the_same_registry() {
        let dir = tempfile::tempdir().unwrap();
        let (store, registry) = applier(dir.path());
        let entries = vec![entry(1, org("meta", "Meta")), entry(2, org("lg", "LG"))];
        let envelopes: Vec<Envelope> = entries
            .iter()
            .map(|e| serde_json::from_slice(&e.payload).unwrap())
            .collect();
        let digests: Vec<String> = envelopes.iter().map(Envelope::digest).collect();
        // the append records entry 2 before the follower has applied entry 1
        registry
            .record_appended(&[(2, &envelopes[1], digests[1].as_str())])
            .unwrap();
        assert_eq!(registry.applier().checkpoint().unwrap(), 0);
        assert_eq!(
            store.organization_record("lg").unwrap().unwrap().data.name,
            "LG"
        );
        registry.applier().apply(&entries, &log()).unwrap();
        assert_eq!(registry.applier().checkpoint().unwrap(), 2);
        for (sequence, envelope) in [(1, &envelopes[0]), (2, &envelopes[1])] {
            let record = store.event_record(&envelope.id).unwrap().unwrap();
            assert_eq!(record.sequence, sequence);
            assert_eq!(record.digest, envelope.digest());
        }
        assert_eq!(
            store
                .organization_record("lg")
                .unwrap()
                .unwrap()
                .at
                .sequence,
            2
        );
        // recording what the follower applied already changes nothing
        registry
            .record_appended(&[(1, &envelopes[0], digests[0].as_str())])
            .unwrap();
        assert_eq!(
            store
                .organization_record("meta")
                .unwrap()
                .unwrap()
                .at
                .sequence,
            1
        );
    }
}
