//! The settings of `liaison-ingest`: the flags and environment every service shares
//! ([`CommonArgs`]) plus the few that only ingest has.
//!
//! The same struct is the service's CLI (flattened into `main.rs`'s parser) and what tests build
//! directly, so a test runs the service with exactly the settings a deployment would.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use liaison_log::LogSettings;
use liaison_runtime::config::CommonArgs;
use liaison_runtime::json_body::JsonLimits;

/// The name of this service, for the data directory and logs.
pub const SERVICE: &str = "ingest";

/// The contract's default HTTP address of ingest.
pub const DEFAULT_HTTP_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 7401);

/// Every setting of `liaison-ingest`.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// The settings every Liaison service shares.
    #[command(flatten)]
    pub common: CommonArgs,

    /// The largest request body (HTTP or NATS), in bytes; larger ones answer 413. The default
    /// (33 MiB) admits a batch of 500 events of 64 KiB each, the contract's limits.
    #[arg(
        long,
        env = "LIAISON_INGEST_MAX_BODY_BYTES",
        default_value_t = crate::append::DEFAULT_MAX_BODY_BYTES,
        value_name = "BYTES"
    )]
    pub max_body_bytes: usize,

    /// The deepest nesting of JSON arrays and objects accepted in a request (at most 127);
    /// deeper ones answer 400.
    #[arg(
        long,
        env = "LIAISON_INGEST_MAX_JSON_DEPTH",
        default_value_t = JsonLimits::DEFAULT_MAX_DEPTH,
        value_name = "LEVELS"
    )]
    pub max_json_depth: usize,

    /// Replicas of the log stream that ingest creates or updates at start: 1 on one machine,
    /// 3 on a cluster.
    #[arg(
        long,
        env = "LIAISON_INGEST_REPLICAS",
        default_value_t = 1,
        value_name = "N"
    )]
    pub replicas: usize,
}

impl Default for Config {
    /// The documented defaults, ignoring flags and environment (for tests).
    fn default() -> Self {
        Self {
            common: CommonArgs::default(),
            max_body_bytes: crate::append::DEFAULT_MAX_BODY_BYTES,
            max_json_depth: JsonLimits::DEFAULT_MAX_DEPTH,
            replicas: 1,
        }
    }
}

impl Config {
    /// The sled directory: `--data-dir`, else `./data/ingest`.
    pub fn data_dir(&self) -> PathBuf {
        self.common.data_dir(SERVICE)
    }

    /// The HTTP address: `--http-addr`, else `127.0.0.1:7401`.
    pub fn http_addr(&self) -> SocketAddr {
        self.common.http_addr(DEFAULT_HTTP_ADDR)
    }

    /// The request size and nesting limits.
    pub fn json_limits(&self) -> JsonLimits {
        JsonLimits::new(self.max_body_bytes, self.max_json_depth)
    }

    /// The settings of the log stream ingest ensures at start (ARCHITECTURE.md: R1 on one
    /// machine, R3 on a cluster; the rest fixed by `liaison-log`).
    pub fn log_settings(&self) -> LogSettings {
        LogSettings {
            replicas: self.replicas.max(1),
            ..LogSettings::default()
        }
    }

    /// How long an append waits for the local follower to apply what it appended, so that the
    /// next request (to this instance) sees it.
    pub fn apply_wait(&self) -> Duration {
        Duration::from_secs(2)
    }

    /// How long an append waits for the follower to catch up with the log before re-checking
    /// references or idempotency (another instance may have appended what is missing).
    pub fn catch_up_wait(&self) -> Duration {
        Duration::from_secs(5)
    }

    /// The largest follower lag (entries) with which `/readyz` still says ready.
    pub fn ready_max_lag(&self) -> u64 {
        1_000
    }
}
