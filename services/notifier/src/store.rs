//! The notifier's sled database: which trees exist, how their keys are laid out, and the records
//! they hold. Everything here is derived from the log (and rebuildable by replay) except the
//! delivery state of alerts, which records what was done outside sled.
//!
//! | tree | key | value |
//! |---|---|---|
//! | `meta` | `__liaison_log/…` | the applier's records: checkpoint, log identity, quarantine |
//! | `pair_topics` | the notifier's compact [layout](crate::model::layout) | per pair-topic its number and summary, and one key per fact |
//! | `events` | event id (16 bytes) | the route of an applied fact ([layout](crate::model::layout), at least 20 bytes), to route a retraction; [`RETRACTED`] once retracted |
//! | `organizations` | slug | `organization.registered` data (JSON), for rule validation |
//! | `rules` | slug | [`StoredRule`] (JSON) |
//! | `alerts` | alert id (16 bytes) | [`AlertRecord`] (JSON) |
//! | `alerts_by_sequence` | sequence (8, BE) + alert id | empty: alerts in log order, for listing |
//! | `pending` | next attempt in ms (8, BE) + alert id + target (1) | empty: the NATS delivery queue |
//! | `webhook_outcomes` | alert id (16) | [`WebhookOutcome`]s (JSON list, stream order) published before this instance derived the alert |
//! | `webhook_secrets` | rule id + `0` + webhook URL ([`webhook_secret_key`]) | the [`WebhookSecret`] (JSON, sealed) of the rule's latest definition with that URL |
//!
//! A webhook secret is kept with its rule (sealed, as the log has it) and in `webhook_secrets`,
//! where a delivery looks it up by the alert's rule and URL; never in an alert record. So an
//! alert raised before its rule was redefined with another URL is still signed with the secret
//! of the URL it goes to.
//!
//! `meta` also holds [`ALERTS_CHECKPOINT`]: the last alerts-stream sequence whose webhook
//! outcomes and redelivery requests were applied (see [`crate::delivery::webhook_queue`]),
//! [`FORMAT_KEY`]: the layout of the trees derived from the log, and [`SECRETS_LAYOUT_KEY`]:
//! whether the records of a notifier from before sealing were brought to this layout.
//! [`Store::open`] rebuilds a database of another layout from the log rather than misread it,
//! and moves webhook secrets out of old alert records (see [`Store::open`]).

use chrono::{DateTime, Utc};
use liaison_log::apply::RESERVED_PREFIX;
use liaison_proto::Alert;
use liaison_proto::events::{RuleCreated, WebhookSecret};
use liaison_proto::notifier::{AlertView, WebhookOutcome};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use liaison_proto::notifier::{
    AlertDelivery as TargetRecord, Attempt, DeliveryState, MAX_ATTEMPTS_KEPT, TargetKind,
};

/// The trees of the notifier's database.
#[derive(Debug, Clone)]
pub struct Store {
    /// The database.
    pub db: sled::Db,
    /// The checkpoint.
    pub meta: sled::Tree,
    /// The pair-topic ledger: summaries and facts.
    pub pair_topics: sled::Tree,
    /// Event id → the route of its facts, or retracted.
    pub events: sled::Tree,
    /// Registered organizations.
    pub organizations: sled::Tree,
    /// Rules from the log.
    pub rules: sled::Tree,
    /// Alert records.
    pub alerts: sled::Tree,
    /// Alerts in log order.
    pub alerts_by_sequence: sled::Tree,
    /// The delivery queue, ordered by next attempt.
    pub pending: sled::Tree,
    /// Webhook outcomes of alerts not derived here yet.
    pub webhook_outcomes: sled::Tree,
    /// The sealed secret of each rule and webhook URL.
    pub webhook_secrets: sled::Tree,
    /// Taken by every writer of these trees — the applier of the log, the delivery worker, the
    /// follower of webhook outcomes — so that the applier's staged reads see no write it did not
    /// make itself (see `liaison_log::Staged`).
    pub writer: std::sync::Arc<std::sync::Mutex<()>>,
}

/// The size of the log segments of a new notifier database: 4 MiB rather than sled's 512 KiB.
/// The notifier rewrites small records all over its trees (a summary per fact, an event id per
/// event); with larger segments sled's directory holds less of the garbage of rewritten pages —
/// measured, applying the full workload: 963 → 440–718 B per event at 200,000 events (the
/// garbage left varies from run to run), 971 → 385 at 400,000
/// (docs/decisions/025-notifier-compact-ledger.md). sled cannot change it for an existing
/// database, which keeps its own.
pub const SLED_SEGMENT_BYTES: usize = 4 * 1024 * 1024;

/// The key, in `meta`, of the layout of the trees derived from the log.
pub const FORMAT_KEY: &[u8] = b"notifier_format";
/// The layout this code reads and writes. 1 (no marker): one JSON state per pair-topic in
/// `pairs`, `event_keys`, `retracted`; 2: the domain ledger's layout in `pair_topics`, `events`
/// (JSON facts, summaries and routes); 3: the notifier's compact binary layout of
/// [`crate::model::layout`] (docs/decisions/025-notifier-compact-ledger.md).
pub const FORMAT: &[u8] = b"3";
/// The trees of earlier layouts, dropped when a database is brought to [`FORMAT`].
const OLD_TREES: [&str; 3] = ["pairs", "event_keys", "retracted"];

/// The key, in `meta`, of the layout of webhook secrets: absent in a database of a notifier from
/// before sealing (secrets copied into every alert record, no `webhook_secrets`).
pub const SECRETS_LAYOUT_KEY: &[u8] = b"secrets_layout";
/// The layout of webhook secrets this code reads and writes: in `rules` and `webhook_secrets`,
/// never in alert records.
pub const SECRETS_LAYOUT: &[u8] = b"1";

/// The value, in `events`, of a retracted event (a route is at least 20 bytes).
pub const RETRACTED: &[u8] = b"x";

impl Store {
    /// Opens the trees of `db`. A database of another layout (see [`FORMAT`]) is not misread:
    /// its pair-topics and event routes are emptied and the applier's records cleared, so the
    /// log is applied again from its start into the new layout. Alerts and their delivery state
    /// stay: alert ids are derived, so the replay finds every alert it raises already there
    /// and delivers nothing twice.
    ///
    /// A database from before sealing ([`SECRETS_LAYOUT_KEY`] absent) has each alert's webhook,
    /// its secret in clear, in the alert record: every record is rewritten with the URL alone,
    /// and `webhook_secrets` is filled from the rules.
    pub fn open(db: sled::Db) -> Result<Self, StoreError> {
        let meta = db.open_tree("meta")?;
        let pair_topics = db.open_tree("pair_topics")?;
        let events = db.open_tree("events")?;
        if meta.get(FORMAT_KEY)?.as_deref() != Some(FORMAT) {
            let had_state = meta.scan_prefix(RESERVED_PREFIX).next().is_some();
            for name in OLD_TREES {
                db.drop_tree(name)?;
            }
            pair_topics.clear()?;
            events.clear()?;
            for key in meta.scan_prefix(RESERVED_PREFIX).keys() {
                meta.remove(key?)?;
            }
            meta.insert(FORMAT_KEY, FORMAT)?;
            db.flush()?;
            if had_state {
                tracing::warn!(
                    format = %String::from_utf8_lossy(FORMAT),
                    "the notifier's database had another layout: applying the log again from its start"
                );
            }
        }
        let store = Self {
            meta,
            pair_topics,
            events,
            organizations: db.open_tree("organizations")?,
            rules: db.open_tree("rules")?,
            alerts: db.open_tree("alerts")?,
            alerts_by_sequence: db.open_tree("alerts_by_sequence")?,
            pending: db.open_tree("pending")?,
            webhook_outcomes: db.open_tree("webhook_outcomes")?,
            webhook_secrets: db.open_tree("webhook_secrets")?,
            writer: Default::default(),
            db,
        };
        if store.meta.get(SECRETS_LAYOUT_KEY)?.as_deref() != Some(SECRETS_LAYOUT) {
            store.move_secrets_out_of_alerts()?;
        }
        Ok(store)
    }

    /// Brings a database from before sealing to [`SECRETS_LAYOUT`]: alert records keep the
    /// webhook's URL only, `webhook_secrets` holds each rule's secret. Safe to run again (it is,
    /// when a crash stopped it before its marker).
    fn move_secrets_out_of_alerts(&self) -> Result<(), StoreError> {
        let mut moved = 0usize;
        for rule in self.rules()? {
            if let Some(webhook) = &rule.rule.deliver.webhook {
                let key = webhook_secret_key(rule.rule.id.as_str(), &webhook.url);
                if !self.webhook_secrets.contains_key(&key)? {
                    self.webhook_secrets.insert(key, encode(&webhook.secret))?;
                }
            }
        }
        for entry in self.alerts.iter() {
            let (key, bytes) = entry?;
            // A record that does not decode is not this step's to judge (reading it fails
            // wherever it is read, as before).
            let Ok(mut record) = decode::<AlertRecord>(&bytes) else {
                continue;
            };
            if record.legacy_webhook.is_some() {
                record.webhook_url = record.webhook_url().map(str::to_owned);
                record.legacy_webhook = None;
                self.alerts.insert(key, encode(&record))?;
                moved += 1;
            }
        }
        self.meta.insert(SECRETS_LAYOUT_KEY, SECRETS_LAYOUT)?;
        self.db.flush()?;
        if moved > 0 {
            tracing::warn!(
                alerts = moved,
                "alert records of a notifier from before sealing held webhook secrets in clear: \
                 rewritten with the webhook's URL alone (the secrets were in clear in the log too; \
                 see the README on replacing them)"
            );
        }
        Ok(())
    }

    /// The secret of rule `rule_id`'s webhook at `url`, as its latest definition with that URL
    /// sealed it.
    pub fn webhook_secret(
        &self,
        rule_id: &str,
        url: &str,
    ) -> Result<Option<WebhookSecret>, StoreError> {
        self.webhook_secrets
            .get(webhook_secret_key(rule_id, url))?
            .map(|bytes| decode(&bytes))
            .transpose()
    }

    /// Holds [`Store::writer`] until dropped.
    pub fn write_lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The alert record with this id.
    pub fn alert(&self, id: Uuid) -> Result<Option<AlertRecord>, StoreError> {
        self.alerts
            .get(id.as_bytes())?
            .map(|bytes| decode(&bytes))
            .transpose()
    }

    /// Every rule the log created (deleted ones included), in id order.
    pub fn rules(&self) -> Result<Vec<StoredRule>, StoreError> {
        self.rules.iter().values().map(|v| decode(&v?)).collect()
    }
}

/// Reading or writing the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// sled failed.
    #[error("sled: {0}")]
    Sled(#[from] sled::Error),
    /// A stored record does not decode (a bug, or a database of another version).
    #[error("corrupt record: {0}")]
    Corrupt(#[from] serde_json::Error),
    /// An entry of the pair-topic ledger is not in the notifier's compact layout.
    #[error("corrupt ledger entry under {key}: {source}")]
    Compact {
        /// The key, printable.
        key: String,
        /// What is wrong with it.
        #[source]
        source: crate::model::layout::CompactError,
    },
}

/// Decodes a JSON record.
pub fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    Ok(serde_json::from_slice(bytes)?)
}

/// Encodes a JSON record.
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("records serialize")
}

/// The key, in `webhook_secrets`, of rule `rule_id`'s webhook at `url` (a slug holds no `0`).
pub fn webhook_secret_key(rule_id: &str, url: &str) -> Vec<u8> {
    [rule_id.as_bytes(), &[0], url.as_bytes()].concat()
}

/// A rule as the log defined it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredRule {
    /// Its latest definition.
    pub rule: RuleCreated,
    /// Whether a `rule.deleted` came after it.
    pub deleted: bool,
    /// The log sequence of the definition (it fires for events after it).
    pub sequence: u64,
}

/// The byte of a target in a [`PendingKey`].
fn target_byte(kind: TargetKind) -> u8 {
    match kind {
        TargetKind::Nats => 0,
        TargetKind::Webhook => 1,
    }
}

/// The target of a [`PendingKey`] byte.
fn target_of_byte(b: u8) -> Option<TargetKind> {
    match b {
        0 => Some(TargetKind::Nats),
        1 => Some(TargetKind::Webhook),
        _ => None,
    }
}

/// An alert with where it goes and how its delivery went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRecord {
    /// The alert.
    pub alert: Alert,
    /// When the causing event was stored in the log (the same on every instance and replay).
    pub raised_at: DateTime<Utc>,
    /// The rule's extra NATS subject, when it has one.
    pub extra_subject: Option<String>,
    /// The rule's webhook URL when the alert was raised. Its secret is not here: a delivery
    /// looks it up by rule and URL ([`Store::webhook_secret`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    /// What a notifier from before sealing kept instead: the whole webhook. Only its URL is
    /// read (the secret beside it is skipped, never held); never written.
    #[serde(default, rename = "webhook", skip_serializing)]
    pub(crate) legacy_webhook: Option<LegacyWebhook>,
    /// One per target.
    pub targets: Vec<TargetRecord>,
}

/// The webhook of an alert record from before sealing, its secret left unread.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct LegacyWebhook {
    url: String,
}

impl AlertRecord {
    /// The state of the alert: `failed` if a target failed, else `pending` if one is pending,
    /// else `delivered`.
    pub fn state(&self) -> DeliveryState {
        AlertView::state_of(&self.targets)
    }

    /// The webhook URL the alert goes to, if its rule had one.
    pub fn webhook_url(&self) -> Option<&str> {
        self.webhook_url
            .as_deref()
            .or(self.legacy_webhook.as_ref().map(|w| w.url.as_str()))
    }

    /// The record as the API answers it.
    pub fn view(&self) -> AlertView {
        AlertView {
            alert: self.alert.clone(),
            state: self.state(),
            raised_at: self.raised_at,
            deliveries: self.targets.clone(),
            webhook_url: self.webhook_url().map(str::to_owned),
        }
    }

    /// Applies a webhook attempt that an instance (maybe another) made and published.
    pub fn apply_webhook_outcome(&mut self, outcome: &WebhookOutcome) {
        if let Some(target) = self.target_mut(TargetKind::Webhook) {
            target.round_attempts = outcome.attempt.number;
            target.state = outcome.state;
            target.next_attempt_at = None;
            if outcome.attempt.ok {
                target.delivered_at.get_or_insert(outcome.attempt.at);
            }
            target.push_attempt(outcome.attempt.clone());
        }
    }

    /// Starts a new round of webhook attempts (a redelivery request); false when the alert has
    /// no webhook or its webhook is pending already.
    pub fn restart_webhook(&mut self) -> bool {
        match self.target_mut(TargetKind::Webhook) {
            Some(target) if target.state != DeliveryState::Pending => {
                target.state = DeliveryState::Pending;
                target.round_attempts = 0;
                target.next_attempt_at = None;
                true
            }
            _ => false,
        }
    }

    /// The target of this kind.
    pub fn target_mut(&mut self, kind: TargetKind) -> Option<&mut TargetRecord> {
        self.targets.iter_mut().find(|t| t.kind == kind)
    }
}

/// The key, in `meta`, of the last alerts-stream sequence applied.
pub const ALERTS_CHECKPOINT: &[u8] = b"alerts_checkpoint";

/// The key of an alert in `alerts_by_sequence`.
pub fn sequence_key(sequence: u64, id: Uuid) -> [u8; 24] {
    let mut key = [0u8; 24];
    key[..8].copy_from_slice(&sequence.to_be_bytes());
    key[8..].copy_from_slice(id.as_bytes());
    key
}

/// The alert id of an `alerts_by_sequence` key.
pub fn sequence_key_id(key: &[u8]) -> Option<Uuid> {
    Uuid::from_slice(key.get(8..24)?).ok()
}

/// A delivery due at `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PendingKey {
    /// When it is due, in milliseconds since the epoch.
    pub due_ms: u64,
    /// The alert.
    pub alert: Uuid,
    /// The target.
    pub target: TargetKind,
}

impl PendingKey {
    /// The delivery of `alert` to `target`, due at `at`.
    pub fn new(at: DateTime<Utc>, alert: Uuid, target: TargetKind) -> Self {
        Self {
            due_ms: u64::try_from(at.timestamp_millis()).unwrap_or(0),
            alert,
            target,
        }
    }

    /// The tree key.
    pub fn encode(&self) -> [u8; 25] {
        let mut key = [0u8; 25];
        key[..8].copy_from_slice(&self.due_ms.to_be_bytes());
        key[8..24].copy_from_slice(self.alert.as_bytes());
        key[24] = target_byte(self.target);
        key
    }

    /// Reads a tree key back.
    pub fn decode(key: &[u8]) -> Option<Self> {
        if key.len() != 25 {
            return None;
        }
        Some(Self {
            due_ms: u64::from_be_bytes(key[..8].try_into().ok()?),
            alert: Uuid::from_slice(&key[8..24]).ok()?,
            target: target_of_byte(key[24])?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_of_the_old_layout_is_applied_again_not_misread() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::Config::new().path(dir.path()).open().unwrap();
        // What a notifier of layout 1 left: a JSON state per pair-topic, a checkpoint, an alert.
        db.open_tree("pairs")
            .unwrap()
            .insert(
                "a/b/xr",
                &br#"{"key":{"a":"a","b":"b","topic":"xr"},"facts":[]}"#[..],
            )
            .unwrap();
        let meta = db.open_tree("meta").unwrap();
        let checkpoint = [RESERVED_PREFIX, b"checkpoint"].concat();
        meta.insert(&checkpoint, &7u64.to_be_bytes()).unwrap();
        meta.insert(ALERTS_CHECKPOINT, &3u64.to_be_bytes()).unwrap();
        db.open_tree("alerts")
            .unwrap()
            .insert(b"alert", b"{}")
            .unwrap();

        let store = Store::open(db.clone()).unwrap();
        assert!(!db.tree_names().iter().any(|n| n.as_ref() == b"pairs"));
        assert_eq!(
            liaison_log::apply::checkpoint(&store.meta).unwrap(),
            0,
            "applied again"
        );
        assert!(
            store.meta.get(ALERTS_CHECKPOINT).unwrap().is_some(),
            "alerts stay"
        );
        assert_eq!(store.alerts.len(), 1, "alerts stay");
        assert_eq!(store.meta.get(FORMAT_KEY).unwrap().as_deref(), Some(FORMAT));

        // A database of layout 2 (the projection's JSON layout) is applied again too.
        store.pair_topics.insert(b"slg/meta/xr", b"{}").unwrap();
        store.events.insert([7u8; 16], &b"{}"[..]).unwrap();
        meta.insert(&checkpoint, &9u64.to_be_bytes()).unwrap();
        meta.insert(FORMAT_KEY, b"2").unwrap();
        let store = Store::open(db.clone()).unwrap();
        assert!(store.pair_topics.is_empty() && store.events.is_empty());
        assert_eq!(liaison_log::apply::checkpoint(&store.meta).unwrap(), 0);
        assert_eq!(store.alerts.len(), 1, "alerts stay");
        assert_eq!(store.meta.get(FORMAT_KEY).unwrap().as_deref(), Some(FORMAT));

        // A database of this layout is opened as it is.
        store.pair_topics.insert(b"s-kept", b"{}").unwrap();
        meta.insert(&checkpoint, &9u64.to_be_bytes()).unwrap();
        let store = Store::open(db).unwrap();
        assert_eq!(store.pair_topics.len(), 1);
        assert_eq!(liaison_log::apply::checkpoint(&store.meta).unwrap(), 9);
    }

    #[test]
    fn a_database_from_before_sealing_keeps_no_secret_in_its_alerts() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::Config::new().path(dir.path()).open().unwrap();
        // What a notifier before sealing left: a rule whose secret is in clear, and an alert
        // record with a copy of its webhook.
        let rule = serde_json::json!({"rule": {"id": "lg-deals", "match": {},
            "deliver": {"webhook": {"url": "https://hooks.example.com/lg", "secret": "old-s3cret"}}},
            "deleted": false, "sequence": 3});
        db.open_tree("rules")
            .unwrap()
            .insert("lg-deals", serde_json::to_vec(&rule).unwrap())
            .unwrap();
        let alert = serde_json::json!({
            "alert": {"id": "0190a000-0000-7000-8000-000000000001", "rule": "lg-deals",
                "organizations": ["lg", "meta"], "topic": "xr", "status": "agreed",
                "previous_status": "none", "event_id": "0190a000-0000-7000-8000-000000000002",
                "time": "2024-01-10", "sequence": 4},
            "raised_at": "2024-01-10T00:00:00Z", "extra_subject": null,
            "webhook": {"url": "https://hooks.example.com/lg", "secret": "old-s3cret"},
            "targets": []});
        let id = Uuid::from_u128(0x0190a000_0000_7000_8000_000000000001);
        let alerts = db.open_tree("alerts").unwrap();
        alerts
            .insert(id.as_bytes(), serde_json::to_vec(&alert).unwrap())
            .unwrap();

        let store = Store::open(db.clone()).unwrap();
        let raw = store.alerts.get(id.as_bytes()).unwrap().unwrap();
        assert!(
            !String::from_utf8_lossy(&raw).contains("secret"),
            "{}",
            String::from_utf8_lossy(&raw)
        );
        let record = store.alert(id).unwrap().unwrap();
        assert_eq!(record.webhook_url(), Some("https://hooks.example.com/lg"));
        assert_eq!(
            record.view().webhook_url.as_deref(),
            Some("https://hooks.example.com/lg")
        );
        // The rule keeps delivering: its secret is found by rule and URL.
        assert_eq!(
            store
                .webhook_secret("lg-deals", "https://hooks.example.com/lg")
                .unwrap(),
            Some(WebhookSecret::Clear("old-s3cret".into()))
        );
        assert_eq!(
            store.meta.get(SECRETS_LAYOUT_KEY).unwrap().as_deref(),
            Some(SECRETS_LAYOUT)
        );
        // Opened again, nothing changes.
        drop(store);
        let store = Store::open(db).unwrap();
        assert_eq!(store.alerts.get(id.as_bytes()).unwrap().unwrap(), raw);
    }

    #[test]
    fn pending_keys_round_trip_and_sort_by_time() {
        let id = Uuid::from_u128(42);
        let early = PendingKey::new(
            DateTime::from_timestamp_millis(1_000).unwrap(),
            id,
            TargetKind::Webhook,
        );
        let late = PendingKey::new(
            DateTime::from_timestamp_millis(2_000).unwrap(),
            Uuid::from_u128(1),
            TargetKind::Nats,
        );
        assert_eq!(PendingKey::decode(&early.encode()), Some(early));
        assert!(early.encode() < late.encode());
    }
}
