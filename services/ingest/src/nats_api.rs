//! The append operation as NATS request-reply, for clients that speak NATS rather than HTTP.
//!
//! Subject [`INGEST_APPEND`] (`liaison.ingest.append`), queue group [`INGEST_QUEUE`]
//! (`liaison-ingest`), so that every ingest instance shares the load. The request body is the same
//! JSON as `POST /v1/events`; an optional `Content-Type` header must be JSON, and when an API token
//! is configured the request needs the header `Authorization: Bearer <token>`. The reply carries
//! the HTTP-equivalent status in the `Status` header (`201`, `200`, `400`, …), a `Content-Type`
//! (`application/json` or `application/problem+json`) and the same body as the HTTP answer; a
//! `503` also carries `Retry-After` — also the `503` of an append whose outcome is not known, which
//! the client settles by retrying with the same ids (docs/decisions/020-unknown-outcomes.md).
//! Replies go only to inboxes and at most a bound of requests
//! is handled at once: see [`liaison_runtime::request_reply`], which serves every NATS API.

use std::time::Instant;

use async_nats::Message;
use axum::http::{HeaderMap as HttpHeaders, HeaderValue, header};
use liaison_proto::subjects::{INGEST_APPEND, INGEST_QUEUE};
use liaison_runtime::auth::BearerAuthLayer;
use liaison_runtime::json_body::{JsonLimits, check_content_type};
use liaison_runtime::request_reply::{self, Endpoint, Reply, Reply200, RequestLimits, Responder};
use liaison_runtime::shutdown::Shutdown;

use crate::append::{Ingest, RETRY_AFTER_SECONDS};
use crate::metrics;

pub use liaison_runtime::request_reply::STATUS_HEADER;

/// Append requests handled at once by default.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 64;

/// Serves [`INGEST_APPEND`] until `shutdown`, at most `max_in_flight` requests at once.
pub async fn serve(
    client: async_nats::Client,
    ingest: Ingest,
    limits: JsonLimits,
    auth: BearerAuthLayer,
    shutdown: Shutdown,
    max_in_flight: usize,
) {
    let endpoints = vec![Endpoint {
        subject: INGEST_APPEND.to_owned(),
        name: "append",
    }];
    let appends = Appends {
        ingest,
        limits,
        auth,
    };
    let limits = RequestLimits {
        max_in_flight,
        retry_after_seconds: RETRY_AFTER_SECONDS,
    };
    request_reply::serve(
        "ingest",
        client,
        INGEST_QUEUE,
        endpoints,
        appends,
        limits,
        shutdown,
    )
    .await;
}

/// Answers append requests.
struct Appends {
    ingest: Ingest,
    limits: JsonLimits,
    auth: BearerAuthLayer,
}

impl Responder for Appends {
    async fn respond(&self, _name: &'static str, message: Message) -> Reply {
        let started = Instant::now();
        let answer = self.append(message).await;
        let status = match &answer {
            Ok(reply) => reply.status,
            Err(problem) => problem.status_code(),
        };
        metrics::record_answer("nats", status, started.elapsed());
        answer
    }
}

impl Appends {
    async fn append(&self, message: Message) -> Reply {
        let headers = message.headers.as_ref();
        let authorization = headers
            .and_then(|h| h.get("Authorization"))
            .map(|v| v.as_str().as_bytes());
        self.auth.authorize(authorization)?;
        if let Some(content_type) = headers.and_then(|h| h.get("Content-Type")) {
            let mut http = HttpHeaders::new();
            if let Ok(value) = HeaderValue::from_str(content_type.as_str()) {
                http.insert(header::CONTENT_TYPE, value);
            }
            check_content_type(&http)?;
        }
        // Parsed and validated on the blocking pool, like an HTTP body.
        let outcome = self
            .ingest
            .append_bytes(message.payload.to_vec(), self.limits)
            .await
            .map_err(|r| r.into_problem())?;
        let body = serde_json::to_vec(&outcome.receipts()).expect("receipts serialize");
        Ok(Reply200 {
            status: outcome.status(),
            body: body.into(),
        })
    }
}
