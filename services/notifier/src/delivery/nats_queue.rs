//! The queue of NATS deliveries: after the read model commits, it scans the `pending` tree (ordered by
//! when each delivery is due), publishes each due alert to the alerts stream, and records the
//! attempt and the resulting state in sled, in one transaction with the queue change. NATS
//! deliveries (our own infrastructure) are retried until they succeed, with the backoff.
//!
//! A crash between a delivery and its record means one more publish with the same alert id on
//! restart, which the stream drops as a duplicate: at least once, never lost. Webhooks are not
//! called from here: the published alert is their work item, taken by one instance through the
//! consumer every instance shares ([`super::webhook_queue`]).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::DeliveryConfig;
use super::nats::NatsPublisher;
use crate::store::{
    AlertRecord, Attempt, DeliveryState, PendingKey, Store, StoreError, TargetKind, decode, encode,
};

/// The delivery worker; see the module docs.
pub struct NatsQueue {
    store: Store,
    nats: NatsPublisher,
    config: DeliveryConfig,
    wake: Arc<Notify>,
    in_flight: Mutex<HashSet<PendingKey>>,
    permits: Arc<Semaphore>,
}

impl NatsQueue {
    /// A worker over `store`, woken by `wake` (the applier notifies it after recording alerts).
    pub fn new(
        store: Store,
        nats: NatsPublisher,
        config: DeliveryConfig,
        wake: Arc<Notify>,
    ) -> Arc<Self> {
        Arc::new(Self {
            store,
            nats,
            permits: Arc::new(Semaphore::new(config.concurrency.max(1))),
            config,
            wake,
            in_flight: Mutex::new(HashSet::new()),
        })
    }

    /// Runs until `shutdown` fires.
    pub fn spawn(self: &Arc<Self>, shutdown: CancellationToken) -> tokio::task::JoinHandle<()> {
        let worker = self.clone();
        tokio::spawn(async move { worker.run(shutdown).await })
    }

    async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        loop {
            let wait = match self.dispatch_due() {
                Ok(wait) => wait,
                Err(e) => {
                    tracing::error!(error = %e, "scanning pending deliveries failed");
                    Duration::from_secs(1)
                }
            };
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Starts every due delivery that is not running yet (as permits allow); returns how long
    /// until the next one is due (at most a second).
    fn dispatch_due(self: &Arc<Self>) -> Result<Duration, StoreError> {
        let now_ms = u64::try_from(Utc::now().timestamp_millis()).unwrap_or(0);
        for item in self.store.pending.iter().keys() {
            let key = item?;
            let Some(pending) = PendingKey::decode(&key) else {
                self.store.pending.remove(key)?;
                continue;
            };
            if pending.due_ms > now_ms {
                return Ok(
                    Duration::from_millis(pending.due_ms - now_ms).min(Duration::from_secs(1))
                );
            }
            if !self
                .in_flight
                .lock()
                .expect("in-flight lock")
                .insert(pending)
            {
                continue;
            }
            let Ok(permit) = self.permits.clone().try_acquire_owned() else {
                self.in_flight
                    .lock()
                    .expect("in-flight lock")
                    .remove(&pending);
                return Ok(Duration::from_millis(50));
            };
            let worker = self.clone();
            tokio::spawn(async move {
                if let Err(e) = worker.deliver(pending).await {
                    tracing::error!(alert = %pending.alert, error = %e, "recording a delivery failed");
                }
                worker
                    .in_flight
                    .lock()
                    .expect("in-flight lock")
                    .remove(&pending);
                drop(permit);
                worker.wake.notify_one();
            });
        }
        Ok(Duration::from_secs(1))
    }

    /// Makes one delivery and records it.
    async fn deliver(&self, key: PendingKey) -> Result<(), StoreError> {
        let Some(record) = self.store.alert(key.alert)? else {
            self.store.pending.remove(key.encode())?;
            return Ok(());
        };
        let current = record.targets.iter().find(|t| t.kind == key.target);
        let scheduled = current.and_then(|t| t.next_attempt_at);
        if current.is_none_or(|t| t.state != DeliveryState::Pending)
            || scheduled.map(|at| PendingKey::new(at, key.alert, key.target)) != Some(key)
        {
            // Stale queue entry (superseded by a redelivery, or already done).
            self.store.pending.remove(key.encode())?;
            return Ok(());
        }
        if key.target == TargetKind::Webhook {
            // Never queued here: webhooks go through the shared consumer.
            self.store.pending.remove(key.encode())?;
            return Ok(());
        }
        let result = self.nats.publish(&record).await;
        let target_name = key.target.as_str();
        let outcome = if result.is_ok() { "ok" } else { "error" };
        metrics::counter!(crate::metrics::DELIVERIES, "target" => target_name, "outcome" => outcome)
            .increment(1);
        match &result {
            Ok(detail) => {
                tracing::debug!(alert = %key.alert, target = target_name, detail, "delivered")
            }
            Err(detail) => {
                tracing::warn!(alert = %key.alert, rule = %record.alert.rule, target = target_name, detail, "delivery failed")
            }
        }
        self.record(key, result).map(|first| {
            if first {
                let latency = (Utc::now() - record.raised_at).to_std().unwrap_or_default();
                metrics::histogram!(crate::metrics::DELIVERY_LATENCY, "target" => target_name)
                    .record(latency.as_secs_f64());
            }
        })
    }

    /// Records the attempt's result; true when it was the first successful delivery.
    fn record(&self, key: PendingKey, result: Result<String, String>) -> Result<bool, StoreError> {
        let now = Utc::now();
        let s = &self.store;
        let id = key.alert;
        let attempts = match key.target {
            TargetKind::Nats => u32::MAX,
            TargetKind::Webhook => self.config.webhook_attempts.max(1),
        };
        let _writer = s.write_lock();
        let outcome = (&s.alerts, &s.pending).transaction(|(alerts, pending)| {
            pending.remove(&key.encode()[..])?;
            let Some(bytes) = alerts.get(id.as_bytes())? else {
                return Ok(false);
            };
            let mut record: AlertRecord =
                decode(&bytes).map_err(|e| ConflictableTransactionError::Abort(e.to_string()))?;
            let Some(target) = record.target_mut(key.target) else {
                return Ok(false);
            };
            target.round_attempts = target.round_attempts.saturating_add(1);
            let (ok, detail) = match &result {
                Ok(d) => (true, d.clone()),
                Err(d) => (false, d.clone()),
            };
            target.push_attempt(Attempt {
                number: target.round_attempts,
                at: now,
                ok,
                detail,
            });
            let mut first = false;
            if ok {
                first = target.delivered_at.is_none();
                target.state = DeliveryState::Delivered;
                target.delivered_at.get_or_insert(now);
                target.next_attempt_at = None;
            } else if target.round_attempts >= attempts {
                target.state = DeliveryState::Failed;
                target.next_attempt_at = None;
            } else {
                let next = now
                    + chrono::Duration::from_std(self.config.backoff.delay(target.round_attempts))
                        .unwrap_or_default();
                target.next_attempt_at = Some(next);
                pending.insert(&PendingKey::new(next, id, key.target).encode()[..], &[])?;
            }
            alerts.insert(&id.as_bytes()[..], encode(&record))?;
            Ok(first)
        });
        outcome.map_err(|e| match e {
            sled::transaction::TransactionError::Abort(m) => {
                StoreError::Corrupt(serde::de::Error::custom(m))
            }
            sled::transaction::TransactionError::Storage(e) => StoreError::Sled(e),
        })
    }
}

/// Starts a new round of attempts (the same alert id) on every target of alert `id` that is not
/// pending: the NATS publish goes back in the queue, due now; the webhook is marked pending (the
/// caller publishes the [`liaison_proto::notifier::RedeliveryRequest`] that the shared consumer
/// hands to one instance). `None` when there is no such alert.
pub fn redeliver(
    store: &Store,
    id: Uuid,
    wake: &Notify,
) -> Result<Option<AlertRecord>, StoreError> {
    let now = Utc::now();
    let writer = store.write_lock();
    let outcome = (&store.alerts, &store.pending).transaction(|(alerts, pending)| {
        let Some(bytes) = alerts.get(id.as_bytes())? else {
            return Ok(None);
        };
        let mut record: AlertRecord =
            decode(&bytes).map_err(|e| ConflictableTransactionError::Abort(e.to_string()))?;
        record.restart_webhook();
        if let Some(target) = record.target_mut(TargetKind::Nats)
            && target.state != DeliveryState::Pending
        {
            target.state = DeliveryState::Pending;
            target.round_attempts = 0;
            target.next_attempt_at = Some(now);
            pending.insert(&PendingKey::new(now, id, target.kind).encode()[..], &[])?;
        }
        alerts.insert(&id.as_bytes()[..], encode(&record))?;
        Ok(Some(record))
    });
    let record = outcome.map_err(|e| match e {
        sled::transaction::TransactionError::Abort(m) => {
            StoreError::Corrupt(serde::de::Error::custom(m))
        }
        sled::transaction::TransactionError::Storage(e) => StoreError::Sled(e),
    })?;
    drop(writer);
    wake.notify_one();
    Ok(record)
}
