//! When to try a failed delivery again: exponential backoff with jitter, capped.

use std::time::Duration;

use rand::Rng;

/// The backoff of webhook retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The delay after the first failure (before jitter).
    pub base: Duration,
    /// The longest delay.
    pub max: Duration,
}

impl Backoff {
    /// The delay before attempt `failed + 1`, after `failed` (≥ 1) failures: `base · 2^(failed−1)`
    /// capped at `max`, then a random value between half of it and all of it ("equal jitter"),
    /// so that receivers that come back are not hit by every notifier at the same instant.
    pub fn delay(&self, failed: u32) -> Duration {
        let exp = failed.saturating_sub(1).min(30);
        let full = self.base.saturating_mul(1u32 << exp).min(self.max);
        let half = full / 2;
        let jitter = rand::rng().random_range(0..=half.as_micros().min(u64::MAX as u128) as u64);
        half + Duration::from_micros(jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_exponentially_within_jitter_and_caps() {
        let b = Backoff {
            base: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        for _ in 0..100 {
            let d1 = b.delay(1);
            assert!(d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100));
            let d3 = b.delay(3);
            assert!(d3 >= Duration::from_millis(200) && d3 <= Duration::from_millis(400));
            let d20 = b.delay(20);
            assert!(d20 >= Duration::from_millis(500) && d20 <= Duration::from_secs(1));
        }
    }
}
