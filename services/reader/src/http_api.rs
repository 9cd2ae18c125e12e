//! The reader's HTTP API (CONTRACT.md, "Reading the news"): articles, candidates and their
//! review, feeds. Writes are behind the write token ([`liaison_runtime::service::Context::write_auth`]);
//! every error is a problem document; query parameters are typed, and an error names the
//! parameter.

mod articles;
mod candidates;
mod feeds;

use axum::Router;
use axum::routing::{get, post};
use liaison_proto::query::params::{ParamError, from_query_string};
use liaison_proto::reader::MAX_ARTICLE_REQUEST_BYTES;
use liaison_runtime::auth::BearerAuthLayer;
use liaison_runtime::json_body::JsonLimits;
use liaison_runtime::{FieldError, Problem};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::decide::Decider;
use crate::feeds::Feeds;
use crate::reading::Reading;
use crate::review::ReviewStore;

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct ApiState {
    /// Reading articles.
    pub reading: Reading,
    /// Deciding on candidates.
    pub decider: Decider,
    /// The review queue.
    pub store: ReviewStore,
    /// Registering and listing feeds.
    pub feeds: Feeds,
}

/// The largest body of a decision (an edited event and room for whitespace).
pub const MAX_DECISION_BODY_BYTES: usize = 128 * 1024;

/// The routes: reads open (under the skeleton's read scope), writes behind `write`.
pub fn routes(state: ApiState, write: BearerAuthLayer) -> Router {
    let article_writes = Router::new()
        .route("/v1/articles", post(articles::post_article))
        .layer(axum::Extension(JsonLimits::new(
            MAX_ARTICLE_REQUEST_BYTES,
            32,
        )));
    let writes = Router::new()
        .route(
            "/v1/candidates/{id}/accept",
            post(candidates::accept_candidate),
        )
        .route(
            "/v1/candidates/{id}/reject",
            post(candidates::reject_candidate),
        )
        .route("/v1/feeds", post(feeds::post_feed))
        .layer(axum::Extension(JsonLimits::new(
            MAX_DECISION_BODY_BYTES,
            64,
        )))
        .merge(article_writes)
        .layer(write);
    let reads = Router::new()
        .route("/v1/articles/{id}", get(articles::get_article))
        .route("/v1/candidates", get(candidates::list_candidates))
        .route("/v1/candidates/{id}", get(candidates::get_candidate))
        .route("/v1/feeds", get(feeds::list_feeds));
    reads.merge(writes).with_state(state)
}

/// Reads a query string into `T`; a `400` naming the parameter at fault.
fn query_params<T: DeserializeOwned>(query: Option<&str>) -> Result<T, Problem> {
    from_query_string(query.unwrap_or_default(), &[]).map_err(|e: ParamError| {
        let mut p = Problem::bad_request(e.detail.clone());
        if let Some(name) = e.parameter {
            p.errors = vec![FieldError::new(format!("/{name}"), e.detail)];
        }
        p
    })
}

/// The id in a path; a `404` when it is not one (nothing can have it).
fn path_id(id: &str, what: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(id).map_err(|_| Problem::not_found(format!("no {what} '{id}' (ids are UUIDs)")))
}

/// A `500` for a failure of the service's own.
fn internal(e: impl std::fmt::Display) -> Problem {
    Problem::internal(e.to_string())
}
