//! `POST /v1/events` over HTTP: the body read as bytes through the runtime's extractor (415 and
//! 413 as problem documents), then the append operation — which parses it (400) and validates
//! it off the async workers — whose answer becomes a status and a body.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use liaison_runtime::Problem;
use liaison_runtime::auth::BearerAuthLayer;
use liaison_runtime::json_body::{JsonBytes, JsonLimits};

use crate::append::Ingest;
use crate::metrics;

/// The path of the append endpoint.
pub const EVENTS_PATH: &str = "/v1/events";

/// The write routes of ingest, behind the bearer token when one is configured, with at most
/// `max_appends` appends read and handled at once.
pub fn routes(
    ingest: Ingest,
    limits: JsonLimits,
    auth: BearerAuthLayer,
    max_appends: usize,
) -> Router {
    let appends = Router::new()
        .route(EVENTS_PATH, post(append))
        .with_state(ingest)
        .layer(Extension(limits));
    // Each append may hold a body of up to `limits.max_bytes` while it is read and validated.
    liaison_runtime::http::at_most(appends, max_appends, "POST /v1/events")
        .layer(auth)
        .layer(middleware::from_fn(measure))
}

/// Appends one event or a batch; see [`crate::append`].
async fn append(
    State(ingest): State<Ingest>,
    Extension(limits): Extension<JsonLimits>,
    body: Result<JsonBytes, Problem>,
) -> Response {
    let JsonBytes(body) = match body {
        Ok(body) => body,
        Err(problem) => return problem.into_response(),
    };
    match ingest.append_bytes(body, limits).await {
        Ok(outcome) => (outcome.status(), Json(outcome.receipts())).into_response(),
        Err(rejection) => rejection.into_problem().into_response(),
    }
}

/// Records every answer of the endpoint, including the extractor's and the auth layer's.
async fn measure(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = next.run(request).await;
    if response.status() != StatusCode::METHOD_NOT_ALLOWED {
        metrics::record_answer("http", response.status(), started.elapsed());
    }
    response
}
