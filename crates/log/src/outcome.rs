//! What a failed append means for the events: appended, not appended, or not known — one table of
//! every JetStream error code a publish (single or atomic batch) can be answered with, each mapped
//! on purpose (docs/decisions/020-unknown-outcomes.md).
//!
//! "Nothing was appended" may be said only when it is known. An error answer of the server covers
//! only the send it answers: when an earlier send of the same `Nats-Msg-Id` went unanswered, or is
//! still being proposed (error 10158), the events may be in the log all the same. Such an outcome
//! is [`Outcome::Unknown`]; the caller answers "unavailable, retry" and the client's retry with the
//! same ids settles it (a `duplicate: true` acknowledgement, ingest's registry, or error 10201).
//!
//! The codes and their descriptions are those of nats-server 2.15's `server/errors.json`; the
//! codes in the table are those the publish path can send (`processJetStreamMsg`,
//! `processClusteredInboundMsg`, `checkMsgHeadersPreClusteredProposal`, the atomic and fast batch
//! paths). A code that is not in the table is classed by its status ([`classify`]).

use Outcome::{AlreadyAppended, NotAppended, Unknown};

/// What a failed append means for its events, and what the caller must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing was appended, and the same append will be refused again: the request must change
    /// (or the stream's configuration, for [`Refusal::Other`]).
    Refused(Refusal),
    /// Nothing was appended: the log cannot take the append now (unavailable, no quorum, out of
    /// resources, busy, a batch it lost). Retry later with the same ids.
    NotAppended,
    /// A message id of the atomic batch is in the log already (error 10201), so nothing of the
    /// batch was appended now: read the log to answer with what is there.
    AlreadyAppended,
    /// The events may or may not be in the log. Retrying with the same ids is safe and tells.
    Unknown,
}

/// Why an append was refused for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// An optimistic-concurrency expectation failed (10071, 10164): the subject has moved. On one
    /// server the expectation is checked before the duplicate window, so the move may be this very
    /// append's earlier, unanswered send: reread the log before deciding.
    WrongLastSequence,
    /// A message or its headers are larger than the log accepts (10054, 10097), or than NATS
    /// accepts (`max_payload`, never sent).
    TooLarge,
    /// An atomic batch larger than the server accepts (10199).
    BatchTooLarge,
    /// Anything else the append as sent, or the stream as configured, does not allow (a sealed
    /// stream, a header the stream does not support, ...); the error's code says which.
    Other,
}

/// One JetStream error code a publish can be answered with, and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishCode {
    /// The JetStream error code (`err_code`).
    pub err_code: u64,
    /// The HTTP-like status the server sends with it (`code`).
    pub status: u16,
    /// The server's name of the error (`server/errors.json`).
    pub name: &'static str,
    /// What it means for the events.
    pub outcome: Outcome,
}

const fn code(err_code: u64, status: u16, name: &'static str, outcome: Outcome) -> PublishCode {
    PublishCode {
        err_code,
        status,
        name,
        outcome,
    }
}

const REFUSED: Outcome = Outcome::Refused(Refusal::Other);
const WRONG_LAST: Outcome = Outcome::Refused(Refusal::WrongLastSequence);
const TOO_LARGE: Outcome = Outcome::Refused(Refusal::TooLarge);

/// Every error code the publish path of nats-server 2.15 can answer with, and its outcome; the
/// table of docs/decisions/020-unknown-outcomes.md.
pub const PUBLISH_CODES: &[PublishCode] = &[
    // The outcome is not known: another send of the same message id may be stored.
    code(10158, 409, "JSStreamDuplicateMessageConflict", Unknown),
    code(10063, 503, "JSStreamSequenceNotMatchErr", Unknown),
    // The log cannot take it now; nothing was appended by this send.
    code(10008, 503, "JSClusterNotAvailErr", NotAppended),
    code(10009, 500, "JSClusterNotLeaderErr", NotAppended),
    code(10039, 503, "JSNotEnabledForAccountErr", NotAppended),
    code(10076, 503, "JSNotEnabledErr", NotAppended),
    code(10118, 500, "JSStreamOfflineErr", NotAppended),
    code(10194, 500, "JSStreamOfflineReasonErrF", NotAppended),
    code(10023, 503, "JSInsufficientResourcesErr", NotAppended),
    code(10047, 500, "JSStorageResourcesExceededErr", NotAppended),
    code(10028, 500, "JSMemoryResourcesExceededErr", NotAppended),
    code(10002, 400, "JSAccountResourcesExceededErr", NotAppended),
    code(10120, 400, "JSNoLimitsErr", NotAppended),
    code(10077, 503, "JSStreamStoreFailedF", NotAppended),
    code(
        10163,
        503,
        "JSStreamExpectedLastSeqPerSubjectNotReady",
        NotAppended,
    ),
    code(10167, 429, "JSStreamTooManyRequests", NotAppended),
    code(10210, 429, "JSAtomicPublishTooManyInflight", NotAppended),
    code(10211, 429, "JSBatchPublishTooManyInflight", NotAppended),
    code(10176, 400, "JSAtomicPublishIncompleteBatchErr", NotAppended),
    code(10208, 400, "JSBatchPublishUnknownBatchIDErr", NotAppended),
    code(10185, 412, "JSRequiredApiLevelErr", NotAppended),
    // A message id of the batch is in the log already.
    code(
        10201,
        400,
        "JSAtomicPublishContainsDuplicateMessageErr",
        AlreadyAppended,
    ),
    // Refused for good; nothing was appended.
    code(10071, 400, "JSStreamWrongLastSequenceErrF", WRONG_LAST),
    code(
        10164,
        400,
        "JSStreamWrongLastSequenceConstantErr",
        WRONG_LAST,
    ),
    code(10054, 400, "JSStreamMessageExceedsMaximumErr", TOO_LARGE),
    code(10097, 400, "JSStreamHeaderExceedsMaximumErr", TOO_LARGE),
    code(
        10199,
        400,
        "JSAtomicPublishTooLargeBatchErrF",
        Outcome::Refused(Refusal::BatchTooLarge),
    ),
    code(10070, 400, "JSStreamWrongLastMsgIDErrF", REFUSED),
    code(10060, 400, "JSStreamNotMatchErr", REFUSED),
    code(
        10193,
        400,
        "JSStreamExpectedLastSeqPerSubjectInvalid",
        REFUSED,
    ),
    code(10109, 400, "JSStreamSealedErr", REFUSED),
    code(10111, 500, "JSStreamRollupFailedF", REFUSED),
    code(10165, 400, "JSMessageTTLInvalidErr", REFUSED),
    code(10166, 400, "JSMessageTTLDisabledErr", REFUSED),
    code(10168, 400, "JSMessageIncrDisabledErr", REFUSED),
    code(10169, 400, "JSMessageIncrMissingErr", REFUSED),
    code(10170, 400, "JSMessageIncrPayloadErr", REFUSED),
    code(10171, 400, "JSMessageIncrInvalidErr", REFUSED),
    code(10172, 400, "JSMessageCounterBrokenErr", REFUSED),
    code(10174, 400, "JSAtomicPublishDisabledErr", REFUSED),
    code(10175, 400, "JSAtomicPublishMissingSeqErr", REFUSED),
    code(
        10177,
        400,
        "JSAtomicPublishUnsupportedHeaderBatchErr",
        REFUSED,
    ),
    code(10179, 400, "JSAtomicPublishInvalidBatchIDErr", REFUSED),
    code(10200, 400, "JSAtomicPublishInvalidBatchCommitErr", REFUSED),
    code(10205, 400, "JSBatchPublishDisabledErr", REFUSED),
    code(10206, 400, "JSBatchPublishInvalidPatternErr", REFUSED),
    code(10207, 400, "JSBatchPublishInvalidBatchIDErr", REFUSED),
    code(10188, 400, "JSMessageSchedulesDisabledErr", REFUSED),
    code(10189, 400, "JSMessageSchedulesPatternInvalidErr", REFUSED),
    code(10190, 400, "JSMessageSchedulesTargetInvalidErr", REFUSED),
    code(10191, 400, "JSMessageSchedulesTTLInvalidErr", REFUSED),
    code(10192, 400, "JSMessageSchedulesRollupInvalidErr", REFUSED),
    code(10203, 400, "JSMessageSchedulesSourceInvalidErr", REFUSED),
    code(10212, 400, "JSMessageSchedulesSchedulerInvalidErr", REFUSED),
    code(10223, 400, "JSMessageSchedulesTimeZoneInvalidErr", REFUSED),
    code(10227, 400, "JSMessageSourceHdrNotAllowedErr", REFUSED),
];

/// What an error answer to a publish means: the table's outcome of `err_code`; for a code not in
/// the table, its `status` decides. A 4xx is the answer of a check made before anything is
/// proposed or stored, so it is a refusal named by its code — except 408 and 409 (a conflict with
/// something in flight, like 10158), which are [`Outcome::Unknown`], and 429 (busy), which is
/// [`Outcome::NotAppended`]. Anything else (5xx, no status) is [`Outcome::Unknown`]: it is never
/// said that nothing was appended without knowing it.
pub fn classify(status: u16, err_code: u64) -> Outcome {
    if let Some(known) = PUBLISH_CODES.iter().find(|c| c.err_code == err_code) {
        return known.outcome;
    }
    match status {
        429 => NotAppended,
        408 | 409 => Unknown,
        400..=499 => REFUSED,
        _ => Unknown,
    }
}

impl Outcome {
    /// The outcome of an error answer that came after an earlier send of the same message id went
    /// unanswered (or was still in process): a transient refusal of this send says nothing about
    /// the earlier one, so it becomes [`Outcome::Unknown`]. Refusals that hold for any send of the
    /// same message (its size) stay, and so does a failed expectation, whose caller rereads the
    /// log ([`Refusal::WrongLastSequence`]).
    pub fn after_unsettled_send(self) -> Outcome {
        match self {
            Outcome::NotAppended | Outcome::Refused(Refusal::Other) => Outcome::Unknown,
            other => other,
        }
    }

    /// Whether it is known that nothing of the append is in the log because of this append
    /// (refused, or not appended).
    pub fn nothing_appended(self) -> bool {
        matches!(self, Outcome::Refused(_) | Outcome::NotAppended)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AppendError, ack};

    /// The outcome of a body as the server sends it.
    fn outcome_of(body: &str) -> Outcome {
        match ack::parse(body.as_bytes()) {
            Err(e) => e.outcome(),
            Ok(ack) => panic!("{body} is not an error answer: {ack:?}"),
        }
    }

    /// Real error answers of nats-server 2.15 (`{"error":{"code","err_code","description"}}`, the
    /// descriptions of `server/errors.json` with their placeholders filled as the server does),
    /// written out here rather than built from the table, and the class each must have.
    const ANSWERS: &[(&str, Outcome)] = &[
        (
            r#"{"error":{"code":409,"err_code":10158,"description":"duplicate message id is in process"}}"#,
            Unknown,
        ),
        (
            r#"{"error":{"code":503,"err_code":10063,"description":"expected stream sequence does not match"}}"#,
            Unknown,
        ),
        (
            r#"{"error":{"code":503,"err_code":10008,"description":"JetStream system temporarily unavailable"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":500,"err_code":10009,"description":"JetStream cluster can not handle request"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":503,"err_code":10039,"description":"JetStream not enabled for account"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":503,"err_code":10076,"description":"JetStream not enabled"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":500,"err_code":10118,"description":"stream is offline"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":500,"err_code":10194,"description":"stream is offline: stream is being moved"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":503,"err_code":10023,"description":"insufficient resources"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":500,"err_code":10047,"description":"insufficient storage resources available"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":500,"err_code":10028,"description":"insufficient memory resources available"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":400,"err_code":10002,"description":"resource limits exceeded for account"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":400,"err_code":10120,"description":"no JetStream default or applicable tiered limit present"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":503,"err_code":10077,"description":"maximum bytes exceeded"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":503,"err_code":10077,"description":"message too large"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":503,"err_code":10163,"description":"expected last sequence per subject temporarily unavailable"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":429,"err_code":10167,"description":"too many requests"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":429,"err_code":10210,"description":"atomic publish too many inflight"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":429,"err_code":10211,"description":"batch publish too many inflight"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":400,"err_code":10176,"description":"atomic publish batch is incomplete"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":400,"err_code":10208,"description":"batch publish ID unknown"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":412,"err_code":10185,"description":"JetStream minimum api level required"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":400,"err_code":10201,"description":"atomic publish batch contains duplicate message id"}}"#,
            AlreadyAppended,
        ),
        (
            r#"{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 4"}}"#,
            WRONG_LAST,
        ),
        (
            r#"{"error":{"code":400,"err_code":10164,"description":"wrong last sequence"}}"#,
            WRONG_LAST,
        ),
        (
            r#"{"error":{"code":400,"err_code":10054,"description":"message size exceeds maximum allowed"}}"#,
            TOO_LARGE,
        ),
        (
            r#"{"error":{"code":400,"err_code":10097,"description":"header size exceeds maximum allowed of 64k"}}"#,
            TOO_LARGE,
        ),
        (
            r#"{"error":{"code":400,"err_code":10199,"description":"atomic publish batch is too large: 1000"}}"#,
            Outcome::Refused(Refusal::BatchTooLarge),
        ),
        (
            r#"{"error":{"code":400,"err_code":10070,"description":"wrong last msg ID: id-1"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10060,"description":"expected stream does not match"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10193,"description":"missing sequence for expected last sequence per subject"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10109,"description":"invalid operation on sealed stream"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":500,"err_code":10111,"description":"rollup not permitted"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10165,"description":"invalid per-message TTL"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10166,"description":"per-message TTL is disabled"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10168,"description":"message counters is disabled"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10169,"description":"message counter increment is missing"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10170,"description":"message counter has payload"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10171,"description":"message counter increment is invalid"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10172,"description":"message counter is broken"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10174,"description":"atomic publish is disabled"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10175,"description":"atomic publish sequence is missing"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10177,"description":"atomic publish unsupported header used: Nats-Expected-Last-Msg-Id"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10179,"description":"atomic publish batch ID is invalid"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10200,"description":"atomic publish batch commit is invalid"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10205,"description":"batch publish is disabled"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10206,"description":"batch publish pattern is invalid"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10207,"description":"batch publish ID is invalid"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10188,"description":"message schedules is disabled"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10189,"description":"message schedules pattern is invalid"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10190,"description":"message schedules target is invalid"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10191,"description":"message schedules invalid per-message TTL"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10192,"description":"message schedules invalid rollup"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10203,"description":"message schedules source is invalid"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10212,"description":"message schedules invalid scheduler"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10223,"description":"message schedules time zone is invalid"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":400,"err_code":10227,"description":"message stream source header is not allowed"}}"#,
            REFUSED,
        ),
        // Codes not in the table: the status decides.
        (
            r#"{"error":{"code":400,"err_code":19999,"description":"a future check"}}"#,
            REFUSED,
        ),
        (
            r#"{"error":{"code":409,"err_code":19999,"description":"a future conflict"}}"#,
            Unknown,
        ),
        (
            r#"{"error":{"code":408,"err_code":19999,"description":"a future timeout"}}"#,
            Unknown,
        ),
        (
            r#"{"error":{"code":429,"err_code":19999,"description":"a future limit"}}"#,
            NotAppended,
        ),
        (
            r#"{"error":{"code":500,"err_code":19999,"description":"a future failure"}}"#,
            Unknown,
        ),
        (
            r#"{"error":{"code":503,"description":"a status without a code"}}"#,
            Unknown,
        ),
        (r#"{"error":{}}"#, Unknown),
    ];

    #[test]
    fn every_error_answer_of_the_publish_path_has_its_outcome() {
        for (body, expected) in ANSWERS {
            assert_eq!(outcome_of(body), *expected, "{body}");
        }
    }

    #[test]
    fn every_code_of_the_table_is_proven_by_a_real_answer_with_its_status() {
        for known in PUBLISH_CODES {
            let answer = ANSWERS
                .iter()
                .find(|(body, _)| body.contains(&format!("\"err_code\":{},", known.err_code)))
                .unwrap_or_else(|| panic!("no answer written out for {known:?}"));
            assert!(
                answer.0.contains(&format!("\"code\":{},", known.status)),
                "{known:?}: {}",
                answer.0
            );
            assert_eq!(answer.1, known.outcome, "{known:?}");
        }
        let mut codes: Vec<u64> = PUBLISH_CODES.iter().map(|c| c.err_code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(
            codes.len(),
            PUBLISH_CODES.len(),
            "a code twice in the table"
        );
    }

    #[test]
    fn only_a_known_refusal_says_nothing_was_appended() {
        assert!(!Unknown.nothing_appended());
        assert!(!AlreadyAppended.nothing_appended());
        assert!(NotAppended.nothing_appended());
        assert!(REFUSED.nothing_appended());
        assert!(!classify(409, 10158).nothing_appended());
    }

    #[test]
    fn after_an_unsettled_send_a_transient_refusal_is_unknown() {
        assert_eq!(NotAppended.after_unsettled_send(), Unknown);
        assert_eq!(REFUSED.after_unsettled_send(), Unknown);
        assert_eq!(TOO_LARGE.after_unsettled_send(), TOO_LARGE);
        assert_eq!(WRONG_LAST.after_unsettled_send(), WRONG_LAST);
        assert_eq!(Unknown.after_unsettled_send(), Unknown);
    }

    #[test]
    fn errors_other_than_answers_have_their_outcome() {
        use std::time::Duration;
        assert_eq!(AppendError::Unreachable.outcome(), NotAppended);
        assert_eq!(
            AppendError::NoStream {
                subject: "s".into()
            }
            .outcome(),
            NotAppended
        );
        let no_ack = AppendError::NoAck {
            waited: Duration::from_secs(6),
            attempts: 3,
        };
        assert_eq!(no_ack.outcome(), Unknown);
        let unsettled = AppendError::Unsettled {
            waited: Duration::from_secs(1),
            attempts: 3,
            last: "duplicate message id is in process".into(),
        };
        assert_eq!(unsettled.outcome(), Unknown);
        assert_eq!(AppendError::Protocol("?".into()).outcome(), Unknown);
        assert_eq!(AppendError::TooLarge("s".into()).outcome(), TOO_LARGE);
        assert_eq!(
            AppendError::Invalid("an empty batch".into()).outcome(),
            REFUSED
        );
        for e in [no_ack, unsettled] {
            assert!(e.is_unavailable(), "{e}");
        }
    }
}
