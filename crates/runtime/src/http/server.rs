//! The `build → address → run_until_stopped` HTTP server of every service.
//!
//! It serves connections itself with hyper (rather than `axum::serve`) to enforce what
//! `axum::serve` cannot: a header-read timeout (hyper's, which needs a timer) and a cap on open
//! connections; [`super::guard`] adds the per-request limits. Shutdown is graceful within a
//! grace period: stop accepting, let requests in flight finish, end event streams, close idle
//! connections; whatever is left after the grace is dropped.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware;
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::HttpLimits;
use super::guard::{RequestGuard, guard_request};
use crate::problem::Problem;
use crate::shutdown::Shutdown;

/// Open connections now (a gauge).
pub const CONNECTIONS_OPEN: &str = "http_connections_open";
/// Connections refused because [`HttpLimits::max_connections`] were open.
pub const CONNECTIONS_REFUSED_TOTAL: &str = "http_connections_refused_total";

/// How long accepting pauses after an error that is not the client's (out of descriptors).
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(200);

/// Errors of the HTTP server.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why it failed (address in use, permission denied, …).
        source: std::io::Error,
    },
}

/// An HTTP server bound to its address, not yet serving.
#[derive(Debug)]
pub struct HttpServer {
    listener: TcpListener,
    address: SocketAddr,
    router: Router,
    grace: Duration,
    limits: HttpLimits,
}

impl HttpServer {
    /// How long [`HttpServer::run_until_stopped`] lets open requests finish by default.
    ///
    /// 3 s: requests finish in milliseconds, and the whole process must stop within
    /// [`crate::shutdown::DEFAULT_EXIT_DEADLINE`] with its other tasks and a database flush.
    pub const DEFAULT_GRACE: Duration = Duration::from_secs(3);

    /// Binds `addr` (port 0 picks a free port) for `router`, with [`HttpLimits::default`].
    pub async fn build(addr: SocketAddr, router: Router) -> Result<Self, HttpError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| HttpError::Bind { addr, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| HttpError::Bind { addr, source })?;
        Ok(Self {
            listener,
            address,
            router,
            grace: Self::DEFAULT_GRACE,
            limits: HttpLimits::default(),
        })
    }

    /// Sets the timeouts and caps (see [`HttpLimits`] for each and its default).
    #[must_use]
    pub fn with_limits(mut self, limits: HttpLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets how long open requests may run after shutdown before they are dropped.
    #[must_use]
    pub fn with_grace_period(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// The limits this server will enforce.
    pub fn limits(&self) -> &HttpLimits {
        &self.limits
    }

    /// The address actually bound (with the real port when port 0 was asked for).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Serves until `shutdown` fires, then stops accepting, lets open requests finish
    /// (for at most the grace period), ends event streams and returns.
    ///
    /// Accept errors never end it: a client's (reset, aborted) is skipped, the process's (out
    /// of file descriptors) is logged and accepting pauses briefly.
    pub async fn run_until_stopped(self, shutdown: Shutdown) -> Result<(), HttpError> {
        let Self {
            listener,
            address,
            router,
            grace,
            limits,
        } = self;
        let guard = Arc::new(RequestGuard::new(limits.clone(), shutdown.clone()));
        let router = router.layer(middleware::from_fn_with_state(guard, guard_request));
        let service = TowerToHyperService::new(
            router.map_request(|request: Request<Incoming>| request.map(Body::new)),
        );
        let mut http1 = hyper::server::conn::http1::Builder::new();
        http1
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .keep_alive(true);
        let refusal = refusal(&limits).await;
        let open = Arc::new(Semaphore::new(limits.max_connections));
        let graceful = GracefulShutdown::new();
        let mut connections = JoinSet::new();

        tracing::info!(%address, ?limits, "HTTP server listening");
        loop {
            let accepted = tokio::select! {
                biased;
                () = shutdown.wait() => break,
                accepted = listener.accept() => accepted,
            };
            while connections.try_join_next().is_some() {}
            let (stream, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(error) if is_client_error(&error) => continue,
                Err(error) => {
                    tracing::error!(%address, %error, "cannot accept connections; pausing");
                    tokio::select! {
                        () = shutdown.wait() => break,
                        () = tokio::time::sleep(ACCEPT_ERROR_PAUSE) => continue,
                    }
                }
            };
            let Ok(permit) = open.clone().try_acquire_owned() else {
                metrics::counter!(CONNECTIONS_REFUSED_TOTAL).increment(1);
                tracing::debug!(%peer, max = limits.max_connections, "connection refused: too many open");
                refuse(&stream, &refusal);
                continue;
            };
            let _ = stream.set_nodelay(true);
            let connection =
                graceful.watch(http1.serve_connection(TokioIo::new(stream), service.clone()));
            connections.spawn(async move {
                let _permit = permit;
                metrics::gauge!(CONNECTIONS_OPEN).increment(1.0);
                if let Err(error) = connection.await {
                    tracing::debug!(%peer, %error, "HTTP connection ended with an error");
                }
                metrics::gauge!(CONNECTIONS_OPEN).decrement(1.0);
            });
        }

        drop(listener);
        if tokio::time::timeout(grace, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!(%address, ?grace, "open HTTP requests did not finish within the grace period; dropping them");
        }
        connections.shutdown().await;
        tracing::info!(%address, "HTTP server stopped");
        Ok(())
    }
}

/// Errors of one incoming connection, not of the listener.
fn is_client_error(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// The raw HTTP/1.1 answer to a connection over the cap: a `503` problem, `Connection: close`.
async fn refusal(limits: &HttpLimits) -> Vec<u8> {
    let problem = Problem::unavailable(
        format!(
            "the service has as many connections open as it takes ({}); retry after {} s",
            limits.max_connections, limits.retry_after_seconds
        ),
        Some(limits.retry_after_seconds),
    )
    .into_response();
    let (parts, body) = problem.into_parts();
    let body = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        parts.status.as_str(),
        parts.status.canonical_reason().unwrap_or("")
    );
    for (name, value) in &parts.headers {
        if let Ok(value) = value.to_str() {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&body);
    bytes
}

/// Answers a connection over the cap without waiting for anything: what the client sent is
/// read if it is already there, the refusal written if the socket takes it now, and the
/// connection closed when `stream` drops. A client that sends its request after the close may
/// see a reset instead of the `503`.
fn refuse(stream: &TcpStream, refusal: &[u8]) {
    let mut scratch = [0u8; 4096];
    let _ = stream.try_read(&mut scratch);
    let _ = stream.try_write(refusal);
}
