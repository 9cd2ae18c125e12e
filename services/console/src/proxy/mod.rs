//! `/api/{ingest,projection,notifier,reader}/…`: the browser talks to one origin, and the console
//! forwards each call to the service it names (CONTRACT.md, "The console").
//!
//! Bodies stream both ways — a request body up to the console's bound ([`body`]), a response
//! body as the service produces it, so a Server-Sent Events stream passes through as it flows.
//! Only the headers a client of the API needs cross (`Authorization`, `Last-Event-ID`, `Accept`,
//! `Content-Type` up; the content type, caching, `Retry-After`, `WWW-Authenticate`, `Location`,
//! `Allow` down); the console adds nothing and keeps nothing. A path that could climb out of the
//! service's API is refused ([`path`]); a service that cannot be reached is a `502` problem
//! naming it.

pub mod body;
pub mod path;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use liaison_proto::services::Service;
use liaison_runtime::Problem;

use crate::upstream::Upstreams;
use body::{Overflow, bounded};

/// The request headers forwarded to a service.
pub const REQUEST_HEADERS: [HeaderName; 5] = [
    header::AUTHORIZATION,
    header::ACCEPT,
    header::CONTENT_TYPE,
    header::CONTENT_LENGTH,
    HeaderName::from_static("last-event-id"),
];

/// The response headers passed back to the browser.
pub const RESPONSE_HEADERS: [HeaderName; 8] = [
    header::CONTENT_TYPE,
    header::CACHE_CONTROL,
    header::RETRY_AFTER,
    header::WWW_AUTHENTICATE,
    header::LOCATION,
    header::ALLOW,
    header::ETAG,
    header::LAST_MODIFIED,
];

/// How long connecting to a service may take before the call is a `502`.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Why building the proxy failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client of the proxy: {0}")]
pub struct ProxyError(#[from] reqwest::Error);

/// The forwarding state: where the services are, one HTTP client, the body bound.
#[derive(Debug)]
pub struct Proxy {
    upstreams: Upstreams,
    client: reqwest::Client,
    max_body_bytes: usize,
}

impl Proxy {
    /// A proxy to `upstreams`, forwarding request bodies of at most `max_body_bytes`.
    pub fn new(upstreams: Upstreams, max_body_bytes: usize) -> Result<Self, ProxyError> {
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            // The services are addressed directly; an HTTP proxy of the environment is not theirs.
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            upstreams,
            client,
            max_body_bytes,
        })
    }
}

/// The `/api/…` routes.
pub fn routes(proxy: Arc<Proxy>) -> Router {
    Router::new()
        .route("/api/{service}/{*rest}", any(forward))
        .with_state(proxy)
}

/// Forwards one request; every refusal and failure is a problem document.
async fn forward(State(proxy): State<Arc<Proxy>>, request: Request) -> Response {
    match try_forward(&proxy, request).await {
        Ok(response) => response,
        Err(problem) => problem.into_response(),
    }
}

async fn try_forward(proxy: &Proxy, request: Request) -> Result<Response, Problem> {
    let (parts, body) = request.into_parts();
    // The raw path, not axum's decoded parameters: an encoded `/` must stay visible to the check.
    let raw = parts.uri.path();
    let (name, rest) = raw
        .strip_prefix("/api/")
        .and_then(|r| r.split_once('/'))
        .ok_or_else(|| Problem::not_found(format!("no route for {raw}")))?;
    let service = Upstreams::service(name).ok_or_else(|| {
        Problem::not_found(format!(
            "no service named {name:?} behind /api/ (ingest, projection, notifier, reader)"
        ))
    })?;
    let rest = path::check(rest)
        .map_err(|e| Problem::bad_request(format!("{raw}: {e}")).with_instance(raw.to_owned()))?;
    let url = proxy
        .upstreams
        .target(service, rest, parts.uri.query())
        .ok_or_else(|| Problem::internal(format!("no address for liaison-{service}")))?;

    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > proxy.max_body_bytes as u64) {
        return Err(too_large(proxy.max_body_bytes));
    }
    let mut upstream = proxy
        .client
        .request(parts.method.clone(), &url)
        .headers(selected(&parts.headers, &REQUEST_HEADERS));
    let overflow = Overflow::default();
    if has_body(&parts.headers) {
        upstream = upstream.body(reqwest::Body::wrap_stream(bounded(
            body,
            proxy.max_body_bytes,
            overflow.clone(),
        )));
    }
    let answer = upstream.send().await.map_err(|e| {
        if overflow.happened() {
            too_large(proxy.max_body_bytes)
        } else {
            unreachable(service, proxy.upstreams.base(service).unwrap_or(""), &e)
        }
    })?;
    let status = answer.status();
    let headers = selected(answer.headers(), &RESPONSE_HEADERS);
    let mut response = Response::new(Body::from_stream(answer.bytes_stream()));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Ok(response)
}

/// Whether the request carries a body to forward (a length above zero, or a chunked one).
fn has_body(headers: &HeaderMap) -> bool {
    match headers.get(header::CONTENT_LENGTH) {
        Some(length) => length.as_bytes() != b"0",
        None => headers.contains_key(header::TRANSFER_ENCODING),
    }
}

/// The headers of `from` named in `names`, every value of each.
fn selected(from: &HeaderMap, names: &[HeaderName]) -> HeaderMap {
    let mut out = HeaderMap::new();
    for name in names {
        for value in from.get_all(name) {
            out.append(name.clone(), value.clone());
        }
    }
    out
}

fn too_large(max: usize) -> Problem {
    Problem::payload_too_large(format!(
        "the request body is larger than the console forwards ({max} bytes, \
         LIAISON_CONSOLE_MAX_BODY_BYTES)"
    ))
}

/// The `502` of a service that did not answer: which one, where, and why.
fn unreachable(service: Service, base: &str, error: &reqwest::Error) -> Problem {
    let why = if error.is_connect() {
        "cannot be reached"
    } else if error.is_timeout() {
        "did not answer in time"
    } else {
        "failed to answer"
    };
    let mut cause: &dyn std::error::Error = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    Problem::new(
        StatusCode::BAD_GATEWAY,
        format!(
            "liaison-{service} {why} at {base} ({cause}); is it running? Set {} to where it is",
            service.url_env()
        ),
    )
    .with_extension("service", service.name())
}
