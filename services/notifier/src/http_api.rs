//! The notifier's HTTP API: rules (`/v1/rules`, kept as `rule.created`/`rule.deleted` events in
//! the log; [`rules_api`]) and alerts (`/v1/alerts`, with their delivery state, and redelivery;
//! [`alerts_api`]).
//!
//! A rule write appends its event to the log and answers once this instance's follower has
//! applied it, so a `GET /v1/rules` right after shows it. A `rule.created` is appended with
//! `Nats-Expected-Last-Subject-Sequence` on its subject, so that of two concurrent creations of
//! one id (on one instance or two) only one is appended: the other answers `200` when its
//! definition is the same, else `409`. A webhook secret comes in clear (over HTTPS in
//! production) and is sealed before the rule is appended; it never leaves in an answer, which
//! shows it as `sealed:<key id>`. A webhook URL on an address the [`TargetPolicy`] forbids is a
//! `422`.
//!
//! Access (CONTRACT.md, "Access (v2)"): writes need the API token when one is set; every read
//! here — rules and alerts, which show webhook URLs, often credentials themselves — needs a
//! token whenever one is configured (the API token, or the read token when set).
//!
//! Both listings are paged (`limit`, `cursor` → `next_cursor`) and examine a bounded number of
//! records per request ([`MAX_SCAN`]), so a filter that matches rarely ends a page early, with a
//! cursor, instead of reading every record. Their query strings are read into the typed
//! requests of `liaison_proto::notifier`: an unknown name is a `400` naming it.

mod alerts_api;
mod rule_checks;
mod rule_log;
mod rules_api;
mod rules_preview;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use liaison_log::{Appender, Follower};
use liaison_proto::query::params::{ParamError, from_query_string};
use liaison_runtime::auth::BearerAuthLayer;
use liaison_runtime::{FieldError, Problem};
use serde::de::DeserializeOwned;
use tokio::sync::Notify;

use crate::delivery::target_policy::TargetPolicy;
use crate::model::RuleSet;
use crate::secrets::Secrets;
use crate::store::Store;

/// Most alerts or rules one page holds.
pub const MAX_PAGE: usize = liaison_proto::notifier::MAX_PAGE as usize;
/// Alerts or rules on a page unless `limit` says otherwise.
pub const DEFAULT_PAGE: usize = liaison_proto::notifier::DEFAULT_PAGE as usize;
/// Most records one listing request examines (alerts that do not match its filters, deleted
/// rules) before it answers with what it found and a cursor.
pub const MAX_SCAN: usize = 10_000;

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
    /// Which addresses webhooks may reach: a rule naming another address is refused.
    pub targets: TargetPolicy,
    /// Seals the webhook secret of a rule before it is appended.
    pub secrets: Arc<Secrets>,
}

/// The API routes; write routes behind `write` ([`Scope::Write`]), reads behind `confidential`
/// ([`Scope::Confidential`]).
///
/// [`Scope::Write`]: liaison_runtime::auth::Scope::Write
/// [`Scope::Confidential`]: liaison_runtime::auth::Scope::Confidential
pub fn routes(state: ApiState, write: BearerAuthLayer, confidential: BearerAuthLayer) -> Router {
    let writes = Router::new()
        .route("/v1/rules", post(rules_api::create_rule))
        .route(
            "/v1/rules/{id}",
            axum::routing::delete(rules_api::delete_rule),
        )
        .route(
            "/v1/alerts/{id}/redeliver",
            post(alerts_api::redeliver_alert),
        )
        .layer(write);
    let reads = Router::new()
        .route("/v1/rules", get(rules_api::list_rules))
        .route("/v1/rules/{id}", get(rules_api::get_rule))
        .route("/v1/rules/preview", post(rules_preview::preview_rules))
        .route("/v1/alerts", get(alerts_api::list_alerts))
        .route("/v1/alerts/{id}", get(alerts_api::get_alert))
        .layer(confidential);
    // Merging keeps GET and POST on one path in one method router.
    reads.merge(writes).with_state(state)
}

fn internal(e: impl std::fmt::Display) -> Problem {
    tracing::error!(error = %e, "internal error");
    Problem::internal("internal error; see the notifier's log")
}

/// Reads a query string into `T`: an unknown, repeated or malformed parameter is a `400`
/// naming it (with its pointer, `/<name>`, in `errors`).
fn query_params<T: DeserializeOwned>(query: Option<&str>) -> Result<T, Problem> {
    from_query_string(query.unwrap_or_default(), &[]).map_err(|e: ParamError| {
        let mut p = Problem::bad_request(e.detail.clone());
        if let Some(name) = e.parameter {
            p.errors = vec![FieldError::new(format!("/{name}"), e.detail)];
        }
        p
    })
}

/// A page size in `1..=MAX_PAGE` (default [`DEFAULT_PAGE`]), or the error at `/limit`.
fn page_limit(limit: Option<u64>) -> Result<usize, FieldError> {
    match limit.unwrap_or(DEFAULT_PAGE as u64) {
        n @ 1.. if n <= MAX_PAGE as u64 => Ok(n as usize),
        _ => Err(FieldError::new(
            "/limit",
            format!("limit must be 1 to {MAX_PAGE}"),
        )),
    }
}

/// One page of a listing: walks `entries` in order, each examined by `examine` into its key and
/// the item it gives (`None`: filtered out), until the page holds `limit` items or `max_scan`
/// entries were examined. The key of the last entry examined is returned only when another
/// entry follows, so that the next page starts strictly after it and the last page has none.
fn page_of<E, K, T>(
    entries: impl IntoIterator<Item = Result<E, Problem>>,
    limit: usize,
    max_scan: usize,
    mut examine: impl FnMut(E) -> Result<(K, Option<T>), Problem>,
) -> Result<(Vec<T>, Option<K>), Problem> {
    let mut items = Vec::new();
    let mut last = None;
    for (examined, entry) in entries.into_iter().enumerate() {
        let entry = entry?;
        if items.len() == limit || examined == max_scan {
            return Ok((items, last));
        }
        let (key, item) = examine(entry)?;
        last = Some(key);
        items.extend(item);
    }
    Ok((items, None))
}
