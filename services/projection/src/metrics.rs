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

/// Stage timings of the applier, printed to stderr every 50,000 events when
/// `LIAISON_PROJECTION_PROFILE` is set (for measuring; off otherwise).
pub fn profile(events: usize, keys: usize, logic: std::time::Duration, write: std::time::Duration) {
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    static C: [AtomicU64; 5] = [const { AtomicU64::new(0) }; 5];
    if !*ON.get_or_init(|| std::env::var_os("LIAISON_PROJECTION_PROFILE").is_some()) {
        return;
    }
    let before = C[0].fetch_add(events as u64, Relaxed);
    C[1].fetch_add(keys as u64, Relaxed);
    C[2].fetch_add(logic.as_nanos() as u64, Relaxed);
    C[3].fetch_add(write.as_nanos() as u64, Relaxed);
    C[4].fetch_add(1, Relaxed);
    let after = before + events as u64;
    if after / 50_000 != before / 50_000 {
        let v: Vec<u64> = C.iter().map(|c| c.swap(0, Relaxed)).collect();
        let n = v[0].max(1) as f64;
        eprintln!(
            "profile @{after}: {:.0} ev/batch, {:.2} keys/ev, logic {:.1} µs/ev, write {:.1} µs/ev ({:.2} µs/key)",
            n / v[4].max(1) as f64,
            v[1] as f64 / n,
            v[2] as f64 / n / 1e3,
            v[3] as f64 / n / 1e3,
            v[3] as f64 / v[1].max(1) as f64 / 1e3,
        );
    }
}
