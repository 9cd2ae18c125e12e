//! The append operation, independent of the transport: HTTP (`POST /v1/events`) hands it the
//! raw body ([`Ingest::append_bytes`]), NATS request-reply (`liaison.ingest.append`) the JSON
//! value it parsed ([`Ingest::append`]); both turn its typed answer into a status and a body.
//!
//! The steps, for one event or a batch:
//!
//! 1. parse and validate the body through the contract crate: `400`/`413` for what is not JSON
//!    or too large (in bytes, nesting, or number of values: `JsonLimits`), `422` with a
//!    pointer for every problem (at most 100 listed, the rest counted); on the blocking pool
//!    behind the [`ValidationGate`], so that a huge body cannot stall the async workers (`503`
//!    when the gate stays full);
//! 2. give every event without an `id` a UUID v7;
//! 3. idempotency, from the registry (which remembers every id with its content digest, without
//!    a time limit): an `id` already in the log with the same content is *existing*, with other
//!    content a `409`. All existing → `200` with the original sequences; a batch that mixes
//!    existing events with new ones → `409` naming them (simple and explicit: send the new ones
//!    alone). A registration identical to the one in force is a no-op, answered with the original
//!    registration's id and sequence and left out of what is appended;
//! 4. referential integrity (`check_references`); when something is unknown or conflicting, catch
//!    up with the log once (another instance may have appended it) and check again;
//! 5. publish: one event with `Nats-Msg-Id` = its id (registrations also with
//!    `Nats-Expected-Last-Subject-Sequence: 0` on their subject, so that two instances
//!    registering one organization at once cannot both win); several as one atomic batch
//!    (ADR-50), so that no reader ever sees a part. A duplicate `PubAck` is compared with the stored
//!    event; a refused batch (a known id, a registration that lost a race) makes the operation
//!    catch up and run again from step 3, which then answers `200` or `409`;
//! 6. record what was appended in the registry at once, as the follower will when it reads it
//!    back ([`RegistryApplier::record_appended`]), so the next request to this instance sees it
//!    without waiting for the follower; for rule events, whose effect depends on the order of
//!    application, wait (bounded) until the local follower has applied them instead;
//! 7. `201` with `{"events": [{"id", "sequence"}]}`.
//!
//! Every failure of the publish is answered by what it means for the events
//! ([`liaison_log::Outcome`], docs/decisions/020-unknown-outcomes.md): a refusal of the log
//! (nothing appended) is a `413`, or a `500` naming the log's error code; a log that cannot take
//! the append now is a `503` with `Retry-After` saying that nothing was appended; an outcome that
//! is not known (a lost acknowledgement, a message id still in process after a leader change) is a
//! `503` with `Retry-After` saying that the events may or may not have been appended and that a
//! retry with the same ids is safe and tells. "Nothing was appended" is said only when it is known.
//!
//! Every loop over the events of a request is linear in their number (issue 11): registrations
//! repeated in a batch are matched through a map, not by scanning the events before them.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_nats::connection::State;
use async_nats::jetstream;
use axum::http::StatusCode;
use bytes::Bytes;
use chrono::Utc;
use liaison_log::follower::Follower;
use liaison_log::{AppendError, Appender, Outcome, OutgoingEvent, Refusal};
use liaison_proto::envelope::INGEST_SOURCE;
use liaison_proto::limits::{MAX_BATCH_EVENTS, MAX_EVENT_BYTES};
use liaison_proto::validate::{FieldError, ValidationErrors, check_references_with, is_batch};
use liaison_proto::{ClientEvent, Envelope, EventData, EventType, validate_submission};
use liaison_runtime::Problem;
use liaison_runtime::json_body::{JsonLimits, parse_json};
use serde_json::Value;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::registry::{RegistryError, RegistryStore};
use crate::registry_model::RegistryApplier;
use crate::validation_gate::{GateError, ValidationGate};

/// Seconds a client should wait before retrying after a `503`.
pub const RETRY_AFTER_SECONDS: u64 = 2;

/// The largest request body ingest reads by default (`--max-body-bytes`): a full batch of
/// [`MAX_BATCH_EVENTS`] events of [`MAX_EVENT_BYTES`] each (32 MiB), plus 1 MiB for the batch's
/// brackets and commas and for whitespace. Every request the contract's limits admit fits (in
/// compact JSON; a pretty-printed batch of 500 events at their largest may not); anything
/// larger is refused with `413` before it is parsed.
pub const DEFAULT_MAX_BODY_BYTES: usize = MAX_BATCH_EVENTS * MAX_EVENT_BYTES + 1024 * 1024;

/// How many times the operation runs (catching up with the log in between) before it gives up.
const ATTEMPTS: usize = 3;

/// Where one event of a request is in the log (the contract's type).
pub type Receipt = liaison_proto::ingest::Appended;

/// The body of a successful answer (the contract's type).
pub type Receipts = liaison_proto::ingest::AppendAnswer;

/// A successful append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendOutcome {
    /// At least one event was appended now (`201`).
    Created(Vec<Receipt>),
    /// Every event was already in the log (an idempotent retry, or no-op registrations): `200`
    /// with the original sequences.
    AlreadyAppended(Vec<Receipt>),
}

impl AppendOutcome {
    /// The HTTP-equivalent status: `201` or `200`.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Created(_) => StatusCode::CREATED,
            Self::AlreadyAppended(_) => StatusCode::OK,
        }
    }

    /// The answer's body.
    pub fn receipts(&self) -> Receipts {
        let (Self::Created(events) | Self::AlreadyAppended(events)) = self;
        Receipts {
            events: events.clone(),
        }
    }
}

/// Why an append was not answered with receipts. Nothing was appended, except for
/// [`AppendRejection::Unknown`], whose events may or may not be in the log.
#[derive(Debug, thiserror::Error)]
pub enum AppendRejection {
    /// The body cannot be read as JSON, or is too large or too deep (`400`, `413`): the JSON
    /// reader's own answer.
    #[error("unreadable: {0}")]
    Unreadable(Problem),
    /// The body breaks a rule of the contract (`422`).
    #[error("invalid: {0}")]
    Invalid(ValidationErrors),
    /// The body conflicts with the log (`409`).
    #[error("conflict: {detail}")]
    Conflict {
        /// What conflicts, for a human.
        detail: String,
        /// Where, with JSON pointers.
        errors: Vec<FieldError>,
    },
    /// An event is larger than the log accepts (`413`).
    #[error("too large: {0}")]
    TooLarge(String),
    /// The log cannot be reached, or ingest is not caught up with it yet (`503`).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The events may or may not be in the log (`503` with `Retry-After`): the client's retry
    /// with the same ids is safe and settles it.
    #[error("outcome unknown: {0}")]
    Unknown(String),
    /// The log refused the append for good, for a reason that is not the client's (a sealed
    /// stream, a header it does not support, ...): `500` naming the log's error; nothing was
    /// appended.
    #[error("refused by the log: {0}")]
    RefusedByLog(String),
    /// Something that should not happen (`500`); details are logged.
    #[error("internal: {0}")]
    Internal(String),
}

impl AppendRejection {
    /// The RFC 9457 problem document to answer.
    pub fn into_problem(self) -> Problem {
        match self {
            Self::Unreadable(problem) => problem,
            // `check_references` reports conflicts through the same type: 409 when every
            // problem is one.
            Self::Invalid(errors) => Problem::from_validation(errors),
            Self::Conflict { detail, errors } => Problem::conflict(String::new())
                .with_errors(errors, 0)
                .with_detail(detail),
            Self::TooLarge(detail) => Problem::payload_too_large(detail),
            Self::Unavailable(detail) | Self::Unknown(detail) => {
                Problem::unavailable(detail, Some(RETRY_AFTER_SECONDS))
            }
            Self::RefusedByLog(detail) => {
                tracing::error!(%detail, "the log refused an append");
                Problem::internal(detail)
            }
            Self::Internal(detail) => {
                tracing::error!(%detail, "append failed");
                Problem::internal("the append failed on the server; nothing was appended")
            }
        }
    }
}

impl From<RegistryError> for AppendRejection {
    fn from(e: RegistryError) -> Self {
        Self::Internal(format!("registry: {e}"))
    }
}

impl From<GateError> for AppendRejection {
    fn from(e: GateError) -> Self {
        match e {
            GateError::Busy => Self::Unavailable(format!(
                "{e}; nothing was appended, retry in a moment (or send smaller batches)"
            )),
            GateError::Failed(detail) => Self::Internal(detail),
        }
    }
}

/// Whether the log is set up and the registry has caught up with it since start; shared by the
/// start-up task, the append operation and `/readyz`.
#[derive(Debug, Default)]
pub struct LogState {
    stream_ready: AtomicBool,
    caught_up: AtomicBool,
    ensure_again: Notify,
    problem: std::sync::Mutex<Option<String>>,
}

impl LogState {
    /// Whether the log stream has been created or updated since start.
    pub fn stream_ready(&self) -> bool {
        self.stream_ready.load(Ordering::Acquire)
    }

    /// Records that the stream was ensured.
    pub fn set_stream_ready(&self) {
        self.stream_ready.store(true, Ordering::Release);
        *self.problem.lock().expect("problem lock") = None;
    }

    /// Why the log cannot be used, when the start-up task found it cannot (the stream is gone
    /// and this ingest may not create a new one).
    pub fn problem(&self) -> Option<String> {
        self.problem.lock().expect("problem lock").clone()
    }

    /// Records why the log cannot be used.
    pub fn set_problem(&self, problem: String) {
        self.stream_ready.store(false, Ordering::Release);
        *self.problem.lock().expect("problem lock") = Some(problem);
    }

    /// Whether the registry caught up with the log once since start (before that, an old
    /// event id might not be recognised, so appends wait).
    pub fn caught_up(&self) -> bool {
        self.caught_up.load(Ordering::Acquire)
    }

    /// Records that the registry caught up with the log.
    pub fn set_caught_up(&self) {
        self.caught_up.store(true, Ordering::Release);
    }

    /// Asks the start-up task to ensure the stream again (after "no stream answers").
    pub fn request_ensure(&self) {
        self.ensure_again.notify_one();
    }

    /// Completes when [`request_ensure`](Self::request_ensure) was called.
    pub async fn ensure_requested(&self) {
        self.ensure_again.notified().await;
    }
}

/// The append operation and what it needs. Cheap to clone.
#[derive(Clone)]
pub struct Ingest {
    store: RegistryStore,
    applier: RegistryApplier,
    appender: Appender,
    client: async_nats::Client,
    js: jetstream::Context,
    follower: Follower,
    state: Arc<LogState>,
    gate: ValidationGate,
    apply_wait: Duration,
    catch_up_wait: Duration,
}

/// How each event of a request will be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Already in the log with the same content.
    Existing(Receipt),
    /// A registration identical to the one in force: answered with the original.
    Noop(Receipt),
    /// The same registration as an earlier event of the batch: answered like it.
    SameAs(usize),
    /// To be appended.
    New,
}

/// What one run of the operation concluded.
enum Step {
    /// The answer, and how many events were appended now.
    Done(AppendOutcome, usize),
    /// The log moved under us (another instance): catch up, then run again.
    Retry(&'static str),
}

impl Step {
    /// Every event is answered with what is in the log already (`200`); nothing appended.
    fn already_appended(p: &Prepared, plans: &[Plan]) -> Self {
        Self::Done(AppendOutcome::AlreadyAppended(receipts(p, plans, &[])), 0)
    }
}

/// What publishing concluded.
enum Published {
    /// The sequence of each event, by request index (0 for those not appended now).
    At(Vec<u64>),
    /// Not appended: the step to take instead.
    Instead(Step),
}

/// The typed events of a body that passed validation, and whether it was a batch.
struct Validated {
    events: Vec<ClientEvent>,
    batch: bool,
}

/// Step 1, on the blocking pool: the typed events of `body`, or every problem of it.
fn validate(body: &Value) -> Result<Validated, AppendRejection> {
    let events = validate_submission(body).map_err(AppendRejection::Invalid)?;
    Ok(Validated {
        events,
        batch: is_batch(body),
    })
}

/// A validated request with its ids assigned.
struct Prepared {
    events: Vec<ClientEvent>,
    ids: Vec<Uuid>,
    client_ids: Vec<bool>,
    digests: Vec<String>,
    batch: bool,
}

impl Prepared {
    /// Step 2: gives every event without an `id` a UUID v7, and computes the content digests.
    fn assign_ids(validated: Validated) -> Self {
        let Validated { mut events, batch } = validated;
        let client_ids: Vec<bool> = events.iter().map(|e| e.id.is_some()).collect();
        let ids: Vec<Uuid> = events
            .iter_mut()
            .map(|e| *e.id.get_or_insert_with(Uuid::now_v7))
            .collect();
        let digests = events.iter().map(ClientEvent::digest).collect();
        Self {
            events,
            ids,
            client_ids,
            digests,
            batch,
        }
    }

    fn pointer(&self, index: usize, suffix: &str) -> String {
        if self.batch {
            format!("/{index}{suffix}")
        } else {
            suffix.to_owned()
        }
    }
}

impl Ingest {
    /// The operation over these parts; `follower` keeps `store` current through `applier`,
    /// which the operation also uses to record its own appends at once.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        store: RegistryStore,
        applier: RegistryApplier,
        client: async_nats::Client,
        follower: Follower,
        state: Arc<LogState>,
        apply_wait: Duration,
        catch_up_wait: Duration,
    ) -> Self {
        Self {
            store,
            applier,
            appender: Appender::new(client.clone()),
            js: jetstream::new(client.clone()),
            client,
            follower,
            state,
            gate: ValidationGate::for_this_machine(),
            apply_wait,
            catch_up_wait,
        }
    }

    /// The follower that keeps the registry current.
    pub fn follower(&self) -> &Follower {
        &self.follower
    }

    /// Appends the events of a raw request body: one event (a JSON object) or a batch (an
    /// array), read with `limits`; see the module docs. The body is parsed and validated on the
    /// blocking pool.
    pub async fn append_bytes(
        &self,
        body: Vec<u8>,
        limits: JsonLimits,
    ) -> Result<AppendOutcome, AppendRejection> {
        let validated = self
            .gate
            .run(move || {
                let value: Value =
                    parse_json(&body, &limits).map_err(AppendRejection::Unreadable)?;
                validate(&value)
            })
            .await??;
        self.append_validated(validated).await
    }

    /// Appends one event or a batch already parsed as JSON (the NATS transport parses it
    /// itself); the value is copied to be validated on the blocking pool.
    pub async fn append(&self, body: &Value) -> Result<AppendOutcome, AppendRejection> {
        let body = body.clone();
        let validated = self.gate.run(move || validate(&body)).await??;
        self.append_validated(validated).await
    }

    /// Steps 2 to 7, for events that passed validation.
    async fn append_validated(
        &self,
        validated: Validated,
    ) -> Result<AppendOutcome, AppendRejection> {
        self.ensure_ready()?;
        let prepared = Prepared::assign_ids(validated);
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                self.catch_up().await?;
            }
            match self.run(&prepared, attempt > 0).await? {
                Step::Done(outcome, created) => {
                    let total = outcome.receipts().events.len();
                    crate::metrics::record_events("created", created);
                    crate::metrics::record_events("existing", total - created);
                    return Ok(outcome);
                }
                Step::Retry(why) => {
                    tracing::debug!(why, attempt, "the log moved; catching up and retrying");
                }
            }
        }
        // The last run may have met its own earlier send (10071 on one server, 10201): no claim
        // about what is in the log.
        Err(AppendRejection::Unavailable(
            "the log kept changing under this request; retry with the same ids (safe: an event \
             already in the log is answered with its sequence)"
                .to_owned(),
        ))
    }

    /// Refuses (`503`) while the log stream is not set up or the registry has not caught up
    /// with the log once since start.
    fn ensure_ready(&self) -> Result<(), AppendRejection> {
        if let Some(reason) = self.follower.wrong_log().or_else(|| self.state.problem()) {
            return Err(AppendRejection::Unavailable(format!(
                "{reason}; nothing was appended"
            )));
        }
        if !self.state.stream_ready() {
            return Err(AppendRejection::Unavailable(
                "the log cannot be reached yet (ingest is still setting up the log stream); \
                 nothing was appended, retry later"
                    .to_owned(),
            ));
        }
        if !self.state.caught_up() {
            return Err(AppendRejection::Unavailable(format!(
                "ingest is catching up with the log (applied up to sequence {}); nothing was \
                 appended, retry later",
                self.follower.applied()
            )));
        }
        Ok(())
    }

    /// One run of steps 3 to 7. `caught_up`: whether the registry was just caught up with the
    /// log, so that its answers are final.
    async fn run(&self, p: &Prepared, caught_up: bool) -> Result<Step, AppendRejection> {
        let mut plans = self.idempotency(p)?;
        if plans.iter().all(|plan| matches!(plan, Plan::Existing(_))) {
            return Ok(Step::already_appended(p, &plans));
        }
        if let Err(errors) = check_references_with(&p.events, &self.store, p.batch) {
            if !caught_up {
                return Ok(Step::Retry("a reference is unknown or conflicting"));
            }
            return Err(AppendRejection::Invalid(errors));
        }
        self.no_ops(p, &mut plans)?;
        let new: Vec<usize> = (0..plans.len())
            .filter(|&i| plans[i] == Plan::New)
            .collect();
        if new.is_empty() {
            return Ok(Step::already_appended(p, &plans));
        }
        self.refuse_mixed(p, &plans)?;
        let (outgoing, envelopes) = outgoing_events(p, &new)?;
        let applied_before = self.follower.applied();
        let sequences = match self.publish(p, &new, outgoing, &mut plans).await? {
            Published::At(sequences) => sequences,
            Published::Instead(step) => return Ok(step),
        };
        same_log(&new, &sequences, applied_before)?;
        let appended: Vec<(u64, &Envelope, &str)> = new
            .iter()
            .zip(&envelopes)
            .map(|(&i, envelope)| (sequences[i], envelope, p.digests[i].as_str()))
            .collect();
        self.record(&appended).await;
        Ok(Step::Done(
            AppendOutcome::Created(receipts(p, &plans, &sequences)),
            new.len(),
        ))
    }

    /// Step 5: publishes the new events (indices `new` of the request), one alone or several as
    /// an atomic batch, and returns the sequence of each by request index; or the step to take
    /// instead (the event is in the log already, or the log moved under us).
    async fn publish(
        &self,
        p: &Prepared,
        new: &[usize],
        mut outgoing: Vec<OutgoingEvent>,
        plans: &mut [Plan],
    ) -> Result<Published, AppendRejection> {
        if let [i] = new[..] {
            let event = outgoing.pop().expect("one message per new event");
            return self.publish_one(p, i, event, plans).await;
        }
        self.publish_batch(new, outgoing, plans.len()).await
    }

    /// Publishes event `i` alone (with its id as `Nats-Msg-Id`).
    async fn publish_one(
        &self,
        p: &Prepared,
        i: usize,
        event: OutgoingEvent,
        plans: &mut [Plan],
    ) -> Result<Published, AppendRejection> {
        match self.appender.append(event).await {
            Ok(appended) if !appended.duplicate => {
                let mut sequences = vec![0u64; plans.len()];
                sequences[i] = appended.sequence;
                Ok(Published::At(sequences))
            }
            Ok(appended) => {
                // Within JetStream's duplicate window: the id is in the log already.
                self.compare_stored(p, i, appended.sequence).await?;
                plans[i] = Plan::Existing(Receipt {
                    id: p.ids[i],
                    sequence: appended.sequence,
                });
                self.settle(appended.sequence).await;
                Ok(Published::Instead(Step::already_appended(p, plans)))
            }
            Err(e) if e.is_wrong_last_sequence() => Ok(Published::Instead(Step::Retry(
                "a registration lost a race",
            ))),
            Err(e) => Err(self.unavailable_or_other(e)),
        }
    }

    /// Publishes the events `new` (of a request of `len` events) as one atomic batch.
    async fn publish_batch(
        &self,
        new: &[usize],
        outgoing: Vec<OutgoingEvent>,
        len: usize,
    ) -> Result<Published, AppendRejection> {
        match self.appender.append_batch(outgoing).await {
            Ok(appended) => {
                let mut sequences = vec![0u64; len];
                for (&i, a) in new.iter().zip(appended) {
                    sequences[i] = a.sequence;
                }
                Ok(Published::At(sequences))
            }
            Err(e) if e.is_batch_duplicate() => Ok(Published::Instead(Step::Retry(
                "the batch holds an id already in the log",
            ))),
            Err(e) if e.is_wrong_last_sequence() => Ok(Published::Instead(Step::Retry(
                "a registration of the batch lost a race",
            ))),
            Err(e) => Err(self.unavailable_or_other(e)),
        }
    }

    /// Step 3: every event with a client id that is in the log already.
    fn idempotency(&self, p: &Prepared) -> Result<Vec<Plan>, AppendRejection> {
        let mut plans = Vec::with_capacity(p.events.len());
        let mut conflicts = Vec::new();
        for i in 0..p.events.len() {
            let id = p.ids[i];
            let record = if p.client_ids[i] {
                self.store.event_record(&id)?
            } else {
                None
            };
            match record {
                Some(r) if r.digest == p.digests[i] => plans.push(Plan::Existing(Receipt {
                    id,
                    sequence: r.sequence,
                })),
                Some(r) => {
                    conflicts.push(FieldError::conflict(
                        p.pointer(i, "/id"),
                        format!(
                            "event '{id}' is already in the log (sequence {}) with different \
                             content; an id names one event for good — use a new id",
                            r.sequence
                        ),
                    ));
                    plans.push(Plan::New);
                }
                None => plans.push(Plan::New),
            }
        }
        if conflicts.is_empty() {
            Ok(plans)
        } else {
            let detail = if conflicts.len() == 1 {
                conflicts[0].detail.clone()
            } else {
                format!(
                    "{} events are already in the log with different content",
                    conflicts.len()
                )
            };
            Err(AppendRejection::Conflict {
                detail,
                errors: conflicts,
            })
        }
    }

    /// Marks registrations identical to the one in force (or to an earlier one of the batch).
    fn no_ops(&self, p: &Prepared, plans: &mut [Plan]) -> Result<(), AppendRejection> {
        // The registrations still to be appended, by what they register: an equal later one is
        // answered like the first. Several per key only for rules re-created after a deletion.
        let mut to_append: HashMap<(EventType, &str), Vec<usize>> = HashMap::new();
        for (i, plan) in plans.iter_mut().enumerate() {
            if *plan != Plan::New {
                continue;
            }
            let event = &p.events[i].event;
            let in_force = match event {
                EventData::OrganizationRegistered(d) => self
                    .store
                    .organization_record(d.id.as_str())?
                    .filter(|r| r.data == *d)
                    .map(|r| r.at),
                EventData::PersonRegistered(d) => self
                    .store
                    .person_record(d.id.as_str())?
                    .filter(|r| r.data == *d)
                    .map(|r| r.at),
                EventData::RuleCreated(d) => self
                    .store
                    .rule_record(d.id.as_str())?
                    .filter(|r| !r.deleted && r.rule == *d)
                    .map(|r| r.at),
                _ => continue,
            };
            if let Some(at) = in_force {
                *plan = Plan::Noop(Receipt {
                    id: at.event_id,
                    sequence: at.sequence,
                });
                continue;
            }
            let Some(key) = event.subject_key() else {
                continue;
            };
            let earlier = to_append.entry((event.event_type(), key)).or_default();
            match earlier.iter().find(|&&j| p.events[j].event == *event) {
                Some(&j) => *plan = Plan::SameAs(j),
                None => earlier.push(i),
            }
        }
        Ok(())
    }

    /// Refuses a batch that mixes events already in the log with new ones.
    fn refuse_mixed(&self, p: &Prepared, plans: &[Plan]) -> Result<(), AppendRejection> {
        let existing: Vec<usize> = (0..plans.len())
            .filter(|&i| matches!(plans[i], Plan::Existing(_)))
            .collect();
        if existing.is_empty() {
            return Ok(());
        }
        let new: Vec<String> = (0..plans.len())
            .filter(|&i| plans[i] == Plan::New)
            .map(|i| format!("/{i}"))
            .collect();
        let errors: Vec<FieldError> = existing
            .iter()
            .map(|&i| {
                FieldError::conflict(
                    p.pointer(i, "/id"),
                    format!("event '{}' is already in the log", p.ids[i]),
                )
            })
            .collect();
        Err(AppendRejection::Conflict {
            detail: format!(
                "this batch mixes {} event(s) already in the log with new ones ({}); a batch is \
                 appended whole or not at all — send the new events alone",
                existing.len(),
                new.join(", ")
            ),
            errors,
        })
    }

    /// After a duplicate acknowledgement: is the stored event the same as event `i`?
    async fn compare_stored(
        &self,
        p: &Prepared,
        i: usize,
        sequence: u64,
    ) -> Result<(), AppendRejection> {
        let entry = liaison_log::get(&self.js, sequence)
            .await
            .map_err(|e| AppendRejection::Unavailable(format!("cannot read the log: {e}")))?
            .ok_or_else(|| {
                AppendRejection::Internal(format!("acknowledged sequence {sequence} not found"))
            })?;
        let stored: Envelope = serde_json::from_slice(&entry.payload).map_err(|e| {
            AppendRejection::Internal(format!("entry {sequence} is not an envelope: {e}"))
        })?;
        if stored.digest() == p.digests[i] {
            Ok(())
        } else {
            let id = p.ids[i];
            let detail = format!(
                "event '{id}' is already in the log (sequence {sequence}) with different content; \
                 an id names one event for good — use a new id"
            );
            Err(AppendRejection::Conflict {
                errors: vec![FieldError::conflict(p.pointer(i, "/id"), detail.clone())],
                detail,
            })
        }
    }

    /// Step 6: records `appended` in the registry, or, when that cannot be done ahead of the
    /// follower, waits (bounded) until the follower has applied them.
    async fn record(&self, appended: &[(u64, &Envelope, &str)]) {
        let last = appended.iter().map(|a| a.0).max().unwrap_or(0);
        self.follower.observe_log_sequence(last);
        if appended
            .iter()
            .all(|(_, envelope, _)| RegistryApplier::can_record_ahead(envelope))
        {
            match self.applier.record_appended(appended) {
                Ok(()) => return,
                Err(error) => tracing::warn!(
                    %error,
                    last,
                    "cannot record the appended events in the registry; waiting for the follower"
                ),
            }
        }
        self.settle(last).await;
    }

    /// Waits (bounded) until the follower applied `sequence`.
    async fn settle(&self, sequence: u64) {
        self.follower.observe_log_sequence(sequence);
        if !self.follower.wait_applied(sequence, self.apply_wait).await {
            tracing::warn!(
                sequence,
                applied = self.follower.applied(),
                "appended, but the registry has not applied it yet; answering anyway"
            );
        }
    }

    /// Waits until the registry has applied the whole log as it is now. Called after a run that
    /// met the log moving, which may have been this request's own earlier send, so its errors
    /// claim nothing about what is in the log.
    async fn catch_up(&self) -> Result<(), AppendRejection> {
        let cannot = |why: &str| {
            AppendRejection::Unavailable(format!(
                "ingest cannot catch up with the log ({why}); retry with the same ids (safe: an \
                 event already in the log is answered with its sequence)"
            ))
        };
        if self.client.connection_state() != State::Connected {
            return Err(cannot("not connected to NATS"));
        }
        let last = tokio::time::timeout(self.catch_up_wait, liaison_log::last_sequence(&self.js))
            .await
            .map_err(|_| cannot("the log did not answer in time"))?
            .map_err(|e| cannot(&e.to_string()))?;
        self.follower.observe_log_sequence(last);
        if self.follower.wait_applied(last, self.catch_up_wait).await {
            Ok(())
        } else {
            Err(cannot(&format!(
                "applied {} of {last}",
                self.follower.applied()
            )))
        }
    }

    /// The answer to a failed publish, by what it means for the events (the table of
    /// docs/decisions/020-unknown-outcomes.md). Failed expectations and known ids were turned into
    /// a new run by the caller already.
    fn unavailable_or_other(&self, e: AppendError) -> AppendRejection {
        if matches!(e, AppendError::NoStream { .. }) {
            self.state.request_ensure();
        }
        rejection_of(&e)
    }
}

/// The answer to a publish that failed with `e`, by its [`Outcome`].
fn rejection_of(e: &AppendError) -> AppendRejection {
    match e.outcome() {
        Outcome::Unknown => AppendRejection::Unknown(format!(
            "{e}; the events may or may not have been appended — retrying with the same ids is \
             safe and tells (an event already in the log is answered with its sequence)"
        )),
        Outcome::NotAppended => AppendRejection::Unavailable(format!(
            "the log cannot take the append now ({e}); nothing was appended — retrying with the \
             same ids is safe"
        )),
        Outcome::Refused(Refusal::TooLarge | Refusal::BatchTooLarge) => {
            AppendRejection::TooLarge(format!("larger than the log accepts: {e}"))
        }
        Outcome::Refused(Refusal::WrongLastSequence | Refusal::Other)
        | Outcome::AlreadyAppended => {
            AppendRejection::RefusedByLog(format!("{e}; nothing was appended"))
        }
    }
}

/// The log messages of the new events (indices `new` of the request), with their envelopes.
fn outgoing_events(
    p: &Prepared,
    new: &[usize],
) -> Result<(Vec<OutgoingEvent>, Vec<Envelope>), AppendRejection> {
    let recorded_at = Utc::now();
    let mut outgoing = Vec::with_capacity(new.len());
    let mut envelopes = Vec::with_capacity(new.len());
    for &i in new {
        let envelope = Envelope::with_id(p.events[i].clone(), p.ids[i], INGEST_SOURCE, recorded_at);
        let payload = serde_json::to_vec(&envelope)
            .map_err(|e| AppendRejection::Internal(format!("cannot encode an envelope: {e}")))?;
        let mut event = OutgoingEvent::new(
            envelope.subject(),
            p.ids[i].to_string(),
            Bytes::from(payload),
        );
        event
            .headers
            .insert("Content-Type", "application/cloudevents+json");
        if envelope.event_type().is_registration() {
            event.expected_last_subject_sequence = Some(0);
        }
        outgoing.push(event);
        envelopes.push(envelope);
    }
    Ok((outgoing, envelopes))
}

/// Every entry of the log this instance applied before an append is below what the append
/// gets; an acknowledgement at or below that comes from another log (deleted and created again,
/// docs/decisions/010-the-log-has-an-identity.md) and must never become a `201`.
fn same_log(new: &[usize], sequences: &[u64], applied_before: u64) -> Result<(), AppendRejection> {
    match new.iter().map(|&i| sequences[i]).min() {
        Some(first) if first <= applied_before => Err(AppendRejection::Unavailable(format!(
            "the log acknowledged sequence {first}, at or below what this ingest applied already \
             ({applied_before}): it is not the log the services hold (deleted and created \
             again?); the events may be in that other log, and are not acknowledged"
        ))),
        _ => Ok(()),
    }
}

/// The receipts of `plans`, with `sequences` of the events appended now.
fn receipts(p: &Prepared, plans: &[Plan], sequences: &[u64]) -> Vec<Receipt> {
    let of = |i: usize| match plans[i] {
        Plan::Existing(r) | Plan::Noop(r) => r,
        Plan::SameAs(_) | Plan::New => Receipt {
            id: p.ids[i],
            sequence: sequences.get(i).copied().unwrap_or(0),
        },
    };
    (0..plans.len())
        .map(|i| match plans[i] {
            Plan::SameAs(j) => of(j),
            _ => of(i),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! The answer to every failure of the publish, over HTTP and over NATS
    //! (docs/decisions/020-unknown-outcomes.md).

    use std::time::Duration;

    use axum::response::IntoResponse;
    use liaison_log::PUBLISH_CODES;
    use liaison_runtime::request_reply::{STATUS_HEADER, reply_parts};

    use super::*;

    /// The HTTP status, `Retry-After` and detail of the answer to `e`, checked to be the same
    /// over NATS.
    fn answer(e: &AppendError) -> (u16, Option<String>, String) {
        let problem = rejection_of(e).into_problem();
        let detail = problem.detail.clone();
        let (nats, _) = reply_parts(Err(problem.clone()), RETRY_AFTER_SECONDS, |_| {});
        let http = problem.into_response();
        let retry_after = http
            .headers()
            .get("Retry-After")
            .map(|v| v.to_str().expect("ascii").to_owned());
        assert_eq!(
            nats.get(STATUS_HEADER).map(|v| v.as_str().to_owned()),
            Some(http.status().as_u16().to_string()),
            "{e}"
        );
        assert_eq!(
            nats.get("Retry-After").map(|v| v.as_str().to_owned()),
            retry_after,
            "{e}"
        );
        (http.status().as_u16(), retry_after, detail)
    }

    fn rejected(status: u16, err_code: u64) -> AppendError {
        AppendError::Rejected {
            status,
            err_code,
            description: "as the server says".into(),
        }
    }

    const MAY_OR_MAY_NOT: &str = "may or may not have been appended";
    const NOTHING: &str = "nothing was appended";

    #[test]
    fn an_unknown_outcome_is_a_503_with_retry_after_never_a_claim() {
        let unknown = [
            rejected(409, 10158),
            rejected(503, 10063),
            rejected(500, 19999),
            AppendError::NoAck {
                waited: Duration::from_secs(6),
                attempts: 3,
            },
            AppendError::Unsettled {
                waited: Duration::from_secs(6),
                attempts: 3,
                last: "duplicate message id is in process (error code 10158)".into(),
            },
            AppendError::Protocol("an unreadable acknowledgement".into()),
        ];
        for e in &unknown {
            let (status, retry_after, detail) = answer(e);
            assert_eq!(status, 503, "{e}");
            assert_eq!(retry_after, Some(RETRY_AFTER_SECONDS.to_string()), "{e}");
            assert!(detail.contains(MAY_OR_MAY_NOT), "{detail}");
            assert!(detail.contains("same ids is safe and tells"), "{detail}");
            assert!(!detail.contains(NOTHING), "{detail}");
        }
    }

    #[test]
    fn a_log_that_cannot_take_the_append_is_a_503_saying_nothing_was_appended() {
        let not_appended = [
            rejected(503, 10008),
            rejected(503, 10023),
            rejected(500, 10118),
            rejected(400, 10176),
            rejected(429, 10167),
            AppendError::Unreachable,
            AppendError::NoStream {
                subject: "liaison.events.x".into(),
            },
        ];
        for e in &not_appended {
            let (status, retry_after, detail) = answer(e);
            assert_eq!(status, 503, "{e}");
            assert_eq!(retry_after, Some(RETRY_AFTER_SECONDS.to_string()), "{e}");
            assert!(detail.contains(NOTHING), "{detail}");
        }
    }

    #[test]
    fn a_refusal_of_the_log_says_nothing_was_appended_and_names_its_code() {
        for e in [
            rejected(400, 10054),
            rejected(400, 10097),
            rejected(400, 10199),
        ] {
            let (status, retry_after, _) = answer(&e);
            assert_eq!((status, retry_after), (413, None), "{e}");
        }
        assert_eq!(answer(&AppendError::TooLarge("max payload".into())).0, 413);
        for e in [
            rejected(400, 10109),
            rejected(400, 10166),
            rejected(400, 19999),
        ] {
            let (status, retry_after, detail) = answer(&e);
            assert_eq!((status, retry_after), (500, None), "{e}");
            assert!(detail.contains(NOTHING), "{detail}");
            assert!(detail.contains(&format!("error code {}", e.err_code().unwrap())));
        }
    }

    #[test]
    fn every_code_of_the_table_is_answered_by_its_outcome() {
        for known in PUBLISH_CODES {
            let e = rejected(known.status, known.err_code);
            let (status, retry_after, detail) = answer(&e);
            match known.outcome {
                Outcome::Unknown => {
                    assert_eq!(status, 503, "{known:?}");
                    assert!(detail.contains(MAY_OR_MAY_NOT), "{known:?}");
                }
                Outcome::NotAppended => assert_eq!(status, 503, "{known:?}"),
                Outcome::Refused(Refusal::TooLarge | Refusal::BatchTooLarge) => {
                    assert_eq!(status, 413, "{known:?}");
                }
                // 10071 and 10201 make the operation catch up and run again before this.
                Outcome::Refused(_) | Outcome::AlreadyAppended => {
                    assert_eq!(status, 500, "{known:?}");
                }
            }
            assert_eq!(retry_after.is_some(), status == 503, "{known:?}");
            // "Nothing was appended" only where it is known.
            if detail.contains(NOTHING) || status == 500 {
                assert!(
                    known.outcome.nothing_appended() || known.outcome == Outcome::AlreadyAppended,
                    "{known:?}: {detail}"
                );
            }
        }
    }
}
