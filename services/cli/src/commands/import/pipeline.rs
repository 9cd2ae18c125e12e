//! Sending an import's batches with several in flight, in an order that keeps the contract's rule
//! that a name is registered before (or earlier in the batch than) an event names it
//! (docs/decisions/026-streaming-pipelined-import.md).
//!
//! Ingest checks every batch against what is registered when the batch arrives, and batches in
//! flight together may be appended in any order. So the rule here is a barrier around every
//! *ordered* batch ([`Batch::ordered`]: it registers a name, creates or deletes a rule, or retracts
//! an event): it is sent only once every earlier batch was answered, and no later batch is sent
//! before its own answer. Between barriers, up to `in_flight` batches of plain facts go at once;
//! they name only what an answered batch registered, and their relative order in the log does not
//! change what they mean (statuses are computed in the order of `time`).
//!
//! Answers are taken in the file's order. After a failure nothing more is sent; the batches in
//! flight are still answered and counted (they may have been appended), and the failure reported
//! is the first in the file.

use std::collections::VecDeque;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::ImportSummary;
use super::batches::Batch;
use crate::client::{AppendOutcome, Client, ClientError};
use crate::events_file::ReadError;

/// What a batch in flight is, without its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// The number of its first event in the file.
    pub first: usize,
    /// The number of its last event.
    pub last: usize,
    /// Whether it was sent behind a barrier.
    pub ordered: bool,
    /// How far into the input it ends, in bytes.
    pub end_offset: u64,
}

/// Where and why an import stopped.
#[derive(Debug)]
pub enum Stop {
    /// The ingest refused a batch, or could not be reached.
    Batch(Sent, ClientError),
    /// The file could not be read further.
    Read(ReadError),
}

/// How an import ended.
#[derive(Debug)]
pub struct Ended {
    /// What was sent and answered (also after a stop: the batches already in flight).
    pub summary: ImportSummary,
    /// Why it stopped before the end of the file, if it did.
    pub stop: Option<Stop>,
    /// Events of batches after the stopping one that were appended (or found in the log)
    /// nonetheless, because they were in flight.
    pub answered_after_stop: usize,
    /// Events without an `id` that were sent.
    pub without_id: usize,
}

/// Sends the batches that `batches` yields, at most `in_flight` at once (at least 1) and with a
/// barrier around every ordered one; `progress` is called with each answered batch, in the file's
/// order.
pub async fn send_all(
    client: &Client,
    mut batches: mpsc::Receiver<Result<Batch, ReadError>>,
    in_flight: usize,
    mut progress: impl FnMut(&Sent),
) -> Ended {
    let in_flight = in_flight.max(1);
    let mut ended = Ended {
        summary: ImportSummary::default(),
        stop: None,
        answered_after_stop: 0,
        without_id: 0,
    };
    let mut pending: VecDeque<(Sent, JoinHandle<Result<AppendOutcome, ClientError>>)> =
        VecDeque::new();
    // A batch read but not sent yet: ordered, it waits for the batches in flight to be answered.
    let mut held: Option<Batch> = None;
    let mut input_open = true;
    loop {
        let behind_barrier = pending.back().is_some_and(|(sent, _)| sent.ordered);
        while ended.stop.is_none() && !behind_barrier && pending.len() < in_flight {
            let batch = match held.take() {
                Some(batch) => batch,
                None if !input_open => break,
                None => match batches.recv().await {
                    Some(Ok(batch)) => batch,
                    Some(Err(e)) => {
                        ended.stop = Some(Stop::Read(e));
                        input_open = false;
                        break;
                    }
                    None => {
                        input_open = false;
                        break;
                    }
                },
            };
            if batch.ordered && !pending.is_empty() {
                held = Some(batch);
                break;
            }
            let sent = Sent {
                first: batch.first,
                last: batch.last(),
                ordered: batch.ordered,
                end_offset: batch.end_offset,
            };
            ended.summary.events += batch.len;
            ended.without_id += batch.without_id;
            let client = client.clone();
            let task = tokio::spawn(async move { client.post_events_json(batch.body).await });
            pending.push_back((sent, task));
            if sent.ordered {
                break;
            }
        }
        let Some((sent, task)) = pending.pop_front() else {
            break;
        };
        let answer = task.await.unwrap_or_else(|e| {
            Err(ClientError::Decode {
                service: "ingest",
                message: format!("the request task failed: {e}"),
            })
        });
        match answer {
            Ok(outcome) => {
                let len = sent.last + 1 - sent.first;
                if matches!(ended.stop, Some(Stop::Batch(..))) {
                    ended.answered_after_stop += len;
                }
                count(&mut ended.summary, len, &outcome);
                progress(&sent);
            }
            Err(e) => match ended.stop {
                // The first failure in the file's order is the one to report; a read error is
                // further into the file than every batch sent.
                None | Some(Stop::Read(_)) => ended.stop = Some(Stop::Batch(sent, e)),
                Some(Stop::Batch(..)) => {}
            },
        }
    }
    ended
}

/// Adds a batch of `len` events answered with `outcome` to `summary`.
fn count(summary: &mut ImportSummary, len: usize, outcome: &AppendOutcome) {
    let sequences = outcome.events.iter().map(|e| e.sequence);
    if outcome.created {
        summary.appended += len;
        let first = sequences.clone().filter(|&s| s > 0).min().unwrap_or(0);
        if first > 0
            && (summary.first_appended_sequence == 0 || first < summary.first_appended_sequence)
        {
            summary.first_appended_sequence = first;
        }
    } else {
        summary.already_there += len;
    }
    summary.last_sequence = summary.last_sequence.max(sequences.max().unwrap_or(0));
}
