//! `POST /v1/articles` and `GET /v1/articles/{id}`.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use liaison_proto::reader::{ArticleAnswer, ArticleQuery, ArticleRequest, Language};
use liaison_runtime::json_body::{JsonBytes, JsonLimits, parse_json};
use liaison_runtime::{FieldError, Problem};
use serde_json::Value;

use super::{ApiState, internal, path_id, query_params};

/// `POST /v1/articles[?dry_run=true]`: `201` read now, `200` read before (or a dry run).
pub(super) async fn post_article(
    State(state): State<ApiState>,
    RawQuery(query): RawQuery,
    limits: Option<axum::Extension<JsonLimits>>,
    JsonBytes(body): JsonBytes,
) -> Result<Response, Problem> {
    let query: ArticleQuery = query_params(query.as_deref())?;
    let limits = limits.map(|l| l.0).unwrap_or_default();
    let request = tokio::task::spawn_blocking(move || article_request(&body, &limits))
        .await
        .map_err(internal)??;
    let outcome = state
        .reading
        .read(request, query.dry_run.unwrap_or(false), None)
        .await?;
    Ok((outcome.status, Json(outcome.answer)).into_response())
}

/// Reads the body of `POST /v1/articles`, with problems that name the member at fault.
pub fn article_request(body: &[u8], limits: &JsonLimits) -> Result<ArticleRequest, Problem> {
    let value: Value = parse_json(body, limits)?;
    let Some(object) = value.as_object() else {
        return Err(Problem::unprocessable(vec![FieldError::new(
            "",
            "an article is a JSON object: {\"text\" or \"html\" (or \"url\" alone), \"published_at\", ...}",
        )]));
    };
    if !object.contains_key("published_at") {
        return Err(Problem::unprocessable(vec![FieldError::new(
            "/published_at",
            "required: when the article was published (a date or an RFC 3339 time)",
        )])
        .with_detail("published_at is required: when the article was published"));
    }
    if let Some(code) = object.get("language").and_then(Value::as_str)
        && Language::parse(code).is_none()
    {
        return Err(Problem::unprocessable(vec![FieldError::new(
            "/language",
            format!("'{code}' is not a language the reader reads: de or en"),
        )])
        .with_detail(format!(
            "the reader reads German (de) and English (en), not '{code}'"
        )));
    }
    serde_path_to_error::deserialize(&value).map_err(|e| {
        let pointer = format!("/{}", e.path().to_string().replace('.', "/"));
        let pointer = if pointer == "/." {
            String::new()
        } else {
            pointer
        };
        Problem::unprocessable(vec![FieldError::new(pointer, e.inner().to_string())])
    })
}

/// `GET /v1/articles/{id}`.
pub(super) async fn get_article(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<ArticleAnswer>, Problem> {
    let id = path_id(&id, "article")?;
    state
        .reading
        .answer(id)
        .await?
        .map(Json)
        .ok_or_else(|| Problem::not_found(format!("no article {id}")))
}
