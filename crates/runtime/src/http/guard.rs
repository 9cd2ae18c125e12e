//! What every request goes through before its route: admission (a cap on requests in flight,
//! beyond which it is shed at once), a deadline for its response head, and — once shutdown is
//! requested — the end of event streams, so that a draining server is not held by them.
//!
//! Answers are problem documents (`503` with `Retry-After`) so that clients treat an overload
//! and a timeout like any other temporary unavailability: retry after the delay.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use tokio::sync::Semaphore;
use tower::{Layer, Service};

use super::HttpLimits;
use crate::problem::Problem;
use crate::shutdown::Shutdown;

/// Requests answered `503` because [`HttpLimits::max_concurrent_requests`] were in flight.
pub const REQUESTS_SHED_TOTAL: &str = "http_requests_shed_total";
/// Requests answered `503` because they passed their [`HttpLimits::request_timeout`].
pub const REQUEST_TIMEOUTS_TOTAL: &str = "http_request_timeouts_total";

/// The paths that are never shed: a load balancer must see the service's health, and an
/// operator its metrics, most of all when it is overloaded.
const OPS_PATHS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The furthest a deadline can be moved (a route asking for more gets this).
const LONGEST: Duration = Duration::from_secs(365 * 24 * 3600);

/// The state of [`guard_request`], shared by every request of one server.
#[derive(Debug)]
pub(crate) struct RequestGuard {
    in_flight: Arc<Semaphore>,
    limits: HttpLimits,
    shutdown: Shutdown,
}

impl RequestGuard {
    pub(crate) fn new(limits: HttpLimits, shutdown: Shutdown) -> Self {
        Self {
            in_flight: Arc::new(Semaphore::new(limits.max_concurrent_requests)),
            limits,
            shutdown,
        }
    }
}

/// The deadline of one request's response head, in the request's extensions.
///
/// The server sets it to [`HttpLimits::request_timeout`] from the request's arrival; a route
/// wrapped in [`RouteTimeout`] (or a handler, through this extension) can move it.
#[derive(Debug, Clone)]
pub struct RequestDeadline {
    started: Instant,
    allowed_millis: Arc<AtomicU64>,
}

impl RequestDeadline {
    fn new(allowed: Duration) -> Self {
        let deadline = Self {
            started: Instant::now(),
            allowed_millis: Arc::new(AtomicU64::new(0)),
        };
        deadline.allow(allowed);
        deadline
    }

    /// Lets the request take `allowed` from its arrival (longer or shorter than before).
    pub fn allow(&self, allowed: Duration) {
        let millis = u64::try_from(allowed.min(LONGEST).as_millis()).unwrap_or(u64::MAX);
        self.allowed_millis.store(millis, Ordering::Release);
    }

    /// How long the request may take, from its arrival.
    pub fn allowed(&self) -> Duration {
        Duration::from_millis(self.allowed_millis.load(Ordering::Acquire))
    }

    /// When the response head is due.
    pub fn at(&self) -> Instant {
        self.started + self.allowed()
    }
}

/// A layer for one route that needs another request timeout than the server's
/// ([`HttpLimits::request_timeout`]), e.g. a rebuild that waits minutes:
///
/// ```
/// # use std::time::Duration;
/// use axum::routing::post;
/// use liaison_runtime::http::RouteTimeout;
/// let app: axum::Router = axum::Router::new().route(
///     "/v1/admin/rebuild",
///     post(|| async { "rebuilt" }).layer(RouteTimeout::new(Duration::from_secs(3600))),
/// );
/// ```
///
/// The server's clock starts when the request arrives; this layer moves the deadline when the
/// route is reached. Outside an [`super::HttpServer`] it does nothing.
#[derive(Debug, Clone, Copy)]
pub struct RouteTimeout(Duration);

impl RouteTimeout {
    /// Requests of this route may take `timeout` to produce their response head.
    pub fn new(timeout: Duration) -> Self {
        Self(timeout)
    }
}

impl<S> Layer<S> for RouteTimeout {
    type Service = RouteTimeoutService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RouteTimeoutService {
            inner,
            timeout: self.0,
        }
    }
}

/// The service of [`RouteTimeout`].
#[derive(Debug, Clone)]
pub struct RouteTimeoutService<S> {
    inner: S,
    timeout: Duration,
}

impl<S, B> Service<axum::http::Request<B>> for RouteTimeoutService<S>
where
    S: Service<axum::http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        if let Some(deadline) = request.extensions().get::<RequestDeadline>() {
            deadline.allow(self.timeout);
        }
        self.inner.call(request)
    }
}

/// Admits the request or sheds it, runs it against its deadline, and makes an event stream end
/// when shutdown is requested.
pub(crate) async fn guard_request(
    State(guard): State<Arc<RequestGuard>>,
    mut request: Request,
    next: Next,
) -> Response {
    let permit = if OPS_PATHS.contains(&request.uri().path()) {
        None
    } else {
        match guard.in_flight.clone().try_acquire_owned() {
            Ok(permit) => Some(permit),
            Err(_) => {
                metrics::counter!(REQUESTS_SHED_TOTAL).increment(1);
                return overloaded(&guard.limits);
            }
        }
    };
    let deadline = RequestDeadline::new(guard.limits.request_timeout);
    request.extensions_mut().insert(deadline.clone());
    let Some(response) = before(&deadline, next.run(request)).await else {
        metrics::counter!(REQUEST_TIMEOUTS_TOTAL).increment(1);
        return timed_out(&deadline, &guard.limits);
    };
    drop(permit);
    end_stream_on_shutdown(response, &guard.shutdown)
}

/// Runs `work` until it completes (`Some`) or the deadline, which may move meanwhile, passes.
async fn before<F: Future>(deadline: &RequestDeadline, work: F) -> Option<F::Output> {
    let mut work = pin!(work);
    loop {
        let due = deadline.at();
        tokio::select! {
            biased;
            output = &mut work => return Some(output),
            () = tokio::time::sleep_until(due.into()) => {
                if deadline.at() <= Instant::now() {
                    return None;
                }
            }
        }
    }
}

fn overloaded(limits: &HttpLimits) -> Response {
    Problem::unavailable(
        format!(
            "the service is handling as many requests as it takes at once ({}); retry after {} s",
            limits.max_concurrent_requests, limits.retry_after_seconds
        ),
        Some(limits.retry_after_seconds),
    )
    .into_response()
}

fn timed_out(deadline: &RequestDeadline, limits: &HttpLimits) -> Response {
    Problem::unavailable(
        format!(
            "the request did not produce a response within {:?}; retry after {} s",
            deadline.allowed(),
            limits.retry_after_seconds
        ),
        Some(limits.retry_after_seconds),
    )
    .into_response()
}

/// A Server-Sent Events response streams for as long as its client stays; once shutdown is
/// requested its body ends (the client reconnects, with `Last-Event-ID`, elsewhere or later),
/// so the server drains instead of waiting out its grace period.
fn end_stream_on_shutdown(response: Response, shutdown: &Shutdown) -> Response {
    let is_event_stream = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/event-stream"));
    if !is_event_stream {
        return response;
    }
    let (parts, body) = response.into_parts();
    let stopped = shutdown.token().cancelled_owned();
    let body = Body::from_stream(body.into_data_stream().take_until(stopped));
    Response::from_parts(parts, body)
}
