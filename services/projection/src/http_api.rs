//! The HTTP API of the contract's "Projection API". Each endpoint reads its query string (and
//! path) into its request type of `liaison_proto::query` — the type the NATS API takes as its
//! body — so an unknown or repeated parameter, or a malformed value, is a `400` problem+json
//! naming it (`asof=` is refused, not ignored). Answers come from [`crate::queries`].

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use liaison_proto::query::params::{ParamError, from_query_string};
use liaison_proto::query::{
    EventPlacesRequest, Flag, MeetingsRequest, OrganizationRequest, OrganizationsRequest,
    RebuildRequest, RelationshipRequest, RelationshipsRequest, TimelineRequest,
};
use liaison_runtime::auth::BearerAuthLayer;
use liaison_runtime::http::RouteTimeout;
use liaison_runtime::{FieldError, Problem};
use serde::de::DeserializeOwned;

use crate::queries::{Queries, QueryError};
use crate::rebuild::Rebuilder;
use crate::sse::StreamClients;

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct ApiState {
    /// The queries the handlers answer with (shared with the NATS API).
    pub queries: Arc<Queries>,
    /// The rebuild trigger.
    pub rebuilder: Arc<Rebuilder>,
    /// The applier (its notifications wake the SSE streams).
    pub applier: crate::rebuild::LiveApplier,
}

/// Bounds of the HTTP API that an operator may tune.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// Clients of `GET /v1/stream` served at once; one more gets `503` with `Retry-After`.
    pub max_stream_clients: usize,
}

impl HttpLimits {
    /// The default bound of SSE clients.
    pub const DEFAULT_MAX_STREAM_CLIENTS: usize = 64;
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            max_stream_clients: Self::DEFAULT_MAX_STREAM_CLIENTS,
        }
    }
}

/// The query routes, the SSE stream and the (authenticated) rebuild trigger, with the default
/// [`HttpLimits`].
pub fn routes(state: ApiState, api_token: Option<String>) -> Router {
    routes_with(state, api_token, HttpLimits::default())
}

/// [`routes`] with the given limits.
pub fn routes_with(state: ApiState, api_token: Option<String>, limits: HttpLimits) -> Router {
    let admin = Router::new()
        // A rebuild with `wait=true` replays the whole log: minutes, not the server's 30 s.
        .route(
            "/v1/admin/rebuild",
            post(rebuild)
                .layer(RouteTimeout::new(Duration::from_secs(3600)))
                .get(rebuild_status),
        )
        .layer(BearerAuthLayer::new(api_token));
    let stream_clients = StreamClients::new(limits.max_stream_clients);
    Router::new()
        .route("/v1/relationships", get(relationships))
        .route("/v1/relationships/{a}/{b}", get(relationship))
        .route("/v1/organizations", get(organizations))
        .route("/v1/organizations/{id}", get(organization))
        .route("/v1/organizations/{id}/timeline", get(timeline))
        .route("/v1/organizations/{id}/meetings", get(org_meetings))
        .route("/v1/meetings", get(meetings))
        .route("/v1/preview", post(effect_preview))
        .route("/v1/events/{id}/relationships", get(event_places))
        .route(
            "/v1/stream",
            get(crate::sse::stream).layer(Extension(stream_clients)),
        )
        .merge(admin)
        .with_state(state)
}

/// Converts a query error into its problem+json.
pub fn problem(e: QueryError) -> Problem {
    match e {
        QueryError::NotFound(d) => Problem::not_found(d),
        QueryError::BadRequest(d) => Problem::bad_request(d),
        QueryError::Parameter(e) => parameter_problem(e),
        QueryError::Unavailable {
            detail,
            retry_after,
        } => Problem::unavailable(detail, Some(retry_after)),
        QueryError::Internal(d) => {
            tracing::error!(error = %d, "query failed");
            Problem::internal(d)
        }
    }
}

/// A `400` naming the parameter, with its pointer (`/as_of`) in `errors` when there is one.
pub fn parameter_problem(e: ParamError) -> Problem {
    let mut p = Problem::bad_request(e.detail.clone());
    if let Some(name) = e.parameter {
        p.errors = vec![FieldError::new(format!("/{name}"), e.detail)];
    }
    p
}

/// Reads the query string and the `path` parameters into `T`.
pub fn params<T: DeserializeOwned>(
    query: &Option<String>,
    path: &[(&str, &str)],
) -> Result<T, Problem> {
    from_query_string(query.as_deref().unwrap_or_default(), path).map_err(parameter_problem)
}

fn answer<T: serde::Serialize>(
    name: &'static str,
    started: Instant,
    result: Result<T, QueryError>,
) -> Response {
    crate::metrics::query(name, "http", started.elapsed());
    match result {
        Ok(v) => json(&v),
        Err(e) => problem(e).into_response(),
    }
}

/// The length of the last answer [`json`] wrote: the next one's buffer starts that large.
static LAST_ANSWER_LEN: AtomicUsize = AtomicUsize::new(0);

/// The bytes `axum::Json(v)` answers, written into a buffer sized after the last answer instead
/// of one that starts at 128 bytes and doubles: a status with its evidence is ~60 KB, which took
/// ten reallocations, each copying what was written so far (decision 027).
fn json<T: serde::Serialize>(v: &T) -> Response {
    let hint = LAST_ANSWER_LEN.load(Ordering::Relaxed).clamp(1024, 1 << 20);
    let mut buf = Vec::with_capacity(hint.next_power_of_two());
    match serde_json::to_writer(&mut buf, v) {
        Ok(()) => {
            LAST_ANSWER_LEN.store(buf.len(), Ordering::Relaxed);
            (
                [(header::CONTENT_TYPE, HeaderValue::from_static(JSON))],
                buf,
            )
                .into_response()
        }
        // As `axum::Json` answers when a value does not serialize.
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            )],
            e.to_string(),
        )
            .into_response(),
    }
}

/// The content type of every JSON answer (as `axum::Json` sets it).
const JSON: &str = "application/json";

async fn relationship(
    State(s): State<ApiState>,
    Path((a, b)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Result<Response, Problem> {
    let started = Instant::now();
    let req: RelationshipRequest = params(&q, &[("a", &a), ("b", &b)])?;
    Ok(answer(
        "relationship",
        started,
        s.queries.relationship(&req).await,
    ))
}

async fn relationships(
    State(s): State<ApiState>,
    RawQuery(q): RawQuery,
) -> Result<Response, Problem> {
    let started = Instant::now();
    let req: RelationshipsRequest = params(&q, &[])?;
    Ok(answer(
        "relationships",
        started,
        s.queries.relationships(&req).await,
    ))
}

async fn organization(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, Problem> {
    let started = Instant::now();
    let req: OrganizationRequest = params(&q, &[("id", &id)])?;
    Ok(answer(
        "organization",
        started,
        s.queries.organization(&req).await,
    ))
}

async fn organizations(
    State(s): State<ApiState>,
    RawQuery(q): RawQuery,
) -> Result<Response, Problem> {
    let started = Instant::now();
    let req: OrganizationsRequest = params(&q, &[])?;
    Ok(answer(
        "organizations",
        started,
        s.queries.organizations(&req).await,
    ))
}

async fn event_places(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, Problem> {
    let started = Instant::now();
    let req: EventPlacesRequest = params(&q, &[("id", &id)])?;
    Ok(answer(
        "event_places",
        started,
        s.queries.event_places(&req).await,
    ))
}

async fn timeline(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, Problem> {
    let started = Instant::now();
    let req: TimelineRequest = params(&q, &[("id", &id)])?;
    Ok(answer(
        "timeline",
        started,
        s.queries.timeline(&req, false).await,
    ))
}

async fn org_meetings(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, Problem> {
    let started = Instant::now();
    let req: TimelineRequest = params(&q, &[("id", &id)])?;
    Ok(answer(
        "meetings",
        started,
        s.queries.timeline(&req, true).await,
    ))
}

async fn meetings(State(s): State<ApiState>, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    let started = Instant::now();
    let req: MeetingsRequest = params(&q, &[])?;
    Ok(answer("meetings", started, s.queries.meetings(&req).await))
}

/// `GET /v1/admin/rebuild`: the rebuild running (replayed up to which sequence of which), or the
/// last one's report or error; `idle` when none ran since the start.
async fn rebuild_status(State(s): State<ApiState>, RawQuery(q): RawQuery) -> Response {
    if let Some(name) = q
        .as_deref()
        .and_then(|q| q.split('&').find(|p| !p.is_empty()))
    {
        let name = name.split('=').next().unwrap_or_default();
        let mut p = Problem::bad_request(format!(
            "unknown parameter '{name}': GET /v1/admin/rebuild takes none"
        ));
        p.errors = vec![FieldError::new(format!("/{name}"), "unknown parameter")];
        return p.into_response();
    }
    Json(s.rebuilder.status()).into_response()
}

async fn rebuild(State(s): State<ApiState>, RawQuery(q): RawQuery) -> Result<Response, Problem> {
    let req: RebuildRequest = params(&q, &[])?;
    if req.wait != Some(Flag::Yes) {
        s.rebuilder
            .start()
            .map_err(|e| Problem::conflict(e.to_string()))?;
        return Ok((
            axum::http::StatusCode::ACCEPTED,
            Json(serde_json::json!({"status": "rebuilding"})),
        )
            .into_response());
    }
    match s.rebuilder.run().await {
        Ok(report) => Ok(Json(report).into_response()),
        Err(e @ crate::rebuild::RebuildError::Busy) => Err(Problem::conflict(e.to_string())),
        Err(e) => Err(Problem::internal(e.to_string())),
    }
}

/// `POST /v1/preview`: the effect of one event on the current statuses, nothing stored
/// ([`crate::preview`]).
async fn effect_preview(
    State(s): State<ApiState>,
    body: Result<liaison_runtime::json_body::JsonValue, Problem>,
) -> Response {
    use crate::preview::PreviewError;
    let started = Instant::now();
    let body = match body {
        Ok(liaison_runtime::json_body::JsonBody(body)) => body,
        Err(problem) => return problem.into_response(),
    };
    let store = s.queries.store();
    let result = tokio::task::spawn_blocking(move || crate::preview::preview(&store, &body)).await;
    crate::metrics::query("preview", "http", started.elapsed());
    match result {
        Ok(Ok(answer)) => Json(answer).into_response(),
        Ok(Err(PreviewError::Invalid(errors))) => Problem::from_validation(errors).into_response(),
        Ok(Err(PreviewError::Batch)) => Problem::unprocessable(vec![FieldError::new(
            "",
            "a preview is of one event, not a batch",
        )])
        .into_response(),
        Ok(Err(PreviewError::Store(e))) => {
            problem(QueryError::Internal(e.to_string())).into_response()
        }
        Err(e) => problem(QueryError::Internal(e.to_string())).into_response(),
    }
}
