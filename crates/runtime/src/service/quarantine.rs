//! `GET /v1/admin/quarantine`: the log entries this service refused to apply, and why
//! (CONTRACT.md, "Consumers guard themselves"). An admin endpoint: it needs the API token
//! whenever one is configured. A service that follows a stream of its own besides the log lists
//! that stream's quarantine with `?stream=<name>`; without it, the log's (the first followed).

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use liaison_log::{Applier, ApplyError, EntryGate, ReadModel};
use liaison_proto::admin::QuarantineList;
use serde::Deserialize;

use crate::auth::BearerAuthLayer;
use crate::problem::Problem;

/// The path of the endpoint.
pub const PATH: &str = "/v1/admin/quarantine";
/// Entries per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 100;
/// The most entries per page.
pub const MAX_LIMIT: usize = 1_000;

/// Where the quarantine is read from: the service's applier, whatever its read model.
pub(crate) trait QuarantineSource: Send + Sync + 'static {
    fn page(&self, after: u64, limit: usize) -> Result<QuarantineList, ApplyError>;
}

impl<M: ReadModel<G::Entry>, G: EntryGate> QuarantineSource for Applier<M, G> {
    fn page(&self, after: u64, limit: usize) -> Result<QuarantineList, ApplyError> {
        self.quarantine(after, limit)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// Entries after this sequence (the previous page's `next_after`).
    #[serde(default)]
    after: u64,
    /// Entries per page.
    limit: Option<usize>,
    /// The stream (the log when absent).
    stream: Option<String>,
}

/// The quarantine of each followed stream, the log's first.
type Sources = Arc<Vec<(String, Arc<dyn QuarantineSource>)>>;

/// The route, behind `auth`.
pub(crate) fn routes(
    sources: Vec<(String, Arc<dyn QuarantineSource>)>,
    auth: BearerAuthLayer,
) -> Router {
    Router::new()
        .route(PATH, get(list))
        .with_state(Arc::new(sources))
        .layer(auth)
}

async fn list(
    State(sources): State<Sources>,
    params: Result<Query<Params>, QueryRejection>,
) -> Response {
    let params = match params {
        Ok(Query(params)) => params,
        Err(rejection) => {
            return Problem::bad_request(format!(
                "{}; parameters: after (a sequence), limit (1 to {MAX_LIMIT}), stream",
                rejection.body_text()
            ))
            .into_response();
        }
    };
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Problem::bad_request(format!("limit must be from 1 to {MAX_LIMIT}, got {limit}"))
            .into_response();
    }
    let found = match &params.stream {
        None => sources.first(),
        Some(stream) => sources.iter().find(|(name, _)| name == stream),
    };
    let Some((_, source)) = found else {
        let streams: Vec<&str> = sources.iter().map(|(name, _)| name.as_str()).collect();
        return Problem::bad_request(format!(
            "stream: this service follows {}, not {}",
            streams.join(" and "),
            params.stream.as_deref().unwrap_or_default()
        ))
        .into_response();
    };
    let source = source.clone();
    let after = params.after;
    match tokio::task::spawn_blocking(move || source.page(after, limit)).await {
        Ok(Ok(list)) => axum::Json(list).into_response(),
        Ok(Err(e)) => {
            Problem::internal(format!("reading the quarantine failed: {e}")).into_response()
        }
        Err(e) => Problem::internal(format!("reading the quarantine failed: {e}")).into_response(),
    }
}
