//! `GET /v1/admin/status`: where each follower of the service stands against the head of the
//! stream it follows — checkpoint, head, lag — and how fast it applies, as JSON
//! ([`ServiceStatus`]), so that the console shows what `/readyz` says in prose and `/metrics` in
//! Prometheus text. A read like `/readyz`: open unless the read token is set.
//!
//! The apply rate comes from a sampler per service: once a second it notes each follower's
//! checkpoint, keeping the last [`RATE_WINDOW_SECONDS`] seconds; the rate is the difference
//! between the newest and the oldest sample over the time between them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use liaison_log::Follower;
use liaison_proto::admin::{RATE_WINDOW_SECONDS, ServiceStatus, StreamStatus};
use tokio_util::sync::CancellationToken;

use crate::{FieldError, Problem};

/// The path of the endpoint.
pub const PATH: &str = "/v1/admin/status";
/// How often the sampler notes the checkpoints.
const SAMPLE_EVERY: Duration = Duration::from_secs(1);

/// `(when, checkpoint)` samples of one follower, oldest first, at most one window long.
type Samples = VecDeque<(Instant, u64)>;

/// The followers of a service and the samples of their checkpoints.
#[derive(Clone)]
pub(crate) struct Status {
    service: &'static str,
    followers: Arc<Vec<(String, Follower)>>,
    /// Per follower, in the order of `followers`.
    samples: Arc<Mutex<Vec<Samples>>>,
}

impl Status {
    /// The status of `followers` (the log's first).
    pub(crate) fn new(service: &'static str, followers: Vec<(String, Follower)>) -> Self {
        let samples = vec![VecDeque::new(); followers.len()];
        let status = Self {
            service,
            followers: Arc::new(followers),
            samples: Arc::new(Mutex::new(samples)),
        };
        status.sample(Instant::now());
        status
    }

    /// Notes every follower's checkpoint at `now`, dropping samples older than the window.
    fn sample(&self, now: Instant) {
        let window = Duration::from_secs(RATE_WINDOW_SECONDS);
        let mut samples = self.samples.lock().expect("status samples lock");
        for ((_, follower), kept) in self.followers.iter().zip(samples.iter_mut()) {
            kept.push_back((now, follower.applied()));
            while kept
                .front()
                .is_some_and(|(at, _)| now.duration_since(*at) > window)
            {
                kept.pop_front();
            }
        }
    }

    /// Samples once a second until `stop` fires.
    pub(crate) async fn run_sampler(self, stop: CancellationToken) {
        if self.followers.is_empty() {
            return;
        }
        let mut tick = tokio::time::interval(SAMPLE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tick.tick() => self.sample(Instant::now()),
            }
        }
    }

    /// The answer, now.
    pub(crate) fn now(&self) -> ServiceStatus {
        let samples = self.samples.lock().expect("status samples lock");
        let streams = self
            .followers
            .iter()
            .zip(samples.iter())
            .map(|((stream, follower), kept)| StreamStatus {
                stream: stream.clone(),
                checkpoint: follower.applied(),
                head: follower.log_last_sequence(),
                lag: follower.lag(),
                applied_per_second: rate(kept),
                state: follower.status().to_string(),
                quarantined: follower.quarantined(),
            })
            .collect();
        ServiceStatus {
            service: self.service.to_owned(),
            streams,
        }
    }

    /// The route (under the skeleton's read scope, like every route of a service).
    pub(crate) fn routes(self) -> Router {
        Router::new().route(PATH, get(answer)).with_state(self)
    }
}

/// Entries per second between the oldest and the newest sample (0 with fewer than two).
fn rate(samples: &Samples) -> f64 {
    match (samples.front(), samples.back()) {
        (Some((t0, a0)), Some((t1, a1))) if t1 > t0 => {
            let seconds = t1.duration_since(*t0).as_secs_f64();
            (a1.saturating_sub(*a0) as f64 / seconds * 10.0).round() / 10.0
        }
        _ => 0.0,
    }
}

/// The answer; a query string is a `400` naming its first parameter (the endpoint takes none).
async fn answer(State(status): State<Status>, RawQuery(query): RawQuery) -> Response {
    if let Some(first) = query
        .as_deref()
        .and_then(|q| q.split('&').find(|p| !p.is_empty()))
    {
        let name = first.split('=').next().unwrap_or_default();
        let mut problem =
            Problem::bad_request(format!("unknown parameter '{name}': {PATH} takes none"));
        problem.errors = vec![FieldError::new(format!("/{name}"), "unknown parameter")];
        return problem.into_response();
    }
    axum::Json(status.now()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_is_the_difference_over_the_time_between_the_samples() {
        let t0 = Instant::now();
        let samples: VecDeque<_> = [(t0, 100), (t0 + Duration::from_secs(2), 150)].into();
        assert_eq!(rate(&samples), 25.0);
        assert_eq!(rate(&VecDeque::from([(t0, 5)])), 0.0);
        assert_eq!(rate(&VecDeque::new()), 0.0);
        // A checkpoint never moves back; if a rebuilt database did, the rate is 0, not negative.
        let back: VecDeque<_> = [(t0, 100), (t0 + Duration::from_secs(1), 90)].into();
        assert_eq!(rate(&back), 0.0);
    }
}
