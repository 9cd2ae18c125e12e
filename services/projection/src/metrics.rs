//! The projection's Prometheus metrics: lag, applied sequence, apply rate and batch time, query
//! latency per query and transport. Rendered by the runtime's `/metrics`.

use std::time::Duration;

/// Events applied (a counter; its rate is the apply rate).
pub const APPLIED_EVENTS: &str = "liaison_projection_events_applied_total";
/// Seconds per applied batch.
pub const APPLY_SECONDS: &str = "liaison_projection_apply_batch_seconds";
/// Events applied per second over the last sampling interval.
pub const APPLY_RATE: &str = "liaison_projection_apply_rate_events_per_second";
/// The last log sequence − the last applied.
pub const LAG: &str = "liaison_projection_lag_events";
/// The last applied sequence.
pub const APPLIED_SEQUENCE: &str = "liaison_projection_applied_sequence";
/// Seconds per query, labelled `query` and `transport` (`http`, `nats`).
pub const QUERY_SECONDS: &str = "liaison_projection_query_seconds";

/// Records one applied batch.
pub fn applied(events: usize, took: Duration) {
    metrics::counter!(APPLIED_EVENTS).increment(events as u64);
    metrics::histogram!(APPLY_SECONDS).record(took.as_secs_f64());
}

/// Records the follower's position.
pub fn position(applied: u64, lag: Option<u64>, rate: f64) {
    metrics::gauge!(APPLIED_SEQUENCE).set(applied as f64);
    if let Some(lag) = lag {
        metrics::gauge!(LAG).set(lag as f64);
    }
    metrics::gauge!(APPLY_RATE).set(rate);
}

/// Records one answered query.
pub fn query(name: &'static str, transport: &'static str, took: Duration) {
    metrics::histogram!(QUERY_SECONDS, "query" => name, "transport" => transport)
        .record(took.as_secs_f64());
}
