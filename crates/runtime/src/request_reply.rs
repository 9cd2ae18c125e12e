//! Serving a NATS request-reply API the same way in every service: ingest's
//! `liaison.ingest.append`, the projection's `liaison.query.*`.
//!
//! The reply convention is the HTTP API's: the body is the same JSON (or problem+json), the status
//! code travels in the [`STATUS_HEADER`], with `Content-Type` and, for a `503`, `Retry-After`.
//! Two guards keep a requester from turning a service against the system (issue 11):
//! - replies go only to inboxes ([`is_reply_subject_allowed`]): a request whose reply subject is
//!   under `liaison.` or `$` (the log, the JetStream and system APIs), or that has none, is dropped
//!   unanswered, with a warning and a count in [`DROPPED`];
//! - at most [`RequestLimits::max_in_flight`] requests are handled at once, over every subject
//!   of the service; one more is answered at once with `503` and `Retry-After` (counted in
//!   [`BUSY`]) instead of waiting in an unbounded queue.
//!
//! Subscriptions are made in the service's queue group (so instances share the load), retried
//! while NATS is away, and drained on shutdown so that requests already received are answered.

use std::future::Future;
use std::sync::Arc;

use async_nats::{Client, HeaderMap, Message, Subject};
use axum::http::StatusCode;
use bytes::Bytes;
use futures::StreamExt;
use liaison_proto::problem::PROBLEM_JSON;
use liaison_proto::subjects::is_reply_subject_allowed;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::problem::Problem;
use crate::shutdown::Shutdown;

/// The reply header holding the HTTP-equivalent status code.
pub const STATUS_HEADER: &str = "Status";
/// Requests dropped unanswered, labelled `service`, `subject` and `reason` (`no_reply`: a
/// publish, not a request; `reply_subject`: the reply subject is not an inbox).
pub const DROPPED: &str = "liaison_nats_requests_dropped_total";
/// Requests answered `503` at once because the service handled its bound of requests already,
/// labelled `service` and `subject`.
pub const BUSY: &str = "liaison_nats_requests_busy_total";

/// How many requests a service handles at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLimits {
    /// Requests handled at once, over every subject of the service.
    pub max_in_flight: usize,
    /// The `Retry-After` of a busy answer, in seconds.
    pub retry_after_seconds: u64,
}

/// A reply: the body of a success, or a problem document.
pub type Reply = Result<Reply200, Problem>;

/// A successful reply: its status (`200`, `201`, …) and JSON body.
#[derive(Debug, Clone)]
pub struct Reply200 {
    /// The HTTP-equivalent status.
    pub status: StatusCode,
    /// The JSON body.
    pub body: Bytes,
}

impl Reply200 {
    /// `200` with `body`.
    pub fn ok(body: impl Into<Bytes>) -> Self {
        Self {
            status: StatusCode::OK,
            body: body.into(),
        }
    }
}

/// What a service answers its requests with.
pub trait Responder: Send + Sync + 'static {
    /// The reply to `request`, which arrived on the subject named `name`.
    fn respond(&self, name: &'static str, request: Message) -> impl Future<Output = Reply> + Send;

    /// Headers every reply of this service carries (e.g. the answering instance's id).
    fn headers(&self, _headers: &mut HeaderMap) {}
}

/// One subscription: a subject, and the short name the responder and the metrics know it by.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The subject requests arrive on.
    pub subject: String,
    /// A short name for the responder and the metrics (`append`, `relationship`, …).
    pub name: &'static str,
}

/// Serves `endpoints` in the queue group `queue` with `responder` until `shutdown`; then drains
/// the subscriptions, answers what they hold, and flushes the replies.
pub async fn serve<R: Responder>(
    service: &'static str,
    client: Client,
    queue: &'static str,
    endpoints: Vec<Endpoint>,
    responder: R,
    limits: RequestLimits,
    shutdown: Shutdown,
) {
    let server = Arc::new(Server {
        service,
        client,
        responder,
        permits: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
        limits,
    });
    let mut subscriptions = JoinSet::new();
    for endpoint in endpoints {
        let (server, shutdown) = (server.clone(), shutdown.clone());
        subscriptions.spawn(async move { server.serve(endpoint, queue, shutdown).await });
    }
    while subscriptions.join_next().await.is_some() {}
    // The replies are buffered in the client: send them before the connection goes away.
    if let Err(e) = server.client.flush().await {
        tracing::warn!(service, error = %e, "cannot flush the last replies");
    }
}

struct Server<R> {
    service: &'static str,
    client: Client,
    responder: R,
    permits: Arc<Semaphore>,
    limits: RequestLimits,
}

impl<R: Responder> Server<R> {
    async fn serve(self: Arc<Self>, endpoint: Endpoint, queue: &'static str, shutdown: Shutdown) {
        let Some(mut subscriber) = self.subscribe(&endpoint, queue, &shutdown).await else {
            return;
        };
        let mut inflight = JoinSet::new();
        loop {
            tokio::select! {
                () = shutdown.wait() => break,
                message = subscriber.next() => match message {
                    Some(message) => self.clone().dispatch(&endpoint, message, &mut inflight).await,
                    None => break,
                },
            }
        }
        // Drain: no new requests come here (the queue group sends them to the other
        // instances), and those already delivered are still answered.
        let _ = subscriber.drain().await;
        while let Some(message) = subscriber.next().await {
            self.clone()
                .dispatch(&endpoint, message, &mut inflight)
                .await;
        }
        while inflight.join_next().await.is_some() {}
    }

    /// Subscribes in the queue group, retrying while NATS is away; `None` on shutdown.
    async fn subscribe(
        &self,
        endpoint: &Endpoint,
        queue: &'static str,
        shutdown: &Shutdown,
    ) -> Option<async_nats::Subscriber> {
        loop {
            match self
                .client
                .queue_subscribe(endpoint.subject.clone(), queue.to_owned())
                .await
            {
                Ok(subscriber) => {
                    tracing::info!(
                        service = self.service,
                        subject = endpoint.subject,
                        queue,
                        "serving requests over NATS"
                    );
                    return Some(subscriber);
                }
                Err(error) => {
                    tracing::warn!(service = self.service, %error, subject = endpoint.subject,
                        "cannot subscribe; retrying");
                }
            }
            tokio::select! {
                () = shutdown.wait() => return None,
                () = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
            }
        }
    }

    /// Drops `message` (no inbox to answer), refuses it (`503`: at the bound), or answers it in
    /// a task of its own, holding a permit until the reply is sent.
    async fn dispatch(
        self: Arc<Self>,
        endpoint: &Endpoint,
        message: Message,
        inflight: &mut JoinSet<()>,
    ) {
        while inflight.try_join_next().is_some() {}
        let Some(reply) = self.inbox(endpoint, &message) else {
            return;
        };
        let Ok(permit) = self.permits.clone().try_acquire_owned() else {
            metrics::counter!(BUSY, "service" => self.service, "subject" => endpoint.subject.clone())
                .increment(1);
            let busy = Problem::unavailable(
                format!(
                    "this {} instance is handling its bound of {} requests; retry",
                    self.service, self.limits.max_in_flight
                ),
                Some(self.limits.retry_after_seconds),
            );
            self.send(reply, Err(busy)).await;
            return;
        };
        let name = endpoint.name;
        inflight.spawn(async move {
            let answer = self.responder.respond(name, message).await;
            self.send(reply, answer).await;
            drop(permit);
        });
    }

    /// The reply subject of `message`, when it is one a service may answer on; otherwise the
    /// request is dropped, with a warning and a count.
    fn inbox(&self, endpoint: &Endpoint, message: &Message) -> Option<Subject> {
        let (reason, subject) = match &message.reply {
            Some(reply) if is_reply_subject_allowed(reply) => return Some(reply.clone()),
            Some(reply) => ("reply_subject", reply.as_str()),
            None => ("no_reply", ""),
        };
        metrics::counter!(DROPPED, "service" => self.service,
            "subject" => endpoint.subject.clone(), "reason" => reason)
        .increment(1);
        let shown: String = subject.chars().take(128).collect();
        tracing::warn!(service = self.service, subject = endpoint.subject, reply = %shown, reason,
            "dropping a request: replies go only to inbox subjects");
        None
    }

    async fn send(&self, reply: Subject, answer: Reply) {
        let (headers, body) = reply_parts(answer, self.limits.retry_after_seconds, |h| {
            self.responder.headers(h)
        });
        if let Err(error) = self.client.publish_with_headers(reply, headers, body).await {
            tracing::warn!(service = self.service, %error, "cannot send a reply");
        }
    }
}

/// The headers and body of `answer`: the status in [`STATUS_HEADER`], the content type, and for
/// a `503` its `Retry-After` (`retry_after` when the problem names none).
pub fn reply_parts(
    answer: Reply,
    retry_after: u64,
    extra: impl FnOnce(&mut HeaderMap),
) -> (HeaderMap, Bytes) {
    let mut headers = HeaderMap::new();
    extra(&mut headers);
    let (status, body) = match answer {
        Ok(Reply200 { status, body }) => {
            headers.insert("Content-Type", "application/json");
            (status, body)
        }
        Err(problem) => {
            headers.insert("Content-Type", PROBLEM_JSON);
            match problem.retry_after {
                Some(seconds) => headers.insert("Retry-After", seconds.to_string().as_str()),
                None if problem.status == 503 => {
                    headers.insert("Retry-After", retry_after.to_string().as_str())
                }
                None => {}
            }
            let body = serde_json::to_vec(&*problem).expect("a problem serializes");
            (problem.status_code(), Bytes::from(body))
        }
    };
    headers.insert(STATUS_HEADER, status.as_str());
    (headers, body)
}
