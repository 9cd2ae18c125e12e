//! Parsing and validation of request bodies off the async workers.
//!
//! Reading a JSON body of tens of megabytes and walking it takes real CPU time; done on tokio's
//! async workers it would stall every other request of the process, `/healthz` included (issue
//! 11: one request took ingest 26 s). So the work runs on tokio's blocking pool, behind a
//! semaphore with one permit per CPU: however many large requests arrive, at most that many are
//! parsed at once, and the async workers stay free.
//!
//! A request that finds every permit taken waits for one, at most [`QUEUE_WAIT`]; then it is
//! refused with `503` and `Retry-After` rather than queued without end (each waiting request
//! holds its body in memory). Small bodies take microseconds, so the wait only shows under a
//! burst of very large ones.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

/// How long a request waits for a permit before it is refused with `503`.
pub const QUEUE_WAIT: Duration = Duration::from_secs(5);

/// Why the work was not done.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// Every permit stayed taken for the whole wait.
    #[error("ingest is busy validating other large requests")]
    Busy,
    /// The work panicked (a bug); the panic is contained to this request.
    #[error("the validation failed on the server: {0}")]
    Failed(String),
}

/// Runs CPU-heavy work on the blocking pool, a bounded number at once. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ValidationGate {
    permits: Arc<Semaphore>,
    queue_wait: Duration,
}

impl ValidationGate {
    /// A gate of `permits` (at least 1) that refuses after waiting `queue_wait`.
    pub fn new(permits: usize, queue_wait: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            queue_wait,
        }
    }

    /// A gate of one permit per CPU of this machine, waiting at most [`QUEUE_WAIT`].
    pub fn for_this_machine() -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(cpus, QUEUE_WAIT)
    }

    /// How many permits are free now (for tests and diagnostics).
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }

    /// Runs `work` on the blocking pool once a permit is free, and returns what it returns.
    pub async fn run<T, F>(&self, work: F) -> Result<T, GateError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = tokio::time::timeout(self.queue_wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| GateError::Busy)?
            .map_err(|_| GateError::Busy)?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| GateError::Failed(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn at_most_permits_run_at_once_and_a_long_wait_is_refused() {
        let gate = ValidationGate::new(2, Duration::from_millis(200));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(std::sync::Mutex::new(wait));
        let mut tasks = Vec::new();
        for _ in 0..2 {
            let (gate, running, most, wait) =
                (gate.clone(), running.clone(), most.clone(), wait.clone());
            tasks.push(tokio::spawn(async move {
                gate.run(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    let _ = wait.lock().unwrap().recv();
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            }));
        }
        while gate.available() > 0 {
            tokio::task::yield_now().await;
        }
        // Both permits are taken: a third request waits, then is refused.
        assert!(matches!(gate.run(|| ()).await, Err(GateError::Busy)));
        release.send(()).unwrap();
        release.send(()).unwrap();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
        assert_eq!(gate.run(|| 7).await.unwrap(), 7);
    }

    #[tokio::test]
    async fn a_panic_is_contained_and_frees_its_permit() {
        let gate = ValidationGate::new(1, Duration::from_millis(500));
        let failed = gate.run(|| panic!("a bug")).await;
        assert!(matches!(failed, Err(GateError::Failed(_))));
        assert_eq!(gate.available(), 1);
    }
}
