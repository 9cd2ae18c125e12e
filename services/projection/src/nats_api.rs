//! The queries over NATS request-reply: subjects `liaison.query.<name>` (`relationship`,
//! `relationships`, `organization`, `timeline`, `meetings`) in the queue group
//! `liaison-projection`, so that several instances share the load.
//!
//! A request is the JSON of the query's `*Request` type (`liaison_proto::query`), read as the
//! HTTP API reads its query string: an unknown or malformed parameter is a `400` naming it. The
//! reply is the JSON answer, with a `Status` header holding the HTTP status code (`200`, or the
//! code of the problem+json document in the body: `400`, `404`, `503` with a `Retry-After`
//! header). Every reply carries `Liaison-Instance`, the answering instance's id. Replies go only
//! to inboxes and at most a bound of requests is answered at once: see
//! [`liaison_runtime::request_reply`], which serves every NATS API.

use std::sync::Arc;
use std::time::Instant;

use async_nats::{Client, HeaderMap, Message};
use liaison_proto::query::params::from_json;
use liaison_proto::query::{
    MeetingsRequest, OrganizationRequest, RelationshipRequest, RelationshipsRequest,
    TimelineRequest,
};
use liaison_proto::subjects::{QUERY_QUEUE, query_subject};
use liaison_runtime::request_reply::{self, Endpoint, Reply, Reply200, RequestLimits, Responder};
use liaison_runtime::shutdown::Shutdown;
use serde::Serialize;
use serde::de::DeserializeOwned;

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

/// Queries answered at once by default, over every subject.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 256;
/// The `Retry-After` of a busy answer, in seconds.
pub const BUSY_RETRY_AFTER: u64 = 1;

/// Answers the queries until `shutdown`, at most `max_in_flight` at once; then answers the
/// requests already received.
pub async fn serve(
    client: Client,
    queries: Arc<Queries>,
    shutdown: Shutdown,
    max_in_flight: usize,
) {
    let endpoints = QUERIES
        .into_iter()
        .map(|name| Endpoint {
            subject: query_subject(name),
            name,
        })
        .collect();
    let limits = RequestLimits {
        max_in_flight,
        retry_after_seconds: BUSY_RETRY_AFTER,
    };
    let responder = QueryResponder { queries };
    request_reply::serve(
        "projection",
        client,
        QUERY_QUEUE,
        endpoints,
        responder,
        limits,
        shutdown,
    )
    .await;
}

/// Answers query requests.
struct QueryResponder {
    queries: Arc<Queries>,
}

impl Responder for QueryResponder {
    async fn respond(&self, name: &'static str, request: Message) -> Reply {
        let started = Instant::now();
        let answer = run(&self.queries, name, &request.payload)
            .await
            .map_err(problem);
        crate::metrics::query(name, "nats", started.elapsed());
        answer.map(Reply200::ok)
    }

    fn headers(&self, headers: &mut HeaderMap) {
        headers.insert("Liaison-Instance", self.queries.instance());
    }
}

fn parse<T: DeserializeOwned>(payload: &[u8]) -> Result<T, QueryError> {
    Ok(from_json(payload)?)
}

fn json<T: Serialize>(answer: T) -> Result<Vec<u8>, QueryError> {
    serde_json::to_vec(&answer).map_err(|e| QueryError::Internal(e.to_string()))
}

async fn run(queries: &Queries, name: &str, payload: &[u8]) -> Result<Vec<u8>, QueryError> {
    match name {
        "relationship" => json(
            queries
                .relationship(&parse::<RelationshipRequest>(payload)?)
                .await?,
        ),
        "relationships" => json(
            queries
                .relationships(&parse::<RelationshipsRequest>(payload)?)
                .await?,
        ),
        "organization" => json(
            queries
                .organization(&parse::<OrganizationRequest>(payload)?)
                .await?,
        ),
        "timeline" => json(
            queries
                .timeline(&parse::<TimelineRequest>(payload)?, false)
                .await?,
        ),
        "meetings" => json(
            queries
                .meetings(&parse::<MeetingsRequest>(payload)?)
                .await?,
        ),
        other => Err(QueryError::NotFound(format!("no query named {other:?}"))),
    }
}
