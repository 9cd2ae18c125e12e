//! Appending one event to the log, exactly once (docs/decisions/002-append-once.md).
//!
//! The event is published with `Nats-Msg-Id` = its id, as a core NATS request whose answer is the
//! JetStream `PubAck`, parsed here so every error code reaches the caller. A publish that gets no
//! answer in time may still have been stored, so it is retried with the same message id: the
//! stream's duplicate window turns a stored retry into `duplicate: true` with the original
//! sequence. While the client is disconnected nothing is sent at all, and the caller hears
//! [`AppendError::Unreachable`] at once.
//!
//! A retry may meet its own first send still being proposed (a leader change under load): the
//! server answers error 10158 ("duplicate message id is in process"), which says nothing about
//! whether the first send will be stored. The appender waits a little and sends again (within the
//! attempts), until the first send settles into `duplicate: true`; if it has not by the last
//! attempt, the error is [`AppendError::Unsettled`]: the outcome is not known. After an unanswered
//! send, any transient refusal of a later one is unknown too
//! (docs/decisions/020-unknown-outcomes.md).

use std::time::{Duration, Instant};

use async_nats::header::{self, HeaderMap};
use async_nats::{Client, client::RequestErrorKind, connection::State};
use bytes::Bytes;

use crate::{AppendError, ERR_DUPLICATE_IN_PROCESS, Outcome, ack};

/// Header for optimistic concurrency on a subject: the append succeeds only when the last message
/// on the event's subject has this sequence (0: there is none). A failed check is a
/// [`AppendError::Rejected`] with error code [`crate::ERR_WRONG_LAST_SEQUENCE`].
pub const EXPECTED_LAST_SUBJECT_SEQUENCE: &str = "Nats-Expected-Last-Subject-Sequence";

/// An event ready to be appended.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingEvent {
    /// The log subject (`liaison_proto::subjects::event_subject`).
    pub subject: String,
    /// The message id used for deduplication: the event id.
    pub msg_id: String,
    /// The encoded event (CloudEvents JSON).
    pub payload: Bytes,
    /// Extra headers (e.g. a content type); `Nats-Msg-Id` is added by the appender.
    pub headers: HeaderMap,
    /// Optimistic concurrency: append only if the last message on `subject` has this sequence
    /// (0: no message yet), through [`EXPECTED_LAST_SUBJECT_SEQUENCE`].
    pub expected_last_subject_sequence: Option<u64>,
}

impl OutgoingEvent {
    /// An event with no extra headers and no concurrency check.
    pub fn new(subject: impl Into<String>, msg_id: impl Into<String>, payload: Bytes) -> Self {
        OutgoingEvent {
            subject: subject.into(),
            msg_id: msg_id.into(),
            payload,
            headers: HeaderMap::new(),
            expected_last_subject_sequence: None,
        }
    }

    /// The headers sent with the event: the caller's, plus the message id and the expectation.
    pub(crate) fn wire_headers(&self) -> HeaderMap {
        let mut headers = self.headers.clone();
        headers.insert(header::NATS_MESSAGE_ID, self.msg_id.as_str());
        if let Some(sequence) = self.expected_last_subject_sequence {
            headers.insert(
                EXPECTED_LAST_SUBJECT_SEQUENCE,
                sequence.to_string().as_str(),
            );
        }
        headers
    }
}

/// Where an event landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// Its sequence in the log (the original one when it was a duplicate).
    pub sequence: u64,
    /// Whether the message id had already been appended (within the duplicate window), so this
    /// append stored nothing.
    pub duplicate: bool,
}

/// Timeouts of an [`Appender`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendOptions {
    /// How long to wait for one acknowledgement.
    pub ack_timeout: Duration,
    /// How many times a single append is sent before giving up with [`AppendError::NoAck`] (or
    /// [`AppendError::Unsettled`]).
    pub attempts: u32,
    /// How long to wait before sending again after error 10158 (the message id is in process):
    /// the first wait, doubled after each, at most `ack_timeout`.
    pub in_process_wait: Duration,
}

impl Default for AppendOptions {
    fn default() -> Self {
        AppendOptions {
            ack_timeout: Duration::from_secs(2),
            attempts: 3,
            in_process_wait: Duration::from_millis(250),
        }
    }
}

/// Appends events to the log. Cheap to clone; share one per process.
#[derive(Debug, Clone)]
pub struct Appender {
    pub(crate) client: Client,
    pub(crate) options: AppendOptions,
}

impl Appender {
    /// An appender on `client` with default timeouts.
    pub fn new(client: Client) -> Self {
        Appender::with_options(client, AppendOptions::default())
    }

    /// An appender on `client` with `options`.
    pub fn with_options(client: Client, options: AppendOptions) -> Self {
        Appender { client, options }
    }

    /// Appends one event and waits for the server to acknowledge it; see the module docs.
    pub async fn append(&self, event: OutgoingEvent) -> Result<Appended, AppendError> {
        let headers = event.wire_headers();
        let started = Instant::now();
        let attempts = self.options.attempts.max(1);
        // Whether an earlier send may have been stored: unanswered, or still in process (10158,
        // the answer kept here).
        let mut unanswered = false;
        let mut in_process: Option<String> = None;
        let mut in_process_wait = self.options.in_process_wait;
        for attempt in 1..=attempts {
            if self.client.connection_state() != State::Connected {
                return Err(if attempt == 1 {
                    AppendError::Unreachable
                } else {
                    unsettled_error(started, attempt - 1, in_process)
                });
            }
            let answer = self
                .request(&event.subject, headers.clone(), event.payload.clone())
                .await
                .and_then(|body| body.map(|body| ack::parse(&body)).transpose());
            let error = match answer {
                Ok(Some(Some(ack))) => {
                    return Ok(Appended {
                        sequence: ack.sequence,
                        duplicate: ack.duplicate,
                    });
                }
                Ok(Some(None)) => {
                    AppendError::Protocol("empty acknowledgement of a single append".into())
                }
                Ok(None) => {
                    tracing::warn!(
                        subject = event.subject,
                        msg_id = event.msg_id,
                        attempt,
                        "append not acknowledged in time; retrying with the same message id"
                    );
                    unanswered = true;
                    continue;
                }
                Err(error) => error,
            };
            if error.err_code() == Some(ERR_DUPLICATE_IN_PROCESS) {
                // An earlier send of this id (ours, unanswered, or another client's) is being
                // proposed; it settles into `duplicate: true` once stored
                // (docs/decisions/020-unknown-outcomes.md).
                tracing::info!(
                    subject = event.subject,
                    msg_id = event.msg_id,
                    attempt,
                    "message id in process; waiting for it to settle"
                );
                in_process = Some(error.to_string());
                if attempt < attempts {
                    tokio::time::sleep(in_process_wait).await;
                    in_process_wait = (in_process_wait * 2).min(self.options.ack_timeout);
                }
                continue;
            }
            let earlier_unsettled = unanswered || in_process.is_some();
            return Err(
                if earlier_unsettled && error.outcome().after_unsettled_send() == Outcome::Unknown {
                    unsettled_error(started, attempt, Some(error.to_string()))
                } else {
                    error
                },
            );
        }
        Err(unsettled_error(started, attempts, in_process))
    }

    /// Sends a request and waits up to the ack timeout: `Ok(None)` when no answer came in time.
    pub(crate) async fn request(
        &self,
        subject: &str,
        headers: HeaderMap,
        payload: Bytes,
    ) -> Result<Option<Bytes>, AppendError> {
        let request = self
            .client
            .request_with_headers(subject.to_owned(), headers, payload);
        match tokio::time::timeout(self.options.ack_timeout, request).await {
            Err(_) => Ok(None),
            Ok(Ok(message)) => Ok(Some(message.payload)),
            Ok(Err(e)) => match e.kind() {
                RequestErrorKind::TimedOut => Ok(None),
                RequestErrorKind::NoResponders => Err(AppendError::NoStream {
                    subject: subject.to_owned(),
                }),
                RequestErrorKind::InvalidSubject => {
                    Err(AppendError::Invalid(format!("{subject}: {e}")))
                }
                RequestErrorKind::MaxPayloadExceeded => {
                    Err(AppendError::TooLarge(format!("{subject}: {e}")))
                }
                RequestErrorKind::Other => Err(AppendError::Protocol(e.to_string())),
            },
        }
    }
}

/// The error after `attempts` sends of which none settled the outcome: [`AppendError::Unsettled`]
/// with the `last` answer that did not settle it, [`AppendError::NoAck`] when none answered.
fn unsettled_error(started: Instant, attempts: u32, last: Option<String>) -> AppendError {
    match last {
        Some(last) => AppendError::Unsettled {
            waited: started.elapsed(),
            attempts,
            last,
        },
        None => no_ack(started, attempts),
    }
}

/// The error of `attempts` sends that all went unanswered.
pub(crate) fn no_ack(started: Instant, attempts: u32) -> AppendError {
    AppendError::NoAck {
        waited: started.elapsed(),
        attempts,
    }
}
