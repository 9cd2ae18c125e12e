//! Keeps the registry current with the log: the [`Apply`] implementation that the follower of
//! `liaison-log` calls with each run of new log entries.
//!
//! Every run is written in ONE sled transaction with the checkpoint (ARCHITECTURE.md,
//! decision 3), so a crash leaves the registry exactly at some sequence, and the follower resumes
//! from there. First one wins: a registration of an id already registered (possible only when
//! two instances raced, since ingest checks before appending and guards registrations with
//! `Nats-Expected-Last-Subject-Sequence`) is ignored with a warning, and so is an event id seen
//! twice.
//!
//! The append operation also records what it has just appended ([`RegistryApplier::record_appended`]),
//! right after the log's acknowledgement, so that it need not wait for the follower to read its
//! own events back. Those writes are the same effect [`Apply::apply`] has for the same entries,
//! without moving the checkpoint: when the follower reaches them, it finds the event id recorded
//! at the same sequence and skips it. Only effects that commute with the follower's in-order
//! apply are recorded so (an event id with its digest, a guarded registration, a retraction
//! flag); rule events depend on order, and are left to the follower.

use liaison_log::LogEntry;
use liaison_log::checkpoint;
use liaison_log::follower::{Apply, ApplyError};
use liaison_proto::{Envelope, EventData};
use sled::Transactional;
use sled::transaction::{
    ConflictableTransactionError, TransactionalTree, UnabortableTransactionError,
};

use crate::registry::{
    EventRecord, Position, Registration, RegistryStore, RuleRecord, decode, encode,
};

/// Applies log entries to a [`RegistryStore`].
#[derive(Debug, Clone)]
pub struct RegistryApplier {
    store: RegistryStore,
}

impl RegistryApplier {
    /// An applier writing to `store`.
    pub fn new(store: RegistryStore) -> Self {
        Self { store }
    }
}

/// An abort reason inside the transaction.
type TxError = ConflictableTransactionError<String>;

struct Trees<'a> {
    organizations: &'a TransactionalTree,
    persons: &'a TransactionalTree,
    rules: &'a TransactionalTree,
    events: &'a TransactionalTree,
}

impl Apply for RegistryApplier {
    fn checkpoint(&self) -> Result<u64, ApplyError> {
        self.store
            .checkpoint()
            .map_err(|e| ApplyError::new(e.to_string()))
    }

    fn apply(&self, entries: &[LogEntry]) -> Result<(), ApplyError> {
        self.apply_entries(entries)
    }
}

impl RegistryApplier {
    /// Whether [`record_appended`](Self::record_appended) can record `envelope` ahead of the
    /// follower: its effect must not depend on the order of application (rules do).
    pub fn can_record_ahead(envelope: &Envelope) -> bool {
        !matches!(
            envelope.event,
            EventData::RuleCreated(_) | EventData::RuleDeleted(_)
        )
    }

    /// Records events this instance has just appended — `(sequence, envelope, digest)`, as the
    /// log acknowledged them — in one transaction, without moving the checkpoint. Each must pass
    /// [`can_record_ahead`](Self::can_record_ahead). Idempotent: the follower's later apply of the
    /// same entries is a no-op, and so is recording an entry it already applied.
    pub fn record_appended(&self, appended: &[(u64, &Envelope, &str)]) -> Result<(), ApplyError> {
        debug_assert!(appended.iter().all(|(_, e, _)| Self::can_record_ahead(e)));
        let s = &self.store;
        (&s.organizations, &s.persons, &s.rules, &s.events)
            .transaction(|(organizations, persons, rules, events)| {
                let trees = Trees {
                    organizations,
                    persons,
                    rules,
                    events,
                };
                for (sequence, envelope, digest) in appended {
                    apply_one(&trees, *sequence, envelope, digest)?;
                }
                Ok(())
            })
            .map_err(|e| match e {
                sled::transaction::TransactionError::Abort(reason) => ApplyError::new(reason),
                sled::transaction::TransactionError::Storage(e) => ApplyError::from(e),
            })
    }

    fn apply_entries(&self, entries: &[LogEntry]) -> Result<(), ApplyError> {
        let Some(last) = entries.last().map(|e| e.sequence) else {
            return Ok(());
        };
        // Decode outside the transaction: its closure may run more than once.
        let decoded: Vec<(u64, Option<(Envelope, String)>)> = entries
            .iter()
            .map(|entry| {
                let envelope = serde_json::from_slice::<Envelope>(&entry.payload)
                    .map_err(|error| {
                        tracing::warn!(
                            sequence = entry.sequence,
                            subject = entry.subject,
                            %error,
                            "a log entry is not an event envelope; skipping it"
                        );
                    })
                    .ok()
                    .map(|envelope| {
                        let digest = envelope.digest();
                        (envelope, digest)
                    });
                (entry.sequence, envelope)
            })
            .collect();
        let s = &self.store;
        (&s.organizations, &s.persons, &s.rules, &s.events, &s.meta)
            .transaction(|(organizations, persons, rules, events, meta)| {
                let done = checkpoint_in(meta)?;
                let trees = Trees {
                    organizations,
                    persons,
                    rules,
                    events,
                };
                for (sequence, envelope) in &decoded {
                    if *sequence <= done {
                        continue;
                    }
                    if let Some((envelope, digest)) = envelope {
                        apply_one(&trees, *sequence, envelope, digest)?;
                    }
                }
                checkpoint::store(meta, last)?;
                Ok(())
            })
            .map_err(|e| match e {
                sled::transaction::TransactionError::Abort(reason) => ApplyError::new(reason),
                sled::transaction::TransactionError::Storage(e) => ApplyError::from(e),
            })
    }
}

/// The checkpoint as seen inside the transaction.
fn checkpoint_in(meta: &TransactionalTree) -> Result<u64, TxError> {
    Ok(meta.get(checkpoint::CHECKPOINT_KEY)?.map_or(0, |bytes| {
        u64::from_be_bytes(bytes.as_ref().try_into().unwrap_or([0; 8]))
    }))
}

fn get<T: serde::de::DeserializeOwned>(
    tree: &TransactionalTree,
    name: &'static str,
    key: &[u8],
) -> Result<Option<T>, TxError> {
    match tree.get(key)? {
        None => Ok(None),
        Some(bytes) => decode(name, &bytes)
            .map(Some)
            .map_err(|e| ConflictableTransactionError::Abort(e.to_string())),
    }
}

fn put<T: serde::Serialize>(
    tree: &TransactionalTree,
    key: &[u8],
    value: &T,
) -> Result<(), UnabortableTransactionError> {
    tree.insert(key, encode(value))?;
    Ok(())
}

/// Records a registration of `id` unless one is already in force: the first registration in
/// the log wins. A later one with other content can only come from a race between ingest
/// instances (each checks before appending); it is logged and ignored.
fn register_first<T>(
    tree: &TransactionalTree,
    name: &'static str,
    kind: &str,
    id: &str,
    at: Position,
    data: &T,
) -> Result<(), TxError>
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
        )?,
        Some(first) if first.data != *data => tracing::warn!(
            kind,
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

fn apply_one(
    trees: &Trees<'_>,
    sequence: u64,
    envelope: &Envelope,
    digest: &str,
) -> Result<(), TxError> {
    use crate::registry::{EVENTS, ORGANIZATIONS, PERSONS, RULES};

    let id = envelope.id;
    let at = Position {
        event_id: id,
        sequence,
    };
    if let Some(first) = get::<EventRecord>(trees.events, EVENTS, id.as_bytes())? {
        if first.sequence == sequence {
            // Recorded already, by the append that wrote it or by an earlier apply.
            return Ok(());
        }
        tracing::warn!(
            %id,
            sequence,
            first = first.sequence,
            "event id already in the log at an earlier sequence; keeping the first"
        );
        return Ok(());
    }
    put(
        trees.events,
        id.as_bytes(),
        &EventRecord {
            digest: digest.to_owned(),
            sequence,
            event_type: envelope.event_type(),
            retracted: false,
        },
    )?;
    match &envelope.event {
        EventData::OrganizationRegistered(data) => register_first(
            trees.organizations,
            ORGANIZATIONS,
            "organization",
            data.id.as_str(),
            at,
            data,
        )?,
        EventData::PersonRegistered(data) => {
            register_first(trees.persons, PERSONS, "person", data.id.as_str(), at, data)?
        }
        EventData::EventRetracted(data) => {
            let key = data.event_id.as_bytes();
            if let Some(mut target) = get::<EventRecord>(trees.events, EVENTS, key)? {
                target.retracted = true;
                put(trees.events, key, &target)?;
            }
        }
        EventData::RuleCreated(data) => {
            let key = data.id.as_str().as_bytes();
            let live = get::<RuleRecord>(trees.rules, RULES, key)?.filter(|r| !r.deleted);
            match live {
                Some(existing) if existing.rule == *data => {}
                _ => put(
                    trees.rules,
                    key,
                    &RuleRecord {
                        at,
                        rule: data.clone(),
                        deleted: false,
                    },
                )?,
            }
        }
        EventData::RuleDeleted(data) => {
            let key = data.id.as_str().as_bytes();
            if let Some(mut rule) = get::<RuleRecord>(trees.rules, RULES, key)? {
                rule.deleted = true;
                put(trees.rules, key, &rule)?;
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
    use liaison_proto::ClientEvent;
    use liaison_proto::validate::Registry;
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

    #[test]
    fn applies_registrations_events_and_retractions_with_the_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::Config::new().path(dir.path()).open().unwrap();
        let store = RegistryStore::open(&db).unwrap();
        let applier = RegistryApplier::new(store.clone());
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
        applier.apply(&entries[..3]).unwrap();
        assert_eq!(applier.checkpoint().unwrap(), 3);
        // first registration wins
        assert_eq!(store.organization("meta").unwrap().name, "Meta");
        assert_eq!(
            store
                .organization_record("meta")
                .unwrap()
                .unwrap()
                .at
                .sequence,
            1
        );
        // re-applying what is at or below the checkpoint changes nothing
        applier.apply(&entries).unwrap();
        assert_eq!(applier.checkpoint().unwrap(), 6);
        assert!(store.organization("x").is_none());
        let meeting = store.event_record(&meeting_id).unwrap().unwrap();
        assert_eq!(meeting.sequence, 4);
        assert!(meeting.retracted);
    }

    #[test]
    fn recording_ahead_then_applying_the_same_entries_gives_the_same_registry() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::Config::new().path(dir.path()).open().unwrap();
        let store = RegistryStore::open(&db).unwrap();
        let applier = RegistryApplier::new(store.clone());
        let entries = vec![entry(1, org("meta", "Meta")), entry(2, org("lg", "LG"))];
        let envelopes: Vec<Envelope> = entries
            .iter()
            .map(|e| serde_json::from_slice(&e.payload).unwrap())
            .collect();
        let digests: Vec<String> = envelopes.iter().map(Envelope::digest).collect();
        // the append records entry 2 before the follower has applied entry 1
        applier
            .record_appended(&[(2, &envelopes[1], digests[1].as_str())])
            .unwrap();
        assert_eq!(applier.checkpoint().unwrap(), 0);
        assert_eq!(store.organization("lg").unwrap().name, "LG");
        applier.apply(&entries).unwrap();
        assert_eq!(applier.checkpoint().unwrap(), 2);
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
        applier
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
