//! The log itself, read for people: `GET /v1/log` (pages of events in sequence order, filtered
//! here), `GET /v1/log/events/{sequence|id}` (one event) and `GET /v1/log/stream` (a live tail of
//! the events, SSE). Read straight from JetStream by sequence — nothing is written per event for
//! it — with the projection's own id index for lookups by id
//! (docs/decisions/019-reading-the-log.md).
//!
//! - [`jetstream`]: reading a range of sequences, and the sequence recorded at an instant;
//! - [`page`]: one bounded page, forward or backward;
//! - [`detail`], [`tail`]: one event; the live tail;
//! - [`routes`]: the HTTP side.

pub mod detail;
pub mod jetstream;
pub mod page;
pub mod tail;

use std::sync::Arc;

use async_nats::jetstream::Context as JetStream;
use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use liaison_proto::log::{LogEventView, LogPage, LogRequest};
use liaison_runtime::Problem;

use crate::http_api::params;
use crate::queries::Queries;
use crate::sse::StreamClients;

/// What the log's handlers share.
#[derive(Debug, Clone)]
pub struct LogState {
    /// JetStream, where the log is read.
    pub js: JetStream,
    /// The queries (their store holds the id index).
    pub queries: Arc<Queries>,
}

/// Reading the log failed.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// A parameter is wrong (a `400` naming it).
    #[error("{detail}")]
    Parameter {
        /// The parameter.
        name: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// No such event.
    #[error("{0}")]
    NotFound(String),
    /// The log cannot be read now.
    #[error("the log cannot be read: {0}")]
    Unavailable(String),
}

impl LogError {
    fn parameter(name: &'static str, detail: impl Into<String>) -> Self {
        Self::Parameter {
            name,
            detail: detail.into(),
        }
    }
}

impl From<LogError> for Problem {
    fn from(e: LogError) -> Problem {
        match e {
            LogError::Parameter { name, detail } => {
                crate::http_api::parameter_problem(liaison_proto::query::params::ParamError {
                    parameter: Some(name.to_owned()),
                    detail,
                })
            }
            LogError::NotFound(d) => Problem::not_found(d),
            LogError::Unavailable(d) => Problem::unavailable(
                format!("the log cannot be read: {d}"),
                Some(crate::sse::STREAM_RETRY_AFTER),
            ),
        }
    }
}

/// The log's routes; `max_stream_clients` bounds the live tails served at once.
pub fn routes(state: LogState, max_stream_clients: usize) -> Router {
    Router::new()
        .route("/v1/log", get(log_page))
        .route("/v1/log/events/{key}", get(log_event))
        .route(
            "/v1/log/stream",
            get(tail::stream).layer(Extension(StreamClients::new(max_stream_clients))),
        )
        .with_state(state)
}

async fn log_page(
    State(s): State<LogState>,
    RawQuery(q): RawQuery,
) -> Result<Json<LogPage>, Problem> {
    let started = std::time::Instant::now();
    let req: LogRequest = params(&q, &[])?;
    let page = page::read(&s.js, &req).await?;
    crate::metrics::query("log", "http", started.elapsed());
    Ok(Json(page))
}

async fn log_event(
    State(s): State<LogState>,
    Path(key): Path<String>,
) -> Result<Json<LogEventView>, Problem> {
    Ok(Json(detail::read(&s.js, &s.queries, &key).await?))
}
