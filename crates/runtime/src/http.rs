//! The HTTP side every service shares: ops routes, request metrics, problem fallbacks and
//! the `build → address → run_until_stopped` server with its limits.
//!
//! The contract requires `GET /healthz`, `GET /readyz` and `GET /metrics` on every
//! service. Tests start several services in one process on port 0, so the Prometheus
//! recorder is installed once per process and shared, and [`HttpServer::build`] binds
//! before it runs so the test can ask for the address it got. The server's timeouts and caps
//! are an [`HttpLimits`] value ([`HttpServer::with_limits`]); see the crate README.

mod guard;
mod limits;
mod server;
mod shed;

pub use guard::{
    REQUEST_TIMEOUTS_TOTAL, REQUESTS_SHED_TOTAL, RequestDeadline, RouteTimeout, RouteTimeoutService,
};
pub use limits::HttpLimits;
pub use server::{CONNECTIONS_OPEN, CONNECTIONS_REFUSED_TOTAL, HttpError, HttpServer};
pub use shed::{ROUTE_SHED_TOTAL, at_most};

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::problem::{Problem, not_found_fallback};

/// The request-latency histogram recorded by [`track_metrics`], labelled `method`, `route`, `status`.
pub const REQUEST_DURATION: &str = "http_request_duration_seconds";
/// The request counter recorded by [`track_metrics`], labelled `method`, `route`, `status`.
pub const REQUESTS_TOTAL: &str = "http_requests_total";

/// One named readiness check, e.g. `nats: connected` or `lag: 12 <= 1000`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// The name of the check (`nats`, `lag`, …); a key in the `/readyz` document.
    pub name: String,
    /// Whether this check passes.
    pub ok: bool,
    /// What was observed, for a human reading `/readyz`.
    pub detail: String,
}

impl Check {
    /// A check named `name` with the given outcome.
    pub fn new(name: impl Into<String>, ok: bool, detail: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ok,
            detail: detail.into(),
        }
    }

    /// A passing check.
    pub fn pass(name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(name, true, detail)
    }

    /// A failing check.
    pub fn fail(name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(name, false, detail)
    }
}

/// What a service reports on `/readyz`: ready when every check passes.
///
/// Implemented for any `Fn() -> Vec<Check>`; checks should be cheap (read atomics,
/// connection state) since load balancers poll them.
pub trait Readiness: Send + Sync + 'static {
    /// The current checks.
    fn checks(&self) -> Vec<Check>;
}

impl<F> Readiness for F
where
    F: Fn() -> Vec<Check> + Send + Sync + 'static,
{
    fn checks(&self) -> Vec<Check> {
        self()
    }
}

/// The routes `GET /healthz`, `GET /readyz` and `GET /metrics`.
///
/// `/healthz` answers `200 {"status":"ok"}` while the process serves HTTP. `/readyz`
/// answers `200` when every check passes and `503` otherwise, both with
/// `{"status": "ready"|"not_ready", "checks": {"<name>": {"ok": bool, "detail": "…"}}}`.
/// `/metrics` renders the process's Prometheus recorder, which this installs if it is not
/// yet (see [`metrics_handle`]), so that metrics recorded from now on are kept.
pub fn ops_routes(readiness: impl Readiness) -> Router {
    let readiness: Arc<dyn Readiness> = Arc::new(readiness);
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz).with_state(readiness))
        .route("/metrics", get(render_metrics).with_state(metrics_handle()))
}

async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(readiness): State<Arc<dyn Readiness>>) -> Response {
    let checks = readiness.checks();
    let ready = checks.iter().all(|c| c.ok);
    let mut named = Map::new();
    for check in checks {
        named.insert(check.name, json!({"ok": check.ok, "detail": check.detail}));
    }
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if ready { "ready" } else { "not_ready" },
        "checks": named,
    });
    (status, Json(body)).into_response()
}

async fn render_metrics() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics_handle().render(),
    )
        .into_response()
}

/// The process-wide Prometheus handle; the first call installs the global recorder.
///
/// Metrics recorded before that first call are lost: services call it (through
/// [`ops_routes`] or [`service_router`]) before they start work.
///
/// Safe to call from many services in one process (tests): they share one recorder.
/// If some other recorder was installed first, metrics go to it and this handle renders
/// an empty registry (a warning is logged).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            // Every duration (`*_seconds`, the Prometheus naming rule) is a real histogram with
            // these buckets, so p50/p99 can be computed server-side; the request histogram is
            // one of them.
            debug_assert!(REQUEST_DURATION.ends_with("_seconds"));
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("_seconds".to_owned()),
                    &[
                        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                        5.0, 10.0,
                    ],
                )
                .expect("bucket list is not empty");
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            if let Err(error) = metrics::set_global_recorder(recorder) {
                tracing::warn!(%error, "a metrics recorder was already installed; /metrics will be empty");
            }
            let upkeep = handle.clone();
            // Histograms buffer samples until upkeep drains them; no runtime is assumed here.
            let _ = std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(Duration::from_secs(5));
                        upkeep.run_upkeep();
                    }
                });
            handle
        })
        .clone()
}

/// Middleware recording [`REQUESTS_TOTAL`] and [`REQUEST_DURATION`] with `method`,
/// `route` (the matched route pattern, or `unmatched`, never the raw path) and `status`.
pub async fn track_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = method_label(req.method());
    let response = next.run(req).await;
    let labels = [
        ("method", method.to_owned()),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!(REQUESTS_TOTAL, &labels).increment(1);
    metrics::histogram!(REQUEST_DURATION, &labels).record(start.elapsed().as_secs_f64());
    response
}

/// Bounded label values: an arbitrary method string must not create a new series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Middleware turning axum's bare `405` into a problem document (keeping `Allow`).
pub async fn method_not_allowed_problem(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let response = next.run(req).await;
    let is_bare = response.status() == StatusCode::METHOD_NOT_ALLOWED
        && !response.headers().contains_key(header::CONTENT_TYPE);
    if !is_bare {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let detail = match allow.as_ref().and_then(|a| a.to_str().ok()) {
        Some(allowed) => format!("{method} is not allowed on {path}; allowed: {allowed}"),
        None => format!("{method} is not allowed on {path}"),
    };
    let mut problem = Problem::method_not_allowed(detail)
        .with_instance(path)
        .into_response();
    if let Some(allow) = allow {
        problem.headers_mut().insert(header::ALLOW, allow);
    }
    problem
}

/// The full router of a service: `app` plus [`ops_routes`], a `404` problem for unknown
/// routes, `405` as a problem, and request metrics on every route.
///
/// `app` must not define its own fallback. Wrap write routes in
/// [`crate::auth::BearerAuthLayer`] before passing them in; the ops routes stay open.
pub fn service_router(app: Router, readiness: impl Readiness) -> Router {
    app.merge(ops_routes(readiness))
        .fallback(not_found_fallback)
        .layer(middleware::from_fn(track_metrics))
        .layer(middleware::from_fn(method_not_allowed_problem))
}
