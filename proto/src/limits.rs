//! The contract's limits (v2, "Limits"): how much one event, one batch and one problem document
//! may hold.
//!
//! They exist because every consumer pays for what ingest accepts: a `meeting.held` naming 120
//! organizations with 40 topics is 285,600 pair-topics for the projection to apply (issue 11: 76 s
//! and 10.7 GB), and a list of 100,000 wrong items would otherwise answer a 38 MB problem
//! document. Ingest refuses anything over a limit with `422` and the pointer of what is too
//! large; the services that follow the log check each entry against the same limits
//! ([`crate::validate_stored`]). The JSON Schemas print them as `maxItems` and `maxLength`.

/// Most organizations one event names (`organizations[]`), and one rule watches
/// (`match.organizations`): 16 organizations are 120 pairs, already far more than any real
/// meeting or agreement.
pub const MAX_ORGANIZATIONS: usize = 16;

/// Most topics one event is about (`topics[]`), and one rule watches (`match.topics`).
pub const MAX_TOPICS: usize = 16;

/// Most event types one rule matches (`match.event_types`); there are 16 types in all.
pub const MAX_EVENT_TYPES: usize = 16;

/// Most pair-topics one event may move: `n·(n−1)/2` pairs of its `n` organizations times its
/// topics (a meeting without topics counts one, `general`; `organization` + `counterpart` and
/// `buyer` + `supplier` are one pair). This is what bounds the projection's work per event:
/// the two list limits alone would still admit 120 × 16 = 1,920.
pub const MAX_PAIR_TOPICS: usize = 256;

/// Most participants of a meeting.
pub const MAX_PARTICIPANTS: usize = 32;

/// Most aliases of an organization or a person.
pub const MAX_ALIASES: usize = 32;

/// Most affiliations of a person.
pub const MAX_AFFILIATIONS: usize = 32;

/// Longest string, in UTF-8 bytes (names, summaries, reasons, locations, secrets, …). Bytes,
/// not characters, because bytes are what is stored, sent and indexed: 4 KiB is at least 1,024
/// characters of any script.
pub const MAX_STRING_BYTES: usize = 4 * 1024;

/// Longest evidence `quote`, in UTF-8 bytes: a quoted passage may be a paragraph.
pub const MAX_QUOTE_BYTES: usize = 8 * 1024;

/// Largest event, in bytes of its compact JSON serialization (`type`, `id`, `time`, `data`, as
/// serde_json writes the submitted value without whitespace). Compact rather than raw so that a
/// pretty-printed body is not penalised for its indentation; one log message stays far below
/// NATS's 1 MiB default `max_payload`.
pub const MAX_EVENT_BYTES: usize = 64 * 1024;

/// Most events of one batch. A batch is appended atomically; 500 keeps it well inside
/// JetStream's limit of 1,000 messages per atomic batch and bounds the work one request causes.
pub const MAX_BATCH_EVENTS: usize = 500;

/// Most problems one problem document lists; the rest are only counted (`more_errors`), so that
/// a body of 100,000 wrong items answers a small document.
pub const MAX_REPORTED_ERRORS: usize = 100;

/// What the stored envelope adds to an event, at most: its own members (`specversion`, `id`,
/// `source` — a string of at most [`MAX_STRING_BYTES`] —, `datacontenttype`, `recordedat`:
/// about 200 bytes besides `source`) and what the typed re-serialization adds to the submitted
/// JSON (defaults written out, such as `"factuality":"asserted"`, `"organizations_mode":"any"`,
/// `"deliver":{}`; times normalised, which may add a few digits; a generated `id`). 1 KiB on top
/// of the largest `source` covers all of it several times over.
pub const ENVELOPE_ALLOWANCE_BYTES: usize = MAX_STRING_BYTES + 1024;

/// Largest log entry a consumer accepts, in bytes of the stored payload: the largest event
/// plus [`ENVELOPE_ALLOWANCE_BYTES`]. Every entry ingest writes fits.
pub const MAX_STORED_EVENT_BYTES: usize = MAX_EVENT_BYTES + ENVELOPE_ALLOWANCE_BYTES;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_limits_alone_would_not_bound_the_pair_topics() {
        let pairs = MAX_ORGANIZATIONS * (MAX_ORGANIZATIONS - 1) / 2;
        assert!(pairs * MAX_TOPICS > MAX_PAIR_TOPICS);
        assert_eq!(MAX_EVENT_TYPES, crate::EventType::ALL.len());
    }
}
