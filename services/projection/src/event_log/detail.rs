//! `GET /v1/log/events/{key}`: one event of the log, by sequence (a point read of the stream) or
//! by id (the projection's id index gives its sequence), with whether it was retracted.

use async_nats::jetstream;
use liaison_proto::log::LogEventView;
use liaison_proto::{Envelope, StoredEvent};
use uuid::Uuid;

use super::LogError;
use crate::queries::Queries;
use crate::store::{EventIndex, keys};

/// What the id index says of an event.
enum Indexed {
    /// Applied, at this sequence.
    At(u64),
    /// Retracted by the `event.retracted` at this sequence.
    Retracted(u64),
    /// Not applied (not in the log, or not yet).
    Unknown,
}

fn indexed(queries: &Queries, id: Uuid) -> Indexed {
    let store = queries.store();
    let key = keys::key(keys::INDEX, &[id.to_string().as_bytes()]);
    match store.tree().get(key) {
        Ok(Some(v)) if v.first() == Some(&keys::RETRACTED) && v.len() == 9 => {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&v[1..]);
            Indexed::Retracted(u64::from_be_bytes(bytes))
        }
        Ok(Some(v)) => serde_json::from_slice::<EventIndex>(&v)
            .map_or(Indexed::Unknown, |index| Indexed::At(index.sequence)),
        _ => Indexed::Unknown,
    }
}

/// The event at `key`: a sequence, or an event id.
pub async fn read(
    js: &jetstream::Context,
    queries: &Queries,
    key: &str,
) -> Result<LogEventView, LogError> {
    let sequence = if let Ok(sequence) = key.parse::<u64>() {
        sequence
    } else if let Ok(id) = Uuid::parse_str(key) {
        match indexed(queries, id) {
            Indexed::At(sequence) => sequence,
            Indexed::Retracted(by) => {
                return Err(LogError::NotFound(format!(
                    "event {id} was retracted by the event at sequence {by}; find it by sequence"
                )));
            }
            Indexed::Unknown => {
                return Err(LogError::NotFound(format!(
                    "no event {id} has been applied by the projection"
                )));
            }
        }
    } else {
        return Err(LogError::parameter(
            "key",
            format!("key: a sequence (42) or an event id (a UUID), got {key:?}"),
        ));
    };
    let entry = liaison_log::get(js, sequence)
        .await
        .map_err(|e| LogError::Unavailable(e.to_string()))?
        .ok_or_else(|| LogError::NotFound(format!("the log has no entry {sequence}")))?;
    let event: Envelope = serde_json::from_slice(&entry.payload)
        .map_err(|e| LogError::NotFound(format!("the entry {sequence} is not an event: {e}")))?;
    let retracted_by = match indexed(queries, event.id) {
        Indexed::Retracted(by) => Some(by),
        _ => None,
    };
    Ok(LogEventView {
        event: StoredEvent { sequence, event },
        subject: entry.subject,
        stored_at: entry.published,
        retracted_by,
    })
}
