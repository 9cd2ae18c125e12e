//! Clients that append at a steady rate while a test disturbs the cluster: each event with its
//! own id, sent until ingest answers for good. A `503` is retried with the same body (so the
//! same id) after its `Retry-After`, and so is a request that got no answer (its outcome is
//! unknown); anything else ends the event. Every answer is kept, so that a test can tell what
//! each client was told and when.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::task::JoinHandle;

use liaison_e2e::http::once;

/// How long one event may stay unacknowledged (retried through `503`s and lost answers).
const EVENT_DEADLINE: Duration = Duration::from_secs(60);

/// How an event ended for its client.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// `201` (appended) or `200` (already in the log), at this log sequence.
    Acknowledged {
        /// The status.
        status: u16,
        /// The sequence the answer named.
        sequence: u64,
    },
    /// Any other final answer (not `503`): the client was told the append failed.
    Refused {
        /// The status.
        status: u16,
        /// The answer.
        body: Value,
    },
    /// Neither within [`EVENT_DEADLINE`]: the last thing that happened.
    GaveUp(String),
}

/// One HTTP attempt: when it was sent, when it was answered, the status (`None`: no answer) and,
/// for a `503` or no answer, why.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// When the request was sent.
    pub sent: Instant,
    /// When the answer (or the failure) came.
    pub answered: Instant,
    /// The status, if there was an answer.
    pub status: Option<u16>,
    /// A `503`'s `detail`, or why there was no answer.
    pub why: Option<String>,
}

/// One event as its client saw it.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The event's id.
    pub id: String,
    /// Its final outcome.
    pub outcome: Outcome,
    /// Every attempt, in order.
    pub attempts: Vec<Attempt>,
}

/// Writers appending through ingest until stopped (or out of events).
pub struct Writers {
    stop: Arc<AtomicBool>,
    acknowledged: Arc<AtomicUsize>,
    tasks: Vec<JoinHandle<Vec<Sent>>>,
}

impl Writers {
    /// Starts `count` writers, writer `i` posting to `ingests[i % len]`, taking events (each with
    /// an id, sent alone) from `events` in order and pausing `pause` after each event.
    pub fn start(ingests: &[String], events: Vec<Value>, count: usize, pause: Duration) -> Self {
        let queue = Arc::new(Mutex::new(VecDeque::from(events)));
        let stop = Arc::new(AtomicBool::new(false));
        let acknowledged = Arc::new(AtomicUsize::new(0));
        let http = reqwest::Client::new();
        let tasks = (0..count)
            .map(|i| {
                let writer = Writer {
                    url: format!("{}/v1/events", ingests[i % ingests.len()]),
                    http: http.clone(),
                    stop: stop.clone(),
                    acknowledged: acknowledged.clone(),
                };
                tokio::spawn(writer.run(queue.clone(), pause))
            })
            .collect();
        Writers {
            stop,
            acknowledged,
            tasks,
        }
    }

    /// How many events were acknowledged so far.
    pub fn acknowledged(&self) -> usize {
        self.acknowledged.load(Ordering::SeqCst)
    }

    /// Waits until `count` events in all were acknowledged; panics after `within`.
    pub async fn wait_acknowledged(&self, count: usize, within: Duration) {
        let deadline = Instant::now() + within;
        while self.acknowledged() < count {
            assert!(
                Instant::now() < deadline,
                "only {} of {count} events acknowledged within {within:?}",
                self.acknowledged()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops the writers once each has finished its current event; every event they sent.
    pub async fn stop(self) -> Vec<Sent> {
        self.stop.store(true, Ordering::SeqCst);
        let mut sent = Vec::new();
        for task in self.tasks {
            sent.extend(task.await.expect("a writer panicked"));
        }
        sent
    }
}

struct Writer {
    url: String,
    http: reqwest::Client,
    stop: Arc<AtomicBool>,
    acknowledged: Arc<AtomicUsize>,
}

impl Writer {
    async fn run(self, queue: Arc<Mutex<VecDeque<Value>>>, pause: Duration) -> Vec<Sent> {
        let mut sent = Vec::new();
        while !self.stop.load(Ordering::SeqCst) {
            let Some(event) = queue.lock().expect("the queue").pop_front() else {
                break;
            };
            let one = self.send(event).await;
            if matches!(one.outcome, Outcome::Acknowledged { .. }) {
                self.acknowledged.fetch_add(1, Ordering::SeqCst);
            }
            sent.push(one);
            tokio::time::sleep(pause).await;
        }
        sent
    }

    /// Sends `event` until it is answered for good or [`EVENT_DEADLINE`] runs out.
    async fn send(&self, event: Value) -> Sent {
        let id = liaison_testkit::events::id_of(&event);
        let deadline = Instant::now() + EVENT_DEADLINE;
        let mut attempts = Vec::new();
        loop {
            let sent = Instant::now();
            let (status, retry_after, body) = once(self.http.post(&self.url).json(&event)).await;
            attempts.push(Attempt {
                sent,
                answered: Instant::now(),
                status,
                why: match status {
                    Some(503) => body["detail"].as_str().map(str::to_owned),
                    None => body.as_str().map(str::to_owned),
                    Some(_) => None,
                },
            });
            let outcome = match status {
                Some(status @ (200 | 201)) => {
                    let sequence = body["events"][0]["sequence"]
                        .as_u64()
                        .unwrap_or_else(|| panic!("{status} without a sequence: {body}"));
                    Outcome::Acknowledged { status, sequence }
                }
                // Unavailable, or no answer at all: the same event again (the same id).
                Some(503) | None if Instant::now() + retry_after < deadline => {
                    tokio::time::sleep(retry_after).await;
                    continue;
                }
                Some(503) | None => Outcome::GaveUp(format!("{status:?}: {body}")),
                Some(status) => Outcome::Refused { status, body },
            };
            return Sent {
                id,
                outcome,
                attempts,
            };
        }
    }
}
