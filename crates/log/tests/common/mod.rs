//! Shared set-up of the log tests: a real server with the event log stream.

#![allow(dead_code)]

use async_nats::jetstream;
use bytes::Bytes;
use futures::StreamExt;
use liaison_log::{
    Appender, LogEntry, LogSettings, OutgoingEvent, ensure_events_stream, read_from,
};
use liaison_testkit::NatsServer;

/// A server with the event stream, a JetStream context and an appender on the same client.
pub async fn log() -> (NatsServer, jetstream::Context, Appender) {
    let server = NatsServer::start().await;
    let client = server.client().await;
    let js = jetstream::new(client.clone());
    ensure_events_stream(&js, &LogSettings::default())
        .await
        .expect("ensure stream");
    (server, js, Appender::new(client))
}

/// Event number `i`, with message id `id-<i>`.
pub fn event(i: usize) -> OutgoingEvent {
    OutgoingEvent::new(
        format!("liaison.events.meeting.held.org-{}", i % 7),
        format!("id-{i}"),
        Bytes::from(format!("{{\"n\":{i}}}")),
    )
}

/// The first `n` entries of the log from `start`.
pub async fn read(js: &jetstream::Context, start: u64, n: usize) -> Vec<LogEntry> {
    let entries = read_from(js, start).take(n).collect::<Vec<_>>();
    tokio::time::timeout(std::time::Duration::from_secs(10), entries)
        .await
        .expect("read in time")
        .into_iter()
        .map(|entry| entry.expect("entry"))
        .collect()
}

/// A valid stored event (an `organization.registered` of `org-<i>`), as ingest would append it.
pub fn org_registered(i: usize) -> OutgoingEvent {
    stored(serde_json::json!({
        "type": "organization.registered",
        "time": "2024-01-01",
        "data": {"id": format!("org-{i}"), "name": format!("Organization {i}")}
    }))
}

/// A valid stored event from a client event's JSON, on its own subject with its id as message id.
pub fn stored(client: serde_json::Value) -> OutgoingEvent {
    let client: liaison_proto::ClientEvent =
        serde_json::from_value(client).expect("a client event");
    let envelope = liaison_proto::Envelope::record(
        client,
        liaison_proto::envelope::INGEST_SOURCE,
        chrono::Utc::now(),
    );
    OutgoingEvent::new(
        envelope.subject(),
        envelope.id.to_string(),
        Bytes::from(serde_json::to_vec(&envelope).expect("serializes")),
    )
}

/// Anything at all on `subject`, with a fresh message id.
pub fn raw(subject: &str, payload: impl Into<Bytes>) -> OutgoingEvent {
    OutgoingEvent::new(
        subject.to_owned(),
        uuid::Uuid::now_v7().to_string(),
        payload.into(),
    )
}
