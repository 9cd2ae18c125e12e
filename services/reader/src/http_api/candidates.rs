//! `GET /v1/candidates`, `GET /v1/candidates/{id}`, and the decisions:
//! `POST /v1/candidates/{id}/accept` (optional body: the edited event) and
//! `POST /v1/candidates/{id}/reject` (`{"reason"}`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use liaison_proto::reader::{
    CandidateList, CandidateState, CandidateView, CandidatesRequest, DEFAULT_CANDIDATES_PAGE,
    MAX_CANDIDATES_PAGE, RejectRequest,
};
use liaison_runtime::json_body::{JsonBody, JsonLimits, check_content_type, parse_json};
use liaison_runtime::{FieldError, Problem};
use serde_json::Value;
use uuid::Uuid;

use super::{ApiState, MAX_DECISION_BODY_BYTES, internal, path_id, query_params};
use crate::review::CandidateFilter;

/// `GET /v1/candidates?state=&article=&limit=&cursor=`: oldest article first.
pub(super) async fn list_candidates(
    State(state): State<ApiState>,
    RawQuery(query): RawQuery,
) -> Result<Json<CandidateList>, Problem> {
    let req: CandidatesRequest = query_params(query.as_deref())?;
    let mut errors = Vec::new();
    let filter = CandidateFilter {
        state: req.state.as_deref().and_then(|s| {
            let parsed = CandidateState::parse(s);
            if parsed.is_none() {
                errors.push(FieldError::new(
                    "/state",
                    format!(
                        "unknown state '{s}'; expected pending, accepted, rejected or auto-accepted"
                    ),
                ));
            }
            parsed
        }),
        article: req.article.as_deref().and_then(|a| {
            let parsed = Uuid::parse_str(a).ok();
            if parsed.is_none() {
                errors.push(FieldError::new(
                    "/article",
                    format!("'{a}' is not an article id"),
                ));
            }
            parsed
        }),
    };
    let limit = match req.limit.unwrap_or(u64::from(DEFAULT_CANDIDATES_PAGE)) {
        n @ 1.. if n <= u64::from(MAX_CANDIDATES_PAGE) => n as usize,
        _ => {
            errors.push(FieldError::new(
                "/limit",
                format!("limit must be 1 to {MAX_CANDIDATES_PAGE}"),
            ));
            0
        }
    };
    let after = match req.cursor.as_deref().map(hex::decode) {
        None => None,
        Some(Ok(key)) if key.len() == 14 && key.starts_with(b"ord/") => Some(key),
        Some(_) => {
            errors.push(FieldError::new(
                "/cursor",
                "not a cursor from a previous page",
            ));
            None
        }
    };
    if !errors.is_empty() {
        return Err(Problem::unprocessable(errors));
    }
    let store = state.store.clone();
    let page =
        tokio::task::spawn_blocking(move || store.candidates(&filter, after.as_deref(), limit))
            .await
            .map_err(internal)?
            .map_err(internal)?;
    Ok(Json(CandidateList {
        candidates: page.candidates.iter().map(|c| c.view()).collect(),
        next_cursor: page.next.map(hex::encode),
    }))
}

/// `GET /v1/candidates/{id}`.
pub(super) async fn get_candidate(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<CandidateView>, Problem> {
    let id = path_id(&id, "candidate")?;
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || store.candidate(id))
        .await
        .map_err(internal)?
        .map_err(internal)?
        .map(|c| Json(c.view()))
        .ok_or_else(|| Problem::not_found(format!("no candidate {id}")))
}

/// `POST /v1/candidates/{id}/accept`, with the edited event as the optional body.
pub(super) async fn accept_candidate(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<CandidateView>, Problem> {
    let id = path_id(&id, "candidate")?;
    let edited = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        check_content_type(&headers)?;
        let limits = JsonLimits::new(MAX_DECISION_BODY_BYTES, 64);
        Some(parse_json::<Value>(&body, &limits)?)
    };
    state
        .decider
        .accept(id, edited, CandidateState::Accepted)
        .await
        .map(Json)
}

/// `POST /v1/candidates/{id}/reject` with `{"reason"}`.
pub(super) async fn reject_candidate(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<RejectRequest>,
) -> Result<Json<CandidateView>, Problem> {
    let id = path_id(&id, "candidate")?;
    state.decider.reject(id, body.reason).await.map(Json)
}
