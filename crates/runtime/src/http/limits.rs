//! The limits every HTTP server of a service enforces, as one value the service passes to
//! [`super::HttpServer::with_limits`].
//!
//! Issue 11 found a service that a client could hold for ever: a request head sent a byte at a
//! time kept its connection and task, and nothing capped connections or requests in flight. Each
//! field below closes one of those doors; the defaults are chosen for a service on a small
//! machine behind nothing (no proxy doing this for it), and say why in their documentation.

use std::time::Duration;

/// Timeouts and caps of an [`super::HttpServer`]. `HttpLimits::default()` is the documented
/// set; change a field with struct update syntax:
///
/// ```
/// # use std::time::Duration;
/// use liaison_runtime::http::HttpLimits;
/// let limits = HttpLimits { request_timeout: Duration::from_secs(5), ..HttpLimits::default() };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpLimits {
    /// How long a connection may wait for a complete request head: from when it opens, and on
    /// a kept-alive connection from the end of the previous response. A client that has not
    /// sent its whole head by then is disconnected; so is a kept-alive connection idle that
    /// long (hyper starts this timer as soon as it waits for the next head, which makes it the
    /// idle keep-alive timeout too).
    ///
    /// Default 10 s: a real client sends its few hundred bytes of head in one packet; a client
    /// sending a byte every few seconds (slowloris) is cut off after 10 s instead of never, and
    /// clients with a connection pool open a new connection transparently after an idle close.
    pub header_read_timeout: Duration,
    /// How long a request may take to produce its response head (reading its body included).
    /// Past it the client gets a `503` problem with `Retry-After` and the handler is dropped.
    /// A body that streams after its head (Server-Sent Events) is not limited by it; a route
    /// that needs longer wraps itself in [`super::RouteTimeout`].
    ///
    /// Default 30 s: the longest thing a normal request waits for is a JetStream publish or a
    /// `min_sequence` wait (5 s by default); ten times the common case leaves room for a slow
    /// disk without letting a stuck handler pile up requests.
    pub request_timeout: Duration,
    /// How many requests may be handled at once; one more is answered at once with a `503`
    /// problem and `Retry-After` (load shedding, never a queue). `/healthz`, `/readyz` and
    /// `/metrics` are not counted and keep answering. A request counts until its response head
    /// is produced (an open event stream does not count; [`HttpLimits::max_connections`] bounds
    /// those).
    ///
    /// Default 512: twice the bench's deepest pipeline, on a 2-core machine far beyond what is
    /// served faster by queueing, and with request bodies of at most 1 MiB a bound of about
    /// 512 MiB on the memory requests in flight can hold.
    pub max_concurrent_requests: usize,
    /// How many connections may be open at once; one more gets a `503` problem (written without
    /// reading its request) and is closed.
    ///
    /// Default 1024: an open connection costs a file descriptor and a task with buffers of
    /// tens of KiB, so 1024 of them stay within tens of MiB. Where the process's descriptor
    /// limit is lower (a soft limit of 1024 is common), `accept` fails first; the server then
    /// logs it and pauses accepting for a moment instead of spinning.
    pub max_connections: usize,
    /// The `Retry-After` (seconds) sent with a `503` for an overload or a timeout.
    ///
    /// Default 1 s: overloads on this scale pass in milliseconds to seconds.
    pub retry_after_seconds: u64,
}

impl HttpLimits {
    /// The default header-read (and idle keep-alive) timeout.
    pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
    /// The default request timeout (see [`HttpLimits::request_timeout`] for why).
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
    /// The default cap on requests in flight.
    pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 512;
    /// The default cap on open connections.
    pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
    /// The default `Retry-After` seconds.
    pub const DEFAULT_RETRY_AFTER_SECONDS: u64 = 1;
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Self::DEFAULT_HEADER_READ_TIMEOUT,
            request_timeout: Self::DEFAULT_REQUEST_TIMEOUT,
            max_concurrent_requests: Self::DEFAULT_MAX_CONCURRENT_REQUESTS,
            max_connections: Self::DEFAULT_MAX_CONNECTIONS,
            retry_after_seconds: Self::DEFAULT_RETRY_AFTER_SECONDS,
        }
    }
}
