//! `/v1/rules`: list (paged), read, create and delete alert rules. A rule is created by
//! appending a `rule.created` event ([`super::rule_log`]) once it passes the checks of
//! [`super::rule_checks`].

use std::ops::Bound;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use liaison_proto::alert::new_partnership_rule;
use liaison_proto::events::{BUILTIN_RULES, RuleCreated, RuleDeleted};
use liaison_proto::notifier::{RuleList, RuleView, RulesRequest};
use liaison_proto::{BusinessTime, ClientEvent, EventData};
use liaison_runtime::json_body::{JsonBody, JsonValue};
use liaison_runtime::{FieldError, Problem};
use serde_json::Value;

use super::rule_checks::{StoreRegistry, validated_rule};
use super::rule_log::{append, catch_up};
use super::{ApiState, MAX_SCAN, internal, page_limit, page_of, query_params};
use crate::store::{Store, StoredRule, decode};

// ---------- reading ----------

/// `GET /v1/rules?limit=&cursor=`: the built-in rules first, then the others by id.
pub(super) async fn list_rules(
    State(state): State<ApiState>,
    RawQuery(query): RawQuery,
) -> Result<Json<RuleList>, Problem> {
    let req: RulesRequest = query_params(query.as_deref())?;
    let mut errors = Vec::new();
    let limit = page_limit(req.limit).map_err(|e| errors.push(e)).ok();
    let after = match req.cursor.as_deref().map(read_cursor) {
        None => None,
        Some(Some(id)) => Some(id),
        Some(None) => {
            errors.push(FieldError::new(
                "/cursor",
                "not a cursor from a previous page",
            ));
            None
        }
    };
    let Some(limit) = limit.filter(|_| errors.is_empty()) else {
        return Err(Problem::unprocessable(errors));
    };
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || rules_page(&store, after.as_deref(), limit))
        .await
        .map_err(internal)?
        .map(Json)
}

/// The page of rules after the rule `after` (every rule when `None`).
fn rules_page(store: &Store, after: Option<&str>, limit: usize) -> Result<RuleList, Problem> {
    let builtin = new_partnership_rule();
    let builtins = after.is_none().then(|| {
        Ok((
            builtin.id.to_string(),
            Some(RuleView::new(&builtin, true, None)),
        ))
    });
    let start = match after {
        Some(id) if !BUILTIN_RULES.contains(&id) => {
            let mut key = id.as_bytes().to_vec();
            key.push(0); // strictly after
            Bound::Included(key)
        }
        _ => Bound::Unbounded,
    };
    let stored = store
        .rules
        .range::<Vec<u8>, _>((start, Bound::Unbounded))
        .values()
        .map(|v| {
            let rule: StoredRule = decode(&v.map_err(internal)?).map_err(internal)?;
            let view =
                (!rule.deleted).then(|| RuleView::new(&rule.rule, false, Some(rule.sequence)));
            Ok((rule.rule.id.to_string(), view))
        });
    let entries = builtins.into_iter().chain(stored);
    let (rules, last) = page_of(entries, limit, MAX_SCAN, Ok)?;
    Ok(RuleList {
        rules,
        next_cursor: last.map(hex::encode),
    })
}

/// The rule id a cursor names.
fn read_cursor(cursor: &str) -> Option<String> {
    String::from_utf8(hex::decode(cursor).ok()?).ok()
}

/// `GET /v1/rules/{id}`.
pub(super) async fn get_rule(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<RuleView>, Problem> {
    if BUILTIN_RULES.contains(&id.as_str()) {
        return Ok(Json(RuleView::new(&new_partnership_rule(), true, None)));
    }
    match state.rules.get(&id) {
        Some(r) if !r.deleted => Ok(Json(RuleView::new(&r.rule, false, Some(r.sequence)))),
        _ => Err(Problem::not_found(format!("no rule '{id}'"))),
    }
}

// ---------- creating ----------

/// `POST /v1/rules`: `201` with the rule as appended, `200` when it is defined so already,
/// `409` when a different rule has the id, `422` when it does not pass the checks.
pub(super) async fn create_rule(
    State(state): State<ApiState>,
    JsonBody(body): JsonValue,
) -> Result<Response, Problem> {
    require_object(&body)?;
    catch_up(&state).await?;
    let now = Utc::now();
    let (event, rule) = validated_rule(body, now, &state.targets, &state.secrets, &state.rules)?;
    registry(&state).check(&event)?;
    if registry(&state).is_unchanged(&event) {
        return Ok(unchanged(&state, &rule));
    }
    // Optimistic concurrency on the rule's subject: the append succeeds only if no other
    // `rule.created` of this id came after the one this instance knows (none: 0), so two
    // concurrent creations of one id cannot both be appended.
    let expected = state.rules.get(rule.id.as_str()).map_or(0, |r| r.sequence);
    match append(&state, event.clone(), now, Some(expected)).await? {
        Some(sequence) => Ok((
            StatusCode::CREATED,
            Json(RuleView::new(&rule, false, Some(sequence))),
        )
            .into_response()),
        None => settle_lost_race(&state, &event, &rule).await,
    }
}

fn require_object(body: &Value) -> Result<(), Problem> {
    if body.is_object() {
        Ok(())
    } else {
        Err(Problem::unprocessable(vec![FieldError::new(
            "",
            "expected a rule object: {\"id\", \"name\", \"match\", \"deliver\"}",
        )]))
    }
}

fn registry(state: &ApiState) -> StoreRegistry<'_> {
    StoreRegistry {
        store: &state.store,
        rules: &state.rules,
    }
}

/// `200` with the rule as it stands: the request defines it exactly so.
fn unchanged(state: &ApiState, rule: &RuleCreated) -> Response {
    let sequence = state.rules.get(rule.id.as_str()).map(|r| r.sequence);
    (StatusCode::OK, Json(RuleView::new(rule, false, sequence))).into_response()
}

/// Another request appended a definition of the rule first: the same definition is this one's
/// success (`200`), another is a `409`.
async fn settle_lost_race(
    state: &ApiState,
    event: &ClientEvent,
    rule: &RuleCreated,
) -> Result<Response, Problem> {
    catch_up(state).await?;
    if registry(state).is_unchanged(event) {
        return Ok(unchanged(state, rule));
    }
    Err(Problem::conflict(format!(
        "rule '{}' was just defined differently by another request; GET /v1/rules/{} shows it",
        rule.id, rule.id
    )))
}

// ---------- deleting ----------

/// `DELETE /v1/rules/{id}`: appends `rule.deleted`.
pub(super) async fn delete_rule(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    if BUILTIN_RULES.contains(&id.as_str()) {
        return Err(Problem::conflict(format!(
            "rule '{id}' is built in and cannot be deleted"
        )));
    }
    let Some(stored) = state.rules.get(&id).filter(|r| !r.deleted) else {
        return Err(Problem::not_found(format!("no rule '{id}'")));
    };
    let now = Utc::now();
    let event = ClientEvent {
        id: None,
        time: BusinessTime::Instant(now),
        event: EventData::RuleDeleted(RuleDeleted {
            id: stored.rule.id.clone(),
            factuality: Default::default(),
            evidence: None,
            summary: None,
        }),
    };
    append(&state, event, now, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
