//! A reader that asks the projection one relationship over HTTP every 100 ms while a scenario
//! disturbs the cluster, and keeps every answer (queries are served from the projection's own
//! store: they should be answered `200` throughout, whatever NATS does).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::task::JoinHandle;

/// The polling task.
pub struct Poller {
    stop: Arc<AtomicBool>,
    task: JoinHandle<Vec<Result<u16, String>>>,
}

impl Poller {
    /// Starts asking `GET {projection}/v1/relationships/{a}/{b}`.
    pub fn start(projection: &str, a: &str, b: &str) -> Poller {
        let url = format!("{projection}/v1/relationships/{a}/{b}");
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let task = tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut answers = Vec::new();
            while !stopped.load(Ordering::SeqCst) {
                let answer = http
                    .get(&url)
                    .timeout(Duration::from_secs(5))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .map_err(|e| e.to_string());
                answers.push(answer);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            answers
        });
        Poller { stop, task }
    }

    /// Stops it; every answer (a status, or why there was none), in order.
    pub async fn stop(self) -> Vec<Result<u16, String>> {
        self.stop.store(true, Ordering::SeqCst);
        self.task.await.expect("the poller")
    }
}
