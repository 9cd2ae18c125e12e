//! The append operation, independent of the transport: HTTP (`POST /v1/events`) and NATS
//! request-reply (`liaison.ingest.append`) both hand it a parsed JSON body and turn its typed
//! answer into a status and a body.
//!
//! The steps, for one event or a batch:
//!
//! 1. validate the body through the contract crate (`422` with a pointer for every problem);
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
//! When the log cannot be reached the answer is `503` and nothing was appended (or, when an
//! acknowledgement was lost, the outcome is unknown and a retry with the same ids tells).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_nats::connection::State;
use async_nats::jetstream;
use axum::http::StatusCode;
use bytes::Bytes;
use chrono::Utc;
use liaison_log::follower::Follower;
use liaison_log::{
    AppendError, Appender, ERR_BATCH_INCOMPLETE, ERR_MESSAGE_TOO_LARGE, OutgoingEvent,
};
use liaison_proto::envelope::INGEST_SOURCE;
use liaison_proto::validate::{FieldError, ValidationErrors, check_references_with, is_batch};
use liaison_proto::{ClientEvent, Envelope, EventData, validate_submission};
use liaison_runtime::Problem;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::registry::{RegistryError, RegistryStore};
use crate::registry_model::RegistryApplier;

/// Seconds a client should wait before retrying after a `503`.
pub const RETRY_AFTER_SECONDS: u64 = 2;

/// How many times the operation runs (catching up with the log in between) before it gives up.
const ATTEMPTS: usize = 3;

/// Where one event of a request is in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The event's id (the client's, or the one ingest generated).
    pub id: Uuid,
    /// Its global position in the log.
    pub sequence: u64,
}

/// The body of a successful answer: `{"events": [{"id", "sequence"}]}`, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipts {
    /// One receipt per submitted event.
    pub events: Vec<Receipt>,
}

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

/// Why an append was refused. Nothing was appended.
#[derive(Debug, thiserror::Error)]
pub enum AppendRejection {
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
    /// Something that should not happen (`500`); details are logged.
    #[error("internal: {0}")]
    Internal(String),
}

impl AppendRejection {
    /// The RFC 9457 problem document to answer.
    pub fn into_problem(self) -> Problem {
        match self {
            Self::Invalid(errors) => {
                let problem = Problem::unprocessable(to_runtime(errors.errors()));
                if errors.is_conflict() {
                    // `check_references` reports conflicts through the same type.
                    let detail = problem.detail.clone();
                    conflict_problem(detail, problem.errors.clone())
                } else {
                    problem
                }
            }
            Self::Conflict { detail, errors } => conflict_problem(detail, to_runtime(&errors)),
            Self::TooLarge(detail) => Problem::payload_too_large(detail),
            Self::Unavailable(detail) => Problem::unavailable(detail, Some(RETRY_AFTER_SECONDS)),
            Self::Internal(detail) => {
                tracing::error!(%detail, "append failed");
                Problem::internal("the append failed on the server; nothing was appended")
            }
        }
    }
}

fn conflict_problem(detail: String, errors: Vec<liaison_runtime::FieldError>) -> Problem {
    let mut problem = Problem::conflict(detail);
    problem.errors = errors;
    problem
}

fn to_runtime(errors: &[FieldError]) -> Vec<liaison_runtime::FieldError> {
    errors
        .iter()
        .map(|e| liaison_runtime::FieldError::new(e.pointer.clone(), e.detail.clone()))
        .collect()
}

impl From<RegistryError> for AppendRejection {
    fn from(e: RegistryError) -> Self {
        Self::Internal(format!("registry: {e}"))
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

/// A validated request with its ids assigned.
struct Prepared {
    events: Vec<ClientEvent>,
    ids: Vec<Uuid>,
    client_ids: Vec<bool>,
    digests: Vec<String>,
    batch: bool,
}

impl Prepared {
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
            apply_wait,
            catch_up_wait,
        }
    }

    /// The follower that keeps the registry current.
    pub fn follower(&self) -> &Follower {
        &self.follower
    }

    /// Appends one event (a JSON object) or a batch (an array); see the module docs.
    pub async fn append(&self, body: &Value) -> Result<AppendOutcome, AppendRejection> {
        let batch = is_batch(body);
        let mut events = validate_submission(body).map_err(AppendRejection::Invalid)?;
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
        let client_ids: Vec<bool> = events.iter().map(|e| e.id.is_some()).collect();
        let ids: Vec<Uuid> = events
            .iter_mut()
            .map(|e| *e.id.get_or_insert_with(Uuid::now_v7))
            .collect();
        let digests = events.iter().map(ClientEvent::digest).collect();

        let prepared = Prepared {
            events,
            ids,
            client_ids,
            digests,
            batch,
        };
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
        Err(AppendRejection::Unavailable(
            "the log kept changing under this request; nothing was appended, retry with the \
             same ids"
                .to_owned(),
        ))
    }

    /// One run of steps 3 to 7. `caught_up`: whether the registry was just caught up with the
    /// log, so that its answers are final.
    async fn run(&self, p: &Prepared, caught_up: bool) -> Result<Step, AppendRejection> {
        let mut plans = self.idempotency(p)?;
        if plans.iter().all(|plan| matches!(plan, Plan::Existing(_))) {
            return Ok(Step::Done(
                AppendOutcome::AlreadyAppended(receipts(p, &plans, &[])),
                0,
            ));
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
            return Ok(Step::Done(
                AppendOutcome::AlreadyAppended(receipts(p, &plans, &[])),
                0,
            ));
        }
        self.refuse_mixed(p, &plans)?;

        let recorded_at = Utc::now();
        let mut outgoing = Vec::with_capacity(new.len());
        let mut envelopes = Vec::with_capacity(new.len());
        for &i in &new {
            let envelope =
                Envelope::with_id(p.events[i].clone(), p.ids[i], INGEST_SOURCE, recorded_at);
            let mut event = OutgoingEvent::new(
                envelope.subject(),
                p.ids[i].to_string(),
                Bytes::from(serde_json::to_vec(&envelope).map_err(|e| {
                    AppendRejection::Internal(format!("cannot encode an envelope: {e}"))
                })?),
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

        // Every entry of the log this instance already applied is below what it appends now;
        // an acknowledgement at or below that comes from another log (deleted and created
        // again) and must not become a `201`.
        let applied_before = self.follower.applied();
        let mut sequences = vec![0u64; plans.len()];
        if let [i] = new[..] {
            let event = outgoing.pop().expect("one event");
            match self.appender.append(event).await {
                Ok(appended) if !appended.duplicate => sequences[i] = appended.sequence,
                Ok(appended) => {
                    // Within JetStream's duplicate window: the id is in the log already.
                    self.compare_stored(p, i, appended.sequence).await?;
                    plans[i] = Plan::Existing(Receipt {
                        id: p.ids[i],
                        sequence: appended.sequence,
                    });
                    self.settle(appended.sequence).await;
                    return Ok(Step::Done(
                        AppendOutcome::AlreadyAppended(receipts(p, &plans, &[])),
                        0,
                    ));
                }
                Err(e) if e.is_wrong_last_sequence() => {
                    return Ok(Step::Retry("a registration lost a race"));
                }
                Err(e) => return Err(self.unavailable_or_other(e)),
            }
        } else {
            match self.appender.append_batch(outgoing).await {
                Ok(appended) => {
                    for (&i, a) in new.iter().zip(appended) {
                        sequences[i] = a.sequence;
                    }
                }
                Err(e) if e.is_batch_duplicate() => {
                    return Ok(Step::Retry("the batch holds an id already in the log"));
                }
                Err(e) if e.is_wrong_last_sequence() => {
                    return Ok(Step::Retry("a registration of the batch lost a race"));
                }
                Err(e) => return Err(self.unavailable_or_other(e)),
            }
        }
        if let Some(first) = new.iter().map(|&i| sequences[i]).min()
            && first <= applied_before
        {
            return Err(AppendRejection::Unavailable(format!(
                "the log acknowledged sequence {first}, at or below what this ingest applied                  already ({applied_before}): it is not the log the services hold (deleted and                  created again?); the events may be in that other log, and are not acknowledged"
            )));
        }
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
        for i in 0..p.events.len() {
            if plans[i] != Plan::New {
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
                plans[i] = Plan::Noop(Receipt {
                    id: at.event_id,
                    sequence: at.sequence,
                });
            } else if let Some(j) =
                (0..i).find(|&j| plans[j] == Plan::New && p.events[j].event == *event)
            {
                plans[i] = Plan::SameAs(j);
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

    /// Waits until the registry has applied the whole log as it is now.
    async fn catch_up(&self) -> Result<(), AppendRejection> {
        if self.client.connection_state() != State::Connected {
            return Err(unreachable_log("not connected to NATS"));
        }
        let last = tokio::time::timeout(self.catch_up_wait, liaison_log::last_sequence(&self.js))
            .await
            .map_err(|_| unreachable_log("the log did not answer in time"))?
            .map_err(|e| unreachable_log(&e.to_string()))?;
        self.follower.observe_log_sequence(last);
        if self.follower.wait_applied(last, self.catch_up_wait).await {
            Ok(())
        } else {
            Err(AppendRejection::Unavailable(format!(
                "ingest is catching up with the log (applied {} of {last}); nothing was \
                 appended, retry later",
                self.follower.applied()
            )))
        }
    }

    fn unavailable_or_other(&self, e: AppendError) -> AppendRejection {
        if matches!(e, AppendError::NoStream { .. }) {
            self.state.request_ensure();
        }
        match &e {
            AppendError::NoAck { .. } => AppendRejection::Unavailable(format!(
                "{e}; the events may or may not have been appended — retrying with the same ids \
                 is safe and tells"
            )),
            e if e.is_unavailable() || e.err_code() == Some(ERR_BATCH_INCOMPLETE) => {
                unreachable_log(&e.to_string())
            }
            e if e.err_code() == Some(ERR_MESSAGE_TOO_LARGE) => {
                AppendRejection::TooLarge(format!("an event is larger than the log accepts: {e}"))
            }
            AppendError::Invalid(message) if message.contains("max payload") => {
                AppendRejection::TooLarge(format!("an event is larger than NATS accepts: {e}"))
            }
            e => AppendRejection::Internal(e.to_string()),
        }
    }
}

fn unreachable_log(why: &str) -> AppendRejection {
    AppendRejection::Unavailable(format!(
        "the log cannot be reached ({why}); nothing was appended — retrying with the same ids \
         is safe"
    ))
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
