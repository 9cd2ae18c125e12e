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
use liaison_proto::{Envelope, EventData, EventId};
use liaison_relations::{Fact, LinkFact, OrderKey, Route, StoreCost, Transition};
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
    /// What the relationships' ledger cost the last committed batch.
    last_ledger_cost: Mutex<StoreCost>,
}

/// The batch being staged: its database, its event bodies, and what it cost.
#[derive(Default)]
struct Batch {
    store: Option<Arc<Store>>,
    bodies: PendingBodies,
    events: usize,
    keys: usize,
    /// What the relationships' ledger read and wrote for the batch's events.
    ledger: StoreCost,
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
            last_ledger_cost: Mutex::default(),
        }
    }

    /// What the relationships' ledger read and wrote for the last committed batch: the work a
    /// fact costs, counted (it must not grow with the history of its pair-topic).
    pub fn last_ledger_cost(&self) -> StoreCost {
        *self
            .last_ledger_cost
            .lock()
            .unwrap_or_else(|e| e.into_inner())
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
        StoreError::Decode { key, source } => ApplyError::Corrupt {
            key,
            reason: source.to_string(),
        },
        StoreError::Layout { key, source } => ApplyError::Corrupt {
            key,
            reason: source.to_string(),
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
            ledger,
            ..
        } = &mut *batch;
        let store = store.as_ref().expect("begin() was called");
        *events += 1;
        let mut w = Writes::new(staged.on(store.tree()), bodies);
        *ledger += apply_entry(&mut w, event).map_err(failed)?;
        Ok(())
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
        *self
            .last_ledger_cost
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = batch.ledger;
        if let (Some(started), Some(staged)) = (batch.started, batch.staged) {
            crate::metrics::applied(batch.events, started.elapsed());
            crate::metrics::profile(batch.events, batch.keys, staged - started, staged.elapsed());
        }
        let _ = self.changes.send(last);
    }
}

/// Applies one event over `w`; what the relationships' ledger cost.
fn apply_entry(w: &mut Writes<'_>, entry: &Checked<'_>) -> Result<StoreCost, StoreError> {
    let envelope: &Envelope = entry.event;
    let id = EventId::from(envelope.id);
    let index_key = index_key(id);
    if w.contains(&index_key)? {
        return Ok(StoreCost::default()); // a duplicate, or retracted (before it arrived or since)
    }
    let sequence = entry.sequence;
    let order = OrderKey::new(envelope.time, sequence);
    let mut index = EventIndex {
        sequence,
        route: Route::none(order),
        links: Vec::new(),
        timeline: Vec::new(),
        meeting: false,
        profile: None,
        roles: Vec::new(),
    };
    let mut changes = Vec::new();
    let mut cost = StoreCost::default();
    let data = &envelope.event;
    let factuality = data.factuality();

    if let Some(fact) = Fact::from_envelope(envelope, sequence) {
        let mut ledger = relationships::ledger(w);
        let applied = ledger.apply(&fact, &FactRecord::of(envelope))?;
        cost = ledger.store().cost();
        changes.extend(applied.transitions);
        index.route = applied.route;
    }
    let link_fact = match data {
        EventData::ProcurementPlanned(d) => Some((
            LinkFact::procurement(
                id,
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
                id,
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
            id: envelope.id,
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
            index.profile = Some(organizations::register_organization(w, envelope.id, d));
        }
        EventData::PersonRegistered(d) => {
            index.roles = organizations::register_person(w, envelope.id, d);
        }
        EventData::EventRetracted(d) => {
            cost += retract(w, EventId::from(d.event_id), id, sequence, &mut changes)?;
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
    timeline::add(
        w,
        &index.timeline,
        &order.to_bytes(),
        index.meeting,
        entry.payload,
    );
    w.insert(index_key, encode(&index));
    record_changes(w, sequence, id, changes);
    Ok(cost)
}

/// The key of an event's [`EventIndex`] (or of its retraction marker).
pub(crate) fn index_key(id: EventId) -> Vec<u8> {
    keys::key(keys::INDEX, &[id.to_string().as_bytes()])
}

/// Removes every effect of `target` (as if it had never been appended) and remembers it as
/// retracted, so that it is ignored should it arrive (again) later; `cause` is the
/// `event.retracted` event. What the relationships' ledger cost.
fn retract(
    w: &mut Writes<'_>,
    target: EventId,
    cause: EventId,
    retraction_sequence: u64,
    changes: &mut Vec<Transition>,
) -> Result<StoreCost, StoreError> {
    let index_key = index_key(target);
    let applied = w.get(&index_key)?;
    let mut marker = vec![keys::RETRACTED];
    marker.extend_from_slice(&retraction_sequence.to_be_bytes());
    w.insert(index_key.clone(), marker);
    let Some(bytes) = applied.filter(|b| b.first() != Some(&keys::RETRACTED)) else {
        return Ok(StoreCost::default()); // not applied (yet), or retracted already
    };
    let index: EventIndex = decode(&index_key, &bytes)?;
    let mut ledger = relationships::ledger(w);
    changes.extend(ledger.retract(&index.route, cause)?);
    let cost = ledger.store().cost();
    for link in &index.links {
        links::remove(w, link, index.route.order)?;
    }
    timeline::remove(
        w,
        &index.timeline,
        &index.route.order.to_bytes(),
        index.meeting,
    );
    if let Some(org) = &index.profile {
        organizations::unregister_organization(w, target.uuid(), org)?;
    }
    organizations::unregister_roles(w, target.uuid(), &index.roles)?;
    Ok(cost)
}

/// Records the transitions that changed a pair-topic's current status, for the SSE stream.
fn record_changes(
    w: &mut Writes<'_>,
    sequence: u64,
    event_id: EventId,
    transitions: Vec<Transition>,
) {
    for (index, t) in transitions
        .into_iter()
        .filter(Transition::changed)
        .enumerate()
    {
        let index = index as u32;
        let change = StatusChange {
            sequence,
            index,
            organizations: [t.key.a, t.key.b],
            topic: t.key.topic,
            before: t.before,
            after: t.after,
            since: t.since,
            event_id: event_id.uuid(),
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

    /// The `n`th fact of one pair-topic's history, a day after the one before: meetings, talks,
    /// agreements and announcements in turn, never an end, so that any re-fold of the history
    /// would have to read all of it.
    fn nth(n: u64) -> serde_json::Value {
        let day = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(n);
        let kind = [
            "meeting.held",
            "cooperation.discussed",
            "agreement.signed",
            "partnership.announced",
        ];
        json!({"type": kind[n as usize % kind.len()], "time": day.to_string(),
            "data": {"organizations": ["a", "b"], "topics": ["xr"]}})
    }

    #[test]
    fn the_ten_thousandth_fact_of_a_pair_topic_costs_what_the_tenth_did() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path(), 64).unwrap());
        let applier = Applier::new(
            "projection",
            ProjectionModel::new(Target::Fixed(store.clone())),
        );
        let log = LogIdentity {
            stream: "LIAISON_EVENTS".into(),
            created: chrono::Utc::now(),
        };
        // Facts `from..=to` of the history, at log sequences after the two registrations.
        let apply = |from: u64, to: u64| {
            let entries: Vec<LogEntry> = (from..=to).map(|n| entry(n + 2, nth(n))).collect();
            let applied = applier.apply(&entries, &log).unwrap();
            assert_eq!(applied.applied, entries.len());
            applier.model().last_ledger_cost()
        };
        applier
            .apply(&[entry(1, org("a")), entry(2, org("b"))], &log)
            .unwrap();
        apply(1, 9);
        let tenth = apply(10, 10);
        for from in (11..10_000).step_by(500) {
            apply(from, (from + 499).min(9_999));
        }
        let last = apply(10_000, 10_000);
        assert_eq!(facts(&store), 10_000);
        assert!(tenth.reads > 0 && tenth.writes > 0, "{tenth:?}");
        assert!(last.reads <= 2 * tenth.reads, "{last:?} vs {tenth:?}");
        assert!(
            last.bytes_read <= 2 * tenth.bytes_read,
            "{last:?} vs {tenth:?}"
        );
        assert!(last.writes <= 2 * tenth.writes, "{last:?} vs {tenth:?}");
        assert!(
            last.bytes_written <= 2 * tenth.bytes_written,
            "{last:?} vs {tenth:?}"
        );
        eprintln!("ledger cost of the 10th fact: {tenth:?}; of the 10,000th: {last:?}");
    }
}
