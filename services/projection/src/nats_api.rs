//! The queries over NATS request-reply: subjects `liaison.query.<name>` (`relationship`,
//! `relationships`, `organization`, `timeline`, `meetings`) in the queue group
//! `liaison-projection`, so that several instances share the load.
//!
//! A request is the JSON of the query's `*Request` type (`liaison_proto::query`), read as the
//! HTTP API reads its query string: an unknown or malformed parameter is a `400` naming it. The
//! reply is the JSON answer, with a `Status` header holding the HTTP status code (`200`, or the
//! code of the problem+json document in the body: `400`, `404`, `503` with a `Retry-After`
//! header). Every reply carries `Liaison-Instance`, the answering instance's id.
//!
//! Two guards keep a requester from turning the service against the system:
//! - replies go only to inboxes ([`is_reply_subject_allowed`]): a request whose reply subject
//!   is under `liaison.` or `$` (the log, the JetStream and system APIs), or that has none, is
//!   dropped unanswered, with a warning and a count in [`DROPPED`];
//! - at most [`NatsLimits::max_in_flight`] requests are answered at once, over every subject;
//!   one more is answered at once with `503` and `Retry-After` (counted in [`BUSY`]) instead of
//!   waiting in an unbounded queue.
//!
//! On shutdown each subscription is drained, so requests already received are answered.

use std::sync::Arc;
use std::time::Instant;

use async_nats::{Client, HeaderMap, Message, Subject};
use bytes::Bytes;
use futures::StreamExt;
use liaison_proto::query::params::from_json;
use liaison_proto::query::{
    MeetingsRequest, OrganizationRequest, RelationshipRequest, RelationshipsRequest,
    TimelineRequest,
};
use liaison_proto::subjects::{QUERY_QUEUE, is_reply_subject_allowed, query_subject};
use liaison_runtime::Problem;
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::http_api::problem;
use crate::queries::{Queries, QueryError};

/// The query names served, each on `liaison.query.<name>`.
pub const QUERIES: [&str; 5] = [
    "relationship",
    "relationships",
    "organization",
    "timeline",
    "meetings",
];

/// Requests dropped unanswered, labelled `query` and `reason` (`no_reply`: a publish, not a
/// request; `reply_subject`: the reply subject is not an inbox).
pub const DROPPED: &str = "liaison_projection_nats_requests_dropped_total";
/// Requests answered `503` because the instance answered its bound of requests already,
/// labelled `query`.
pub const BUSY: &str = "liaison_projection_nats_requests_busy_total";
/// The `Retry-After` of a busy answer, in seconds.
pub const BUSY_RETRY_AFTER: u64 = 1;

/// Bounds of the NATS API that an operator may tune.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NatsLimits {
    /// Requests answered at once, over every query subject.
    pub max_in_flight: usize,
}

impl NatsLimits {
    /// The default bound of requests in flight.
    pub const DEFAULT_MAX_IN_FLIGHT: usize = 256;
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
    client: Client,
    queries: Arc<Queries>,
    shutdown: CancellationToken,
) -> Result<(), async_nats::SubscribeError> {
    serve_with(client, queries, shutdown, NatsLimits::default()).await
}

/// Subscribes to every query subject in the queue group and answers until `shutdown`; then
/// unsubscribes and finishes the requests in flight.
pub async fn serve_with(
    client: Client,
    queries: Arc<Queries>,
    shutdown: CancellationToken,
    limits: NatsLimits,
) -> Result<(), async_nats::SubscribeError> {
    let permits = Arc::new(Semaphore::new(limits.max_in_flight));
    let mut tasks = JoinSet::new();
    for name in QUERIES {
        let mut sub = client
            .queue_subscribe(query_subject(name), QUERY_QUEUE.to_owned())
            .await?;
        let server = Server {
            client: client.clone(),
            queries: queries.clone(),
            permits: permits.clone(),
            max_in_flight: limits.max_in_flight,
            name,
        };
        let shutdown = shutdown.clone();
        tasks.spawn(async move {
            let mut inflight = JoinSet::new();
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    msg = sub.next() => match msg {
                        Some(msg) => server.dispatch(msg, &mut inflight).await,
                        None => break,
                    },
                }
            }
            // Drain: no new requests come here (the queue group sends them to the other
            // instances), and those already delivered are still answered.
            let _ = sub.drain().await;
            while let Some(msg) = sub.next().await {
                server.dispatch(msg, &mut inflight).await;
            }
            while inflight.join_next().await.is_some() {}
        });
    }
    while tasks.join_next().await.is_some() {}
    // The replies are buffered in the client: send them before the connection goes away.
    if let Err(e) = client.flush().await {
        tracing::warn!(error = %e, "cannot flush the last query replies");
    }
    Ok(())
}

/// What the subscription of one query subject needs to answer.
struct Server {
    client: Client,
    queries: Arc<Queries>,
    permits: Arc<Semaphore>,
    max_in_flight: usize,
    name: &'static str,
}

impl Server {
    /// Drops `msg` (no inbox to answer), refuses it (`503`: at the bound), or answers it in a
    /// task of its own, holding a permit until the reply is sent.
    async fn dispatch(&self, msg: Message, inflight: &mut JoinSet<()>) {
        while inflight.try_join_next().is_some() {}
        let Some(reply) = inbox(&msg, self.name) else {
            return;
        };
        let Ok(permit) = self.permits.clone().try_acquire_owned() else {
            metrics::counter!(BUSY, "query" => self.name).increment(1);
            let busy = Problem::unavailable(
                format!(
                    "this projection instance is answering its bound of {} queries; retry",
                    self.max_in_flight
                ),
                Some(BUSY_RETRY_AFTER),
            );
            send(&self.client, &self.queries, self.name, reply, Err(busy)).await;
            return;
        };
        let (client, queries, name) = (self.client.clone(), self.queries.clone(), self.name);
        inflight.spawn(async move {
            let started = Instant::now();
            let result = run(&queries, name, &msg.payload).await.map_err(problem);
            crate::metrics::query(name, "nats", started.elapsed());
            send(&client, &queries, name, reply, result).await;
            drop(permit);
        });
    }
}

/// The reply subject of `msg`, when it is one a service may answer on; otherwise the request
/// is dropped, with a warning and a count.
fn inbox(msg: &Message, name: &'static str) -> Option<Subject> {
    let (reason, subject) = match &msg.reply {
        Some(reply) if is_reply_subject_allowed(reply) => return Some(reply.clone()),
        Some(reply) => ("reply_subject", reply.as_str()),
        None => ("no_reply", ""),
    };
    metrics::counter!(DROPPED, "query" => name, "reason" => reason).increment(1);
    let shown: String = subject.chars().take(128).collect();
    tracing::warn!(
        query = name,
        reply = %shown,
        reason,
        "dropping a query request: replies go only to inbox subjects"
    );
    None
}

fn parse<T: DeserializeOwned>(payload: &[u8]) -> Result<T, QueryError> {
    Ok(from_json(payload)?)
}

async fn run(queries: &Queries, name: &str, payload: &[u8]) -> Result<Bytes, QueryError> {
    let json = |v: Result<serde_json::Value, serde_json::Error>| {
        v.map(|v| Bytes::from(v.to_string()))
            .map_err(|e| QueryError::Internal(e.to_string()))
    };
    match name {
        "relationship" => {
            let r: RelationshipRequest = parse(payload)?;
            json(serde_json::to_value(queries.relationship(&r).await?))
        }
        "relationships" => {
            let r: RelationshipsRequest = parse(payload)?;
            json(serde_json::to_value(queries.relationships(&r).await?))
        }
        "organization" => {
            let r: OrganizationRequest = parse(payload)?;
            json(serde_json::to_value(queries.organization(&r).await?))
        }
        "timeline" => {
            let r: TimelineRequest = parse(payload)?;
            json(serde_json::to_value(queries.timeline(&r, false).await?))
        }
        "meetings" => {
            let r: MeetingsRequest = parse(payload)?;
            json(serde_json::to_value(queries.meetings(&r).await?))
        }
        other => Err(QueryError::NotFound(format!("no query named {other:?}"))),
    }
}

/// Publishes the answer (or the problem) on `reply`, with its `Status` header.
async fn send(
    client: &Client,
    queries: &Queries,
    name: &'static str,
    reply: Subject,
    result: Result<Bytes, Problem>,
) {
    let mut headers = HeaderMap::new();
    headers.insert("Liaison-Instance", queries.instance());
    let body = match result {
        Ok(body) => {
            headers.insert("Status", "200");
            headers.insert("Content-Type", "application/json");
            body
        }
        Err(p) => {
            headers.insert("Status", p.status_code().as_str());
            headers.insert("Content-Type", "application/problem+json");
            if let Some(after) = p.retry_after {
                headers.insert("Retry-After", after.to_string().as_str());
            }
            Bytes::from(serde_json::to_vec(&*p).unwrap_or_default())
        }
    };
    if let Err(e) = client.publish_with_headers(reply, headers, body).await {
        tracing::warn!(error = %e, query = name, "cannot send a query reply");
    }
}
