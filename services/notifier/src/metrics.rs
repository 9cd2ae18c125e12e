//! The notifier's own Prometheus metrics (served on `GET /metrics` by the runtime's recorder),
//! described once at start so that `/metrics` says what each one means.

/// Alerts recorded, by rule.
pub const ALERTS_RAISED: &str = "liaison_notifier_alerts_raised_total";
/// Delivery attempts, by target (`nats`, `webhook`) and outcome (`ok`, `error`).
pub const DELIVERIES: &str = "liaison_notifier_deliveries_total";
/// From the append of the causing event to the first successful delivery, by target.
pub const DELIVERY_LATENCY: &str = "liaison_notifier_delivery_latency_seconds";

/// Describes the metrics above to the recorder.
pub fn describe() {
    metrics::describe_counter!(ALERTS_RAISED, "Alerts recorded, by rule");
    metrics::describe_counter!(DELIVERIES, "Delivery attempts, by target and outcome");
    metrics::describe_histogram!(
        DELIVERY_LATENCY,
        metrics::Unit::Seconds,
        "From the append of the causing event to the first successful delivery"
    );
}
