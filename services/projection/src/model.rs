//! The projection as a read model of the log: how one checked event becomes read models.
//!
//! The applier of `liaison-log` hands each event that passed its gate to [`ProjectionModel`],
//! which writes the read models through [`Writes`] (the batch's staged writes of the projection's
//! one tree, and its event bodies); the applier commits the batch with its checkpoint in one
//! `Tree::apply_batch`, the bodies written to their file just before (see [`crate::store::bodies`]).
//! An event id already applied, or already retracted, changes nothing.

use std::sync::{Arc, Mutex};

use liaison_log::{ApplyError, Checked, ReadModel, Staged};
use liaison_proto::query::StatusChange;
use liaison_proto::{Envelope, EventData};
use liaison_relations::{Effect, Fact, LinkFact, pair_topics};
use tokio::sync::broadcast;

use crate::read_models::{links, organizations, relationships, timeline};
use crate::store::{
    self, EventIndex, FactRecord, LinkRecord, PendingBodies, Store, StoreError, Writes, decode,
    encode, keys,
};
use crate::switch::StoreSwitch;

/// Which database the model writes: the live one (which a rebuild may switch), or one fixed
/// database (the fresh one a rebuild fills).
#[derive(Debug, Clone)]
pub enum Target {
    /// The live database of the service.
    Live(Arc<StoreSwitch>),
    /// One database.
    Fixed(Arc<Store>),
}

impl Target {
    fn store(&self) -> Arc<Store> {
        match self {
            Self::Live(stores) => stores.current(),
            Self::Fixed(store) => store.clone(),
        }
    }
}

/// The projection's read model.
pub struct ProjectionModel {
    target: Target,
    batch: Mutex<Batch>,
    changes: broadcast::Sender<u64>,
}

/// The batch being staged: its database, its event bodies, and what it cost.
#[derive(Default)]
struct Batch {
    store: Option<Arc<Store>>,
    bodies: PendingBodies,
    events: usize,
    keys: usize,
    started: Option<std::time::Instant>,
    staged: Option<std::time::Instant>,
}

impl std::fmt::Debug for ProjectionModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProjectionModel").finish_non_exhaustive()
    }
}

impl ProjectionModel {
    /// A model writing to `target`.
    pub fn new(target: Target) -> Self {
        Self {
            target,
            batch: Mutex::new(Batch::default()),
            changes: broadcast::channel(64).0,
        }
    }

    /// A receiver told the checkpoint after every applied batch (for the SSE stream).
    pub fn subscribe(&self) -> broadcast::Receiver<u64> {
        self.changes.subscribe()
    }

    fn batch(&self) -> std::sync::MutexGuard<'_, Batch> {
        self.batch.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn failed(e: StoreError) -> ApplyError {
    match e {
        StoreError::Sled(e) => ApplyError::Storage(e),
        StoreError::Corrupt { key, message } => ApplyError::Corrupt {
            key,
            reason: message,
        },
        StoreError::Io(message) => ApplyError::Io {
            context: "the bodies file".to_owned(),
            source: std::io::Error::other(message),
        },
        other => ApplyError::Io {
            context: "the projection's database".to_owned(),
            source: std::io::Error::other(other.to_string()),
        },
    }
}

impl ReadModel for ProjectionModel {
    fn home(&self) -> sled::Tree {
        self.target.store().tree().clone()
    }

    fn begin(&self) {
        let store = self.target.store();
        let at = store.bodies().committed();
        *self.batch() = Batch {
            store: Some(store),
            bodies: PendingBodies::new(at),
            started: Some(std::time::Instant::now()),
            ..Batch::default()
        };
    }

    fn apply(&self, staged: &mut Staged, event: &Checked<'_>) -> Result<(), ApplyError> {
        let mut batch = self.batch();
        let Batch {
            store,
            bodies,
            events,
            ..
        } = &mut *batch;
        let store = store.as_ref().expect("begin() was called");
        *events += 1;
        let mut w = Writes::new(staged.on(store.tree()), bodies);
        apply_entry(&mut w, event).map_err(failed)
    }

    fn before_commit(&self, staged: &mut Staged) -> Result<(), ApplyError> {
        let mut batch = self.batch();
        batch.keys = staged.len();
        batch.staged = Some(std::time::Instant::now());
        let store = batch.store.as_ref().expect("begin() was called");
        // The bodies first: after a crash the file may hold more than the tree references
        // (cut off on open), never less.
        if !batch.bodies.bytes.is_empty() {
            store.bodies().write(&batch.bodies.bytes).map_err(failed)?;
        }
        staged.on(store.tree()).insert(
            store::bodies::COMMITTED_KEY,
            batch.bodies.end().to_be_bytes(),
        );
        Ok(())
    }

    fn after_commit(&self, last: u64) {
        let batch = std::mem::take(&mut *self.batch());
        if let Some(store) = &batch.store {
            store.bodies().commit(batch.bodies.end());
        }
        if let (Some(started), Some(staged)) = (batch.started, batch.staged) {
            crate::metrics::applied(batch.events, started.elapsed());
            crate::metrics::profile(batch.events, batch.keys, staged - started, staged.elapsed());
        }
        let _ = self.changes.send(last);
    }
}

/// Applies one event over `w`.
fn apply_entry(w: &mut Writes<'_>, entry: &Checked<'_>) -> Result<(), StoreError> {
    let envelope: &Envelope = entry.event;
    let id = envelope.id;
    let id_text = id.to_string();
    let index_key = keys::key(keys::INDEX, &[id_text.as_bytes()]);
    if w.contains(&index_key)? {
        return Ok(()); // a duplicate, or retracted (before it arrived or since)
    }
    let sequence = entry.sequence;
    let order = keys::order(envelope.time, sequence);
    let mut index = EventIndex {
        sequence,
        order: hex::encode(order),
        ..EventIndex::default()
    };
    let mut changes = Vec::new();
    let data = &envelope.event;
    let event_type = data.event_type();
    let factuality = data.factuality();

    if let Some(effect) = Effect::for_event_type(event_type.as_str()) {
        let fact = Fact::new(
            id_text.clone(),
            sequence,
            envelope.time,
            effect,
            factuality,
            data.parties().into_iter().cloned(),
            data.topics(),
        );
        let record = FactRecord {
            id,
            time: envelope.time,
            event_type,
            factuality,
            summary: data.summary().map(str::to_owned),
        };
        for key in pair_topics(&fact) {
            if let Some(change) = relationships::add_fact(w, &key, sequence, &record)? {
                changes.push(change);
            }
            index.pair_topics.push(key.storage_key());
        }
    }
    let link_fact = match data {
        EventData::ProcurementPlanned(d) => Some((
            LinkFact::procurement(
                id_text.clone(),
                sequence,
                envelope.time,
                factuality,
                d.buyer.clone(),
                d.supplier.clone(),
                d.item.clone(),
            ),
            d.quantity.clone(),
            d.by,
        )),
        EventData::CompetitionNoted(d) => Some((
            LinkFact::competition(
                id_text.clone(),
                sequence,
                envelope.time,
                factuality,
                d.organizations.iter().cloned(),
                d.topics.iter().cloned(),
            ),
            None,
            None,
        )),
        _ => None,
    };
    if let Some((fact, quantity, by)) = link_fact {
        let record = LinkRecord {
            id,
            time: envelope.time,
            factuality,
            item: fact.item.clone(),
            quantity,
            by,
        };
        index.links = links::add(w, &fact, &record);
    }
    match data {
        EventData::OrganizationRegistered(d) => {
            index.profile = Some(organizations::register_organization(w, id, d));
        }
        EventData::PersonRegistered(d) => {
            index.roles = organizations::register_person(w, id, d);
        }
        EventData::EventRetracted(d) => {
            retract(w, &d.event_id.to_string(), sequence, &mut changes)?;
        }
        _ => {}
    }
    index.timeline = data
        .organizations()
        .into_iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    index.meeting = matches!(
        data,
        EventData::MeetingHeld(_) | EventData::MeetingScheduled(_)
    );
    timeline::add(w, &index.timeline, &order, index.meeting, entry.payload);
    w.insert(index_key, encode(&index));
    record_changes(w, sequence, id, changes);
    Ok(())
}

/// Removes every effect of `target` (as if it had never been appended) and remembers it as
/// retracted, so that it is ignored should it arrive (again) later.
fn retract(
    w: &mut Writes<'_>,
    target: &str,
    retraction_sequence: u64,
    changes: &mut Vec<relationships::Change>,
) -> Result<(), StoreError> {
    let index_key = keys::key(keys::INDEX, &[target.as_bytes()]);
    let applied = w.get(&index_key)?;
    let mut marker = vec![keys::RETRACTED];
    marker.extend_from_slice(&retraction_sequence.to_be_bytes());
    w.insert(index_key.clone(), marker);
    let Some(bytes) = applied.filter(|b| b.first() != Some(&keys::RETRACTED)) else {
        return Ok(()); // not applied (yet), or retracted already
    };
    let index: EventIndex = decode(&index_key, &bytes)?;
    let target_id: uuid::Uuid = target.parse().unwrap_or_default();
    for pt in &index.pair_topics {
        if let Some(change) = relationships::remove_fact(w, pt, &index.order)? {
            changes.push(change);
        }
    }
    for link in &index.links {
        links::remove(w, link, &index.order)?;
    }
    let order = hex::decode(&index.order).unwrap_or_default();
    timeline::remove(w, &index.timeline, &order, index.meeting);
    if let Some(org) = &index.profile {
        organizations::unregister_organization(w, target_id, org)?;
    }
    organizations::unregister_roles(w, target_id, &index.roles)?;
    Ok(())
}

fn record_changes(
    w: &mut Writes<'_>,
    sequence: u64,
    event_id: uuid::Uuid,
    changes: Vec<relationships::Change>,
) {
    for (index, c) in changes.into_iter().enumerate() {
        let index = index as u32;
        let change = StatusChange {
            sequence,
            index,
            organizations: [c.key.a, c.key.b],
            topic: c.key.topic,
            before: c.before,
            after: c.after,
            since: c.since,
            event_id,
        };
        w.insert(keys::change(sequence, index), encode(&change));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liaison_log::{Applier, LogEntry, LogIdentity};
    use liaison_proto::ClientEvent;
    use serde_json::json;

    fn entry(sequence: u64, v: serde_json::Value) -> LogEntry {
        let client: ClientEvent = serde_json::from_value(v).expect("a valid event");
        let envelope = Envelope::record(client, "/test", chrono::Utc::now());
        LogEntry {
            sequence,
            subject: envelope.subject(),
            headers: async_nats::HeaderMap::new(),
            payload: serde_json::to_vec(&envelope).unwrap().into(),
            published: chrono::Utc::now(),
        }
    }

    fn org(id: &str) -> serde_json::Value {
        json!({"type": "organization.registered", "time": "2020-01-01",
            "data": {"id": id, "name": id.to_uppercase()}})
    }

    fn meeting(id: uuid::Uuid) -> serde_json::Value {
        json!({"type": "meeting.held", "id": id, "time": "2024-01-01",
            "data": {"organizations": ["a", "b"], "topics": ["xr"]}})
    }

    fn retraction(id: uuid::Uuid, target: uuid::Uuid) -> serde_json::Value {
        json!({"type": "event.retracted", "id": id, "time": "2024-01-02",
            "data": {"event_id": target}})
    }

    fn facts(store: &Store) -> usize {
        store.tree().scan_prefix([keys::FACT]).count()
    }

    #[test]
    fn duplicates_and_retracted_ids_change_nothing_whatever_the_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path(), 8).unwrap());
        let applier = Applier::new(
            "projection",
            ProjectionModel::new(Target::Fixed(store.clone())),
        );
        let log = LogIdentity {
            stream: "LIAISON_EVENTS".into(),
            created: chrono::Utc::now(),
        };
        let apply = |entries: &[LogEntry]| applier.apply(entries, &log).unwrap();
        let (m, r, late) = (
            uuid::Uuid::now_v7(),
            uuid::Uuid::now_v7(),
            uuid::Uuid::now_v7(),
        );
        apply(&[entry(1, org("a")), entry(2, org("b"))]);
        // Applied, then appended again: one fact.
        apply(&[entry(3, meeting(m)), entry(4, meeting(m))]);
        assert_eq!(facts(&store), 1);
        let applied = store.dump().unwrap();
        // Retracted: no fact; appended again after: still none.
        apply(&[entry(5, retraction(r, m))]);
        apply(&[entry(6, meeting(m))]);
        assert_eq!(facts(&store), 0);
        // Retracted before it arrives (in one batch and across batches): never applied.
        apply(&[
            entry(7, retraction(uuid::Uuid::now_v7(), late)),
            entry(8, meeting(late)),
        ]);
        apply(&[entry(9, meeting(late))]);
        assert_eq!(facts(&store), 0);
        assert_eq!(store.checkpoint().unwrap(), 9);
        assert_ne!(store.dump().unwrap(), applied);
        assert_eq!(applier.quarantine(0, 10).unwrap().total, 0);
    }
}
