//! The two reads of JetStream the log's pages need: the entries of a range of sequences, in
//! order (an ordered consumer from its first sequence, dropped at its last: the stream keeps
//! every sequence, `deny_delete`), and the first sequence recorded at or after an instant (a
//! binary search: JetStream's timestamps grow with the sequence).

use std::time::Duration;

use async_nats::jetstream;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use liaison_log::LogEntry;
use liaison_proto::subjects::EVENTS_STREAM;

use super::LogError;

/// How long one entry of a range may take to arrive before the read gives up.
pub const ENTRY_WAIT: Duration = Duration::from_secs(5);

fn unavailable(e: impl std::fmt::Display) -> LogError {
    LogError::Unavailable(e.to_string())
}

/// The log's first and last sequence now (`(0, 0)` when empty).
pub async fn bounds(js: &jetstream::Context) -> Result<(u64, u64), LogError> {
    let mut stream = js.get_stream(EVENTS_STREAM).await.map_err(unavailable)?;
    let info = stream.info().await.map_err(unavailable)?;
    Ok((info.state.first_sequence, info.state.last_sequence))
}

/// Calls `visit` with every entry from `first` to `last` in order, until it answers `false`.
pub async fn read_range(
    js: &jetstream::Context,
    first: u64,
    last: u64,
    mut visit: impl FnMut(LogEntry) -> bool,
) -> Result<(), LogError> {
    if first > last {
        return Ok(());
    }
    let entries = liaison_log::read_from(js, first);
    futures::pin_mut!(entries);
    loop {
        let next = tokio::time::timeout(ENTRY_WAIT, entries.next())
            .await
            .map_err(|_| {
                unavailable(format!(
                    "no entry of {first}..={last} within {ENTRY_WAIT:?}"
                ))
            })?;
        let Some(entry) = next else {
            return Err(unavailable("the log's reader ended"));
        };
        let entry = entry.map_err(unavailable)?;
        let sequence = entry.sequence;
        if sequence > last || !visit(entry) || sequence >= last {
            return Ok(());
        }
    }
}

/// The first sequence the stream recorded at or after `at` within `first..=last`; `None` when
/// every entry there is older. A binary search with point reads (about 20 for a million entries):
/// the stream's timestamps grow with the sequence.
pub async fn first_recorded_at(
    js: &jetstream::Context,
    at: DateTime<Utc>,
    first: u64,
    last: u64,
) -> Result<Option<u64>, LogError> {
    if first == 0 || first > last {
        return Ok(None);
    }
    let (mut lo, mut hi) = (first, last + 1);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let entry = liaison_log::get(js, mid).await.map_err(unavailable)?;
        match entry {
            Some(e) if e.published < at => lo = mid + 1,
            _ => hi = mid,
        }
    }
    Ok((lo <= last).then_some(lo))
}
