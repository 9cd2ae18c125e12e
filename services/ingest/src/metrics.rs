//! The Prometheus metrics of ingest, named once here so that dashboards and tests agree.
//!
//! Recorded through the `metrics` facade into the process recorder that `liaison-runtime`
//! installs and serves on `/metrics`. HTTP request counts and latencies per route and status
//! come from the runtime's middleware (`http_request_duration_seconds{route="/v1/events"}`, a
//! histogram); these add what only ingest knows, for both transports.

use std::time::Duration;

use axum::http::StatusCode;

/// Events appended, labelled `outcome`: `created` (new in the log) or `existing` (an idempotent
/// retry or a no-op registration answered with the original sequence).
pub const EVENTS_TOTAL: &str = "liaison_ingest_events_total";
/// Append requests refused, labelled `reason` (see [`rejection_reason`]) and `transport`
/// (`http`, `nats`).
pub const REJECTIONS_TOTAL: &str = "liaison_ingest_rejections_total";
/// Time to answer an append request (validation, publish, acknowledgement, local apply),
/// labelled `transport` and `status`.
pub const APPEND_DURATION: &str = "liaison_ingest_append_duration_seconds";
/// 1 while the log is reachable (NATS connected and the stream ensured), else 0.
pub const LOG_REACHABLE: &str = "liaison_ingest_log_reachable";
/// The last log sequence applied to the registry.
pub const APPLIED_SEQUENCE: &str = "liaison_ingest_applied_sequence";
/// Log entries not applied to the registry yet (as last polled).
pub const FOLLOWER_LAG: &str = "liaison_ingest_follower_lag";

/// The `reason` label of a refused request with this status.
pub fn rejection_reason(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "malformed",
        401 => "unauthorized",
        409 => "conflict",
        413 => "too_large",
        415 => "unsupported_media_type",
        422 => "invalid",
        503 => "unavailable",
        s if s >= 500 => "internal",
        _ => "other",
    }
}

/// Records one answered append request.
pub fn record_answer(transport: &'static str, status: StatusCode, elapsed: Duration) {
    metrics::histogram!(APPEND_DURATION, "transport" => transport, "status" => status.as_u16().to_string())
        .record(elapsed.as_secs_f64());
    if status.is_client_error() || status.is_server_error() {
        metrics::counter!(REJECTIONS_TOTAL, "reason" => rejection_reason(status), "transport" => transport)
            .increment(1);
    }
}

/// Records `n` events answered with `outcome` (`created` or `existing`).
pub fn record_events(outcome: &'static str, n: usize) {
    metrics::counter!(EVENTS_TOTAL, "outcome" => outcome).increment(n as u64);
}

/// Records the state of the log connection and of the follower.
pub fn record_log(reachable: bool, applied: u64, lag: Option<u64>) {
    metrics::gauge!(LOG_REACHABLE).set(if reachable { 1.0 } else { 0.0 });
    metrics::gauge!(APPLIED_SEQUENCE).set(applied as f64);
    if let Some(lag) = lag {
        metrics::gauge!(FOLLOWER_LAG).set(lag as f64);
    }
}
