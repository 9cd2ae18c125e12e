//! The settings of `liaison-console`: the flags and environment every service shares
//! ([`CommonArgs`]), where the services are (found as the CLI finds them, `LIAISON_<SERVICE>_URL`
//! with the contract's defaults), and the bound on forwarded request bodies.

use clap::Args;
use liaison_proto::services::Service;
use liaison_runtime::config::CommonArgs;

/// The largest request body forwarded by default: 4 MiB, room for a batch of events or an
/// article posted from the UI; a larger one is refused `413` before it reaches a service.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The most a deployment may raise [`Config::max_body_bytes`] to: ingest's own bound (33 MiB).
pub const MAX_MAX_BODY_BYTES: usize = 33 * 1024 * 1024;

/// Every setting of `liaison-console`.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// The settings every Liaison service shares. The console holds no token of its own: it
    /// forwards the caller's `Authorization`, and each service decides (see [`crate::ConsoleService`]).
    #[command(flatten)]
    pub common: CommonArgs,
    /// Base URL of liaison-ingest.
    #[arg(long, env = "LIAISON_INGEST_URL", default_value = Service::Ingest.default_url(), value_name = "URL")]
    pub ingest_url: String,
    /// Base URL of liaison-projection.
    #[arg(long, env = "LIAISON_PROJECTION_URL", default_value = Service::Projection.default_url(), value_name = "URL")]
    pub projection_url: String,
    /// Base URL of liaison-notifier.
    #[arg(long, env = "LIAISON_NOTIFIER_URL", default_value = Service::Notifier.default_url(), value_name = "URL")]
    pub notifier_url: String,
    /// Base URL of liaison-reader.
    #[arg(long, env = "LIAISON_READER_URL", default_value = Service::Reader.default_url(), value_name = "URL")]
    pub reader_url: String,
    /// The largest request body forwarded to a service, in bytes; a larger one answers `413`.
    #[arg(
        long = "max-body-bytes",
        env = "LIAISON_CONSOLE_MAX_BODY_BYTES",
        default_value_t = DEFAULT_MAX_BODY_BYTES,
        value_name = "BYTES"
    )]
    pub max_body_bytes: usize,
}

impl Default for Config {
    /// The documented defaults, ignoring flags and environment (for tests).
    fn default() -> Self {
        Self {
            common: CommonArgs::default(),
            ingest_url: Service::Ingest.default_url().to_owned(),
            projection_url: Service::Projection.default_url().to_owned(),
            notifier_url: Service::Notifier.default_url().to_owned(),
            reader_url: Service::Reader.default_url().to_owned(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

impl Config {
    /// The configured base URL of `service` (`None` for the console itself).
    pub fn url(&self, service: Service) -> Option<&str> {
        match service {
            Service::Ingest => Some(&self.ingest_url),
            Service::Projection => Some(&self.projection_url),
            Service::Notifier => Some(&self.notifier_url),
            Service::Reader => Some(&self.reader_url),
            Service::Console => None,
        }
    }

    /// Checks the settings: every URL is `http(s)://host[:port][/path]`, the body bound is in
    /// range. The error names the setting.
    pub fn check(&self) -> Result<(), String> {
        for service in crate::upstream::FORWARDED {
            let url = self.url(service).unwrap_or_default();
            let rest = url
                .strip_prefix("http://")
                .or_else(|| url.strip_prefix("https://"));
            if rest.is_none_or(|r| r.is_empty() || r.starts_with('/')) {
                return Err(format!(
                    "{} must be an http:// or https:// URL, got {url:?}",
                    service.url_env()
                ));
            }
        }
        if self.max_body_bytes == 0 || self.max_body_bytes > MAX_MAX_BODY_BYTES {
            return Err(format!(
                "--max-body-bytes (LIAISON_CONSOLE_MAX_BODY_BYTES) is 1 to {MAX_MAX_BODY_BYTES}, got {}",
                self.max_body_bytes
            ));
        }
        Ok(())
    }
}
