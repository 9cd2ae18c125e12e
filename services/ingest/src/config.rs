//! The settings of `liaison-ingest`: the flags and environment every service shares
//! ([`CommonArgs`]) plus the few that only ingest has, `LIAISON_INGEST_*`.
//!
//! The same struct is the service's command line and what tests build directly; either way the
//! skeleton validates it through [`crate::IngestService`]'s `validate`, so a test runs the service
//! with exactly the settings a deployment would.

use std::time::Duration;

use clap::Args;
use liaison_log::LogSettings;
use liaison_runtime::config::CommonArgs;
use liaison_runtime::json_body::JsonLimits;

/// How long an append waits for the local follower to apply what it appended, so that the
/// next request (to this instance) sees it.
pub const APPLY_WAIT: Duration = Duration::from_secs(2);

/// How long an append waits for the follower to catch up with the log before re-checking
/// references or idempotency (another instance may have appended what is missing).
pub const CATCH_UP_WAIT: Duration = Duration::from_secs(5);

/// Every setting of `liaison-ingest`.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// The settings every Liaison service shares.
    #[command(flatten)]
    pub common: CommonArgs,

    /// The largest request body (HTTP or NATS), in bytes; larger ones answer 413. The default
    /// (33 MiB) admits a batch of 500 events of 64 KiB each, the contract's limits.
    #[arg(
        long = "max-body-bytes",
        env = "LIAISON_INGEST_MAX_BODY_BYTES",
        default_value_t = crate::append::DEFAULT_MAX_BODY_BYTES,
        value_name = "BYTES"
    )]
    pub max_body_bytes: usize,

    /// The deepest nesting of JSON arrays and objects accepted in a request (at most 127);
    /// deeper ones answer 400.
    #[arg(
        long = "max-json-depth",
        env = "LIAISON_INGEST_MAX_JSON_DEPTH",
        default_value_t = JsonLimits::DEFAULT_MAX_DEPTH,
        value_name = "LEVELS"
    )]
    pub max_json_depth: usize,

    /// Append requests over NATS handled at once; one more is answered `503` at once.
    #[arg(
        long = "max-nats-in-flight",
        env = "LIAISON_INGEST_MAX_NATS_IN_FLIGHT",
        default_value_t = crate::nats_api::DEFAULT_MAX_IN_FLIGHT,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000),
        value_name = "N"
    )]
    pub max_nats_in_flight: usize,

    /// `POST /v1/events` requests handled at once (each may hold a body of up to
    /// `--max-body-bytes`); one more is answered `503` at once.
    #[arg(
        long = "max-concurrent-appends",
        env = "LIAISON_INGEST_MAX_CONCURRENT_APPENDS",
        default_value_t = DEFAULT_MAX_CONCURRENT_APPENDS,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=10_000),
        value_name = "N"
    )]
    pub max_concurrent_appends: usize,
}

/// Appends handled at once by default: 16 bodies of at most 33 MiB bound what uploads in flight
/// can hold to about half a GiB, while validation itself runs on one thread per core.
pub const DEFAULT_MAX_CONCURRENT_APPENDS: usize = 16;

impl Default for Config {
    /// The documented defaults, ignoring flags and environment (for tests).
    fn default() -> Self {
        Self {
            common: CommonArgs::default(),
            max_body_bytes: crate::append::DEFAULT_MAX_BODY_BYTES,
            max_json_depth: JsonLimits::DEFAULT_MAX_DEPTH,
            max_nats_in_flight: crate::nats_api::DEFAULT_MAX_IN_FLIGHT,
            max_concurrent_appends: DEFAULT_MAX_CONCURRENT_APPENDS,
        }
    }
}

impl Config {
    /// The request size and nesting limits (clamped by [`JsonLimits::new`]).
    pub fn json_limits(&self) -> JsonLimits {
        JsonLimits::new(self.max_body_bytes, self.max_json_depth)
    }

    /// The settings of the log stream ingest creates when it is absent (R1 on one machine, R3 on
    /// a cluster; the rest fixed by `liaison-log`).
    pub fn log_settings(&self) -> LogSettings {
        self.common.log_settings()
    }
}
