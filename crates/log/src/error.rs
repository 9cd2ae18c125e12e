//! What can go wrong when appending, sorted by what the caller must do about it.

use std::time::Duration;

/// JetStream error code of a failed `Nats-Expected-Last-Subject-Sequence` (or `-Sequence`) check:
/// `JSStreamWrongLastSequenceErr`, "wrong last sequence: `n`".
pub const ERR_WRONG_LAST_SEQUENCE: u64 = 10071;
/// JetStream error code of a message larger than the stream's `max_msg_size`
/// (`JSStreamMessageExceedsMaximumErr`).
pub const ERR_MESSAGE_TOO_LARGE: u64 = 10054;
/// JetStream error code of an atomic batch that contains a `Nats-Msg-Id` already in the stream's
/// duplicate window (`JSAtomicPublishContainsDuplicateMessageErr`): the whole batch is rejected.
pub const ERR_BATCH_DUPLICATE_MSG_ID: u64 = 10201;
/// JetStream error code of an atomic batch the server does not know or lost track of
/// (`JSAtomicPublishIncompleteBatchErr`), e.g. after it timed out or the server restarted.
pub const ERR_BATCH_INCOMPLETE: u64 = 10176;
/// JetStream error code of an atomic batch over the server's maximum batch size
/// (`JSAtomicPublishTooLargeBatchErr`).
pub const ERR_BATCH_TOO_LARGE: u64 = 10199;

/// Appending to the log failed.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// The client is not connected to NATS, so nothing was sent and nothing was appended.
    #[error("the log is unreachable: not connected to NATS")]
    Unreachable,
    /// Sent, but no acknowledgement came within `waited` over `attempts` attempts (each retry used
    /// the same `Nats-Msg-Id`). The append may or may not have been stored: appending again with
    /// the same message ids is safe and tells.
    #[error("the log did not acknowledge within {waited:?} ({attempts} attempts)")]
    NoAck {
        /// Total time waited.
        waited: Duration,
        /// Attempts made.
        attempts: u32,
    },
    /// No stream (or no JetStream yet, e.g. just after a server restart) listens on the subject;
    /// nothing was appended.
    #[error("no stream answers on subject {subject}")]
    NoStream {
        /// The subject published to.
        subject: String,
    },
    /// The server refused the append; nothing was appended.
    #[error("the log rejected the append: {description} (status {status}, error code {err_code})")]
    Rejected {
        /// HTTP-like status of the error (400, 503, …).
        status: u16,
        /// The JetStream error code (`ERR_*` constants of this crate).
        err_code: u64,
        /// The server's description.
        description: String,
    },
    /// The append cannot be sent as it is (invalid subject, too large, an empty batch or one larger
    /// than [`crate::MAX_BATCH`]); nothing was appended.
    #[error("invalid append: {0}")]
    Invalid(String),
    /// The server answered something this crate does not understand.
    #[error("protocol error: {0}")]
    Protocol(String),
}

impl AppendError {
    /// Whether the log could not be reached or did not answer: the caller should answer
    /// "unavailable" (503) and may retry later with the same message ids.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            AppendError::Unreachable | AppendError::NoAck { .. } | AppendError::NoStream { .. }
        ) || matches!(self, AppendError::Rejected { status: 503, .. })
    }

    /// The JetStream error code of a rejection.
    pub fn err_code(&self) -> Option<u64> {
        match self {
            AppendError::Rejected { err_code, .. } => Some(*err_code),
            _ => None,
        }
    }

    /// Whether an optimistic-concurrency check (`expected_last_subject_sequence`) failed.
    pub fn is_wrong_last_sequence(&self) -> bool {
        self.err_code() == Some(ERR_WRONG_LAST_SEQUENCE)
    }

    /// Whether an atomic batch was rejected because one of its message ids was already appended.
    pub fn is_batch_duplicate(&self) -> bool {
        self.err_code() == Some(ERR_BATCH_DUPLICATE_MSG_ID)
    }
}
