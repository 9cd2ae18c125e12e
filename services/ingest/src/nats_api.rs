//! The append operation as NATS request-reply, for clients that speak NATS rather than HTTP.
//!
//! Subject [`INGEST_APPEND`] (`liaison.ingest.append`), queue group [`INGEST_QUEUE`]
//! (`liaison-ingest`), so that every ingest instance shares the load. The request body is the same
//! JSON as `POST /v1/events`; an optional `Content-Type` header must be JSON, and when an API token
//! is configured the request needs the header `Authorization: Bearer <token>`. The reply carries
//! the HTTP-equivalent status in the header [`STATUS_HEADER`] (`201`, `200`, `400`, …), a
//! `Content-Type` (`application/json` or `application/problem+json`) and the same body as the
//! HTTP answer; a `503` also carries `Retry-After`.
//!
//! Two guards keep a requester from turning ingest against the system:
//! - replies go only to inboxes ([`is_reply_subject_allowed`]): a request whose reply subject
//!   is under `liaison.` or `$` (the log itself, the JetStream and system APIs), or that has
//!   none, is dropped unanswered and unapplied, with a warning and a count in [`DROPPED`];
//! - at most [`NatsLimits::max_in_flight`] requests are handled at once; one more is answered
//!   at once with `503` and `Retry-After` (counted in [`BUSY`]), nothing appended, instead of
//!   waiting in an unbounded queue.

use std::sync::Arc;
use std::time::Instant;

use async_nats::{HeaderMap, Message, Subject};
use axum::http::{HeaderMap as HttpHeaders, HeaderValue, StatusCode, header};
use futures::StreamExt;
use liaison_proto::subjects::{INGEST_APPEND, INGEST_QUEUE, is_reply_subject_allowed};
use liaison_runtime::Problem;
use liaison_runtime::auth::BearerAuthLayer;
use liaison_runtime::json_body::{JsonLimits, check_content_type, parse_json};
use liaison_runtime::problem::PROBLEM_JSON;
use liaison_runtime::shutdown::Shutdown;
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::append::{AppendOutcome, Ingest, RETRY_AFTER_SECONDS};
use crate::metrics;

/// The reply header holding the HTTP-equivalent status code.
pub const STATUS_HEADER: &str = "Status";
/// Append requests dropped unanswered, labelled `reason` (`no_reply`: a publish, not a request;
/// `reply_subject`: the reply subject is not an inbox).
pub const DROPPED: &str = "liaison_ingest_nats_requests_dropped_total";
/// Append requests answered `503` because the instance handled its bound of requests already.
pub const BUSY: &str = "liaison_ingest_nats_requests_busy_total";

/// Bounds of the NATS API that an operator may tune.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NatsLimits {
    /// Append requests handled at once.
    pub max_in_flight: usize,
}

impl NatsLimits {
    /// The default bound of requests in flight.
    pub const DEFAULT_MAX_IN_FLIGHT: usize = 64;
}

impl Default for NatsLimits {
    fn default() -> Self {
        Self {
            max_in_flight: Self::DEFAULT_MAX_IN_FLIGHT,
        }
    }
}

/// [`serve_with`] the default [`NatsLimits`].
pub async fn serve(
    client: async_nats::Client,
    ingest: Ingest,
    limits: JsonLimits,
    auth: BearerAuthLayer,
    shutdown: Shutdown,
) {
    serve_with(
        client,
        ingest,
        limits,
        auth,
        shutdown,
        NatsLimits::default(),
    )
    .await;
}

/// Serves [`INGEST_APPEND`] until `shutdown`: subscribes in the queue group (the client keeps the
/// subscription across reconnections) and answers each request in its own task, at most
/// `bounds.max_in_flight` at once.
pub async fn serve_with(
    client: async_nats::Client,
    ingest: Ingest,
    limits: JsonLimits,
    auth: BearerAuthLayer,
    shutdown: Shutdown,
    bounds: NatsLimits,
) {
    let mut subscriber = loop {
        match client
            .queue_subscribe(INGEST_APPEND, INGEST_QUEUE.to_owned())
            .await
        {
            Ok(subscriber) => break subscriber,
            Err(error) => {
                tracing::warn!(%error, subject = INGEST_APPEND, "cannot subscribe; retrying");
                tokio::select! {
                    () = shutdown.wait() => return,
                    () = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                }
            }
        }
    };
    tracing::info!(
        subject = INGEST_APPEND,
        queue = INGEST_QUEUE,
        "serving appends over NATS"
    );
    let auth = Arc::new(auth);
    let permits = Arc::new(Semaphore::new(bounds.max_in_flight));
    let mut inflight = JoinSet::new();
    loop {
        let message = tokio::select! {
            () = shutdown.wait() => break,
            message = subscriber.next() => message,
        };
        let Some(message) = message else { break };
        while inflight.try_join_next().is_some() {}
        let Some(reply) = inbox(&message) else {
            continue;
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            ::metrics::counter!(BUSY).increment(1);
            let busy = Problem::unavailable(
                format!(
                    "this ingest instance is handling its bound of {} append requests; retry",
                    bounds.max_in_flight
                ),
                Some(RETRY_AFTER_SECONDS),
            );
            let (status, headers, body) = reply_parts(Err(busy));
            metrics::record_answer("nats", status, std::time::Duration::ZERO);
            send(&client, reply, headers, body).await;
            continue;
        };
        let (client, ingest, auth) = (client.clone(), ingest.clone(), auth.clone());
        inflight.spawn(async move {
            let started = Instant::now();
            let (status, headers, body) = answer(&ingest, &limits, &auth, &message).await;
            metrics::record_answer("nats", status, started.elapsed());
            send(&client, reply, headers, body).await;
            drop(permit);
        });
    }
    let _ = subscriber.unsubscribe().await;
    // As before the bound, requests being handled finish on their own (not awaited here).
    inflight.detach_all();
}

/// The reply subject of `message`, when it is one a service may answer on; otherwise the
/// request is dropped, with a warning and a count.
fn inbox(message: &Message) -> Option<Subject> {
    let (reason, subject) = match &message.reply {
        Some(reply) if is_reply_subject_allowed(reply) => return Some(reply.clone()),
        Some(reply) => ("reply_subject", reply.as_str()),
        None => ("no_reply", ""),
    };
    ::metrics::counter!(DROPPED, "reason" => reason).increment(1);
    let shown: String = subject.chars().take(128).collect();
    tracing::warn!(
        reply = %shown,
        reason,
        "dropping an append request: replies go only to inbox subjects"
    );
    None
}

async fn send(client: &async_nats::Client, reply: Subject, headers: HeaderMap, body: bytes::Bytes) {
    if let Err(error) = client.publish_with_headers(reply, headers, body).await {
        tracing::warn!(%error, "cannot send the reply to an append request");
    }
}

/// The status, headers and body answering one request.
async fn answer(
    ingest: &Ingest,
    limits: &JsonLimits,
    auth: &BearerAuthLayer,
    message: &Message,
) -> (StatusCode, HeaderMap, bytes::Bytes) {
    let result = async {
        let headers = message.headers.as_ref();
        let authorization = headers
            .and_then(|h| h.get("Authorization"))
            .map(|v| v.as_str().as_bytes());
        auth.authorize(authorization)?;
        if let Some(content_type) = headers.and_then(|h| h.get("Content-Type")) {
            let mut http = HttpHeaders::new();
            if let Ok(value) = HeaderValue::from_str(content_type.as_str()) {
                http.insert(header::CONTENT_TYPE, value);
            }
            check_content_type(&http)?;
        }
        let body: Value = parse_json(&message.payload, limits)?;
        let outcome = ingest.append(&body).await.map_err(|r| r.into_problem())?;
        Ok::<_, Problem>(outcome)
    }
    .await;
    reply_parts(result)
}

/// The status, headers and body of the reply to an outcome or a problem.
fn reply_parts(result: Result<AppendOutcome, Problem>) -> (StatusCode, HeaderMap, bytes::Bytes) {
    let mut headers = HeaderMap::new();
    let (status, body) = match result {
        Ok(outcome) => {
            headers.insert("Content-Type", "application/json");
            let body = serde_json::to_vec(&outcome.receipts()).expect("receipts serialize");
            (outcome.status(), body)
        }
        Err(problem) => {
            headers.insert("Content-Type", PROBLEM_JSON);
            if let Some(seconds) = problem.retry_after {
                headers.insert("Retry-After", seconds.to_string().as_str());
            } else if problem.status == 503 {
                headers.insert("Retry-After", RETRY_AFTER_SECONDS.to_string().as_str());
            }
            let body = serde_json::to_vec(&problem).expect("problems serialize");
            (problem.status_code(), body)
        }
    };
    headers.insert(STATUS_HEADER, status.as_u16().to_string().as_str());
    (status, headers, body.into())
}
