//! One shutdown signal for the whole process, and a stop that always finishes.
//!
//! A service runs several loops (the HTTP server, a log consumer, a delivery worker) that
//! must all stop — and finish what they are doing — when the process is asked to stop
//! (Ctrl-C, or `SIGTERM` from a supervisor), or when a test says so. [`Shutdown`] is a
//! cheap, cloneable handle over a [`CancellationToken`]: every loop clones it and selects
//! on [`Shutdown::wait`].
//!
//! Graceful is not enough for a process: a task that ignores the signal, an await on a NATS
//! server that is gone, or a write into a pipe nobody reads can hold it for ever, and a
//! supervisor that sent `SIGTERM` is left waiting. So [`Shutdown::on_signals`] also arms a
//! deadline on two plain OS threads that no async state can block:
//! - one waits for `SIGTERM`/`SIGINT` with `signal-hook` (not on the Tokio runtime, which may
//!   be wedged) and fires the signal; a second signal exits at once;
//! - one waits for the signal to fire (by a signal or by [`Shutdown::trigger`]), sleeps the
//!   deadline ([`DEFAULT_EXIT_DEADLINE`] unless [`Shutdown::on_signals_within`] says
//!   otherwise), flushes the logs for a bounded time and exits with [`FORCED_EXIT_CODE`].
//!
//! A forced exit loses nothing the services promise to keep: every write that matters is a
//! sled transaction or a JetStream acknowledgement, which survive a crash (the end-to-end
//! tests kill services with `SIGKILL` to prove it); it only skips the last flushes.
//! Issue 11 found the services hanging on `SIGTERM` with their output on a closed or full pipe:
//! see [`crate::telemetry`] for that root cause; this deadline is the backstop for the next one.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// How long a process may take to stop once asked, before it exits anyway.
///
/// Long enough for the HTTP grace period ([`crate::http::HttpServer::DEFAULT_GRACE`]), the
/// background tasks and a sled flush; short next to a supervisor's own patience (systemd waits
/// 90 s, Kubernetes 30 s, before `SIGKILL`), so the process is the one that decides.
pub const DEFAULT_EXIT_DEADLINE: Duration = Duration::from_secs(6);

/// The exit code of a process that did not stop gracefully within its deadline, or was sent
/// a second signal: `EX_SOFTWARE` from `sysexits.h` (an internal error: something did not stop).
pub const FORCED_EXIT_CODE: i32 = 70;

/// How long a forced exit waits for buffered log lines to reach the output.
const LOG_FLUSH_AT_EXIT: Duration = Duration::from_millis(500);

/// A cloneable shutdown signal; once triggered it stays triggered.
#[derive(Debug, Clone, Default)]
pub struct Shutdown {
    token: CancellationToken,
}

impl Shutdown {
    /// A signal that fires only when [`Shutdown::trigger`] is called (tests, embedding).
    /// It arms no deadline: the process is not this signal's to end.
    pub fn new() -> Self {
        Self::default()
    }

    /// The process's signal: fires on `SIGTERM` or `SIGINT` (Ctrl-C), and ends the process
    /// [`DEFAULT_EXIT_DEADLINE`] after it fired if it has not ended by itself.
    ///
    /// Call it once per process, in `main` (tests use [`Shutdown::new`]). It needs no Tokio
    /// runtime: it starts two OS threads.
    pub fn on_signals() -> Self {
        Self::on_signals_within(DEFAULT_EXIT_DEADLINE)
    }

    /// [`Shutdown::on_signals`] with another exit deadline.
    pub fn on_signals_within(deadline: Duration) -> Self {
        let shutdown = Self::new();
        arm_exit_deadline(&shutdown, deadline, |code| {
            crate::telemetry::flush_logs(LOG_FLUSH_AT_EXIT);
            std::process::exit(code)
        });
        listen_for_signals(&shutdown);
        shutdown
    }

    /// Fires the signal; every clone sees it.
    pub fn trigger(&self) {
        self.token.cancel();
    }

    /// Whether the signal has fired.
    pub fn is_triggered(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Completes when the signal fires (at once if it already has).
    pub async fn wait(&self) {
        self.token.cancelled().await;
    }

    /// The underlying token, for APIs that take a [`CancellationToken`].
    pub fn token(&self) -> CancellationToken {
        self.token.clone()
    }

    /// A child signal: it fires with this one, and can also be fired on its own
    /// (to stop one task without stopping the process).
    pub fn child(&self) -> Self {
        Self {
            token: self.token.child_token(),
        }
    }
}

/// Starts the thread that calls `exit(FORCED_EXIT_CODE)` once `deadline` has passed since
/// `shutdown` fired (however it fired). `exit` is a parameter so that tests can watch it.
fn arm_exit_deadline(
    shutdown: &Shutdown,
    deadline: Duration,
    exit: impl FnOnce(i32) + Send + 'static,
) {
    let token = shutdown.token();
    let spawned = std::thread::Builder::new()
        .name("shutdown-deadline".into())
        .spawn(move || {
            // A plain thread parked on the token's waker: it needs no runtime to be polled.
            futures::executor::block_on(token.cancelled());
            std::thread::sleep(deadline);
            tracing::error!(
                ?deadline,
                "the service did not stop within its deadline after shutdown was requested; exiting now"
            );
            exit(FORCED_EXIT_CODE);
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "cannot start the shutdown deadline thread; a stop may hang");
    }
}

/// Starts the thread that turns `SIGTERM`/`SIGINT` into `shutdown`, and a second one into an
/// immediate exit.
#[cfg(unix)]
fn listen_for_signals(shutdown: &Shutdown) {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;

    let mut signals = match Signals::new([SIGTERM, SIGINT]) {
        Ok(signals) => signals,
        Err(error) => {
            tracing::warn!(%error, "cannot listen for SIGTERM and SIGINT; only a trigger will stop the service");
            return;
        }
    };
    let trigger = shutdown.clone();
    let spawned = std::thread::Builder::new()
        .name("shutdown-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                let name = if signal == SIGTERM {
                    "SIGTERM"
                } else {
                    "SIGINT"
                };
                if trigger.is_triggered() {
                    tracing::warn!(signal = name, "second stop signal; exiting now");
                    crate::telemetry::flush_logs(LOG_FLUSH_AT_EXIT);
                    std::process::exit(FORCED_EXIT_CODE);
                }
                // Fire first, log second: nothing the log does may keep the signal from firing.
                trigger.trigger();
                tracing::info!(signal = name, "shutdown requested");
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "cannot start the signal thread; only a trigger will stop the service");
    }
}

#[cfg(not(unix))]
fn listen_for_signals(shutdown: &Shutdown) {
    let trigger = shutdown.clone();
    let _ = std::thread::Builder::new()
        .name("shutdown-signals".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                if runtime.block_on(tokio::signal::ctrl_c()).is_ok() {
                    trigger.trigger();
                    tracing::info!(signal = "Ctrl-C", "shutdown requested");
                }
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[tokio::test]
    async fn trigger_reaches_every_clone_and_child() {
        let shutdown = Shutdown::new();
        let clone = shutdown.clone();
        let child = shutdown.child();
        assert!(!clone.is_triggered());
        shutdown.trigger();
        tokio::time::timeout(Duration::from_secs(1), clone.wait())
            .await
            .unwrap();
        assert!(child.is_triggered());
    }

    #[tokio::test]
    async fn a_child_fires_alone() {
        let parent = Shutdown::new();
        let child = parent.child();
        child.trigger();
        assert!(child.is_triggered());
        assert!(!parent.is_triggered());
    }

    #[test]
    fn the_deadline_exits_only_after_the_signal_fired_and_the_deadline_passed() {
        let shutdown = Shutdown::new();
        let (exited, exits) = mpsc::channel();
        arm_exit_deadline(&shutdown, Duration::from_millis(50), move |code| {
            exited.send(code).unwrap();
        });
        // Not fired: the deadline thread must not exit however long it waits.
        assert_eq!(
            exits.recv_timeout(Duration::from_millis(300)),
            Err(mpsc::RecvTimeoutError::Timeout)
        );
        shutdown.trigger();
        assert_eq!(
            exits.recv_timeout(Duration::from_secs(10)),
            Ok(FORCED_EXIT_CODE)
        );
    }

    #[test]
    fn the_deadline_needs_no_async_runtime_to_see_a_trigger_from_another_thread() {
        let shutdown = Shutdown::new();
        let (exited, exits) = mpsc::channel();
        arm_exit_deadline(&shutdown, Duration::ZERO, move |code| {
            exited.send(code).unwrap();
        });
        let trigger = shutdown.clone();
        std::thread::spawn(move || trigger.trigger())
            .join()
            .unwrap();
        assert_eq!(
            exits.recv_timeout(Duration::from_secs(10)),
            Ok(FORCED_EXIT_CODE)
        );
    }
}
