//! `/v1/alerts`: list alerts with their delivery state (filtered, paged, in log order), read
//! one, and ask for its redelivery.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use liaison_proto::notifier::{AlertList, AlertView, AlertsRequest};
use liaison_proto::{BusinessTime, Slug};
use liaison_runtime::{FieldError, Problem};
use uuid::Uuid;

use super::{ApiState, MAX_SCAN, internal, page_limit, page_of, query_params};
use crate::delivery::nats_queue::redeliver;
use crate::delivery::webhook_queue::request_redelivery;
use crate::store::{AlertRecord, DeliveryState, Store, TargetKind, sequence_key_id};

/// `GET /v1/alerts?rule=&state=&since=&limit=&cursor=`.
pub(super) async fn list_alerts(
    State(state): State<ApiState>,
    RawQuery(query): RawQuery,
) -> Result<Json<AlertList>, Problem> {
    let req: AlertsRequest = query_params(query.as_deref())?;
    let query = AlertsQuery::read(req)?;
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || alerts_page(&store, &query))
        .await
        .map_err(internal)?
        .map(Json)
}

/// The checked query of `GET /v1/alerts`.
struct AlertsQuery {
    rule: Option<String>,
    state: Option<DeliveryState>,
    since: Option<DateTime<Utc>>,
    limit: usize,
    /// The first `alerts_by_sequence` key to read.
    start: Vec<u8>,
}

impl AlertsQuery {
    /// Checks every value of `req`; `422` with one error per malformed one.
    fn read(req: AlertsRequest) -> Result<Self, Problem> {
        let mut errors = Vec::new();
        let state = req.state.as_deref().and_then(|s| {
            let parsed = DeliveryState::parse(s);
            if parsed.is_none() {
                errors.push(FieldError::new(
                    "/state",
                    format!("unknown state '{s}'; expected pending, delivered or failed"),
                ));
            }
            parsed
        });
        if let Some(rule) = &req.rule
            && Slug::parse(rule).is_err()
        {
            errors.push(FieldError::new(
                "/rule",
                format!("'{rule}' is not a rule id"),
            ));
        }
        let since = req
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
        let limit = page_limit(req.limit).map_err(|e| errors.push(e)).ok();
        let start = match req.cursor.as_deref().map(hex::decode) {
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
        match limit {
            Some(limit) if errors.is_empty() => Ok(Self {
                rule: req.rule,
                state,
                since,
                limit,
                start,
            }),
            _ => Err(Problem::unprocessable(errors)),
        }
    }

    fn matches(&self, record: &AlertRecord) -> bool {
        self.rule.as_deref().is_none_or(|r| record.alert.rule == r)
            && self.state.is_none_or(|s| record.state() == s)
            && self.since.is_none_or(|t| record.raised_at >= t)
    }
}

/// The page of alerts that `query` asks for, in log order.
fn alerts_page(store: &Store, query: &AlertsQuery) -> Result<AlertList, Problem> {
    let keys = store
        .alerts_by_sequence
        .range(query.start.clone()..)
        .keys()
        .map(|k| k.map_err(internal));
    let (alerts, last) = page_of(keys, query.limit, MAX_SCAN, |key| {
        let record = match sequence_key_id(&key) {
            Some(id) => store.alert(id).map_err(internal)?,
            None => None,
        };
        let view = record.filter(|r| query.matches(r)).map(|r| r.view());
        Ok((key, view))
    })?;
    Ok(AlertList {
        alerts,
        next_cursor: last.map(hex::encode),
    })
}

fn parse_alert_id(id: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(id).map_err(|_| Problem::not_found(format!("no alert '{id}'")))
}

/// `GET /v1/alerts/{id}`.
pub(super) async fn get_alert(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<AlertView>, Problem> {
    let uuid = parse_alert_id(&id)?;
    match state.store.alert(uuid).map_err(internal)? {
        Some(record) => Ok(Json(record.view())),
        None => Err(Problem::not_found(format!("no alert '{id}'"))),
    }
}

/// `POST /v1/alerts/{id}/redeliver`: `202`; every target not pending gets a new round.
pub(super) async fn redeliver_alert(
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
