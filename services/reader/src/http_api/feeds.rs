//! `POST /v1/feeds` (`{"url", "interval"}`) and `GET /v1/feeds`.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use liaison_proto::reader::{FeedList, FeedRequest};
use liaison_runtime::Problem;
use liaison_runtime::json_body::JsonBody;

use super::ApiState;

/// `POST /v1/feeds`: `201` registered, `200` registered before.
pub(super) async fn post_feed(
    State(state): State<ApiState>,
    JsonBody(request): JsonBody<FeedRequest>,
) -> Result<Response, Problem> {
    let (status, view) = state.feeds.register(request).await?;
    Ok((status, Json(view)).into_response())
}

/// `GET /v1/feeds`.
pub(super) async fn list_feeds(State(state): State<ApiState>) -> Result<Json<FeedList>, Problem> {
    let feeds = state.feeds.clone();
    let list = tokio::task::spawn_blocking(move || feeds.list())
        .await
        .map_err(|e| Problem::internal(e.to_string()))??;
    Ok(Json(FeedList { feeds: list }))
}
