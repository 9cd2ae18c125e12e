//! Appending accepted candidates through ingest, the one door into the log
//! (docs/decisions/008-news-through-ingest.md): the NATS request `liaison.ingest.append` (the
//! reader's NATS role may send it, and ingest answers it in its queue group with the same
//! answers as `POST /v1/events`), with the write token when one is configured.
//!
//! Ingest's answer is passed on as it is: a `422` of the event names the event's problems, a `503`
//! keeps its `Retry-After` (the outcome may be unknown; accepting again sends the same ids).

use std::time::Duration;

use async_nats::HeaderMap;
use axum::http::StatusCode;
use liaison_proto::ingest::AppendAnswer;
use liaison_proto::subjects::INGEST_APPEND;
use liaison_runtime::Problem;
use liaison_runtime::problem::ProblemDetails;
use serde_json::Value;

/// The ingest client of the reader.
#[derive(Debug, Clone)]
pub struct IngestClient {
    client: async_nats::Client,
    token: Option<String>,
    timeout: Duration,
}

impl IngestClient {
    /// A client on `client` sending `token` (the write token) when set, waiting `timeout`.
    pub fn new(client: async_nats::Client, token: Option<String>, timeout: Duration) -> Self {
        Self {
            client,
            token,
            timeout,
        }
    }

    /// Appends `events` (one, or an atomic batch when more) through ingest; ingest's answer, or
    /// its problem (ingest's own, or a `503` when it cannot be asked).
    pub async fn append(&self, events: &[Value]) -> Result<AppendAnswer, Problem> {
        let body = match events {
            [one] => serde_json::to_vec(one),
            many => serde_json::to_vec(many),
        }
        .expect("events serialize");
        let mut headers = HeaderMap::new();
        headers.insert("Content-Type", "application/json");
        if let Some(token) = &self.token {
            headers.insert("Authorization", format!("Bearer {token}").as_str());
        }
        let request = self
            .client
            .request_with_headers(INGEST_APPEND, headers, body.into());
        let reply = match tokio::time::timeout(self.timeout, request).await {
            Err(_) => {
                return Err(Problem::unavailable(
                    format!(
                        "ingest did not answer within {:?}; nothing is known to be appended, try again",
                        self.timeout
                    ),
                    Some(2),
                ));
            }
            Ok(Err(e)) => {
                return Err(Problem::unavailable(
                    format!("cannot ask ingest ({e}); is liaison-ingest running?"),
                    Some(2),
                ));
            }
            Ok(Ok(reply)) => reply,
        };
        let status = reply
            .headers
            .as_ref()
            .and_then(|h| h.get(liaison_runtime::request_reply::STATUS_HEADER))
            .and_then(|v| v.as_str().parse::<u16>().ok())
            .unwrap_or(500);
        if status == 200 || status == 201 {
            return serde_json::from_slice(&reply.payload).map_err(|e| {
                Problem::internal(format!(
                    "ingest answered {status} with an unreadable body: {e}"
                ))
            });
        }
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
        // A 503 is not a refusal: ingest could not append now, or does not know whether it did
        // (docs/decisions/020-unknown-outcomes.md); its Retry-After is passed on, and accepting
        // again sends the same event ids, which settles it.
        let (prefix, retry_after) = if status == StatusCode::SERVICE_UNAVAILABLE {
            let retry_after = reply
                .headers
                .as_ref()
                .and_then(|h| h.get("Retry-After"))
                .and_then(|v| v.as_str().parse::<u64>().ok())
                .unwrap_or(2);
            ("ingest could not append the event now", Some(retry_after))
        } else {
            ("ingest refused the event", None)
        };
        let mut problem = match serde_json::from_slice::<ProblemDetails>(&reply.payload) {
            Ok(details) => {
                let mut problem = Problem::from(details);
                problem.detail = format!("{prefix}: {}", problem.detail);
                problem
            }
            Err(_) => Problem::new(
                status,
                format!("{prefix}: {}", String::from_utf8_lossy(&reply.payload)),
            ),
        };
        problem.retry_after = retry_after;
        Err(problem)
    }
}
