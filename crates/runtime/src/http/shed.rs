//! A cap on the requests one route handles at once, below the server's own: beyond it, a `503`
//! problem with `Retry-After` at once, never a queue.
//!
//! The server caps all requests together ([`super::HttpLimits`]); a route whose requests are
//! expensive — ingest's `POST /v1/events` reads bodies of up to 33 MiB before it validates them —
//! needs a lower cap of its own, so that a few large uploads bound the memory they can hold.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use crate::problem::Problem;

/// The Prometheus counter of requests a route shed, labelled `route`.
pub const ROUTE_SHED_TOTAL: &str = "http_route_requests_shed_total";

#[derive(Clone)]
struct Cap {
    permits: Arc<Semaphore>,
    limit: usize,
    route: &'static str,
}

/// `router` with at most `limit` requests in flight; `route` names it in the answer and metric.
pub fn at_most(router: Router, limit: usize, route: &'static str) -> Router {
    let cap = Cap {
        permits: Arc::new(Semaphore::new(limit.max(1))),
        limit: limit.max(1),
        route,
    };
    router.layer(middleware::from_fn_with_state(cap, admit))
}

async fn admit(State(cap): State<Cap>, request: Request, next: Next) -> Response {
    match cap.permits.clone().try_acquire_owned() {
        Ok(_permit) => next.run(request).await,
        Err(_) => {
            metrics::counter!(ROUTE_SHED_TOTAL, "route" => cap.route).increment(1);
            Problem::unavailable(
                format!(
                    "{} is handling {} requests already, its most at once; retry shortly",
                    cap.route, cap.limit
                ),
                Some(1),
            )
            .into_response()
        }
    }
}
