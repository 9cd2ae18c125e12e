//! The HTTP API of the contract's "Projection API": parameters are read here (a malformed one is
//! a `400` problem+json naming it), answers come from [`crate::queries`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use liaison_proto::query::{
    Consistency, OrganizationRequest, RelationshipRequest, RelationshipsRequest, TimelineRequest,
};
use liaison_proto::{BusinessTime, Slug, Status};
use liaison_runtime::Problem;
use liaison_runtime::auth::BearerAuthLayer;
use liaison_runtime::http::RouteTimeout;

use crate::queries::{Queries, QueryError};
use crate::rebuild::Rebuilder;

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct ApiState {
    /// The queries.
    pub queries: Arc<Queries>,
    /// The rebuild trigger.
    pub rebuilder: Arc<Rebuilder>,
    /// The applier (its notifications wake the SSE streams).
    pub applier: crate::rebuild::LiveApplier,
}

/// The query routes, the SSE stream and the (authenticated) rebuild trigger.
pub fn routes(state: ApiState, api_token: Option<String>) -> Router {
    let admin = Router::new()
        // A rebuild with `wait=true` replays the whole log: minutes, not the server's 30 s.
        .route(
            "/v1/admin/rebuild",
            post(rebuild).layer(RouteTimeout::new(Duration::from_secs(3600))),
        )
        .layer(BearerAuthLayer::new(api_token));
    Router::new()
        .route("/v1/relationships", get(relationships))
        .route("/v1/relationships/{a}/{b}", get(relationship))
        .route("/v1/organizations/{id}", get(organization))
        .route("/v1/organizations/{id}/timeline", get(timeline))
        .route("/v1/organizations/{id}/meetings", get(org_meetings))
        .route("/v1/meetings", get(meetings))
        .route("/v1/stream", get(crate::sse::stream))
        .merge(admin)
        .with_state(state)
}

type Params = Query<HashMap<String, String>>;

/// Converts a query error into its problem+json.
pub fn problem(e: QueryError) -> Problem {
    match e {
        QueryError::NotFound(d) => Problem::not_found(d),
        QueryError::BadRequest(d) => Problem::bad_request(d),
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

fn slug(name: &str, value: &str) -> Result<Slug, Problem> {
    Slug::parse(value).map_err(|e| Problem::bad_request(format!("{name}: {e}")))
}

fn opt_slug(p: &HashMap<String, String>, name: &str) -> Result<Option<Slug>, Problem> {
    p.get(name).map(|v| slug(name, v)).transpose()
}

fn opt_u64(p: &HashMap<String, String>, name: &str) -> Result<Option<u64>, Problem> {
    p.get(name)
        .map(|v| {
            v.parse::<u64>().map_err(|_| {
                Problem::bad_request(format!(
                    "{name}: expected a non-negative integer, got {v:?}"
                ))
            })
        })
        .transpose()
}

fn limit(p: &HashMap<String, String>) -> Result<Option<u32>, Problem> {
    opt_u64(p, "limit")?
        .map(|n| u32::try_from(n).map_err(|_| Problem::bad_request("limit: too large")))
        .transpose()
}

/// `as_of` and `min_sequence`.
fn consistency(p: &HashMap<String, String>) -> Result<Consistency, Problem> {
    let as_of = p
        .get("as_of")
        .map(|v| BusinessTime::parse(v).map_err(|e| Problem::bad_request(format!("as_of: {e}"))))
        .transpose()?;
    Ok(Consistency {
        as_of,
        min_sequence: opt_u64(p, "min_sequence")?,
    })
}

fn answer<T: serde::Serialize>(
    name: &'static str,
    started: Instant,
    result: Result<T, QueryError>,
) -> Response {
    crate::metrics::query(name, "http", started.elapsed());
    match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => problem(e).into_response(),
    }
}

async fn relationship(
    State(s): State<ApiState>,
    Path((a, b)): Path<(String, String)>,
    Query(p): Params,
) -> Result<Response, Problem> {
    let started = Instant::now();
    let req = RelationshipRequest {
        a: slug("a", &a)?,
        b: slug("b", &b)?,
        topic: opt_slug(&p, "topic")?,
        limit: limit(&p)?,
        before: p.get("before").cloned(),
        consistency: consistency(&p)?,
    };
    Ok(answer(
        "relationship",
        started,
        s.queries.relationship(&req).await,
    ))
}

async fn relationships(State(s): State<ApiState>, Query(p): Params) -> Result<Response, Problem> {
    let started = Instant::now();
    let status = p
        .get("status")
        .map(|v| {
            Status::parse(v).ok_or_else(|| {
                Problem::bad_request(format!(
                    "status: expected one of none, contact, exploring, negotiating, agreed, active, ended; got {v:?}"
                ))
            })
        })
        .transpose()?;
    let req = RelationshipsRequest {
        org: opt_slug(&p, "org")?,
        topic: opt_slug(&p, "topic")?,
        status,
        limit: limit(&p)?,
        consistency: consistency(&p)?,
    };
    Ok(answer(
        "relationships",
        started,
        s.queries.relationships(&req).await,
    ))
}

async fn organization(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    Query(p): Params,
) -> Result<Response, Problem> {
    let started = Instant::now();
    let req = OrganizationRequest {
        id: slug("id", &id)?,
        consistency: consistency(&p)?,
    };
    Ok(answer(
        "organization",
        started,
        s.queries.organization(&req).await,
    ))
}

fn timeline_request(id: &str, p: &HashMap<String, String>) -> Result<TimelineRequest, Problem> {
    Ok(TimelineRequest {
        id: slug("id", id)?,
        cursor: p.get("cursor").cloned(),
        limit: limit(p)?,
        consistency: consistency(p)?,
    })
}

async fn timeline(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    Query(p): Params,
) -> Result<Response, Problem> {
    let started = Instant::now();
    let req = timeline_request(&id, &p)?;
    Ok(answer(
        "timeline",
        started,
        s.queries.timeline(&req, false).await,
    ))
}

async fn org_meetings(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    Query(p): Params,
) -> Result<Response, Problem> {
    let started = Instant::now();
    let req = timeline_request(&id, &p)?;
    Ok(answer(
        "meetings",
        started,
        s.queries.timeline(&req, true).await,
    ))
}

async fn meetings(State(s): State<ApiState>, Query(p): Params) -> Result<Response, Problem> {
    let started = Instant::now();
    let c = consistency(&p)?;
    let result = s
        .queries
        .meetings(p.get("cursor").map(String::as_str), limit(&p)?, &c)
        .await;
    Ok(answer("meetings", started, result))
}

async fn rebuild(State(s): State<ApiState>, Query(p): Params) -> Result<Response, Problem> {
    let wait = p.get("wait").is_some_and(|v| v == "true" || v == "1");
    if !wait {
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
