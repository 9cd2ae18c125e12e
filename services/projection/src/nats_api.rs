//! The queries over NATS request-reply: subjects `liaison.query.<name>` (`relationship`,
//! `relationships`, `organization`, `timeline`, `meetings`) in the queue group
//! `liaison-projection`, so that several instances share the load.
//!
//! A request is the JSON of the query's `*Request` type (`liaison_proto::query`); the reply is
//! the JSON answer, with a `Status` header holding the HTTP status code (`200`, or the code of
//! the problem+json document in the body: `400`, `404`, `503` with a `Retry-After` header).
//! On shutdown each subscription is drained, so requests already received are answered.
//! Every reply carries `Liaison-Instance`, the answering instance's id (for operators and tests).

use std::sync::Arc;
use std::time::Instant;

use async_nats::{Client, HeaderMap, Message};
use bytes::Bytes;
use futures::StreamExt;
use liaison_proto::query::{
    Consistency, OrganizationRequest, RelationshipRequest, RelationshipsRequest, TimelineRequest,
};
use liaison_proto::subjects::{QUERY_QUEUE, query_subject};
use liaison_runtime::Problem;
use serde::Deserialize;
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

/// Request of `liaison.query.meetings`.
#[derive(Debug, Default, Deserialize)]
struct MeetingsRequest {
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
    #[serde(flatten)]
    consistency: Consistency,
}

/// Subscribes to every query subject in the queue group and answers until `shutdown`; then
/// unsubscribes and finishes the requests in flight.
pub async fn serve(
    client: Client,
    queries: Arc<Queries>,
    shutdown: CancellationToken,
) -> Result<(), async_nats::SubscribeError> {
    let mut tasks = JoinSet::new();
    for name in QUERIES {
        let mut sub = client
            .queue_subscribe(query_subject(name), QUERY_QUEUE.to_owned())
            .await?;
        let client = client.clone();
        let queries = queries.clone();
        let shutdown = shutdown.clone();
        tasks.spawn(async move {
            let mut inflight = JoinSet::new();
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    msg = sub.next() => match msg {
                        Some(msg) => {
                            let (client, queries) = (client.clone(), queries.clone());
                            inflight.spawn(async move { answer(&client, &queries, name, msg).await });
                        }
                        None => break,
                    },
                }
            }
            // Drain: no new requests come here (the queue group sends them to the other
            // instances), and those already delivered are still answered.
            let _ = sub.drain().await;
            while let Some(msg) = sub.next().await {
                let (client, queries) = (client.clone(), queries.clone());
                inflight.spawn(async move { answer(&client, &queries, name, msg).await });
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

fn parse<T: serde::de::DeserializeOwned>(payload: &[u8]) -> Result<T, QueryError> {
    let payload = if payload.is_empty() { b"{}" } else { payload };
    serde_json::from_slice(payload).map_err(|e| QueryError::BadRequest(format!("request: {e}")))
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
            let page = queries
                .meetings(r.cursor.as_deref(), r.limit, &r.consistency)
                .await?;
            json(serde_json::to_value(page))
        }
        other => Err(QueryError::NotFound(format!("no query named {other:?}"))),
    }
}

async fn answer(client: &Client, queries: &Queries, name: &'static str, msg: Message) {
    let Some(reply) = msg.reply.clone() else {
        return; // a publish, not a request: nobody to answer
    };
    let started = Instant::now();
    let mut headers = HeaderMap::new();
    headers.insert("Liaison-Instance", queries.instance());
    let body = match run(queries, name, &msg.payload).await {
        Ok(body) => {
            headers.insert("Status", "200");
            headers.insert("Content-Type", "application/json");
            body
        }
        Err(e) => {
            let p: Problem = problem(e);
            headers.insert("Status", p.status_code().as_str());
            headers.insert("Content-Type", "application/problem+json");
            if let Some(after) = p.retry_after {
                headers.insert("Retry-After", after.to_string().as_str());
            }
            Bytes::from(serde_json::to_vec(&*p).unwrap_or_default())
        }
    };
    crate::metrics::query(name, "nats", started.elapsed());
    if let Err(e) = client.publish_with_headers(reply, headers, body).await {
        tracing::warn!(error = %e, query = name, "cannot send a query reply");
    }
}
