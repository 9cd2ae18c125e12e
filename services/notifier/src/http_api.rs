//! The notifier's HTTP API: rules (`/v1/rules`, kept as `rule.created`/`rule.deleted` events in
//! the log) and alerts (`/v1/alerts`, with their delivery state, and redelivery).
//!
//! A rule write appends its event to the log and answers once this instance's follower has
//! applied it, so a `GET /v1/rules` right after shows it. A `rule.created` is appended with
//! `Nats-Expected-Last-Subject-Sequence` on its subject, so that of two concurrent creations of
//! one id (on one instance or two) only one is appended: the other answers `200` when its
//! definition is the same, else `409`. Webhook secrets never leave in an
//! answer: they are shown as `"***"`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use liaison_log::{Appender, Follower, OutgoingEvent};
use liaison_proto::alert::{NOTIFIER_SOURCE, new_partnership_rule};
use liaison_proto::events::{BUILTIN_RULES, OrganizationRegistered, PersonRegistered, RuleDeleted};
use liaison_proto::notifier::{AlertList, AlertView, RuleList, RuleView};
use liaison_proto::validate::{
    KnownEvent, KnownRule, Registry, check_references_with, is_noop, validate_submission,
};
use liaison_proto::{BusinessTime, ClientEvent, Envelope, EventData, Slug};
use liaison_runtime::auth::BearerAuthLayer;
use liaison_runtime::json_body::{JsonBody, JsonValue};
use liaison_runtime::{FieldError, Problem};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::delivery::nats_queue::redeliver;
use crate::delivery::signature::{SECRET_PREFIX, secret_key};
use crate::delivery::webhook_queue::request_redelivery;
use crate::model::RuleSet;
use crate::store::{DeliveryState, Store, TargetKind, decode, sequence_key_id};

/// Most alerts one page holds.
pub const MAX_PAGE: usize = 1000;
/// Alerts on a page unless `limit` says otherwise.
pub const DEFAULT_PAGE: usize = 100;

/// What the handlers share.
#[derive(Clone)]
pub struct ApiState {
    /// The database.
    pub store: Store,
    /// The rules in force.
    pub rules: RuleSet,
    /// This instance's follower (to wait for a rule event to be applied).
    pub follower: Follower,
    /// Appends rule events.
    pub appender: Appender,
    /// Reads the log's last sequence (to validate a rule against everything appended before).
    pub js: async_nats::jetstream::Context,
    /// Wakes the delivery worker.
    pub wake: Arc<Notify>,
    /// How long a rule write waits for its event to be applied.
    pub apply_timeout: Duration,
}

/// The API routes; write routes behind `auth`.
pub fn routes(state: ApiState, auth: BearerAuthLayer) -> Router {
    let writes = Router::new()
        .route("/v1/rules", post(create_rule))
        .route("/v1/rules/{id}", axum::routing::delete(delete_rule))
        .route("/v1/alerts/{id}/redeliver", post(redeliver_alert))
        .layer(auth);
    let reads = Router::new()
        .route("/v1/rules", get(list_rules))
        .route("/v1/rules/{id}", get(get_rule))
        .route("/v1/alerts", get(list_alerts))
        .route("/v1/alerts/{id}", get(get_alert));
    // Merging keeps GET and POST on one path in one method router.
    reads.merge(writes).with_state(state)
}

fn internal(e: impl std::fmt::Display) -> Problem {
    tracing::error!(error = %e, "internal error");
    Problem::internal("internal error; see the notifier's log")
}

// ---------- rules ----------

async fn list_rules(State(state): State<ApiState>) -> Json<RuleList> {
    let mut rules = vec![RuleView::new(&new_partnership_rule(), true, None)];
    rules.extend(
        state
            .rules
            .snapshot()
            .values()
            .filter(|r| !r.deleted)
            .map(|r| RuleView::new(&r.rule, false, Some(r.sequence))),
    );
    Json(RuleList { rules })
}

async fn get_rule(
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

/// What validation of a rule needs from the notifier's store.
struct StoreRegistry<'a> {
    store: &'a Store,
    rules: &'a RuleSet,
}

impl Registry for StoreRegistry<'_> {
    fn organization(&self, id: &str) -> Option<OrganizationRegistered> {
        let bytes = self.store.organizations.get(id).ok()??;
        decode(&bytes).ok()
    }

    fn person(&self, _id: &str) -> Option<PersonRegistered> {
        None
    }

    fn event(&self, _id: &Uuid) -> Option<KnownEvent> {
        None
    }

    fn rule(&self, id: &str) -> Option<KnownRule> {
        self.rules.get(id).map(|r| KnownRule {
            rule: r.rule,
            deleted: r.deleted,
        })
    }
}

/// A pointer into the wrapped event (`/data/...`) as a pointer into the request body.
fn body_pointer(pointer: &str) -> String {
    pointer.strip_prefix("/data").unwrap_or(pointer).to_owned()
}

fn field_errors(errors: &liaison_proto::ValidationErrors) -> Vec<FieldError> {
    errors
        .errors()
        .iter()
        .map(|e| FieldError::new(body_pointer(&e.pointer), e.detail.clone()))
        .collect()
}

async fn create_rule(
    State(state): State<ApiState>,
    JsonBody(body): JsonValue,
) -> Result<Response, Problem> {
    if !body.is_object() {
        return Err(Problem::unprocessable(vec![FieldError::new(
            "",
            "expected a rule object: {\"id\", \"name\", \"match\", \"deliver\"}",
        )]));
    }
    catch_up(&state).await?;
    let now = Utc::now();
    let wrapped = json!({ "type": "rule.created", "time": now.to_rfc3339(), "data": body });
    let events =
        validate_submission(&wrapped).map_err(|e| Problem::unprocessable(field_errors(&e)))?;
    let event = events.into_iter().next().expect("one event");
    let EventData::RuleCreated(rule) = &event.event else {
        return Err(internal("validated rule is not a rule.created"));
    };
    if let Some(webhook) = &rule.deliver.webhook
        && webhook.secret.starts_with(SECRET_PREFIX)
        && secret_key(&webhook.secret).is_err()
    {
        return Err(Problem::unprocessable(vec![FieldError::new(
            "/deliver/webhook/secret",
            "a secret starting with 'whsec_' must be base64 after the prefix",
        )]));
    }
    let registry = StoreRegistry {
        store: &state.store,
        rules: &state.rules,
    };
    if let Err(errors) = check_references_with(std::slice::from_ref(&event), &registry, false) {
        let fields = field_errors(&errors);
        return Err(if errors.is_conflict() {
            let detail = fields.first().map(|f| f.detail.clone()).unwrap_or_default();
            let mut p = Problem::conflict(detail);
            p.errors = fields;
            p
        } else {
            Problem::unprocessable(fields)
        });
    }
    let rule = rule.clone();
    if is_noop(&event, &registry) {
        let sequence = state.rules.get(rule.id.as_str()).map(|r| r.sequence);
        return Ok((StatusCode::OK, Json(RuleView::new(&rule, false, sequence))).into_response());
    }
    // Optimistic concurrency on the rule's subject: the append succeeds only if no other
    // `rule.created` of this id came after the one this instance knows (none: 0), so two
    // concurrent creations of one id cannot both be appended.
    let expected = state.rules.get(rule.id.as_str()).map_or(0, |r| r.sequence);
    if let Some(sequence) = append(&state, event.clone(), now, Some(expected)).await? {
        return Ok((
            StatusCode::CREATED,
            Json(RuleView::new(&rule, false, Some(sequence))),
        )
            .into_response());
    }
    // Another request defined the rule first: the same definition is this one's success.
    catch_up(&state).await?;
    let registry = StoreRegistry {
        store: &state.store,
        rules: &state.rules,
    };
    if is_noop(&event, &registry) {
        let sequence = state.rules.get(rule.id.as_str()).map(|r| r.sequence);
        return Ok((StatusCode::OK, Json(RuleView::new(&rule, false, sequence))).into_response());
    }
    Err(Problem::conflict(format!(
        "rule '{}' was just defined differently by another request; GET /v1/rules/{} shows it",
        rule.id, rule.id
    )))
}

async fn delete_rule(
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

/// Waits until this instance applied the whole log as it is now, so that a rule is checked
/// against every organization and rule appended before the request.
async fn catch_up(state: &ApiState) -> Result<(), Problem> {
    let last = liaison_log::last_sequence(&state.js)
        .await
        .map_err(|e| Problem::unavailable(format!("the log cannot be reached: {e}"), Some(1)))?;
    if state.follower.wait_applied(last, state.apply_timeout).await {
        Ok(())
    } else {
        Err(Problem::unavailable(
            format!("the notifier has not applied the log up to {last} yet"),
            Some(1),
        ))
    }
}

/// Appends a rule event (its id a fresh UUID v7, which is also the `Nats-Msg-Id`), with
/// `Nats-Expected-Last-Subject-Sequence` = `expected` when given, and waits until this instance
/// applied it; the log sequence, or `None` when the expectation failed (error 10071: another
/// event on the subject came first, nothing was appended).
async fn append(
    state: &ApiState,
    event: ClientEvent,
    now: DateTime<Utc>,
    expected: Option<u64>,
) -> Result<Option<u64>, Problem> {
    let envelope = Envelope::record(event, NOTIFIER_SOURCE, now);
    let mut outgoing = OutgoingEvent::new(
        envelope.subject(),
        envelope.id.to_string(),
        serde_json::to_vec(&envelope)
            .expect("events serialize")
            .into(),
    );
    outgoing.expected_last_subject_sequence = expected;
    let appended = match state.appender.append(outgoing).await {
        Ok(appended) => appended,
        Err(e) if e.is_wrong_last_sequence() => return Ok(None),
        Err(e) => {
            tracing::warn!(error = %e, "appending a rule event failed");
            return Err(Problem::unavailable(
                format!("the log cannot be reached: {e}"),
                Some(1),
            ));
        }
    };
    state.follower.observe_log_sequence(appended.sequence);
    if !state
        .follower
        .wait_applied(appended.sequence, state.apply_timeout)
        .await
    {
        return Err(Problem::unavailable(
            format!(
                "the rule was appended at sequence {} but is not applied yet; retry the read later",
                appended.sequence
            ),
            Some(1),
        ));
    }
    Ok(Some(appended.sequence))
}

// ---------- alerts ----------

/// The query of `GET /v1/alerts`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertsQuery {
    rule: Option<String>,
    state: Option<String>,
    since: Option<String>,
    limit: Option<usize>,
    cursor: Option<String>,
}

async fn list_alerts(
    State(state): State<ApiState>,
    query: Result<Query<AlertsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AlertList>, Problem> {
    let Query(q) = query.map_err(|e| Problem::bad_request(e.body_text()))?;
    let mut errors = Vec::new();
    let wanted_state = q.state.as_deref().and_then(|s| {
        let parsed = DeliveryState::parse(s);
        if parsed.is_none() {
            errors.push(FieldError::new(
                "/state",
                format!("unknown state '{s}'; expected pending, delivered or failed"),
            ));
        }
        parsed
    });
    if let Some(rule) = &q.rule
        && Slug::parse(rule).is_err()
    {
        errors.push(FieldError::new(
            "/rule",
            format!("'{rule}' is not a rule id"),
        ));
    }
    let since = q
        .since
        .as_deref()
        .and_then(|s| match BusinessTime::parse(s) {
            Ok(t) => Some(t.instant()),
            Err(e) => {
                errors.push(FieldError::new(
                    "/since",
                    format!("'{s}' is not a date or RFC 3339 time: {e}"),
                ));
                None
            }
        });
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    if limit == 0 || limit > MAX_PAGE {
        errors.push(FieldError::new(
            "/limit",
            format!("limit must be 1 to {MAX_PAGE}"),
        ));
    }
    let start = match q.cursor.as_deref().map(hex::decode) {
        None => Vec::new(),
        Some(Ok(mut key)) if key.len() == 24 => {
            key.push(0); // strictly after the cursor
            key
        }
        Some(_) => {
            errors.push(FieldError::new(
                "/cursor",
                "not a cursor from a previous page",
            ));
            Vec::new()
        }
    };
    if !errors.is_empty() {
        return Err(Problem::unprocessable(errors));
    }
    let store = state.store.clone();
    let rule = q.rule;
    tokio::task::spawn_blocking(move || {
        let mut alerts = Vec::new();
        let mut last_key = None;
        let mut more = false;
        for item in store.alerts_by_sequence.range(start..) {
            let (key, _) = item.map_err(internal)?;
            let Some(id) = sequence_key_id(&key) else {
                continue;
            };
            let Some(record) = store.alert(id).map_err(internal)? else {
                continue;
            };
            if rule.as_deref().is_some_and(|r| record.alert.rule != r)
                || wanted_state.is_some_and(|s| record.state() != s)
                || since.is_some_and(|t| record.raised_at < t)
            {
                continue;
            }
            if alerts.len() == limit {
                more = true;
                break;
            }
            alerts.push(record.view());
            last_key = Some(key);
        }
        let next = if more {
            last_key.map(hex::encode)
        } else {
            None
        };
        Ok(Json(AlertList {
            alerts,
            next_cursor: next,
        }))
    })
    .await
    .map_err(internal)?
}

fn parse_alert_id(id: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(id).map_err(|_| Problem::not_found(format!("no alert '{id}'")))
}

async fn get_alert(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<AlertView>, Problem> {
    let uuid = parse_alert_id(&id)?;
    match state.store.alert(uuid).map_err(internal)? {
        Some(record) => Ok(Json(record.view())),
        None => Err(Problem::not_found(format!("no alert '{id}'"))),
    }
}

async fn redeliver_alert(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let uuid = parse_alert_id(&id)?;
    let Some(record) = state.store.alert(uuid).map_err(internal)? else {
        return Err(Problem::not_found(format!("no alert '{id}'")));
    };
    let webhook_done = record
        .targets
        .iter()
        .any(|t| t.kind == TargetKind::Webhook && t.state != DeliveryState::Pending);
    if webhook_done {
        request_redelivery(&state.js, &record).await.map_err(|e| {
            Problem::unavailable(format!("the alerts stream cannot be reached: {e}"), Some(1))
        })?;
    }
    match redeliver(&state.store, uuid, &state.wake).map_err(internal)? {
        Some(record) => Ok((StatusCode::ACCEPTED, Json(record.view())).into_response()),
        None => Err(Problem::not_found(format!("no alert '{id}'"))),
    }
}
