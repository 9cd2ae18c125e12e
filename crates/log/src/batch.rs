//! Appending several events atomically: all of them or none, and no reader ever sees a part
//! (JetStream atomic batch publish, ADR-50, server 2.12+; the stream needs `allow_atomic`).
//!
//! # Protocol
//!
//! Every message carries `Nats-Batch-Id` (one random id per batch) and `Nats-Batch-Sequence`
//! (1..=n); the last one also carries `Nats-Batch-Commit: 1`. The server stages the messages and
//! stores them only on the commit, under the stream lock, as consecutive sequences; it answers the
//! commit with a `PubAck` whose `seq` is the last message's sequence, plus `batch` (the id) and
//! `count`. So the batch's sequences are `seq - count + 1 ..= seq`.
//!
//! Messages sent as requests before the commit are answered with an empty body (or an error
//! `PubAck` when the batch is refused). This appender sends the first message as a request (to
//! learn at once that the stream accepts the batch), then one in every [`FLOW_EVERY`] as a request
//! (flow control), the others as plain publishes, and the commit as a request.
//!
//! # Findings, measured against nats-server 2.15.1 (tests in `tests/batch.rs`)
//!
//! - Staged messages are acknowledged with an empty body and are invisible: nothing is in the
//!   stream before the commit. A batch is not bound to a connection (a commit from another
//!   connection completes it); it is abandoned when no message arrives for the server's batch
//!   timeout (`jetstream.limits.batch.timeout`, default 10 s). A commit after that is refused
//!   with `{"code":400,"err_code":10176,"description":"atomic publish batch is incomplete"}`
//!   ([`crate::ERR_BATCH_INCOMPLETE`]) and nothing of the batch is ever stored.
//! - Deduplication: a `Nats-Msg-Id` already in the stream's duplicate window, or the same id
//!   twice in one batch, makes the server refuse the whole batch at the commit with
//!   `{"code":400,"err_code":10201,"description":"atomic publish batch contains duplicate message
//!   id"}` ([`crate::ERR_BATCH_DUPLICATE_MSG_ID`]); the staged messages before it are acked empty.
//!   There is no `duplicate: true` for batches, and a retried batch stores nothing.
//! - Size: the default maximum is 1000 messages; message 1001 is refused at once (before the
//!   commit) with `{"code":400,"err_code":10199,"description":"atomic publish batch is too large:
//!   1000"}` ([`crate::ERR_BATCH_TOO_LARGE`]). This appender refuses more than [`MAX_BATCH`]
//!   without sending anything.
//! - `Nats-Expected-Last-Subject-Sequence` works inside a batch: a failed check refuses the batch
//!   with error 10071 ([`crate::ERR_WRONG_LAST_SEQUENCE`]).
//!
//! # Retrying
//!
//! A batch is not retried here: when the commit is not acknowledged in time
//! ([`AppendError::NoAck`]) it may or may not have been stored. The caller retries with the same
//! message ids (a new batch id is drawn for every call); if the first attempt was stored, the
//! retry is refused as a whole with [`crate::ERR_BATCH_DUPLICATE_MSG_ID`], which tells that the
//! events are already in the log (within the duplicate window), but not at which sequences. A batch
//! with a message id still in process (error 10158: an earlier send of it is being proposed) is
//! refused whole and its outcome is unknown ([`crate::Outcome::Unknown`]); so is a commit answered
//! with something this crate cannot read (docs/decisions/020-unknown-outcomes.md).

use std::time::Instant;

use async_nats::connection::State;
use async_nats::header::{
    NATS_BATCH_COMMIT, NATS_BATCH_COMMIT_FINAL, NATS_BATCH_ID, NATS_BATCH_SEQUENCE,
};

use crate::append::no_ack;
use crate::{AppendError, Appended, Appender, OutgoingEvent, ack};

/// The largest atomic batch the server accepts (its default `max_batch_size`, ADR-50).
pub const MAX_BATCH: usize = 1000;

/// One message in this many of a batch is sent as a request, so that the server's refusal of a
/// batch (and a lost connection) shows before the commit.
pub const FLOW_EVERY: usize = 100;

impl Appender {
    /// Appends `events` atomically, in order, and returns where each landed (consecutive
    /// sequences). See the module docs for the protocol and for retrying.
    pub async fn append_batch(
        &self,
        events: Vec<OutgoingEvent>,
    ) -> Result<Vec<Appended>, AppendError> {
        let n = events.len();
        if n == 0 {
            return Err(AppendError::Invalid("an empty batch".into()));
        }
        if n > MAX_BATCH {
            return Err(AppendError::Invalid(format!(
                "a batch of {n} events, more than {MAX_BATCH}"
            )));
        }
        if self.client.connection_state() != State::Connected {
            return Err(AppendError::Unreachable);
        }
        let started = Instant::now();
        let batch_id = uuid::Uuid::now_v7().simple().to_string();
        for (index, event) in events.iter().enumerate() {
            let position = index + 1;
            let mut headers = event.wire_headers();
            headers.insert(NATS_BATCH_ID, batch_id.as_str());
            headers.insert(NATS_BATCH_SEQUENCE, position.to_string().as_str());
            let commit = position == n;
            if commit {
                headers.insert(NATS_BATCH_COMMIT, NATS_BATCH_COMMIT_FINAL);
            }
            let as_request = commit || position == 1 || position % FLOW_EVERY == 0;
            if !as_request {
                self.client
                    .publish_with_headers(event.subject.clone(), headers, event.payload.clone())
                    .await
                    .map_err(|e| AppendError::Protocol(e.to_string()))?;
                continue;
            }
            let body = self
                .request(&event.subject, headers, event.payload.clone())
                .await?
                .ok_or_else(|| no_ack(started, 1))?;
            let answer = ack::parse(&body)?;
            match (commit, answer) {
                (false, None) => {}
                (false, Some(ack)) => {
                    return Err(AppendError::Protocol(format!(
                        "a PubAck before the commit of batch {batch_id}: {ack:?}"
                    )));
                }
                (true, None) => {
                    return Err(AppendError::Protocol(format!(
                        "an empty answer to the commit of batch {batch_id}"
                    )));
                }
                (true, Some(ack)) => return sequences_of(&batch_id, n, ack),
            }
        }
        unreachable!("the last event is the commit, which returns")
    }
}

fn sequences_of(batch_id: &str, n: usize, ack: ack::Ack) -> Result<Vec<Appended>, AppendError> {
    if ack.batch.as_deref() != Some(batch_id) || ack.count != Some(n as u64) {
        return Err(AppendError::Protocol(format!(
            "commit of batch {batch_id} ({n} events) acknowledged as batch {:?} with count {:?}",
            ack.batch, ack.count
        )));
    }
    let first = ack.sequence + 1 - n as u64;
    Ok((first..=ack.sequence)
        .map(|sequence| Appended {
            sequence,
            duplicate: false,
        })
        .collect())
}
