//! The settings of `liaison-notifier`: the flags and environment every service shares plus the
//! delivery settings, `LIAISON_NOTIFIER_*` with their units in the name. They are checked and
//! clamped in one place, [`Config::delivery`], which the service and its tests both go through.

use std::time::Duration;

use clap::Args;
use liaison_runtime::config::CommonArgs;

use crate::delivery::DeliveryConfig;
use crate::delivery::backoff::Backoff;

/// Every setting of `liaison-notifier`.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// The settings every Liaison service shares.
    #[command(flatten)]
    pub common: CommonArgs,
    /// How alerts are delivered and retried.
    #[command(flatten)]
    pub delivery: DeliveryArgs,
}

/// The delivery settings as flags and environment.
#[derive(Debug, Clone, Args)]
pub struct DeliveryArgs {
    /// Webhook attempts per round before an alert is `failed` (dead-lettered).
    #[arg(
        long = "webhook-attempts",
        env = "LIAISON_NOTIFIER_WEBHOOK_ATTEMPTS",
        default_value_t = 8,
        value_parser = clap::value_parser!(u32).range(1..=100),
        value_name = "N"
    )]
    pub webhook_attempts: u32,
    /// How long one webhook call may take, in milliseconds.
    #[arg(
        long = "webhook-timeout-ms",
        env = "LIAISON_NOTIFIER_WEBHOOK_TIMEOUT_MS",
        default_value_t = 10_000,
        value_name = "MS"
    )]
    pub webhook_timeout_ms: u64,
    /// The delay after a first failed delivery, in milliseconds (doubles each time, with jitter).
    #[arg(
        long = "backoff-base-ms",
        env = "LIAISON_NOTIFIER_BACKOFF_BASE_MS",
        default_value_t = 500,
        value_name = "MS"
    )]
    pub backoff_base_ms: u64,
    /// The longest delay between two delivery attempts, in milliseconds (at least the base).
    #[arg(
        long = "backoff-max-ms",
        env = "LIAISON_NOTIFIER_BACKOFF_MAX_MS",
        default_value_t = 300_000,
        value_name = "MS"
    )]
    pub backoff_max_ms: u64,
}

impl Default for DeliveryArgs {
    fn default() -> Self {
        Self {
            webhook_attempts: 8,
            webhook_timeout_ms: 10_000,
            backoff_base_ms: 500,
            backoff_max_ms: 300_000,
        }
    }
}

impl Default for Config {
    /// The documented defaults, ignoring flags and environment (for tests).
    fn default() -> Self {
        Self {
            common: CommonArgs::default(),
            delivery: DeliveryArgs::default(),
        }
    }
}

/// The shortest webhook timeout: a receiver must get a chance to answer.
pub const MIN_WEBHOOK_TIMEOUT_MS: u64 = 100;
/// The longest webhook timeout: a receiver that hangs must not hold a delivery slot for long.
pub const MAX_WEBHOOK_TIMEOUT_MS: u64 = 120_000;

impl Config {
    /// The delivery settings, clamped: at least one attempt, a timeout from
    /// [`MIN_WEBHOOK_TIMEOUT_MS`] to [`MAX_WEBHOOK_TIMEOUT_MS`], a base of at least 1 ms and a
    /// maximum of at least the base.
    pub fn delivery(&self) -> DeliveryConfig {
        let d = &self.delivery;
        let base = d.backoff_base_ms.max(1);
        DeliveryConfig {
            webhook_attempts: d.webhook_attempts.clamp(1, 100),
            webhook_timeout: Duration::from_millis(
                d.webhook_timeout_ms
                    .clamp(MIN_WEBHOOK_TIMEOUT_MS, MAX_WEBHOOK_TIMEOUT_MS),
            ),
            backoff: Backoff {
                base: Duration::from_millis(base),
                max: Duration::from_millis(d.backoff_max_ms.max(base)),
            },
            ..DeliveryConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_settings_are_clamped_in_one_place() {
        let config = Config {
            delivery: DeliveryArgs {
                webhook_attempts: 0,
                webhook_timeout_ms: 1,
                backoff_base_ms: 900,
                backoff_max_ms: 10,
            },
            ..Config::default()
        };
        let delivery = config.delivery();
        assert_eq!(delivery.webhook_attempts, 1);
        assert_eq!(
            delivery.webhook_timeout,
            Duration::from_millis(MIN_WEBHOOK_TIMEOUT_MS)
        );
        assert_eq!(delivery.backoff.max, Duration::from_millis(900));
    }
}
