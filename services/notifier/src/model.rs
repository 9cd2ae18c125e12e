//! The notifier as a read model of the log: turns each checked event into domain facts, runs
//! them through the domain core's pair-topic states (the same code the projection uses, so an
//! alert and the status the projection shows cannot disagree), matches the resulting transitions
//! against the rules in force at that point of the log, and stages new alerts with their pending
//! deliveries; the applier of `liaison-log` commits them with the checkpoint in one atomic write.
//!
//! Alert ids are [`alert_id_for`]`(rule, transition)`: deterministic in (rule, pair, topic,
//! causing event). An alert is inserted only when absent, so a replay (after a crash lost the
//! checkpoint's last writes, or from an empty database) raises nothing twice.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};
use liaison_log::{ApplyError, Checked, ReadModel, Staged, StagedTree};
use liaison_proto::alert::new_partnership_rule;
use liaison_proto::events::{BUILTIN_RULES, RuleCreated};
use liaison_proto::notifier::WebhookOutcome;
use liaison_proto::{Alert, Envelope, EventData};
use liaison_relations::{Effect, Fact, PairTopicState, Transition, alert_id_for, pair_topics};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::rules::{Cause, fires};
use crate::store::{
    AlertRecord, PendingKey, Store, StoredRule, TargetKind, TargetRecord, decode, encode,
    sequence_key,
};

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
}

/// What one batch changes outside sled: the rules it leaves in force, the alerts it raised.
#[derive(Default)]
struct Batch {
    rules: BTreeMap<String, StoredRule>,
    raised: Vec<String>,
    now: Option<DateTime<Utc>>,
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
        }
    }

    fn batch(&self) -> std::sync::MutexGuard<'_, Batch> {
        self.batch.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The trees one batch writes, staged.
struct Tx<'a> {
    store: &'a Store,
    staged: &'a mut Staged,
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
        };
    }

    fn apply(&self, staged: &mut Staged, event: &Checked<'_>) -> Result<(), ApplyError> {
        let mut batch = self.batch();
        let Batch { rules, raised, now } = &mut *batch;
        let now = now.unwrap_or_else(Utc::now);
        let entry = Decoded {
            sequence: event.sequence,
            published: event.published,
        };
        let mut tx = Tx {
            store: &self.store,
            staged,
        };
        self.apply_event(&mut tx, rules, &entry, event.event, now, raised)
    }

    fn after_commit(&self, _last: u64) {
        let batch = std::mem::take(&mut *self.batch());
        self.rules.replace(batch.rules);
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

fn corrupt(key: impl AsRef<[u8]>) -> impl FnOnce(crate::store::StoreError) -> ApplyError {
    move |e| ApplyError::corrupt(key, e)
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
            EventData::EventRetracted(d) => retract(tx, &d.event_id.to_string(), event)?,
            data => match Effect::for_event_type(data.event_type().as_str()) {
                Some(effect) => apply_fact(tx, effect, entry, event)?,
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
fn apply_fact(
    tx: &mut Tx<'_>,
    effect: Effect,
    entry: &Decoded,
    event: &Envelope,
) -> Result<Vec<Transition>, ApplyError> {
    let id = event.id.to_string();
    if tx.on(|s| &s.retracted).contains(id.as_bytes())?
        || tx.on(|s| &s.event_keys).contains(id.as_bytes())?
    {
        return Ok(Vec::new());
    }
    let fact = Fact::new(
        id.clone(),
        entry.sequence,
        event.time,
        effect,
        event.event.factuality(),
        event.event.parties().into_iter().cloned(),
        event.event.topics(),
    );
    let keys = pair_topics(&fact);
    let mut transitions = Vec::with_capacity(keys.len());
    let mut stored_keys = Vec::with_capacity(keys.len());
    for key in keys {
        let storage_key = key.storage_key();
        let pairs = tx.on(|s| &s.pairs);
        let mut state = match get(pairs, &storage_key)? {
            Some(bytes) => read::<PairTopicState>(&bytes, &storage_key)?,
            None => PairTopicState::new(key),
        };
        transitions.push(state.apply(&fact));
        pairs.insert(storage_key.as_str(), encode(&state));
        stored_keys.push(storage_key);
    }
    tx.on(|s| &s.event_keys)
        .insert(id.as_str(), encode(&stored_keys));
    Ok(transitions)
}

/// Removes the effect of `target` everywhere; the retraction `event` is the transitions' cause.
fn retract(tx: &mut Tx<'_>, target: &str, event: &Envelope) -> Result<Vec<Transition>, ApplyError> {
    tx.on(|s| &s.retracted).insert(target, Vec::new());
    let event_keys = tx.on(|s| &s.event_keys);
    let Some(bytes) = get(event_keys, target)? else {
        return Ok(Vec::new());
    };
    event_keys.remove(target);
    let keys: Vec<String> = read(&bytes, target)?;
    let cause = event.id.to_string();
    let mut transitions = Vec::with_capacity(keys.len());
    for storage_key in keys {
        let pairs = tx.on(|s| &s.pairs);
        let Some(bytes) = get(pairs, &storage_key)? else {
            continue;
        };
        let mut state: PairTopicState = read(&bytes, &storage_key)?;
        transitions.push(state.retract(target, &cause));
        if state.is_empty() {
            pairs.remove(storage_key.as_str());
        } else {
            pairs.insert(storage_key.as_str(), encode(&state));
        }
    }
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
        event_id: Uuid::parse_str(&t.cause_event_id).unwrap_or(event.id),
        time: t.since.unwrap_or(event.time),
        sequence: entry.sequence,
    };
    let webhook = rule.deliver.webhook.clone();
    // Only the NATS publish is queued here: the published alert is the webhook's work item,
    // which the instances take from their shared consumer (`delivery::webhook_queue`).
    let mut targets = vec![TargetRecord::pending(TargetKind::Nats, Some(now))];
    tx.on(|s| &s.pending).insert(
        PendingKey::new(now, id, TargetKind::Nats).encode(),
        Vec::new(),
    );
    if webhook.is_some() {
        targets.push(TargetRecord::pending(TargetKind::Webhook, None));
    }
    let mut record = AlertRecord {
        alert,
        raised_at: entry.published,
        extra_subject: rule.deliver.nats_subject.clone(),
        webhook,
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
