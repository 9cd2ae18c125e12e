//! Logging set-up, the same for every service, and logging that cannot hold the process.
//!
//! Services log through `tracing`; this installs the subscriber once per process with a
//! `RUST_LOG`-style filter (default `info`) in text or JSON. Tests start several services
//! in one process, so a second call is harmless: it keeps the first subscriber.
//!
//! # Why the logs go through a lossy queue
//!
//! Issue 11: a service whose supervisor died (its stdout and stderr on a pipe whose reader is
//! gone, or that nobody reads any more) never stopped on `SIGTERM`. The root cause was here:
//! - `tracing_subscriber::fmt()` turns on `log_internal_errors`, so a write that fails
//!   (`EPIPE` on a closed pipe) is reported with `eprintln!` — to the same closed stderr, where
//!   `eprintln!` panics. Every task that logged died; the signal task logged "shutdown
//!   requested" before firing the signal, so it died first and the signal never fired.
//! - On a full pipe the write blocks: the Tokio worker running the signal task blocked in
//!   `write(2)` inside that same log call, and every other thread that logged queued behind
//!   stderr's lock.
//!
//! So events go to a [`LossyWriter`]: the logging thread only queues the line (bounded, lines
//! beyond [`lossy_writer::MAX_QUEUED_BYTES`] are dropped and counted), one background thread
//! writes to stderr and is the only thread that can block or fail, and `log_internal_errors`
//! is off. [`LogGuard`] (returned by [`init_tracing`]; keep it in `main`) flushes the queue for
//! a bounded time when the process ends, so the last lines ("stopped") are not lost.
//!
//! Measured with `examples/log_writer_cost.rs` (numbers in the crate README): the queue costs
//! about a microsecond more per line than a direct write when stderr is `/dev/null`, and is
//! several times cheaper when stderr is a pipe (it writes in batches); a stuck output costs the
//! logging thread nothing.

pub mod lossy_writer;

use std::sync::OnceLock;
use std::time::Duration;

use tracing_subscriber::EnvFilter;

pub use self::lossy_writer::LossyWriter;
use crate::config::LogFormat;

/// The filter used when `RUST_LOG` is unset or invalid.
pub const DEFAULT_FILTER: &str = "info";

/// How long [`LogGuard`] waits for queued lines to be written when it drops.
pub const FLUSH_AT_EXIT: Duration = Duration::from_millis(500);

/// The process's log writer, once [`init_tracing`] installed it.
static WRITER: OnceLock<LossyWriter> = OnceLock::new();

/// Flushes the queued log lines when dropped (for at most [`FLUSH_AT_EXIT`]): keep it alive
/// until `main` returns (`let _logs = init_tracing(…);`).
///
/// Dropping it early loses nothing but that flush: logging goes on.
#[derive(Debug)]
pub struct LogGuard {
    installed: bool,
}

impl LogGuard {
    /// Whether the call that returned this guard installed the subscriber (`false` when one
    /// was installed already; that one is kept).
    pub fn installed(&self) -> bool {
        self.installed
    }
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        flush_logs(FLUSH_AT_EXIT);
    }
}

/// Waits until the log lines queued so far are written, for at most `timeout`.
///
/// `true` when they were (or when [`init_tracing`] did not install this crate's writer);
/// `false` when the output did not take them in time (a full pipe).
pub fn flush_logs(timeout: Duration) -> bool {
    WRITER.get().is_none_or(|writer| writer.flush(timeout))
}

/// Installs the global tracing subscriber for `service`, writing to stderr through a
/// [`LossyWriter`].
///
/// The filter comes from `RUST_LOG` (e.g. `info,liaison_log=debug`), else [`DEFAULT_FILTER`].
/// Calling it twice is safe: the second call keeps the first subscriber.
pub fn init_tracing(service: &str, format: LogFormat) -> LogGuard {
    let (filter, invalid) = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => match EnvFilter::try_new(&spec) {
            Ok(filter) => (filter, None),
            Err(error) => (EnvFilter::new(DEFAULT_FILTER), Some((spec, error))),
        },
        _ => (EnvFilter::new(DEFAULT_FILTER), None),
    };
    let installed = match writer() {
        Some(writer) => {
            let builder = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(writer)
                .log_internal_errors(false);
            match format {
                LogFormat::Text => builder.try_init().is_ok(),
                LogFormat::Json => builder
                    .json()
                    .flatten_event(true)
                    .with_current_span(false)
                    .try_init()
                    .is_ok(),
            }
        }
        None => false,
    };
    if installed {
        if let Some((spec, error)) = invalid {
            tracing::warn!(%spec, %error, "RUST_LOG is invalid; logging at {DEFAULT_FILTER}");
        }
        tracing::info!(service, version = env!("CARGO_PKG_VERSION"), "starting");
    }
    LogGuard { installed }
}

/// The process's writer, started on first use; `None` (no logs) only if its thread cannot start.
fn writer() -> Option<LossyWriter> {
    if let Some(writer) = WRITER.get() {
        return Some(writer.clone());
    }
    match LossyWriter::stderr() {
        Ok(writer) => Some(WRITER.get_or_init(|| writer).clone()),
        Err(error) => {
            // Nothing else can say it: the log is what failed to start.
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                format!("cannot start the log writer thread: {error}\n").as_bytes(),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_call_is_harmless() {
        let first = init_tracing("test", LogFormat::Json);
        assert!(!init_tracing("test", LogFormat::Text).installed());
        // whichever test installed it first, it is installed now
        let _ = first;
        tracing::info!("still logging");
        assert!(flush_logs(Duration::from_secs(10)));
    }
}
