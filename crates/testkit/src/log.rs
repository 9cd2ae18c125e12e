//! The JetStream log for tests and measurements that bypass ingest: a server with the event
//! stream, appends of client events as ingest would append them (the same envelope and subject),
//! and a read of the whole log back.
//!
//! Behind the `log` feature, because `liaison-log`'s own tests use this crate.

use std::time::Duration;

use async_nats::jetstream;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use liaison_log::{
    Appender, LogEntry, LogSettings, MAX_BATCH, OutgoingEvent, ensure_events_stream,
};
use liaison_proto::envelope::INGEST_SOURCE;
use liaison_proto::{ClientEvent, Envelope};
use serde_json::Value;
use uuid::Uuid;

use crate::server::{NatsServer, ServerOptions};
use crate::workload::GenEvent;

/// A nats-server with the event stream, and what appends to it.
#[derive(Debug)]
pub struct EventLog {
    /// The nats-server holding the log (stopped when dropped).
    pub server: NatsServer,
    /// A plain client.
    pub client: async_nats::Client,
    /// JetStream on it.
    pub js: jetstream::Context,
    /// Appends to the log.
    pub appender: Appender,
}

impl EventLog {
    /// Starts a server with `options` and creates the event stream with the shipped settings.
    pub async fn start(options: ServerOptions) -> EventLog {
        let server = NatsServer::start_with(options).await;
        let client = server.client().await;
        let js = jetstream::new(client.clone());
        ensure_events_stream(&js, &LogSettings::default())
            .await
            .expect("the events stream");
        EventLog {
            server,
            appender: Appender::new(client.clone()),
            client,
            js,
        }
    }
}

/// The log message ingest would append for the client event `event` (JSON: `type`, `time`,
/// `data`, optional `id`), recorded at `recorded_at`; with the envelope's id.
pub fn log_message(event: &Value, recorded_at: DateTime<Utc>) -> (OutgoingEvent, Uuid) {
    let client: ClientEvent = serde_json::from_value(event.clone())
        .unwrap_or_else(|e| panic!("not a client event ({e}): {event}"));
    let envelope = Envelope::record(client, INGEST_SOURCE, recorded_at);
    (outgoing(&envelope), envelope.id)
}

/// The log message of `envelope`: its subject, its id as `Nats-Msg-Id`, its JSON.
pub fn outgoing(envelope: &Envelope) -> OutgoingEvent {
    let payload = serde_json::to_vec(envelope).expect("an envelope serializes");
    OutgoingEvent::new(
        envelope.subject(),
        envelope.id.to_string(),
        Bytes::from(payload),
    )
}

impl GenEvent {
    /// The log message ingest would append for this event, recorded at `recorded_at`.
    pub fn to_outgoing(&self, recorded_at: DateTime<Utc>) -> OutgoingEvent {
        outgoing(&self.to_envelope(recorded_at))
    }
}

/// Appends `event` alone, recorded now; its id and sequence.
pub async fn append_event(appender: &Appender, event: Value) -> (Uuid, u64) {
    let (message, id) = log_message(&event, Utc::now());
    let appended = appender.append(message).await.expect("append");
    (id, appended.sequence)
}

/// Appends `event` after the registration of every organization it names but does not register
/// itself: a follower applies only events whose organizations were registered earlier in the
/// log (docs/decisions/009-consumers-guard-themselves.md), and tests that write the log directly
/// need not spell them out. Each registration has a fixed id, so a repeat is dropped by
/// JetStream's duplicate window, and past it changes nothing (the first registration wins).
pub async fn append_registered(appender: &Appender, event: Value) -> (Uuid, u64) {
    let client: ClientEvent = serde_json::from_value(event.clone())
        .unwrap_or_else(|e| panic!("not a client event ({e}): {event}"));
    for name in unregistered_names(&client) {
        let id = Uuid::new_v5(
            &Uuid::NAMESPACE_OID,
            format!("registration-{name}").as_bytes(),
        );
        let registration = crate::events::with_id(crate::events::organization(&name), id);
        append_event(appender, registration).await;
    }
    append_event(appender, event).await
}

/// The organizations `event` names (a rule's watched ones included) that it does not register.
fn unregistered_names(event: &ClientEvent) -> Vec<String> {
    use liaison_proto::EventData;
    let own = match &event.event {
        EventData::OrganizationRegistered(d) => Some(d.id.as_str()),
        _ => None,
    };
    let watched = match &event.event {
        EventData::RuleCreated(d) => d.matcher.organizations.iter().collect(),
        _ => Vec::new(),
    };
    let mut names: Vec<String> = event
        .event
        .organizations()
        .into_iter()
        .chain(watched)
        .map(|s| s.as_str().to_owned())
        .filter(|s| Some(s.as_str()) != own)
        .collect();
    names.dedup();
    names
}

/// Appends `events` in order, in atomic batches of up to [`MAX_BATCH`], recorded now; their
/// sequences.
pub async fn append_all(appender: &Appender, events: &[Value]) -> Vec<u64> {
    let recorded_at = Utc::now();
    let mut sequences = Vec::with_capacity(events.len());
    for chunk in events.chunks(MAX_BATCH) {
        let batch = chunk
            .iter()
            .map(|e| log_message(e, recorded_at).0)
            .collect();
        let appended = appender.append_batch(batch).await.expect("append batch");
        sequences.extend(appended.into_iter().map(|a| a.sequence));
    }
    sequences
}

/// Every entry of the log up to its last sequence now, decoded (at most 30 s of reading).
pub async fn read_log(js: &jetstream::Context) -> Vec<(LogEntry, Envelope)> {
    let last = liaison_log::last_sequence(js).await.expect("last sequence");
    if last == 0 {
        return Vec::new();
    }
    let entries = liaison_log::read_from(js, 1)
        .take(last as usize)
        .collect::<Vec<_>>();
    tokio::time::timeout(Duration::from_secs(30), entries)
        .await
        .expect("log read in time")
        .into_iter()
        .map(|entry| {
            let entry = entry.expect("entry");
            let envelope = serde_json::from_slice(&entry.payload).expect("an envelope");
            (entry, envelope)
        })
        .collect()
}
