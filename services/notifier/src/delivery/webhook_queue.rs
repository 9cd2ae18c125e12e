//! Webhook delivery shared by every notifier instance (docs/decisions/007-scale-by-the-engine.md: "notifier
//! instances share one durable consumer").
//!
//! Every instance follows the whole log and derives the same alerts with the same ids, and
//! publishes each one to the alerts stream with `Nats-Msg-Id` = its id, so the stream keeps it
//! once. That stored alert is the webhook's work item: [`WebhookQueue`]s of every instance pull
//! from one durable consumer, [`WEBHOOK_CONSUMER`], on the alerts and the redelivery requests of
//! the stream, so each item is in the hands of one instance at a time:
//!
//! - explicit acks; an item is marked in progress when its attempt starts, and redelivered
//!   (to any instance) when not acknowledged within the ack wait — a stopped instance's work
//!   moves to the others;
//! - a failed attempt is `nak`ed with the backoff delay; the delivery count is the attempt
//!   number; after the last attempt the webhook is `failed` (the dead letter). `max_deliver` is
//!   the attempts plus one: that last delivery only records `failed` when the instance that made
//!   the last attempt stopped before recording it;
//! - every attempt is published as a [`WebhookOutcome`] on `liaison.alerts._outcome.<alert id>`,
//!   which [`follow_outcomes`] applies on every instance, so every `GET /v1/alerts` agrees;
//! - an attempt signs with the secret of the alert's rule and URL, looked up in the store (an
//!   alert record holds none) and opened only for the call ([`Secrets::signing_key`]); a secret
//!   that cannot be opened fails the attempt as `key_missing` or `bad_secret`, like any other;
//! - before an attempt, the worker reads the last outcome of the alert from the stream: an alert
//!   whose round is over (a copy of the alert published again after the duplicate window, e.g. by
//!   an instance rebuilding from an empty database) is not posted again.
//!
//! At least once: an instance that stops between a successful post and its outcome leaves the
//! item to be posted again, with the same `webhook-id`.

use std::sync::Arc;
use std::time::Duration;

use async_nats::header::{self, HeaderMap};
use async_nats::jetstream::{self, AckKind, consumer, stream};
use bytes::Bytes;
use chrono::Utc;
use futures::StreamExt;
use liaison_log::{Follower, LogEntry, durable_pull_on};
use liaison_proto::AlertEvent;
use liaison_proto::notifier::{Attempt, DeliveryState, RedeliveryRequest, WebhookOutcome};
use liaison_proto::subjects::{
    ALERT_OUTCOME_PREFIX, ALERT_REDELIVER_PREFIX, ALERTS_ONLY, ALERTS_STREAM, WEBHOOK_CONSUMER,
    alert_outcome_subject, alert_redeliver_subject,
};
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::DeliveryConfig;
use super::webhook::{AttemptFailure, WebhookSender};
use crate::secrets::Secrets;
use crate::store::{ALERTS_CHECKPOINT, AlertRecord, Store, StoreError, TargetKind, decode, encode};

/// How long an attempt waits for this instance to apply the alert's causing event.
const APPLY_WAIT: Duration = Duration::from_secs(2);
/// How long publishing an outcome or a request may take.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(2);
/// The delay before an item is offered again when this instance could not handle it.
const RETRY_SOON: Duration = Duration::from_millis(250);

/// The ack wait of the shared consumer: an attempt (bounded by the webhook timeout) and the
/// publish of its outcome fit in it, so a healthy instance never loses an item to another.
pub fn ack_wait(config: &DeliveryConfig) -> Duration {
    config.webhook_timeout + PUBLISH_TIMEOUT + Duration::from_secs(1)
}

/// The configuration of [`WEBHOOK_CONSUMER`].
pub fn consumer_config(config: &DeliveryConfig) -> consumer::pull::Config {
    consumer::pull::Config {
        description: Some("Liaison: webhook work shared by the notifier instances".to_owned()),
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait: ack_wait(config),
        max_deliver: i64::from(config.webhook_attempts.max(1)) + 1,
        deliver_policy: consumer::DeliverPolicy::All,
        filter_subjects: vec![
            ALERTS_ONLY.to_owned(),
            format!("{ALERT_REDELIVER_PREFIX}.*"),
        ],
        ..Default::default()
    }
}

/// Publishes a request for a new round of webhook attempts on `record`'s alert.
pub async fn request_redelivery(
    js: &jetstream::Context,
    record: &AlertRecord,
) -> Result<(), String> {
    let request = RedeliveryRequest {
        alert_id: record.alert.id,
        sequence: record.alert.sequence,
        requested_at: Utc::now(),
    };
    let subject = alert_redeliver_subject(&record.alert.id.to_string());
    let body = Bytes::from(serde_json::to_vec(&request).expect("requests serialize"));
    publish(js, subject, HeaderMap::new(), body).await
}

async fn publish(
    js: &jetstream::Context,
    subject: String,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(), String> {
    let publish = async {
        js.publish_with_headers(subject.clone(), headers, body)
            .await
            .map_err(|e| format!("publish on {subject}: {e}"))?
            .await
            .map_err(|e| format!("no ack on {subject}: {e}"))
    };
    tokio::time::timeout(PUBLISH_TIMEOUT, publish)
        .await
        .map_err(|_| format!("no ack within {PUBLISH_TIMEOUT:?}"))?
        .map(|_| ())
}

// ---------- every instance: applying outcomes and redelivery requests ----------

/// Follows the alerts stream from this instance's alerts checkpoint and applies every webhook
/// outcome and redelivery request to the store, until `shutdown`; restarts after a failure.
pub async fn follow_outcomes(js: jetstream::Context, store: Store, shutdown: CancellationToken) {
    let mut failures = 0u32;
    while !shutdown.is_cancelled() {
        if let Err(e) = follow_outcomes_once(&js, &store, &shutdown).await {
            failures = failures.saturating_add(1);
            if failures > 3 {
                tracing::warn!(error = %e, "following the alerts stream failed; retrying");
            }
            let delay = Duration::from_millis(100 * 2u64.pow(failures.min(5)));
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(delay) => {}
            }
        } else {
            return;
        }
    }
}

async fn follow_outcomes_once(
    js: &jetstream::Context,
    store: &Store,
    shutdown: &CancellationToken,
) -> Result<(), String> {
    let checkpoint = alerts_checkpoint(store).map_err(|e| e.to_string())?;
    let mut batches = std::pin::pin!(
        liaison_log::read_stream_from(js, ALERTS_STREAM, checkpoint + 1).ready_chunks(500)
    );
    loop {
        let batch = tokio::select! {
            _ = shutdown.cancelled() => return Ok(()),
            batch = batches.next() => batch,
        };
        let Some(batch) = batch else {
            return Err("the alerts stream's consumer ended".to_owned());
        };
        let entries = batch
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        let store = store.clone();
        tokio::task::spawn_blocking(move || apply_outcomes(&store, &entries))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
    }
}

/// The last alerts-stream sequence applied.
pub fn alerts_checkpoint(store: &Store) -> Result<u64, StoreError> {
    Ok(store
        .meta
        .get(ALERTS_CHECKPOINT)?
        .and_then(|b| <[u8; 8]>::try_from(b.as_ref()).ok())
        .map_or(0, u64::from_be_bytes))
}

/// Applies alerts-stream entries (outcomes, redelivery requests; alerts are skipped) and the
/// alerts checkpoint in one transaction.
pub fn apply_outcomes(store: &Store, entries: &[LogEntry]) -> Result<(), StoreError> {
    let Some(last) = entries.iter().map(|e| e.sequence).max() else {
        return Ok(());
    };
    let checkpoint = alerts_checkpoint(store)?;
    let entries: Vec<&LogEntry> = entries.iter().filter(|e| e.sequence > checkpoint).collect();
    let _writer = store.write_lock();
    let outcome = (&store.meta, &store.alerts, &store.webhook_outcomes).transaction(
        |(meta, alerts, early)| {
            for entry in &entries {
                let abort = |e: StoreError| ConflictableTransactionError::Abort(e.to_string());
                if entry
                    .subject
                    .starts_with(&format!("{ALERT_OUTCOME_PREFIX}."))
                {
                    let Ok(outcome) = decode::<WebhookOutcome>(&entry.payload) else {
                        tracing::warn!(subject = entry.subject, "skipping an unreadable outcome");
                        continue;
                    };
                    let id = outcome.alert_id;
                    let key = id.as_bytes();
                    match alerts.get(key)? {
                        Some(bytes) => {
                            let mut record: AlertRecord = decode(&bytes).map_err(abort)?;
                            record.apply_webhook_outcome(&outcome);
                            alerts.insert(&key[..], encode(&record))?;
                        }
                        None => {
                            let mut list: Vec<WebhookOutcome> = match early.get(key)? {
                                Some(bytes) => decode(&bytes).map_err(abort)?,
                                None => Vec::new(),
                            };
                            list.push(outcome);
                            early.insert(&key[..], encode(&list))?;
                        }
                    }
                } else if entry
                    .subject
                    .starts_with(&format!("{ALERT_REDELIVER_PREFIX}."))
                {
                    let Ok(request) = decode::<RedeliveryRequest>(&entry.payload) else {
                        continue;
                    };
                    let id = request.alert_id;
                    let key = id.as_bytes();
                    if let Some(bytes) = alerts.get(key)? {
                        let mut record: AlertRecord = decode(&bytes).map_err(abort)?;
                        if record.restart_webhook() {
                            alerts.insert(&key[..], encode(&record))?;
                        }
                    }
                }
            }
            meta.insert(ALERTS_CHECKPOINT, &last.to_be_bytes())?;
            Ok(())
        },
    );
    outcome.map_err(|e| match e {
        sled::transaction::TransactionError::Abort(m) => {
            StoreError::Corrupt(serde::de::Error::custom(m))
        }
        sled::transaction::TransactionError::Storage(e) => StoreError::Sled(e),
    })
}

// ---------- the instance an item is handed to: one webhook attempt ----------

/// Takes webhook work from the shared consumer; see the module docs.
pub struct WebhookQueue {
    store: Store,
    js: jetstream::Context,
    follower: Follower,
    webhooks: WebhookSender,
    secrets: Arc<Secrets>,
    config: DeliveryConfig,
}

/// What a work item asks for.
struct Item {
    alert: Uuid,
    log_sequence: u64,
    redelivery: bool,
}

impl WebhookQueue {
    /// A worker of this instance, opening webhook secrets with `secrets`.
    pub fn new(
        store: Store,
        js: jetstream::Context,
        follower: Follower,
        config: DeliveryConfig,
        secrets: Arc<Secrets>,
    ) -> Arc<Self> {
        Arc::new(Self {
            webhooks: WebhookSender::new(config.webhook_timeout, config.targets),
            store,
            js,
            follower,
            secrets,
            config,
        })
    }

    /// Runs `concurrency` pull loops until `shutdown` fires. Each loop fetches one item only
    /// when it is free to work on it, so no item waits in this instance's buffer while its ack
    /// wait runs.
    pub fn spawn(self: &Arc<Self>, shutdown: CancellationToken) -> tokio::task::JoinHandle<()> {
        let worker = self.clone();
        tokio::spawn(async move {
            let consumer = loop {
                match durable_pull_on(
                    &worker.js,
                    ALERTS_STREAM,
                    WEBHOOK_CONSUMER,
                    consumer_config(&worker.config),
                )
                .await
                {
                    Ok(c) => break c,
                    Err(e) => tracing::debug!(error = %e, "the webhook consumer is not there yet"),
                }
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_millis(200)) => {}
                }
            };
            let loops: Vec<_> = (0..worker.config.concurrency.max(1))
                .map(|_| {
                    let worker = worker.clone();
                    let consumer = consumer.clone();
                    let shutdown = shutdown.clone();
                    tokio::spawn(async move { worker.pull_loop(consumer, shutdown).await })
                })
                .collect();
            for l in loops {
                let _ = l.await;
            }
        })
    }

    async fn pull_loop(&self, consumer: consumer::PullConsumer, shutdown: CancellationToken) {
        while !shutdown.is_cancelled() {
            let fetched = consumer
                .fetch()
                .max_messages(1)
                .expires(Duration::from_secs(2))
                .messages();
            let mut batch = tokio::select! {
                _ = shutdown.cancelled() => return,
                batch = fetched => match batch {
                    Ok(batch) => batch,
                    Err(e) => {
                        tracing::debug!(error = %e, "fetching webhook work failed");
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        continue;
                    }
                },
            };
            loop {
                let next = tokio::select! {
                    _ = shutdown.cancelled() => return,
                    next = batch.next() => next,
                };
                match next {
                    Some(Ok(message)) => self.handle(message).await,
                    Some(Err(e)) => {
                        tracing::debug!(error = %e, "webhook work fetch ended");
                        break;
                    }
                    None => break,
                }
            }
        }
    }

    async fn handle(&self, message: jetstream::Message) {
        if let Err(e) = self.attempt(&message).await {
            tracing::warn!(subject = %message.subject, error = %e, "webhook work item not done; offered again");
            let _ = message.ack_with(AckKind::Nak(Some(RETRY_SOON))).await;
        }
    }

    /// One attempt on one item; `Err` when the item must be offered again soon.
    async fn attempt(&self, message: &jetstream::Message) -> Result<(), String> {
        let info = message.info().map_err(|e| e.to_string())?;
        let (round, delivered) = (info.stream_sequence, info.delivered.max(1) as u32);
        let Some(item) = parse_item(message) else {
            tracing::warn!(subject = %message.subject, "skipping an unreadable webhook work item");
            return ack(message, AckKind::Term).await;
        };
        if !self
            .follower
            .wait_applied(item.log_sequence, APPLY_WAIT)
            .await
        {
            return Err(format!(
                "log sequence {} not applied here yet",
                item.log_sequence
            ));
        }
        let record = self.store.alert(item.alert).map_err(|e| e.to_string())?;
        let Some((record, url)) =
            record.and_then(|r| r.webhook_url().map(str::to_owned).map(|url| (r, url)))
        else {
            return ack(message, AckKind::Ack).await; // an alert without a webhook
        };
        if self.round_is_over(&item, round).await? {
            return ack(message, AckKind::Ack).await;
        }
        let attempts = self.config.webhook_attempts.max(1);
        let (result, state) = if delivered > attempts {
            // The instance that made the last attempt stopped before recording it.
            (Err(AttemptFailure::Unrecorded), DeliveryState::Failed)
        } else {
            let _ = message.ack_with(AckKind::Progress).await;
            let result = match self.signing_key(&record, &url) {
                // The secret is in clear only for this call, and wiped when `key` drops.
                Ok(key) => self.webhooks.send(&url, &key, &record.alert).await,
                Err(class) => Err(class),
            };
            let state = match &result {
                Ok(_) => DeliveryState::Delivered,
                Err(_) if delivered >= attempts => DeliveryState::Failed,
                Err(_) => DeliveryState::Pending,
            };
            let outcome = if result.is_ok() { "ok" } else { "error" };
            metrics::counter!(crate::metrics::DELIVERIES, "target" => "webhook", "outcome" => outcome)
                .increment(1);
            (result, state)
        };
        match &result {
            Ok(_) => {
                let first = record
                    .targets
                    .iter()
                    .any(|t| t.kind == TargetKind::Webhook && t.delivered_at.is_none());
                if first {
                    let latency = (Utc::now() - record.raised_at).to_std().unwrap_or_default();
                    metrics::histogram!(crate::metrics::DELIVERY_LATENCY, "target" => "webhook")
                        .record(latency.as_secs_f64());
                }
            }
            Err(class) => {
                tracing::warn!(alert = %item.alert, rule = %record.alert.rule, attempt = delivered, %class, "webhook delivery failed")
            }
        }
        let outcome = WebhookOutcome {
            alert_id: item.alert,
            round,
            attempt: Attempt {
                number: delivered,
                at: Utc::now(),
                ok: result.is_ok(),
                // The status line, or the failure's class: never an error's text.
                detail: result.unwrap_or_else(|class| class.as_str().into_owned()),
            },
            state,
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            header::NATS_MESSAGE_ID,
            format!("{}.{round}.{delivered}", item.alert).as_str(),
        );
        let body = Bytes::from(serde_json::to_vec(&outcome).expect("outcomes serialize"));
        publish(
            &self.js,
            alert_outcome_subject(&item.alert.to_string()),
            headers,
            body,
        )
        .await?;
        match state {
            DeliveryState::Pending => {
                let delay = self.config.backoff.delay(delivered);
                ack(message, AckKind::Nak(Some(delay))).await
            }
            DeliveryState::Delivered | DeliveryState::Failed => ack(message, AckKind::Ack).await,
        }
    }

    /// The HMAC key of the alert's webhook: its rule's secret for `url`, opened.
    fn signing_key(
        &self,
        record: &AlertRecord,
        url: &str,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, AttemptFailure> {
        let rule = record.alert.rule.as_str();
        let secret = self.store.webhook_secret(rule, url).map_err(|e| {
            tracing::warn!(rule, error = %e, "reading a webhook secret failed");
            AttemptFailure::BadSecret
        })?;
        self.secrets.signing_key(rule, url, secret.as_ref())
    }

    /// Whether the round this item starts (or continues) is over, by the alert's last outcome
    /// in the stream: a later round exists, this round ended, or — for the alert itself — any
    /// round ran (this item is a copy of an alert already handled).
    async fn round_is_over(&self, item: &Item, round: u64) -> Result<bool, String> {
        let stream = self
            .js
            .get_stream_no_info(ALERTS_STREAM)
            .await
            .map_err(|e| e.to_string())?;
        let last = match stream
            .get_last_raw_message_by_subject(&alert_outcome_subject(&item.alert.to_string()))
            .await
        {
            Ok(message) => decode::<WebhookOutcome>(&message.payload).ok(),
            Err(e) if e.kind() == stream::LastRawMessageErrorKind::NoMessageFound => None,
            Err(e) => return Err(e.to_string()),
        };
        Ok(last.is_some_and(|last| {
            last.round > round
                || (last.round == round && last.state.is_final())
                || (!item.redelivery && last.round != round)
        }))
    }
}

fn parse_item(message: &jetstream::Message) -> Option<Item> {
    if message
        .subject
        .starts_with(&format!("{ALERT_REDELIVER_PREFIX}."))
    {
        let request: RedeliveryRequest = serde_json::from_slice(&message.payload).ok()?;
        Some(Item {
            alert: request.alert_id,
            log_sequence: request.sequence,
            redelivery: true,
        })
    } else {
        let event: AlertEvent = serde_json::from_slice(&message.payload).ok()?;
        Some(Item {
            alert: event.data.id,
            log_sequence: event.data.sequence,
            redelivery: false,
        })
    }
}

async fn ack(message: &jetstream::Message, kind: AckKind) -> Result<(), String> {
    message
        .ack_with(kind)
        .await
        .map_err(|e| format!("acknowledging: {e}"))
}
