//! What can go wrong when appending, sorted by what the caller must do about it: each error's
//! [`Outcome`](crate::Outcome) says whether the events are in the log, are not, or may be
//! (docs/decisions/020-unknown-outcomes.md).

use std::time::Duration;

use crate::outcome::{Outcome, Refusal, classify};

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
/// JetStream error code of a publish whose `Nats-Msg-Id` is in the duplicate window but not yet
/// stored: an earlier send of it is still being proposed (`JSStreamDuplicateMessageConflict`,
/// status 409, "duplicate message id is in process"). The outcome is not known yet; it settles into
/// `duplicate: true` when that proposal is stored.
pub const ERR_DUPLICATE_IN_PROCESS: u64 = 10158;

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
    /// The server answered this send with an error. What it means for the events (mostly:
    /// nothing was appended; not always, e.g. 10158) is [`AppendError::outcome`].
    #[error("the log rejected the append: {description} (status {status}, error code {err_code})")]
    Rejected {
        /// HTTP-like status of the error (400, 503, …).
        status: u16,
        /// The JetStream error code (`ERR_*` constants of this crate).
        err_code: u64,
        /// The server's description.
        description: String,
    },
    /// The message id was sent more than once and no answer settled it: an earlier send may have
    /// been stored (its acknowledgement was lost, or it was still being proposed: error
    /// [`ERR_DUPLICATE_IN_PROCESS`]), and the last answer was `last`. The events may or may not be
    /// in the log: appending again with the same message ids is safe and tells.
    #[error("the outcome of the append is unknown after {attempts} attempts in {waited:?}: {last}")]
    Unsettled {
        /// Total time waited.
        waited: Duration,
        /// Attempts made.
        attempts: u32,
        /// The last answer.
        last: String,
    },
    /// The append cannot be sent as it is (invalid subject, an empty batch or one larger than
    /// [`crate::MAX_BATCH`]); nothing was appended.
    #[error("invalid append: {0}")]
    Invalid(String),
    /// A message is larger than NATS accepts (the server's `max_payload`); nothing was sent.
    #[error("too large for NATS: {0}")]
    TooLarge(String),
    /// The server answered something this crate does not understand.
    #[error("protocol error: {0}")]
    Protocol(String),
}

impl AppendError {
    /// What this error means for the events of the append: refused, not appended, already
    /// appended, or not known (docs/decisions/020-unknown-outcomes.md).
    pub fn outcome(&self) -> Outcome {
        match self {
            AppendError::Unreachable | AppendError::NoStream { .. } => Outcome::NotAppended,
            AppendError::NoAck { .. } | AppendError::Unsettled { .. } => Outcome::Unknown,
            AppendError::Rejected {
                status, err_code, ..
            } => classify(*status, *err_code),
            AppendError::Invalid(_) => Outcome::Refused(Refusal::Other),
            AppendError::TooLarge(_) => Outcome::Refused(Refusal::TooLarge),
            // An answer this crate cannot read (or a send that failed half-way) may follow a
            // stored append.
            AppendError::Protocol(_) => Outcome::Unknown,
        }
    }

    /// Whether the caller should answer "unavailable" (503 with `Retry-After`) and the client
    /// retry later with the same message ids: nothing was appended for a passing reason, or the
    /// outcome is not known.
    pub fn is_unavailable(&self) -> bool {
        matches!(self.outcome(), Outcome::NotAppended | Outcome::Unknown)
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
        self.outcome() == Outcome::Refused(Refusal::WrongLastSequence)
    }

    /// Whether an atomic batch was rejected because one of its message ids was already appended.
    pub fn is_batch_duplicate(&self) -> bool {
        self.outcome() == Outcome::AlreadyAppended
    }
}
