//! The notifier's [`Apply`]: turns each log entry into domain facts, runs them through the
//! domain core's pair-topic states (the same code the projection uses, so an alert and the status
//! the projection shows cannot disagree), matches the resulting transitions against the rules in
//! force at that point of the log, and records new alerts with their pending deliveries — all of
//! it and the checkpoint in one sled transaction.
//!
//! Alert ids are [`alert_id_for`]`(rule, transition)`: deterministic in (rule, pair, topic,
//! causing event). An alert is inserted only when absent, so a replay (after a crash lost the
//! checkpoint's last writes, or from an empty database) raises nothing twice.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use liaison_log::{Apply, ApplyError, LogEntry, checkpoint};
use liaison_proto::alert::new_partnership_rule;
use liaison_proto::events::{BUILTIN_RULES, RuleCreated};
use liaison_proto::notifier::WebhookOutcome;
use liaison_proto::{Alert, Envelope, EventData};
use liaison_relations::{Effect, Fact, PairTopicState, Transition, alert_id_for, pair_topics};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::rules::{Cause, fires};
use crate::store::{
    AlertRecord, PendingKey, Store, StoredRule, TargetKind, TargetRecord, decode, encode,
    sequence_key,
};

type TxResult<T> = Result<T, ConflictableTransactionError<String>>;

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

/// Applies log entries to the notifier's store.
pub struct Applier {
    store: Store,
    rules: RuleSet,
    builtin: RuleCreated,
    raised: Arc<Notify>,
}

impl Applier {
    /// An applier on `store`, keeping `rules` current, waking `raised` when it records alerts.
    pub fn new(store: Store, rules: RuleSet, raised: Arc<Notify>) -> Self {
        Self {
            store,
            rules,
            builtin: new_partnership_rule(),
            raised,
        }
    }
}

/// The trees one transaction touches.
struct Tx<'a> {
    pairs: &'a TransactionalTree,
    event_keys: &'a TransactionalTree,
    retracted: &'a TransactionalTree,
    organizations: &'a TransactionalTree,
    rules: &'a TransactionalTree,
    alerts: &'a TransactionalTree,
    alerts_by_sequence: &'a TransactionalTree,
    pending: &'a TransactionalTree,
    webhook_outcomes: &'a TransactionalTree,
}

/// One decoded log entry.
struct Decoded {
    sequence: u64,
    published: DateTime<Utc>,
    event: Option<Envelope>,
}

impl Apply for Applier {
    fn checkpoint(&self) -> Result<u64, ApplyError> {
        Ok(checkpoint::load(&self.store.meta)?)
    }

    fn apply(&self, entries: &[LogEntry]) -> Result<(), ApplyError> {
        let Some(last) = entries.last().map(|e| e.sequence) else {
            return Ok(());
        };
        let decoded: Vec<Decoded> = entries
            .iter()
            .map(|entry| Decoded {
                sequence: entry.sequence,
                published: entry.published,
                event: match serde_json::from_slice::<Envelope>(&entry.payload) {
                    Ok(event) => Some(event),
                    Err(e) => {
                        tracing::warn!(sequence = entry.sequence, subject = entry.subject, error = %e, "skipping a log entry that is not a Liaison event");
                        None
                    }
                },
            })
            .collect();
        let base = self.rules.snapshot();
        let now = Utc::now();
        let s = &self.store;
        let (rules, raised) = (
            &s.meta,
            &s.pairs,
            &s.event_keys,
            &s.retracted,
            &s.organizations,
            &s.rules,
            &s.alerts,
            &s.alerts_by_sequence,
            &s.pending,
            &s.webhook_outcomes,
        )
            .transaction(
                |(
                    meta,
                    pairs,
                    event_keys,
                    retracted,
                    organizations,
                    rules,
                    alerts,
                    by_seq,
                    pending,
                    webhook_outcomes,
                )| {
                    let tx = Tx {
                        pairs,
                        event_keys,
                        retracted,
                        organizations,
                        rules,
                        alerts,
                        alerts_by_sequence: by_seq,
                        pending,
                        webhook_outcomes,
                    };
                    let mut rule_set = base.clone();
                    let mut raised: Vec<String> = Vec::new();
                    for d in &decoded {
                        if let Some(event) = &d.event {
                            self.apply_event(&tx, &mut rule_set, d, event, now, &mut raised)?;
                        }
                    }
                    checkpoint::store(meta, last)?;
                    Ok((rule_set, raised))
                },
            )?;
        self.rules.replace(rules);
        if !raised.is_empty() {
            for rule in &raised {
                metrics::counter!(crate::metrics::ALERTS_RAISED, "rule" => rule.clone())
                    .increment(1);
            }
            self.raised.notify_one();
        }
        Ok(())
    }
}

fn abort(e: impl std::fmt::Display) -> ConflictableTransactionError<String> {
    ConflictableTransactionError::Abort(e.to_string())
}

impl Applier {
    fn apply_event(
        &self,
        tx: &Tx<'_>,
        rules: &mut BTreeMap<String, StoredRule>,
        entry: &Decoded,
        event: &Envelope,
        now: DateTime<Utc>,
        raised: &mut Vec<String>,
    ) -> TxResult<()> {
        let transitions = match &event.event {
            EventData::OrganizationRegistered(d) => {
                tx.organizations.insert(d.id.as_str(), encode(d))?;
                return Ok(());
            }
            EventData::RuleCreated(d) => {
                if !BUILTIN_RULES.contains(&d.id.as_str()) {
                    let stored = StoredRule {
                        rule: d.clone(),
                        deleted: false,
                        sequence: entry.sequence,
                    };
                    tx.rules.insert(d.id.as_str(), encode(&stored))?;
                    rules.insert(d.id.as_str().to_owned(), stored);
                }
                return Ok(());
            }
            EventData::RuleDeleted(d) => {
                if let Some(stored) = rules.get_mut(d.id.as_str()) {
                    stored.deleted = true;
                    tx.rules.insert(d.id.as_str(), encode(&*stored))?;
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
        let live = std::iter::once(&self.builtin).chain(
            rules
                .values()
                .filter(|r| !r.deleted && r.sequence < entry.sequence)
                .map(|r| &r.rule),
        );
        let live: Vec<&RuleCreated> = live.collect();
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
    tx: &Tx<'_>,
    effect: Effect,
    entry: &Decoded,
    event: &Envelope,
) -> TxResult<Vec<Transition>> {
    let id = event.id.to_string();
    if tx.retracted.get(&id)?.is_some() || tx.event_keys.get(&id)?.is_some() {
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
        let mut state = match tx.pairs.get(&storage_key)? {
            Some(bytes) => decode::<PairTopicState>(&bytes).map_err(abort)?,
            None => PairTopicState::new(key),
        };
        transitions.push(state.apply(&fact));
        tx.pairs.insert(storage_key.as_str(), encode(&state))?;
        stored_keys.push(storage_key);
    }
    tx.event_keys.insert(id.as_str(), encode(&stored_keys))?;
    Ok(transitions)
}

/// Removes the effect of `target` everywhere; the retraction `event` is the transitions' cause.
fn retract(tx: &Tx<'_>, target: &str, event: &Envelope) -> TxResult<Vec<Transition>> {
    tx.retracted.insert(target, &[])?;
    let Some(bytes) = tx.event_keys.remove(target)? else {
        return Ok(Vec::new());
    };
    let keys: Vec<String> = decode(&bytes).map_err(abort)?;
    let cause = event.id.to_string();
    let mut transitions = Vec::with_capacity(keys.len());
    for storage_key in keys {
        let Some(bytes) = tx.pairs.get(&storage_key)? else {
            continue;
        };
        let mut state: PairTopicState = decode(&bytes).map_err(abort)?;
        transitions.push(state.retract(target, &cause));
        if state.is_empty() {
            tx.pairs.remove(storage_key.as_str())?;
        } else {
            tx.pairs.insert(storage_key.as_str(), encode(&state))?;
        }
    }
    Ok(transitions)
}

/// Records the alert of `rule` for `t` unless it exists; true when it was new.
fn record_alert(
    tx: &Tx<'_>,
    rule: &RuleCreated,
    t: &Transition,
    entry: &Decoded,
    event: &Envelope,
    now: DateTime<Utc>,
) -> TxResult<bool> {
    let id = alert_id_for(rule.id.as_str(), t);
    if tx.alerts.get(id.as_bytes())?.is_some() {
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
    // which the instances take from their shared consumer (`delivery::shared`).
    let mut targets = vec![TargetRecord::pending(TargetKind::Nats, Some(now))];
    tx.pending.insert(
        &PendingKey::new(now, id, TargetKind::Nats).encode()[..],
        &[],
    )?;
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
    tx.alerts.insert(&id.as_bytes()[..], encode(&record))?;
    tx.alerts_by_sequence
        .insert(&sequence_key(entry.sequence, id)[..], &[])?;
    Ok(true)
}

/// The webhook outcomes of alert `id` kept until it was derived here, in stream order; removed.
fn early_outcomes(tx: &Tx<'_>, id: Uuid) -> TxResult<Vec<WebhookOutcome>> {
    match tx.webhook_outcomes.remove(&id.as_bytes()[..])? {
        Some(bytes) => decode(&bytes).map_err(abort),
        None => Ok(Vec::new()),
    }
}
