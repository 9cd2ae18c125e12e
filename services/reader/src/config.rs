//! The settings of `liaison-reader`: the flags and environment every service shares, plus its
//! own, `LIAISON_READER_*` with their units in the name. Checked and clamped in one place,
//! [`crate::ReaderService`]'s `validate` ([`Config::check`]), which tests go through too.

use std::time::Duration;

use clap::Args;
use liaison_proto::reader::MIN_FEED_INTERVAL_SECONDS;
use liaison_proto::services::Service;
use liaison_runtime::config::CommonArgs;

/// Every setting of `liaison-reader`.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// The settings every Liaison service shares.
    #[command(flatten)]
    pub common: CommonArgs,
    /// Accept candidates whose confidence is at least this (0 to 1) without a reviewer: their
    /// events are appended at once, in the state `auto-accepted`. Off when not set.
    #[arg(
        long = "auto-accept",
        env = "LIAISON_READER_AUTO_ACCEPT",
        value_name = "CONFIDENCE"
    )]
    pub auto_accept: Option<f64>,
    /// How long an accept waits for ingest's answer, in milliseconds.
    #[arg(
        long = "ingest-timeout-ms",
        env = "LIAISON_READER_INGEST_TIMEOUT_MS",
        default_value_t = 10_000,
        value_name = "MS"
    )]
    pub ingest_timeout_ms: u64,
    /// How long a write waits for the reader's own review queue to apply it before answering
    /// `503` (read your writes), in milliseconds.
    #[arg(
        long = "apply-wait-ms",
        env = "LIAISON_READER_APPLY_WAIT_MS",
        default_value_t = 10_000,
        value_name = "MS"
    )]
    pub apply_wait_ms: u64,
    /// The shortest feed interval accepted, in seconds (at least 1; tests lower it).
    #[arg(
        long = "feed-min-interval-seconds",
        env = "LIAISON_READER_FEED_MIN_INTERVAL_SECONDS",
        default_value_t = MIN_FEED_INTERVAL_SECONDS,
        value_name = "SECONDS"
    )]
    pub feed_min_interval_seconds: u64,
    /// How long one feed request (or the fetch of an article's page) may take, in milliseconds.
    #[arg(
        long = "feed-timeout-ms",
        env = "LIAISON_READER_FEED_TIMEOUT_MS",
        default_value_t = 15_000,
        value_name = "MS"
    )]
    pub feed_timeout_ms: u64,
    /// The largest feed document fetched, in bytes (an article's page: this and at most 5 MiB).
    #[arg(
        long = "feed-max-bytes",
        env = "LIAISON_READER_FEED_MAX_BYTES",
        default_value_t = 5 * 1024 * 1024,
        value_name = "BYTES"
    )]
    pub feed_max_bytes: usize,
    /// Let feeds and articles' pages be fetched from loopback, private and link-local addresses
    /// (local development and tests only: the reader would fetch from inside the network
    /// whatever URL is posted).
    #[arg(
        long = "feed-allow-private",
        env = "LIAISON_READER_FEED_ALLOW_PRIVATE",
        default_value_t = false
    )]
    pub feed_allow_private: bool,
}

impl Config {
    /// The configuration of a reader with default settings for `common` (tests start from it).
    pub fn new(common: CommonArgs) -> Self {
        Self {
            common,
            auto_accept: None,
            ingest_timeout_ms: 10_000,
            apply_wait_ms: 10_000,
            feed_min_interval_seconds: MIN_FEED_INTERVAL_SECONDS,
            feed_timeout_ms: 15_000,
            feed_max_bytes: 5 * 1024 * 1024,
            feed_allow_private: false,
        }
    }

    /// Checks and clamps the reader's own settings; the error names the setting.
    pub fn check(mut self) -> Result<Self, String> {
        if let Some(t) = self.auto_accept
            && !(0.0..=1.0).contains(&t)
        {
            return Err(format!(
                "--auto-accept (LIAISON_READER_AUTO_ACCEPT) must be a confidence from 0 to 1, got {t}"
            ));
        }
        if self.feed_min_interval_seconds == 0 {
            return Err(
                "--feed-min-interval-seconds (LIAISON_READER_FEED_MIN_INTERVAL_SECONDS) must be at least 1"
                    .to_owned(),
            );
        }
        self.ingest_timeout_ms = self.ingest_timeout_ms.clamp(100, 120_000);
        self.apply_wait_ms = self.apply_wait_ms.clamp(100, 120_000);
        self.feed_timeout_ms = self.feed_timeout_ms.clamp(100, 120_000);
        self.feed_max_bytes = self.feed_max_bytes.clamp(1024, 64 * 1024 * 1024);
        Ok(self)
    }

    /// How long an accept waits for ingest.
    pub fn ingest_timeout(&self) -> Duration {
        Duration::from_millis(self.ingest_timeout_ms)
    }

    /// How long a write waits for the review queue to apply it.
    pub fn apply_wait(&self) -> Duration {
        Duration::from_millis(self.apply_wait_ms)
    }

    /// The service this configures, for messages.
    pub fn service() -> Service {
        Service::Reader
    }
}
