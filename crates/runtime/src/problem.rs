//! RFC 9457 problem details (`application/problem+json`).
//!
//! The contract says every error a Liaison service answers is a problem document with
//! `title`, `status` and `detail` (and, for `422`, `errors` with JSON pointers). This module
//! is the one place that shape is built and turned into an HTTP response, so the three
//! services cannot drift apart — and a handler can simply return `Result<_, Problem>`.

use std::fmt;
use std::ops::{Deref, DerefMut};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The media type of a problem document.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The `type` of a problem that adds nothing beyond its HTTP status (RFC 9457 §4.2.1).
pub const ABOUT_BLANK: &str = "about:blank";

/// One rule a request broke, located by a JSON pointer (RFC 6901) into the request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// Where in the request body, e.g. `/data/organizations/1` (`""` is the whole body).
    pub pointer: String,
    /// What is wrong there, e.g. `unknown organization 'lgg'`.
    pub detail: String,
}

impl FieldError {
    /// A field error at `pointer`.
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }
}

/// The members of an RFC 9457 problem document.
///
/// Handlers use it through [`Problem`], which boxes it (so `Result<_, Problem>` stays one
/// pointer wide) and dereferences to it: `problem.detail`, `problem.errors`, ….
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemDetails {
    /// A URI reference naming the problem type; [`ABOUT_BLANK`] when the status says it all.
    #[serde(rename = "type", default = "about_blank")]
    pub type_: String,
    /// A short, human-readable summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence, phrased to help the client fix its request.
    pub detail: String,
    /// A URI reference identifying this occurrence (often the request path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The individual rules broken (for `422`); omitted from the document when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Seconds after which the client may retry; sent as the `Retry-After` header.
    #[serde(skip)]
    pub retry_after: Option<u64>,
    /// Extension members, serialised at the top level of the document.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// An RFC 9457 problem document; it is also an error type and an axum response.
///
/// Build one with a constructor ([`Problem::bad_request`], [`Problem::unprocessable`], …)
/// and refine it with the `with_*` methods; read its members through `Deref` to
/// [`ProblemDetails`]. It serialises as the bare document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Problem(Box<ProblemDetails>);

impl Deref for Problem {
    type Target = ProblemDetails;

    fn deref(&self) -> &ProblemDetails {
        &self.0
    }
}

impl DerefMut for Problem {
    fn deref_mut(&mut self) -> &mut ProblemDetails {
        &mut self.0
    }
}

impl From<ProblemDetails> for Problem {
    fn from(details: ProblemDetails) -> Self {
        Self(Box::new(details))
    }
}

impl From<Problem> for ProblemDetails {
    fn from(problem: Problem) -> Self {
        *problem.0
    }
}

fn about_blank() -> String {
    ABOUT_BLANK.to_owned()
}

impl Problem {
    /// A problem of type `about:blank` with the status's canonical reason as its title.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self::from(ProblemDetails {
            type_: about_blank(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            instance: None,
            errors: Vec::new(),
            retry_after: None,
            extensions: Map::new(),
        })
    }

    /// `400 Bad Request`: the request could not be read (malformed JSON, bad parameter).
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// `422 Unprocessable Content`: well-formed, but it breaks the rules listed in `errors`.
    ///
    /// The `detail` summarises the errors; replace it with [`Problem::with_detail`].
    pub fn unprocessable(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [] => "the request breaks the rules of this endpoint".to_owned(),
            [one] => describe(one),
            [first, rest @ ..] => format!(
                "{} (and {} more error{})",
                describe(first),
                rest.len(),
                if rest.len() == 1 { "" } else { "s" }
            ),
        };
        let mut problem = Self::new(StatusCode::UNPROCESSABLE_ENTITY, detail);
        problem.errors = errors;
        problem
    }

    /// `409 Conflict`: the request contradicts what is already stored.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, detail)
    }

    /// `404 Not Found`.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    /// `405 Method Not Allowed`.
    pub fn method_not_allowed(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, detail)
    }

    /// `401 Unauthorized`; the response carries `WWW-Authenticate: Bearer`.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, detail)
    }

    /// `413 Content Too Large`.
    pub fn payload_too_large(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, detail)
    }

    /// `415 Unsupported Media Type`.
    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, detail)
    }

    /// `503 Service Unavailable`, with `Retry-After: <seconds>` when `retry_after` is set.
    pub fn unavailable(detail: impl Into<String>, retry_after: Option<u64>) -> Self {
        let mut problem = Self::new(StatusCode::SERVICE_UNAVAILABLE, detail);
        problem.retry_after = retry_after;
        problem
    }

    /// `500 Internal Server Error`. Keep internals out of `detail`; log them instead.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, detail)
    }

    /// Sets the problem `type` URI (and keeps the title unless changed with [`Problem::with_title`]).
    #[must_use]
    pub fn with_type(mut self, type_: impl Into<String>) -> Self {
        self.type_ = type_.into();
        self
    }

    /// Sets the `title`.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// Sets the `detail`.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    /// Sets the `instance`.
    #[must_use]
    pub fn with_instance(mut self, instance: impl Into<String>) -> Self {
        self.instance = Some(instance.into());
        self
    }

    /// Sets the `Retry-After` seconds.
    #[must_use]
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Adds an extension member (ignored if `key` is one of the standard members).
    #[must_use]
    pub fn with_extension(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        let key = key.into();
        if !matches!(
            key.as_str(),
            "type" | "title" | "status" | "detail" | "instance" | "errors"
        ) {
            self.extensions.insert(key, value.into());
        }
        self
    }

    /// The status as a [`StatusCode`] (500 if the stored number is not a valid status).
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

fn describe(error: &FieldError) -> String {
    if error.pointer.is_empty() {
        error.detail.clone()
    } else {
        format!("{}: {}", error.pointer, error.detail)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.title, self.detail)
    }
}

impl std::error::Error for Problem {}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = match serde_json::to_vec(&self) {
            Ok(body) => body,
            // Unreachable in practice (string keys, JSON values); answer something valid anyway.
            Err(_) => br#"{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"could not serialise the problem document"}"#.to_vec(),
        };
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Fallback handler for unknown routes: `404` as a problem naming the path.
///
/// [`crate::http::service_router`] installs it; use it directly with `Router::fallback`.
pub async fn not_found_fallback(uri: axum::http::Uri) -> Problem {
    Problem::not_found(format!("no route for {}", uri.path())).with_instance(uri.path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_the_standard_members_and_omits_empty_ones() {
        let p = Problem::bad_request("bad").with_extension("line", 3);
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"type": "about:blank", "title": "Bad Request", "status": 400, "detail": "bad", "line": 3})
        );
    }

    #[test]
    fn unprocessable_lists_errors_and_summarises_them() {
        let p = Problem::unprocessable(vec![
            FieldError::new("/data/organizations/1", "unknown organization 'lgg'"),
            FieldError::new("/time", "not a date"),
        ]);
        assert_eq!(p.status, 422);
        assert_eq!(
            p.detail,
            "/data/organizations/1: unknown organization 'lgg' (and 1 more error)"
        );
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["errors"][0]["pointer"], "/data/organizations/1");
    }

    #[test]
    fn round_trips_through_json_with_extensions() {
        let p = Problem::conflict("same id, other content").with_extension("id", "x");
        let back: Problem = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn response_has_media_type_and_headers() {
        let r = Problem::unavailable("log down", Some(3)).into_response();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        assert_eq!(r.headers()[header::RETRY_AFTER], "3");
        let r = Problem::unauthorized("no token").into_response();
        assert_eq!(r.headers()[header::WWW_AUTHENTICATE], "Bearer");
    }

    #[test]
    fn problem_is_one_pointer_wide() {
        assert_eq!(std::mem::size_of::<Problem>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn standard_members_cannot_be_overwritten_by_extensions() {
        let p = Problem::not_found("x").with_extension("status", 200);
        assert!(p.extensions.is_empty());
    }
}
