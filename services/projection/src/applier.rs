//! The [`Apply`] implementation: how a batch of log entries becomes read models.
//!
//! A batch is applied event by event over a [`Writes`] overlay of the live database, then written
//! with the new checkpoint by one atomic `Tree::apply_batch` — all or nothing, also across a
//! crash — so the derived state and the checkpoint never disagree (ARCHITECTURE.md, decision 3).
//! Entries at or below the checkpoint are skipped. An event id already applied, or already
//! retracted, changes nothing. An entry that is not a valid event is logged and skipped (it can
//! never become valid, and must not stop the projection).

use std::sync::{Arc, Mutex};

use liaison_log::{Apply, ApplyError, LogEntry};
use liaison_proto::query::StatusChange;
use liaison_proto::{Envelope, EventData};
use liaison_relations::{Effect, Fact, LinkFact, pair_topics};
use tokio::sync::broadcast;

use crate::read_models::{links, organizations, relationships, timeline};
use crate::store::{
    self, EventIndex, FactRecord, LinkRecord, Store, StoreError, Writes, decode, encode, keys,
};
use crate::switch::StoreSwitch;

/// Applies log entries to the current database of a [`StoreSwitch`].
pub struct Applier {
    stores: Arc<StoreSwitch>,
    /// Held while a batch is applied, and by a rebuild while it switches databases.
    pub(crate) lock: Mutex<()>,
    changes: broadcast::Sender<u64>,
}

impl std::fmt::Debug for Applier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Applier").finish_non_exhaustive()
    }
}

impl Applier {
    /// An applier writing to the current database of `stores`.
    pub fn new(stores: Arc<StoreSwitch>) -> Self {
        Self {
            stores,
            lock: Mutex::new(()),
            changes: broadcast::channel(64).0,
        }
    }

    /// A receiver told the checkpoint after every applied batch (for the SSE stream).
    pub fn subscribe(&self) -> broadcast::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Applies `entries` to `store` (no lock, no notification): the core, also used by a
    /// rebuild on its fresh database.
    pub fn apply_to(store: &Store, entries: &[LogEntry]) -> Result<(), StoreError> {
        let t0 = std::time::Instant::now();
        let checkpoint = store.checkpoint()?;
        let bodies_at = store.bodies().committed();
        let mut w = Writes::new(store.tree(), bodies_at);
        let mut last = checkpoint;
        for entry in entries.iter().filter(|e| e.sequence > checkpoint) {
            apply_entry(&mut w, entry)?;
            last = entry.sequence;
        }
        if last == checkpoint {
            return Ok(());
        }
        w.insert(
            liaison_log::checkpoint::CHECKPOINT_KEY.to_vec(),
            last.to_be_bytes().to_vec(),
        );
        let t1 = std::time::Instant::now();
        let n_keys = w.len();
        let (mut batch, bodies) = w.into_batch();
        // The bodies first: after a crash the file may hold more than the tree references
        // (cut off on open), never less.
        if !bodies.is_empty() {
            store.bodies().write(&bodies)?;
        }
        let bodies_len = bodies_at + bodies.len() as u64;
        batch.insert(
            store::bodies::COMMITTED_KEY,
            bodies_len.to_be_bytes().to_vec(),
        );
        store.tree().apply_batch(batch)?;
        store.bodies().commit(bodies_len);
        crate::metrics::profile(entries.len(), n_keys, t1 - t0, t1.elapsed());
        Ok(())
    }
}

impl Apply for Applier {
    fn checkpoint(&self) -> Result<u64, ApplyError> {
        self.stores
            .current()
            .checkpoint()
            .map_err(|e| ApplyError::new(e.to_string()))
    }

    fn apply(&self, entries: &[LogEntry]) -> Result<(), ApplyError> {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let started = std::time::Instant::now();
        Self::apply_to(&self.stores.current(), entries)
            .map_err(|e| ApplyError::new(e.to_string()))?;
        crate::metrics::applied(entries.len(), started.elapsed());
        if let Some(last) = entries.last() {
            let _ = self.changes.send(last.sequence);
        }
        Ok(())
    }
}

/// Applies one entry over `w`.
fn apply_entry(w: &mut Writes<'_>, entry: &LogEntry) -> Result<(), StoreError> {
    let envelope: Envelope = match serde_json::from_slice(&entry.payload) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!(sequence = entry.sequence, subject = entry.subject, error = %e,
                "skipping a log entry that is not a valid event");
            return Ok(());
        }
    };
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
    timeline::add(w, &index.timeline, &order, index.meeting, &entry.payload);
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
        let store = Store::open(dir.path(), 8).unwrap();
        let (m, r, late) = (
            uuid::Uuid::now_v7(),
            uuid::Uuid::now_v7(),
            uuid::Uuid::now_v7(),
        );
        // Applied, then appended again: one fact.
        Applier::apply_to(&store, &[entry(1, meeting(m)), entry(2, meeting(m))]).unwrap();
        assert_eq!(facts(&store), 1);
        let applied = store.dump().unwrap();
        // Retracted: no fact; appended again after: still none.
        Applier::apply_to(&store, &[entry(3, retraction(r, m))]).unwrap();
        Applier::apply_to(&store, &[entry(4, meeting(m))]).unwrap();
        assert_eq!(facts(&store), 0);
        // Retracted before it arrives (in one batch and across batches): never applied.
        Applier::apply_to(
            &store,
            &[
                entry(5, retraction(uuid::Uuid::now_v7(), late)),
                entry(6, meeting(late)),
            ],
        )
        .unwrap();
        Applier::apply_to(&store, &[entry(7, meeting(late))]).unwrap();
        assert_eq!(facts(&store), 0);
        assert_eq!(store.checkpoint().unwrap(), 7);
        assert_ne!(store.dump().unwrap(), applied);
    }
}
