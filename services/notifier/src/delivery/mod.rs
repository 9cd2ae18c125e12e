//! Delivering alerts, after the read model recorded them: to the alerts stream on NATS
//! ([`nats`], driven by the [`nats_queue`] over the `pending` tree), and to webhooks ([`webhook`],
//! signed per [`signature`], retried per [`backoff`], on the addresses [`target_policy`] allows)
//! through the durable consumer that every instance shares ([`webhook_queue`]).

pub mod backoff;
pub mod nats;
pub mod nats_queue;
pub mod signature;
pub use liaison_runtime::target_policy;
pub mod webhook;
pub mod webhook_queue;

use std::time::Duration;

use backoff::Backoff;
use target_policy::TargetPolicy;

/// How alerts are delivered and retried.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// Webhook attempts per round before the alert is `failed`.
    pub webhook_attempts: u32,
    /// How long a webhook call may take.
    pub webhook_timeout: Duration,
    /// Backoff between attempts.
    pub backoff: Backoff,
    /// How many deliveries run at once.
    pub concurrency: usize,
    /// Which addresses webhooks may reach.
    pub targets: TargetPolicy,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            webhook_attempts: 8,
            webhook_timeout: Duration::from_secs(10),
            backoff: Backoff {
                base: Duration::from_millis(500),
                max: Duration::from_secs(300),
            },
            concurrency: 32,
            targets: TargetPolicy::STRICT,
        }
    }
}
