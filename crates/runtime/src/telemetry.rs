//! Logging set-up, the same for every service.
//!
//! Services log through `tracing`; this installs the subscriber once per process with a
//! `RUST_LOG`-style filter (default `info`) in text or JSON. Tests start several services
//! in one process, so a second call is harmless: it keeps the first subscriber.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// The filter used when `RUST_LOG` is unset or invalid.
pub const DEFAULT_FILTER: &str = "info";

/// Installs the global tracing subscriber for `service`, writing to stderr.
///
/// The filter comes from `RUST_LOG` (e.g. `info,liaison_log=debug`), else [`DEFAULT_FILTER`].
/// Returns `true` if this call installed the subscriber, `false` if one was already set
/// (the existing one is kept; calling twice is safe).
pub fn init_tracing(service: &str, format: LogFormat) -> bool {
    let (filter, invalid) = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => match EnvFilter::try_new(&spec) {
            Ok(filter) => (filter, None),
            Err(error) => (EnvFilter::new(DEFAULT_FILTER), Some((spec, error))),
        },
        _ => (EnvFilter::new(DEFAULT_FILTER), None),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let installed = match format {
        LogFormat::Text => builder.try_init().is_ok(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init()
            .is_ok(),
    };
    if installed {
        if let Some((spec, error)) = invalid {
            tracing::warn!(%spec, %error, "RUST_LOG is invalid; logging at {DEFAULT_FILTER}");
        }
        tracing::info!(service, version = env!("CARGO_PKG_VERSION"), "starting");
    }
    installed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_call_is_harmless() {
        let first = init_tracing("test", LogFormat::Json);
        assert!(!init_tracing("test", LogFormat::Text));
        // whichever test installed it first, it is installed now
        let _ = first;
        tracing::info!("still logging");
    }
}
