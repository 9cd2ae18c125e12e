//! One shutdown signal for the whole process.
//!
//! A service runs several loops (the HTTP server, a log consumer, a delivery worker) that
//! must all stop — and finish what they are doing — when the process is asked to stop
//! (Ctrl-C, or `SIGTERM` from a supervisor), or when a test says so. [`Shutdown`] is a
//! cheap, cloneable handle over a [`CancellationToken`]: every loop clones it and selects
//! on [`Shutdown::wait`].

use tokio_util::sync::CancellationToken;

/// A cloneable shutdown signal; once triggered it stays triggered.
#[derive(Debug, Clone, Default)]
pub struct Shutdown {
    token: CancellationToken,
}

impl Shutdown {
    /// A signal that fires only when [`Shutdown::trigger`] is called (tests, embedding).
    pub fn new() -> Self {
        Self::default()
    }

    /// A signal that also fires on Ctrl-C and, on Unix, `SIGTERM`.
    ///
    /// Must be called inside a Tokio runtime: it spawns the task that listens for signals.
    pub fn on_signals() -> Self {
        let shutdown = Self::new();
        let trigger = shutdown.clone();
        tokio::spawn(async move {
            tokio::select! {
                signal = wait_for_signal() => {
                    tracing::info!(%signal, "shutdown requested");
                    trigger.trigger();
                }
                () = trigger.wait() => {}
            }
        });
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

#[cfg(unix)]
async fn wait_for_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut sigterm) => tokio::select! {
            _ = tokio::signal::ctrl_c() => "SIGINT",
            _ = sigterm.recv() => "SIGTERM",
        },
        Err(error) => {
            tracing::warn!(%error, "cannot listen for SIGTERM; only Ctrl-C will stop the service");
            let _ = tokio::signal::ctrl_c().await;
            "SIGINT"
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() -> &'static str {
    let _ = tokio::signal::ctrl_c().await;
    "Ctrl-C"
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn trigger_reaches_every_clone_and_child() {
        let shutdown = Shutdown::on_signals();
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
}
