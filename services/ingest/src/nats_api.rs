//! The append operation as NATS request-reply, for clients that speak NATS rather than HTTP.
//!
//! Subject [`INGEST_APPEND`] (`liaison.ingest.append`), queue group [`INGEST_QUEUE`]
//! (`liaison-ingest`), so that every ingest instance shares the load. The request body is the same
//! JSON as `POST /v1/events`; an optional `Content-Type` header must be JSON, and when an API token
//! is configured the request needs the header `Authorization: Bearer <token>`. The reply carries
//! the HTTP-equivalent status in the header [`STATUS_HEADER`] (`201`, `200`, `400`, …), a
//! `Content-Type` (`application/json` or `application/problem+json`) and the same body as the
//! HTTP answer; a `503` also carries `Retry-After`.

use std::sync::Arc;
use std::time::Instant;

use async_nats::{HeaderMap, Message};
use axum::http::{HeaderMap as HttpHeaders, HeaderValue, StatusCode, header};
use futures::StreamExt;
use liaison_proto::subjects::{INGEST_APPEND, INGEST_QUEUE};
use liaison_runtime::Problem;
use liaison_runtime::auth::BearerAuthLayer;
use liaison_runtime::json_body::{JsonLimits, check_content_type, parse_json};
use liaison_runtime::problem::PROBLEM_JSON;
use liaison_runtime::shutdown::Shutdown;
use serde_json::Value;

use crate::append::{Ingest, RETRY_AFTER_SECONDS};
use crate::metrics;

/// The reply header holding the HTTP-equivalent status code.
pub const STATUS_HEADER: &str = "Status";

/// Serves [`INGEST_APPEND`] until `shutdown`: subscribes in the queue group (the client keeps the
/// subscription across reconnections) and answers each request in its own task.
pub async fn serve(
    client: async_nats::Client,
    ingest: Ingest,
    limits: JsonLimits,
    auth: BearerAuthLayer,
    shutdown: Shutdown,
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
    loop {
        let message = tokio::select! {
            () = shutdown.wait() => break,
            message = subscriber.next() => message,
        };
        let Some(message) = message else { break };
        let (client, ingest, auth) = (client.clone(), ingest.clone(), auth.clone());
        tokio::spawn(async move {
            let Some(reply) = message.reply.clone() else {
                tracing::debug!("an append request without a reply subject; ignoring it");
                return;
            };
            let started = Instant::now();
            let (status, headers, body) = answer(&ingest, &limits, &auth, &message).await;
            metrics::record_answer("nats", status, started.elapsed());
            if let Err(error) = client.publish_with_headers(reply, headers, body).await {
                tracing::warn!(%error, "cannot send the reply to an append request");
            }
        });
    }
    let _ = subscriber.unsubscribe().await;
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
