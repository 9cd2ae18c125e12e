//! NATS access of the CLI: connecting with a helpful error, and reading single events of the
//! log (for the evidence of the events a relationship lists).

use std::collections::HashMap;
use std::time::Duration;

use async_nats::jetstream;
use liaison_proto::events::Evidence;
use liaison_proto::{Envelope, StoredEvent};
use uuid::Uuid;

use crate::error::{CliError, CliResult};

/// Connects to `url` (comma-separated for a cluster), failing fast with a message that says how
/// to start the stack.
pub async fn connect(url: &str) -> CliResult<async_nats::Client> {
    let urls: Vec<&str> = url.split(',').map(str::trim).collect();
    let addrs: Result<Vec<async_nats::ServerAddr>, _> = urls.iter().map(|u| u.parse()).collect();
    let addrs = addrs.map_err(|e| CliError::usage(format!("--nats-url `{url}`: {e}")))?;
    async_nats::ConnectOptions::new()
        .connection_timeout(Duration::from_secs(5))
        .name("liaison-cli")
        .connect(addrs)
        .await
        .map_err(|e| {
            CliError::Nats(format!(
                "cannot reach NATS at {url} ({e}): is the stack running? start it with `liaison dev`"
            ))
        })
}

/// The log's event at `sequence`, if there is one.
pub async fn stored_event(
    js: &jetstream::Context,
    sequence: u64,
) -> CliResult<Option<StoredEvent>> {
    let entry = liaison_log::get(js, sequence)
        .await
        .map_err(|e| CliError::Nats(log_error(&e)))?;
    Ok(entry.and_then(|entry| {
        serde_json::from_slice::<Envelope>(&entry.payload)
            .ok()
            .map(|event| StoredEvent {
                sequence: entry.sequence,
                event,
            })
    }))
}

/// The evidence of the events at `sequences`, by event id; events without evidence are left out.
pub async fn evidence_of(
    js: &jetstream::Context,
    sequences: impl IntoIterator<Item = u64>,
) -> CliResult<HashMap<Uuid, Evidence>> {
    let mut out = HashMap::new();
    for sequence in sequences {
        if let Some(stored) = stored_event(js, sequence).await?
            && let Some(evidence) = stored.event.event.evidence()
        {
            out.insert(stored.event.id, evidence.clone());
        }
    }
    Ok(out)
}

/// A read error of the log, with what to do about it.
pub fn log_error(e: &liaison_log::ReadError) -> String {
    match e {
        liaison_log::ReadError::Stream { .. } => format!(
            "{e}: the log does not exist yet, or NATS has no JetStream; the ingest creates it when it \
             starts (`liaison dev`)"
        ),
        _ => e.to_string(),
    }
}
