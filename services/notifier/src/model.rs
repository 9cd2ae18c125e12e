//! The notifier as a read model of the log: turns each checked event into a domain fact, runs it
//! through the domain core's pair-topic ledger (the same algorithm and layout as the projection,
//! so an alert and the status the projection shows cannot disagree), matches the resulting
//! transitions against the rules in force at that point of the log, and stages new alerts with
//! their pending deliveries; the applier of `liaison-log` commits them with the checkpoint in one
//! atomic write.
//!
//! Alert ids are [`alert_id_for`]`(rule, transition)`: deterministic in (rule, pair, topic,
//! causing event). An alert is inserted only when absent, so a replay (after a crash lost the
//! checkpoint's last writes, or from an empty database) raises nothing twice.

pub mod layout;
mod pair_topics;
#[cfg(test)]
mod rebuild_tests;

/// A notifier's applier over a new database in a temporary directory (kept alive by the
/// returned guard), its store, and the identity of the log it applies: the set-up of the
/// model's tests.
#[cfg(test)]
fn test_applier() -> (
    liaison_log::Applier<NotifierModel>,
    Store,
    liaison_log::LogIdentity,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap();
    let db = sled::Config::new().path(dir.path()).open().unwrap();
    let store = Store::open(db).unwrap();
    let model = NotifierModel::new(store.clone(), RuleSet::default(), Arc::default());
    let log = liaison_log::LogIdentity {
        stream: "LIAISON_EVENTS".into(),
        created: Utc::now(),
    };
    (
        liaison_log::Applier::new("notifier", model),
        store,
        log,
        dir,
    )
}

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};
use liaison_log::{ApplyError, Checked, ReadModel, Staged, StagedTree};
use liaison_proto::alert::new_partnership_rule;
use liaison_proto::events::{BUILTIN_RULES, RuleCreated};
use liaison_proto::notifier::WebhookOutcome;
use liaison_proto::{Alert, Envelope, EventData, EventId};
use liaison_relations::{
    Fact, Ledger, Route, StoreCost, Transition, alert_id_for, pair_topics as pair_topics_of,
};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::rules::{Cause, fires};
use crate::store::{
    AlertRecord, PendingKey, RETRACTED, Store, StoreError, StoredRule, TargetKind, TargetRecord,
    decode, encode, sequence_key, webhook_secret_key,
};
use pair_topics::PairTopics;

/// The rules in force, as the applier last committed them: read by the HTTP API, replaced
/// after every applied batch.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    inner: Arc<RwLock<BTreeMap<String, StoredRule>>>,
}

impl RuleSet {
    /// The rules stored in `store`.
    pub fn load(store: &Store) -> Result<Self, crate::store::StoreError> {
        let map = store
            .rules()?
            .into_iter()
            .map(|r| (r.rule.id.as_str().to_owned(), r))
            .collect();
        Ok(Self {
            inner: Arc::new(RwLock::new(map)),
        })
    }

    /// A copy of every rule created in the log (deleted ones included).
    pub fn snapshot(&self) -> BTreeMap<String, StoredRule> {
        self.inner.read().expect("rules lock").clone()
    }

    /// The rule `id` as created in the log, if ever.
    pub fn get(&self, id: &str) -> Option<StoredRule> {
        self.inner.read().expect("rules lock").get(id).cloned()
    }

    fn replace(&self, rules: BTreeMap<String, StoredRule>) {
        *self.inner.write().expect("rules lock") = rules;
    }
}

/// The notifier as a read model of the log.
pub struct NotifierModel {
    store: Store,
    rules: RuleSet,
    builtin: RuleCreated,
    raised: Arc<Notify>,
    batch: Mutex<Batch>,
    /// What the pair-topic ledger cost the last committed batch.
    last_ledger_cost: Mutex<StoreCost>,
}

/// What one batch changes outside sled: the rules it leaves in force, the alerts it raised;
/// and what its facts cost the pair-topic ledger.
#[derive(Default)]
struct Batch {
    rules: BTreeMap<String, StoredRule>,
    raised: Vec<String>,
    now: Option<DateTime<Utc>>,
    ledger: StoreCost,
}

impl NotifierModel {
    /// A model on `store`, keeping `rules` current, waking `raised` when it records alerts.
    pub fn new(store: Store, rules: RuleSet, raised: Arc<Notify>) -> Self {
        Self {
            store,
            rules,
            builtin: new_partnership_rule(),
            raised,
            batch: Mutex::new(Batch::default()),
            last_ledger_cost: Mutex::default(),
        }
    }

    /// What the pair-topic ledger read and wrote for the last committed batch: the work a fact
    /// costs, counted (it must not grow with the history of its pair-topic).
    pub fn last_ledger_cost(&self) -> StoreCost {
        *self
            .last_ledger_cost
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    fn batch(&self) -> std::sync::MutexGuard<'_, Batch> {
        self.batch.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The trees one batch writes, staged; and what the event cost the pair-topic ledger.
struct Tx<'a> {
    store: &'a Store,
    staged: &'a mut Staged,
    cost: StoreCost,
}

impl Tx<'_> {
    fn on(&mut self, tree: fn(&Store) -> &sled::Tree) -> &mut StagedTree {
        let tree = tree(self.store);
        self.staged.on(tree)
    }
}

/// One checked log entry.
struct Decoded {
    sequence: u64,
    published: DateTime<Utc>,
}

impl ReadModel for NotifierModel {
    fn home(&self) -> sled::Tree {
        self.store.meta.clone()
    }

    fn begin(&self) {
        *self.batch() = Batch {
            rules: self.rules.snapshot(),
            raised: Vec::new(),
            now: Some(Utc::now()),
            ledger: StoreCost::default(),
        };
    }

    fn apply(&self, staged: &mut Staged, event: &Checked<'_>) -> Result<(), ApplyError> {
        let mut batch = self.batch();
        let Batch {
            rules,
            raised,
            now,
            ledger,
        } = &mut *batch;
        let now = now.unwrap_or_else(Utc::now);
        let entry = Decoded {
            sequence: event.sequence,
            published: event.published,
        };
        let mut tx = Tx {
            store: &self.store,
            staged,
            cost: StoreCost::default(),
        };
        self.apply_event(&mut tx, rules, &entry, event.event, now, raised)?;
        *ledger += tx.cost;
        Ok(())
    }

    fn after_commit(&self, _last: u64) {
        let batch = std::mem::take(&mut *self.batch());
        self.rules.replace(batch.rules);
        *self
            .last_ledger_cost
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = batch.ledger;
        if !batch.raised.is_empty() {
            for rule in &batch.raised {
                metrics::counter!(crate::metrics::ALERTS_RAISED, "rule" => rule.clone())
                    .increment(1);
            }
            self.raised.notify_one();
        }
    }

    fn shared_write_lock(&self) -> Option<Arc<Mutex<()>>> {
        Some(self.store.writer.clone())
    }
}

fn corrupt(key: impl AsRef<[u8]>) -> impl FnOnce(StoreError) -> ApplyError {
    move |e| ApplyError::corrupt(key, e)
}

/// A failure of the pair-topic ledger's store, as the applier sorts it.
fn ledger_failed(e: StoreError) -> ApplyError {
    match e {
        StoreError::Sled(e) => ApplyError::Storage(e),
        StoreError::Compact { key, source } => ApplyError::corrupt(key, source),
        StoreError::Corrupt(e) => ApplyError::corrupt("pair_topics", e),
    }
}

fn get(tree: &StagedTree, key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>, ApplyError> {
    Ok(tree.get(key.as_ref())?)
}

fn read<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    key: impl AsRef<[u8]>,
) -> Result<T, ApplyError> {
    decode(bytes).map_err(corrupt(key))
}

impl NotifierModel {
    fn apply_event(
        &self,
        tx: &mut Tx<'_>,
        rules: &mut BTreeMap<String, StoredRule>,
        entry: &Decoded,
        event: &Envelope,
        now: DateTime<Utc>,
        raised: &mut Vec<String>,
    ) -> Result<(), ApplyError> {
        let transitions = match &event.event {
            EventData::OrganizationRegistered(d) => {
                tx.on(|s| &s.organizations).insert(d.id.as_str(), encode(d));
                return Ok(());
            }
            EventData::RuleCreated(d) => {
                if !BUILTIN_RULES.contains(&d.id.as_str()) {
                    if let Some(webhook) = &d.deliver.webhook {
                        tx.on(|s| &s.webhook_secrets).insert(
                            webhook_secret_key(d.id.as_str(), &webhook.url),
                            encode(&webhook.secret),
                        );
                    }
                    let stored = StoredRule {
                        rule: d.clone(),
                        deleted: false,
                        sequence: entry.sequence,
                    };
                    tx.on(|s| &s.rules).insert(d.id.as_str(), encode(&stored));
                    rules.insert(d.id.as_str().to_owned(), stored);
                }
                return Ok(());
            }
            EventData::RuleDeleted(d) => {
                if let Some(stored) = rules.get_mut(d.id.as_str()) {
                    stored.deleted = true;
                    tx.on(|s| &s.rules).insert(d.id.as_str(), encode(&*stored));
                }
                return Ok(());
            }
            EventData::EventRetracted(d) => retract(tx, d.event_id.into(), event.id.into())?,
            _ => match Fact::from_envelope(event, entry.sequence) {
                Some(fact) => apply_fact(tx, &fact)?,
                None => return Ok(()),
            },
        };
        let cause = Cause {
            event_type: event.event_type(),
            factuality: event.event.factuality(),
        };
        let live: Vec<&RuleCreated> = std::iter::once(&self.builtin)
            .chain(
                rules
                    .values()
                    .filter(|r| !r.deleted && r.sequence < entry.sequence)
                    .map(|r| &r.rule),
            )
            .collect();
        for t in &transitions {
            for rule in &live {
                if fires(rule, cause, t) && record_alert(tx, rule, t, entry, event, now)? {
                    raised.push(rule.id.as_str().to_owned());
                }
            }
        }
        Ok(())
    }
}

/// Applies a fact to every pair-topic it names; nothing for an event already applied or retracted.
fn apply_fact(tx: &mut Tx<'_>, fact: &Fact) -> Result<Vec<Transition>, ApplyError> {
    let id = fact.event_id.as_bytes();
    if tx.on(|s| &s.events).contains(id)? {
        return Ok(Vec::new());
    }
    let keys = pair_topics_of(fact);
    let store = PairTopics::for_keys(tx.on(|s| &s.pair_topics), &keys).map_err(ledger_failed)?;
    let mut ledger = Ledger::new(store);
    let applied = ledger.apply(fact, &()).map_err(ledger_failed)?;
    debug_assert_eq!(applied.route.pair_topics, keys);
    let cost = ledger.store().cost();
    tx.cost += cost;
    tx.on(|s| &s.events)
        .insert(id, layout::encode_route(applied.route.order, &keys));
    Ok(applied.transitions)
}

/// Removes the facts of `target` everywhere, and remembers it as retracted so that it is ignored
/// should it arrive (again) later; `cause`, the retraction, is the transitions' cause.
fn retract(
    tx: &mut Tx<'_>,
    target: EventId,
    cause: EventId,
) -> Result<Vec<Transition>, ApplyError> {
    let id = target.as_bytes();
    let events = tx.on(|s| &s.events);
    let stored = get(events, id)?;
    events.insert(id, RETRACTED);
    let Some(bytes) = stored.filter(|b| b != RETRACTED) else {
        return Ok(Vec::new()); // not applied (yet), or retracted already
    };
    let (order, keys) = layout::decode_route(&bytes).map_err(|e| ApplyError::corrupt(id, e))?;
    let store = PairTopics::for_keys(tx.on(|s| &s.pair_topics), &keys).map_err(ledger_failed)?;
    let route = Route {
        order,
        pair_topics: keys,
    };
    let mut ledger = Ledger::new(store);
    let transitions = ledger.retract(&route, cause).map_err(ledger_failed)?;
    let cost = ledger.store().cost();
    tx.cost += cost;
    Ok(transitions)
}

/// Records the alert of `rule` for `t` unless it exists; true when it was new.
fn record_alert(
    tx: &mut Tx<'_>,
    rule: &RuleCreated,
    t: &Transition,
    entry: &Decoded,
    event: &Envelope,
    now: DateTime<Utc>,
) -> Result<bool, ApplyError> {
    let id = alert_id_for(rule.id.as_str(), t);
    if tx.on(|s| &s.alerts).contains(id.as_bytes())? {
        return Ok(false);
    }
    let alert = Alert {
        id,
        rule: rule.id.clone(),
        organizations: [t.key.a.clone(), t.key.b.clone()],
        topic: t.key.topic.clone(),
        status: t.after,
        previous_status: t.before,
        event_id: t.cause_event_id.uuid(),
        time: t.since.unwrap_or(event.time),
        sequence: entry.sequence,
    };
    // The URL alone: the delivery looks the secret up by rule and URL, so that no alert record
    // holds one.
    let webhook_url = rule.deliver.webhook.as_ref().map(|w| w.url.clone());
    // Only the NATS publish is queued here: the published alert is the webhook's work item,
    // which the instances take from their shared consumer (`delivery::webhook_queue`).
    let mut targets = vec![TargetRecord::pending(TargetKind::Nats, Some(now))];
    tx.on(|s| &s.pending).insert(
        PendingKey::new(now, id, TargetKind::Nats).encode(),
        Vec::new(),
    );
    if webhook_url.is_some() {
        targets.push(TargetRecord::pending(TargetKind::Webhook, None));
    }
    let mut record = AlertRecord {
        alert,
        raised_at: entry.published,
        extra_subject: rule.deliver.nats_subject.clone(),
        webhook_url,
        legacy_webhook: None,
        targets,
    };
    // Outcomes that other instances published before this one derived the alert.
    for outcome in early_outcomes(tx, id)? {
        record.apply_webhook_outcome(&outcome);
    }
    tx.on(|s| &s.alerts).insert(id.as_bytes(), encode(&record));
    tx.on(|s| &s.alerts_by_sequence)
        .insert(sequence_key(entry.sequence, id), Vec::new());
    Ok(true)
}

/// The webhook outcomes of alert `id` kept until it was derived here, in stream order; removed.
fn early_outcomes(tx: &mut Tx<'_>, id: Uuid) -> Result<Vec<WebhookOutcome>, ApplyError> {
    let early = tx.on(|s| &s.webhook_outcomes);
    match get(early, id.as_bytes())? {
        Some(bytes) => {
            early.remove(id.as_bytes());
            read(&bytes, id.as_bytes())
        }
        None => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use liaison_log::LogEntry;
    use liaison_proto::ClientEvent;
    use serde_json::json;

    use super::*;

    fn entry(sequence: u64, v: serde_json::Value) -> LogEntry {
        let client: ClientEvent = serde_json::from_value(v).expect("a valid event");
        let envelope = Envelope::record(client, "/test", Utc::now());
        LogEntry {
            sequence,
            subject: envelope.subject(),
            headers: async_nats::HeaderMap::new(),
            payload: serde_json::to_vec(&envelope).unwrap().into(),
            published: Utc::now(),
        }
    }

    fn org(id: &str) -> serde_json::Value {
        json!({"type": "organization.registered", "time": "2020-01-01",
            "data": {"id": id, "name": id.to_uppercase()}})
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
        let (applier, store, log, _dir) = test_applier();
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
        assert_eq!(store.events.len(), 10_000);
        assert_eq!(
            store.alerts.len(),
            1,
            "new-partnership fired once, at the agreement"
        );
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

    fn relation(kind: &str, id: Uuid, time: &str) -> serde_json::Value {
        json!({"type": kind, "id": id, "time": time,
            "data": {"organizations": ["a", "b"], "topics": ["xr"]}})
    }

    fn retraction(id: Uuid, target: Uuid) -> serde_json::Value {
        json!({"type": "event.retracted", "id": id, "time": "2024-02-01",
            "data": {"event_id": target}})
    }

    #[test]
    fn duplicates_retractions_and_their_order_raise_each_alert_once() {
        let (applier, store, log, _dir) = test_applier();
        let apply = |entries: &[LogEntry]| applier.apply(entries, &log).unwrap();
        let alerts = || -> Vec<Alert> {
            let mut all: Vec<AlertRecord> = store
                .alerts
                .iter()
                .values()
                .map(|v| decode(&v.unwrap()).unwrap())
                .collect();
            all.sort_by_key(|r| r.alert.sequence);
            all.into_iter().map(|r| r.alert).collect()
        };
        let facts = || store.pair_topics.scan_prefix([layout::FACT]).count();
        let [agreed, ended, undo, late, undo_late] = [(); 5].map(|_| Uuid::now_v7());
        let slug = |s: &str| liaison_proto::Slug::parse(s).unwrap();
        let key = liaison_relations::PairTopic::new(slug("a"), slug("b"), slug("xr")).unwrap();
        apply(&[entry(1, org("a")), entry(2, org("b"))]);
        // An agreement, appended twice: one fact, one alert.
        apply(&[
            entry(3, relation("agreement.signed", agreed, "2024-01-01")),
            entry(4, relation("agreement.signed", agreed, "2024-01-01")),
        ]);
        assert_eq!(facts(), 1);
        assert_eq!(alerts().len(), 1);
        assert_eq!(
            alerts()[0].id,
            liaison_relations::alert_id("new-partnership", &key, agreed.into())
        );
        // Ended, then the end retracted: the partnership is back, caused by the retraction,
        // since the agreement.
        apply(&[entry(5, relation("partnership.ended", ended, "2024-01-10"))]);
        apply(&[entry(6, retraction(undo, ended))]);
        assert_eq!(facts(), 1);
        let again = &alerts()[1];
        assert_eq!(again.event_id, undo);
        assert_eq!(again.status, liaison_proto::Status::Agreed);
        assert_eq!(again.previous_status, liaison_proto::Status::Ended);
        assert_eq!(again.time.to_string(), "2024-01-01");
        // The retracted end appended again, and an event retracted before it arrives: nothing.
        apply(&[
            entry(7, relation("partnership.ended", ended, "2024-01-10")),
            entry(8, retraction(undo_late, late)),
        ]);
        apply(&[entry(9, relation("partnership.ended", late, "2024-01-20"))]);
        assert_eq!(facts(), 1);
        assert_eq!(alerts().len(), 2);
        assert_eq!(applier.quarantine(0, 10).unwrap().total, 0);
    }
}
