//! What the operators' endpoints answer: the quarantine of a service that follows the log, the
//! status of its followers ([`ServiceStatus`], `GET /v1/admin/status`), and the projection's
//! rebuild ([`RebuildReport`], [`RebuildStatus`]).
//!
//! Every follower checks each log entry as ingest would before applying it (CONTRACT.md,
//! "Consumers guard themselves"); an entry that fails is skipped and recorded as a
//! [`QuarantineEntry`], listed by `GET /v1/admin/quarantine` and `liaison admin quarantine`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Most reasons one quarantine record keeps (the first problems found, in document order).
pub const MAX_QUARANTINE_REASONS: usize = 10;
/// Most bytes of an entry's subject a record keeps (a forged entry may carry any subject).
pub const MAX_QUARANTINE_SUBJECT_BYTES: usize = 256;

/// A log entry a follower refused to apply, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct QuarantineEntry {
    /// The entry's position in the log.
    pub sequence: u64,
    /// The subject it was published on (cut to [`MAX_QUARANTINE_SUBJECT_BYTES`]).
    pub subject: String,
    /// How large its payload is, in bytes.
    pub bytes: u64,
    /// When the log stored it.
    pub published: DateTime<Utc>,
    /// What is wrong with it: `"<pointer>: <problem>"`, at most [`MAX_QUARANTINE_REASONS`].
    pub reasons: Vec<String>,
    /// How many further problems were found and not kept.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub more_reasons: u64,
}

/// A page of a service's quarantine, oldest entry first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct QuarantineList {
    /// The service that follows the log (`ingest`, `projection`, …).
    pub service: String,
    /// How many entries this service has quarantined in all.
    pub total: u64,
    /// This page.
    pub entries: Vec<QuarantineEntry>,
    /// Pass as `after` to get the next page; absent on the last one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_after: Option<u64>,
}

/// What `POST /v1/admin/rebuild?wait=true` on the projection (and `liaison-projection rebuild`)
/// answers once the rebuilt database is live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RebuildReport {
    /// The new live database directory.
    pub database: String,
    /// Its checkpoint at the switch.
    pub checkpoint: u64,
    /// How long it took, in seconds.
    pub seconds: f64,
}

/// What `GET /v1/admin/status` of every service answers: where each of its followers stands
/// against the head of the stream it follows, and how fast it applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ServiceStatus {
    /// The service (`ingest`, `projection`, …).
    pub service: String,
    /// One per followed stream, the log's first; empty for a service that follows none.
    pub streams: Vec<StreamStatus>,
}

/// One follower of a stream, as [`ServiceStatus`] lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StreamStatus {
    /// The stream (`LIAISON_EVENTS` for the log).
    pub stream: String,
    /// The last sequence applied (the checkpoint).
    pub checkpoint: u64,
    /// The stream's last sequence, as last polled; absent until the stream was reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<u64>,
    /// `head - checkpoint`; absent while the head is not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag: Option<u64>,
    /// Entries applied per second over the last [`RATE_WINDOW_SECONDS`] seconds (`0` when idle).
    pub applied_per_second: f64,
    /// `connecting`, `following`, `failing, retrying: …`, `stopped: …`.
    pub state: String,
    /// Entries quarantined since the service started.
    pub quarantined: u64,
}

/// The window over which [`StreamStatus::applied_per_second`] is measured.
pub const RATE_WINDOW_SECONDS: u64 = 10;

/// What `GET /v1/admin/rebuild` on the projection answers: the rebuild running or the last one.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RebuildStatus {
    /// `idle` (none since start), `running`, `done` or `failed`.
    pub state: RebuildState,
    /// When the running or last rebuild started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// The last sequence replayed into the fresh database.
    pub applied: u64,
    /// The sequence it replays up to (the log's head at its start, then the live checkpoint).
    pub target: u64,
    /// The report of the last rebuild that finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<RebuildReport>,
    /// Why the last rebuild failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Where a projection's rebuild stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum RebuildState {
    /// No rebuild since the service started.
    #[default]
    Idle,
    /// Replaying.
    Running,
    /// The last one switched to its database.
    Done,
    /// The last one failed; the live database is unchanged.
    Failed,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Cuts `s` to at most `max` bytes on a character boundary.
pub fn truncate_to(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_whole_characters() {
        assert_eq!(truncate_to("abc", 5), "abc");
        assert_eq!(truncate_to("abcdef", 3), "abc");
        assert_eq!(truncate_to("aé", 2), "a");
    }
}
