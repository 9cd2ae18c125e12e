//! The flags and environment variables every service shares.
//!
//! The contract says every service reads the same settings from flags or the environment,
//! flags winning. [`CommonArgs`] declares them once; each service `#[command(flatten)]`s it
//! into its own CLI and supplies its own defaults for the two settings that differ per
//! service (the data directory and the HTTP address) through [`CommonArgs::data_dir`] and
//! [`CommonArgs::http_addr`].

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// The default NATS URL.
pub use liaison_proto::services::DEFAULT_NATS_URL;

/// The sled page cache of a service that does not choose its own, in MiB: 64, the low end of
/// decision 013's range. 16 saves about 65 MiB of a rebuild's peak but costs it a quarter of its
/// rate, and the peak misses 256 MiB either way (decision 023).
pub const DEFAULT_SLED_CACHE_MIB: u64 = 64;

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Settings shared by every Liaison service; flatten it into the service's CLI.
///
/// ```
/// use clap::Parser;
/// use liaison_runtime::config::CommonArgs;
///
/// #[derive(Parser)]
/// struct Cli {
///     #[command(flatten)]
///     common: CommonArgs,
/// }
///
/// let cli = Cli::parse_from(["liaison-ingest", "--http-addr", "127.0.0.1:0"]);
/// assert_eq!(cli.common.data_dir("ingest"), std::path::Path::new("./data/ingest"));
/// ```
#[derive(Clone, Args)]
pub struct CommonArgs {
    /// NATS server URL(s); a comma-separated list for a cluster.
    #[arg(
        long = "nats-url",
        env = "LIAISON_NATS_URL",
        default_value = DEFAULT_NATS_URL,
        value_delimiter = ',',
        value_name = "URL"
    )]
    pub nats_urls: Vec<String>,

    /// NATS credentials file (JWT and NKey seed).
    #[arg(
        long,
        env = "LIAISON_NATS_CREDS",
        value_name = "FILE",
        conflicts_with_all = ["nats_user", "nats_token"]
    )]
    pub nats_creds: Option<PathBuf>,

    /// NATS nkey seed file (`SU…`, mode 0600): the user the server's users file lists by its
    /// public key, as `liaison dev` generates one per service.
    #[arg(
        long,
        env = "LIAISON_NATS_NKEY",
        value_name = "FILE",
        conflicts_with_all = ["nats_creds", "nats_user", "nats_token"]
    )]
    pub nats_nkey: Option<PathBuf>,

    /// NATS user name (with --nats-password).
    #[arg(
        long,
        env = "LIAISON_NATS_USER",
        requires = "nats_password",
        conflicts_with = "nats_token"
    )]
    pub nats_user: Option<String>,

    /// NATS password (with --nats-user).
    #[arg(
        long,
        env = "LIAISON_NATS_PASSWORD",
        requires = "nats_user",
        hide_env_values = true
    )]
    pub nats_password: Option<String>,

    /// NATS authentication token.
    #[arg(long, env = "LIAISON_NATS_TOKEN", hide_env_values = true)]
    pub nats_token: Option<String>,

    /// CA certificate (PEM) to verify the NATS server with (implies --nats-tls-required).
    #[arg(long, env = "LIAISON_NATS_TLS_CA", value_name = "FILE")]
    pub nats_tls_ca: Option<PathBuf>,

    /// Client certificate (PEM) for NATS mutual TLS (with --nats-tls-key).
    #[arg(
        long,
        env = "LIAISON_NATS_TLS_CERT",
        value_name = "FILE",
        requires = "nats_tls_key"
    )]
    pub nats_tls_cert: Option<PathBuf>,

    /// Client private key (PEM) for NATS mutual TLS (with --nats-tls-cert).
    #[arg(
        long,
        env = "LIAISON_NATS_TLS_KEY",
        value_name = "FILE",
        requires = "nats_tls_cert"
    )]
    pub nats_tls_key: Option<PathBuf>,

    /// Refuse to talk to NATS without TLS.
    #[arg(long, env = "LIAISON_NATS_TLS_REQUIRED")]
    pub nats_tls_required: bool,

    /// Directory of the service's own sled database [default: ./data/<service>].
    #[arg(long, env = "LIAISON_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Address the HTTP API listens on [default: the service's own, e.g. 127.0.0.1:7401].
    #[arg(long, env = "LIAISON_HTTP_ADDR", value_name = "HOST:PORT")]
    pub http_addr: Option<SocketAddr>,

    /// When set, every write and admin endpoint requires `Authorization: Bearer <token>`, and
    /// so do the notifier's rules and alerts.
    #[arg(long, env = "LIAISON_API_TOKEN", hide_env_values = true)]
    pub api_token: Option<String>,

    /// When set, every read requires `Authorization: Bearer <token>` with this token or the API
    /// token (`/healthz`, `/readyz`, `/metrics` stay open). Needs --api-token, and must differ
    /// from it.
    #[arg(long, env = "LIAISON_READ_TOKEN", hide_env_values = true)]
    pub read_token: Option<String>,

    /// How logs are written: human-readable text, or one JSON object per line for shippers.
    #[arg(long, env = "LIAISON_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// sled page-cache size, in MiB (default: the service's own, 64 for the followers of the
    /// log). sled holds more than this in memory; a smaller cache lowers a catch-up's peak and
    /// its rate (docs/decisions/023-memory-bounds.md).
    #[arg(long, env = "LIAISON_SLED_CACHE_MIB", value_name = "MIB")]
    pub sled_cache_mib: Option<u64>,

    /// `/readyz` says not ready while the service is more than this many log entries behind.
    #[arg(
        long,
        env = "LIAISON_READY_MAX_LAG",
        default_value_t = 1_000,
        value_name = "ENTRIES"
    )]
    pub ready_max_lag: u64,

    /// Replicas of a stream this service creates when it is absent (1 on one machine, 3 on a
    /// cluster). A stream that exists keeps its own: it is never changed, only reported.
    #[arg(
        long,
        env = "LIAISON_STREAM_REPLICAS",
        default_value_t = 1,
        value_parser = clap::value_parser!(u8).range(1..=5),
        value_name = "N"
    )]
    pub stream_replicas: u8,

    /// The NATS cluster (its `cluster.name`) that holds the replicas of a stream this service
    /// creates; unset: any. An existing stream keeps its placement.
    #[arg(long, env = "LIAISON_STREAM_PLACEMENT_CLUSTER", value_name = "NAME")]
    pub stream_placement_cluster: Option<String>,

    /// Server tags (comma separated) that every server holding a replica of a stream this
    /// service creates must carry (`server_tags` in nats-server's configuration).
    #[arg(
        long,
        env = "LIAISON_STREAM_PLACEMENT_TAGS",
        value_delimiter = ',',
        value_name = "TAG,..."
    )]
    pub stream_placement_tags: Vec<String>,

    /// How long a connection may take to send a complete request head (and stay idle between
    /// requests), in milliseconds.
    #[arg(
        long,
        env = "LIAISON_HTTP_HEADER_TIMEOUT_MS",
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u64).range(100..=600_000),
        value_name = "MS"
    )]
    pub http_header_timeout_ms: u64,

    /// How long a request may take to produce its answer, in milliseconds (then `503`).
    #[arg(
        long,
        env = "LIAISON_HTTP_REQUEST_TIMEOUT_MS",
        default_value_t = 30_000,
        value_parser = clap::value_parser!(u64).range(100..=3_600_000),
        value_name = "MS"
    )]
    pub http_request_timeout_ms: u64,

    /// Requests handled at once; one more is answered `503` at once (`/healthz`, `/readyz` and
    /// `/metrics` are not counted).
    #[arg(
        long,
        env = "LIAISON_HTTP_MAX_REQUESTS",
        default_value_t = 512,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000),
        value_name = "N"
    )]
    pub http_max_requests: usize,

    /// Connections open at once; one more is answered `503` and closed.
    #[arg(
        long,
        env = "LIAISON_HTTP_MAX_CONNECTIONS",
        default_value_t = 1_024,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000),
        value_name = "N"
    )]
    pub http_max_connections: usize,
}

impl CommonArgs {
    /// The limits of the service's HTTP server.
    pub fn http_limits(&self) -> crate::http::HttpLimits {
        crate::http::HttpLimits {
            header_read_timeout: std::time::Duration::from_millis(self.http_header_timeout_ms),
            request_timeout: std::time::Duration::from_millis(self.http_request_timeout_ms),
            max_concurrent_requests: self.http_max_requests.max(1),
            max_connections: self.http_max_connections.max(1),
            ..crate::http::HttpLimits::default()
        }
    }

    /// The data directory: `--data-dir`, else `./data/<service>`.
    pub fn data_dir(&self, service: &str) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(".").join("data").join(service))
    }

    /// The HTTP address: `--http-addr`, else the service's `default`.
    pub fn http_addr(&self, default: SocketAddr) -> SocketAddr {
        self.http_addr.unwrap_or(default)
    }

    /// The settings of the streams this service creates when they are absent: replicas and
    /// placement from `LIAISON_STREAM_*`, the rest the log's defaults.
    pub fn log_settings(&self) -> liaison_log::LogSettings {
        liaison_log::LogSettings {
            replicas: usize::from(self.stream_replicas),
            placement: liaison_log::StreamPlacement {
                cluster: self.stream_placement_cluster.clone(),
                tags: self
                    .stream_placement_tags
                    .iter()
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
                    .collect(),
            },
            ..liaison_log::LogSettings::default()
        }
    }

    /// The sled page cache in MiB: `--sled-cache-mib`, else the service's `default`
    /// ([`crate::service::Service::SLED_CACHE_MIB`]).
    pub fn sled_cache_mib(&self, default: u64) -> u64 {
        self.sled_cache_mib.unwrap_or(default)
    }

    /// The NATS credentials and TLS settings, for [`crate::nats::connect`].
    pub fn nats_access(&self) -> liaison_secure::NatsAccess {
        liaison_secure::NatsAccess {
            creds: self.nats_creds.clone(),
            nkey: self.nats_nkey.clone(),
            user: self.nats_user.clone(),
            password: self.nats_password.clone(),
            token: self.nats_token.clone(),
            tls_ca: self.nats_tls_ca.clone(),
            tls_cert: self.nats_tls_cert.clone(),
            tls_key: self.nats_tls_key.clone(),
            tls_required: self.nats_tls_required,
        }
    }

    /// The API token, if one is configured (an empty value counts as none).
    pub fn api_token(&self) -> Option<&str> {
        self.api_token.as_deref().filter(|t| !t.is_empty())
    }

    /// The read token, if one is configured (an empty value counts as none).
    pub fn read_token(&self) -> Option<&str> {
        self.read_token.as_deref().filter(|t| !t.is_empty())
    }

    /// Both tokens, for the guards of every scope ([`crate::auth`]).
    pub fn tokens(&self) -> crate::auth::Tokens {
        crate::auth::Tokens::new(self.api_token(), self.read_token())
    }

    /// Whether the two tokens make sense together: a read token without an API token would leave
    /// writes open while reads need a token, and a read token equal to the API token would let
    /// every reader write. `Err` says which setting to change.
    pub fn check_tokens(&self) -> Result<(), String> {
        match (self.api_token(), self.read_token()) {
            (None, Some(_)) => Err("LIAISON_READ_TOKEN (--read-token) is set without \
                 LIAISON_API_TOKEN (--api-token): writes would be open to anyone while reads \
                 need a token; set an API token too"
                .to_owned()),
            (Some(write), Some(read)) if write == read => Err(
                "LIAISON_READ_TOKEN (--read-token) equals LIAISON_API_TOKEN (--api-token): every \
                 reader could write; give readers a token of their own"
                    .to_owned(),
            ),
            _ => Ok(()),
        }
    }
}

/// The documented defaults, ignoring flags and environment: handy for tests that build
/// the settings of a service directly (`CommonArgs { nats_urls: vec![url], ..Default::default() }`).
impl Default for CommonArgs {
    fn default() -> Self {
        Self {
            nats_urls: vec![DEFAULT_NATS_URL.to_owned()],
            nats_creds: None,
            nats_nkey: None,
            nats_user: None,
            nats_password: None,
            nats_token: None,
            nats_tls_ca: None,
            nats_tls_cert: None,
            nats_tls_key: None,
            nats_tls_required: false,
            data_dir: None,
            http_addr: None,
            api_token: None,
            read_token: None,
            log_format: LogFormat::Text,
            sled_cache_mib: None,
            ready_max_lag: 1_000,
            stream_replicas: 1,
            stream_placement_cluster: None,
            stream_placement_tags: Vec::new(),
            http_header_timeout_ms: 10_000,
            http_request_timeout_ms: 30_000,
            http_max_requests: 512,
            http_max_connections: 1_024,
        }
    }
}

fn redact(secret: &Option<String>) -> Option<&'static str> {
    secret.as_ref().map(|_| "<redacted>")
}

impl fmt::Debug for CommonArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A URL may carry a password (`nats://svc:pw@host`): shown without it.
        let urls: Vec<String> = self
            .nats_urls
            .iter()
            .map(|u| liaison_secure::redact_url(u))
            .collect();
        f.debug_struct("CommonArgs")
            .field("nats_urls", &urls)
            .field("nats_creds", &self.nats_creds)
            .field("nats_nkey", &self.nats_nkey)
            .field("nats_user", &self.nats_user)
            .field("nats_password", &redact(&self.nats_password))
            .field("nats_token", &redact(&self.nats_token))
            .field("nats_tls_ca", &self.nats_tls_ca)
            .field("nats_tls_cert", &self.nats_tls_cert)
            .field("nats_tls_key", &self.nats_tls_key)
            .field("nats_tls_required", &self.nats_tls_required)
            .field("data_dir", &self.data_dir)
            .field("http_addr", &self.http_addr)
            .field("api_token", &redact(&self.api_token))
            .field("read_token", &redact(&self.read_token))
            .field("log_format", &self.log_format)
            .field("sled_cache_mib", &self.sled_cache_mib)
            .field("ready_max_lag", &self.ready_max_lag)
            .field("stream_replicas", &self.stream_replicas)
            .field("stream_placement_cluster", &self.stream_placement_cluster)
            .field("stream_placement_tags", &self.stream_placement_tags)
            .field("http_header_timeout_ms", &self.http_header_timeout_ms)
            .field("http_request_timeout_ms", &self.http_request_timeout_ms)
            .field("http_max_requests", &self.http_max_requests)
            .field("http_max_connections", &self.http_max_connections)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        common: CommonArgs,
    }

    const VARS: &[&str] = &[
        "LIAISON_NATS_URL",
        "LIAISON_NATS_CREDS",
        "LIAISON_NATS_NKEY",
        "LIAISON_NATS_USER",
        "LIAISON_NATS_PASSWORD",
        "LIAISON_NATS_TOKEN",
        "LIAISON_NATS_TLS_CA",
        "LIAISON_NATS_TLS_CERT",
        "LIAISON_NATS_TLS_KEY",
        "LIAISON_NATS_TLS_REQUIRED",
        "LIAISON_DATA_DIR",
        "LIAISON_HTTP_ADDR",
        "LIAISON_API_TOKEN",
        "LIAISON_READ_TOKEN",
        "LIAISON_LOG_FORMAT",
        "LIAISON_SLED_CACHE_MIB",
        "LIAISON_READY_MAX_LAG",
        "LIAISON_STREAM_REPLICAS",
        "LIAISON_STREAM_PLACEMENT_CLUSTER",
        "LIAISON_STREAM_PLACEMENT_TAGS",
        "LIAISON_HTTP_HEADER_TIMEOUT_MS",
        "LIAISON_HTTP_REQUEST_TIMEOUT_MS",
        "LIAISON_HTTP_MAX_REQUESTS",
        "LIAISON_HTTP_MAX_CONNECTIONS",
    ];
    const CHILD_ARGS: &str = "LIAISON_CONFIG_TEST_ARGS";

    /// Not a test of its own: the body of [`parse_with_env`], run in a child process.
    #[test]
    fn child_parse() {
        let Ok(args) = std::env::var(CHILD_ARGS) else {
            return;
        };
        let args: Vec<String> = serde_json::from_str(&args).unwrap();
        let line = match Cli::try_parse_from(std::iter::once("liaison-test".to_owned()).chain(args))
        {
            Ok(cli) => format!(
                "PARSED {}",
                serde_json::to_string(&summary(&cli.common)).unwrap()
            ),
            Err(e) => format!("REFUSED {}", e.kind()),
        };
        println!("\n{line}");
    }

    fn summary(c: &CommonArgs) -> serde_json::Value {
        serde_json::json!({
            "nats_urls": c.nats_urls,
            "nats_creds": c.nats_creds,
            "nats_nkey": c.nats_nkey,
            "nats_user": c.nats_user,
            "nats_password": c.nats_password,
            "nats_token": c.nats_token,
            "nats_tls_ca": c.nats_tls_ca,
            "nats_tls_cert": c.nats_tls_cert,
            "nats_tls_key": c.nats_tls_key,
            "nats_tls_required": c.nats_tls_required,
            "data_dir": c.data_dir("svc"),
            "http_addr": c.http_addr("127.0.0.1:7401".parse().unwrap()).to_string(),
            "api_token": c.api_token(),
            "read_token": c.read_token(),
            "log_format": format!("{:?}", c.log_format),
            "sled_cache_mib": c.sled_cache_mib(DEFAULT_SLED_CACHE_MIB),
            "ready_max_lag": c.ready_max_lag,
            "stream_replicas": c.stream_replicas,
            "stream_placement": format!("{:?}", c.log_settings().placement),
            "http_max_requests": c.http_max_requests,
            "http_header_timeout_ms": c.http_header_timeout_ms,
            "debug": format!("{c:?}"),
        })
    }

    /// Parses `args` in a child process whose environment has exactly the `LIAISON_*`
    /// variables in `env` (the workspace forbids `unsafe`, so no `std::env::set_var` here).
    fn parse_with_env(env: &[(&str, &str)], args: &[&str]) -> Result<serde_json::Value, String> {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap());
        child.args([
            "config::tests::child_parse",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ]);
        for var in VARS {
            child.env_remove(var);
        }
        child.envs(env.iter().copied());
        child.env(CHILD_ARGS, serde_json::to_string(args).unwrap());
        let output = child.output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        for line in stdout.lines() {
            if let Some(json) = line.strip_prefix("PARSED ") {
                return Ok(serde_json::from_str(json).unwrap());
            }
            if let Some(kind) = line.strip_prefix("REFUSED ") {
                return Err(kind.to_owned());
            }
        }
        panic!("child printed no result: {stdout}");
    }

    #[test]
    fn defaults() {
        let c = parse_with_env(&[], &[]).unwrap();
        assert_eq!(c["nats_urls"], serde_json::json!([DEFAULT_NATS_URL]));
        assert_eq!(c["data_dir"], "./data/svc");
        assert_eq!(c["http_addr"], "127.0.0.1:7401");
        assert_eq!(c["api_token"], serde_json::Value::Null);
        assert_eq!(c["read_token"], serde_json::Value::Null);
        assert_eq!(c["log_format"], "Text");
        assert_eq!(c["sled_cache_mib"], 64);
        assert_eq!(c["nats_tls_required"], false);
    }

    #[test]
    fn default_matches_an_empty_command_line() {
        let parsed = parse_with_env(&[], &[]).unwrap();
        let default = summary(&CommonArgs::default());
        assert_eq!(parsed, default);
    }

    #[test]
    fn environment_is_read() {
        let c = parse_with_env(
            &[
                ("LIAISON_NATS_URL", "nats://a:4222,nats://b:4222"),
                ("LIAISON_DATA_DIR", "/var/lib/liaison"),
                ("LIAISON_HTTP_ADDR", "0.0.0.0:9000"),
                ("LIAISON_API_TOKEN", "tok"),
                ("LIAISON_READ_TOKEN", "read-tok"),
                ("LIAISON_LOG_FORMAT", "json"),
                ("LIAISON_SLED_CACHE_MIB", "96"),
                ("LIAISON_NATS_TLS_REQUIRED", "true"),
                ("LIAISON_NATS_CREDS", "/etc/liaison/svc.creds"),
                ("LIAISON_READY_MAX_LAG", "50"),
                ("LIAISON_STREAM_REPLICAS", "3"),
                ("LIAISON_STREAM_PLACEMENT_CLUSTER", "eu"),
                ("LIAISON_STREAM_PLACEMENT_TAGS", "ssd, zone-a"),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(
            c["nats_urls"],
            serde_json::json!(["nats://a:4222", "nats://b:4222"])
        );
        assert_eq!(c["data_dir"], "/var/lib/liaison");
        assert_eq!(c["http_addr"], "0.0.0.0:9000");
        assert_eq!(c["api_token"], "tok");
        assert_eq!(c["read_token"], "read-tok");
        assert_eq!(c["log_format"], "Json");
        assert_eq!(c["sled_cache_mib"], 96);
        assert_eq!(c["nats_tls_required"], true);
        assert_eq!(c["nats_creds"], "/etc/liaison/svc.creds");
        assert_eq!(c["ready_max_lag"], 50);
        assert_eq!(c["stream_replicas"], 3);
        assert_eq!(
            c["stream_placement"],
            r#"StreamPlacement { cluster: Some("eu"), tags: ["ssd", "zone-a"] }"#
        );
    }

    #[test]
    fn flags_win_over_environment() {
        let c = parse_with_env(
            &[
                ("LIAISON_NATS_URL", "nats://env:4222"),
                ("LIAISON_DATA_DIR", "/env"),
                ("LIAISON_API_TOKEN", "env-token"),
                ("LIAISON_HTTP_ADDR", "127.0.0.1:1"),
            ],
            &[
                "--nats-url",
                "nats://flag:4222",
                "--data-dir",
                "/flag",
                "--api-token",
                "flag-token",
                "--http-addr",
                "127.0.0.1:0",
            ],
        )
        .unwrap();
        assert_eq!(c["nats_urls"], serde_json::json!(["nats://flag:4222"]));
        assert_eq!(c["data_dir"], "/flag");
        assert_eq!(c["api_token"], "flag-token");
        assert_eq!(c["http_addr"], "127.0.0.1:0");
    }

    #[test]
    fn nats_credential_options_are_checked() {
        let c =
            parse_with_env(&[("LIAISON_NATS_PASSWORD", "pw")], &["--nats-user", "svc"]).unwrap();
        assert_eq!(c["nats_user"], "svc");
        assert_eq!(c["nats_password"], "pw");
        // a user needs a password, creds exclude a token, a client cert needs its key
        assert!(parse_with_env(&[], &["--nats-user", "svc"]).is_err());
        assert!(parse_with_env(&[], &["--nats-creds", "a.creds", "--nats-token", "t"]).is_err());
        assert!(parse_with_env(&[], &["--nats-tls-cert", "c.pem"]).is_err());
        // an nkey seed file is one way of authenticating: alone
        let c = parse_with_env(&[("LIAISON_NATS_NKEY", "/s/ingest.nk")], &[]).unwrap();
        assert_eq!(c["nats_nkey"], "/s/ingest.nk");
        assert!(parse_with_env(&[], &["--nats-nkey", "a.nk", "--nats-token", "t"]).is_err());
        assert!(parse_with_env(&[], &["--nats-nkey", "a.nk", "--nats-creds", "a.creds"]).is_err());
        assert!(
            parse_with_env(
                &[("LIAISON_NATS_PASSWORD", "pw")],
                &["--nats-nkey", "a.nk", "--nats-user", "u"]
            )
            .is_err()
        );
        let c = parse_with_env(
            &[],
            &[
                "--nats-tls-cert",
                "c.pem",
                "--nats-tls-key",
                "k.pem",
                "--nats-tls-ca",
                "ca.pem",
                "--nats-tls-required",
            ],
        )
        .unwrap();
        assert_eq!(c["nats_tls_ca"], "ca.pem");
        assert_eq!(c["nats_tls_required"], true);
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(parse_with_env(&[], &["--http-addr", "nonsense"]).is_err());
        assert!(parse_with_env(&[], &["--log-format", "xml"]).is_err());
        assert!(parse_with_env(&[("LIAISON_SLED_CACHE_MIB", "lots")], &[]).is_err());
        assert!(parse_with_env(&[("LIAISON_STREAM_REPLICAS", "0")], &[]).is_err());
        assert!(parse_with_env(&[], &["--stream-replicas", "7"]).is_err());
        assert!(parse_with_env(&[("LIAISON_HTTP_MAX_REQUESTS", "0")], &[]).is_err());
        assert!(parse_with_env(&[], &["--http-header-timeout-ms", "1"]).is_err());
        let c = parse_with_env(&[("LIAISON_HTTP_MAX_REQUESTS", "64")], &[]).unwrap();
        assert_eq!(c["http_max_requests"], 64);
    }

    #[test]
    fn the_tokens_must_make_sense_together() {
        let with = |api: Option<&str>, read: Option<&str>| CommonArgs {
            api_token: api.map(Into::into),
            read_token: read.map(Into::into),
            ..CommonArgs::default()
        };
        assert!(with(None, None).check_tokens().is_ok());
        assert!(with(Some("w"), None).check_tokens().is_ok());
        assert!(with(Some("w"), Some("r")).check_tokens().is_ok());
        assert!(with(Some("w"), Some("")).check_tokens().is_ok());
        let alone = with(None, Some("r")).check_tokens().unwrap_err();
        assert!(alone.contains("without LIAISON_API_TOKEN"), "{alone}");
        let empty_api = with(Some(""), Some("r")).check_tokens().unwrap_err();
        assert!(
            empty_api.contains("without LIAISON_API_TOKEN"),
            "{empty_api}"
        );
        let same = with(Some("t"), Some("t")).check_tokens().unwrap_err();
        assert!(same.contains("equals LIAISON_API_TOKEN"), "{same}");
        let tokens = with(Some("w"), Some("r")).tokens();
        assert!(tokens.has_write() && tokens.has_read());
    }

    #[test]
    fn debug_redacts_secrets() {
        let c = parse_with_env(
            &[
                ("LIAISON_NATS_PASSWORD", "hunter4"),
                ("LIAISON_NATS_USER", "u"),
                (
                    "LIAISON_NATS_URL",
                    "nats://svc:hunter6@a:4222,nats://b:4222",
                ),
            ],
            &["--api-token", "hunter2", "--read-token", "hunter3"],
        )
        .unwrap();
        let shown = c["debug"].as_str().unwrap();
        assert!(!shown.contains("hunter"), "{shown}");
        assert!(shown.contains("<redacted>"));
        assert!(shown.contains("nats://svc:***@a:4222"), "{shown}");
    }
}
