//! What the operators' endpoints answer: the quarantine of a service that follows the log.
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
