//! RFC 9457 problem details (`application/problem+json`).
//!
//! The contract says every error a Liaison service answers is a problem document with
//! `title`, `status` and `detail` (and, for `422`, `errors` with JSON pointers). This module
//! is the one place that shape is built and turned into an HTTP response, so the three
//! services cannot drift apart — and a handler can simply return `Result<_, Problem>`.
//!
//! The document itself ([`ProblemDetails`], its [`FieldError`]s and `more_errors`) is a wire
//! type of the contract crate, re-exported here; this module adds what only a server needs:
//! the constructors by status and the axum response.

use std::fmt;
use std::ops::{Deref, DerefMut};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use liaison_proto::problem::{ABOUT_BLANK, PROBLEM_JSON, ProblemDetails, STANDARD_MEMBERS};
pub use liaison_proto::validate::{FieldError, ValidationErrors};

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

impl Problem {
    /// A problem of type `about:blank` with the status's canonical reason as its title.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self::from(ProblemDetails::new(
            status.as_u16(),
            status.canonical_reason().unwrap_or("Error"),
            detail,
        ))
    }

    /// `400 Bad Request`: the request could not be read (malformed JSON, bad parameter).
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// `422 Unprocessable Content`: well-formed, but it breaks the rules listed in `errors`.
    ///
    /// The `detail` summarises the errors; replace it with [`Problem::with_detail`]. At most
    /// [`MAX_REPORTED_ERRORS`](liaison_proto::limits::MAX_REPORTED_ERRORS) are listed; the
    /// rest are counted in `more_errors`.
    pub fn unprocessable(errors: Vec<FieldError>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, String::new()).with_errors(errors, 0)
    }

    /// The answer to a body that failed validation: `409 Conflict` when every problem is a
    /// conflict with what is stored, `422` otherwise; the problems in `errors` (at most 100)
    /// and `more_errors`, the first one summarised in `detail`.
    pub fn from_validation(errors: ValidationErrors) -> Self {
        let status = if errors.is_conflict() {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let (listed, more) = errors.into_parts();
        Self::new(status, String::new()).with_errors(listed, more)
    }

    /// Sets `errors` (at most 100 listed, the rest added to `more`) and `more_errors`, and
    /// summarises them in `detail`.
    #[must_use]
    pub fn with_errors(mut self, errors: Vec<FieldError>, more: usize) -> Self {
        self.set_errors(errors, more);
        self.detail = summarize(&self.errors, self.more_errors);
        self
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
        if !STANDARD_MEMBERS.contains(&key.as_str()) {
            self.extensions.insert(key, value.into());
        }
        self
    }

    /// The status as a [`StatusCode`] (500 if the stored number is not a valid status).
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// One line for `detail`: the first problem, and how many more there are.
fn summarize(listed: &[FieldError], more: usize) -> String {
    let Some(first) = listed.first() else {
        return "the request breaks the rules of this endpoint".to_owned();
    };
    let rest = listed.len() - 1 + more;
    match rest {
        0 => describe(first),
        1 => format!("{} (and 1 more error)", describe(first)),
        n => format!("{} (and {n} more errors)", describe(first)),
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
        let p = Problem::not_found("x")
            .with_extension("status", 200)
            .with_extension("more_errors", 7);
        assert!(p.extensions.is_empty());
    }

    #[test]
    fn at_most_100_errors_are_listed_and_the_rest_counted() {
        let errors: Vec<FieldError> = (0..250)
            .map(|i| FieldError::new(format!("/data/organizations/{i}"), "expected a string"))
            .collect();
        let p = Problem::unprocessable(errors);
        assert_eq!(p.errors.len(), 100);
        assert_eq!(p.more_errors, 150);
        assert_eq!(
            p.detail,
            "/data/organizations/0: expected a string (and 249 more errors)"
        );
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["more_errors"], 150);
        assert_eq!(v["errors"].as_array().unwrap().len(), 100);
        assert!(serde_json::to_vec(&p).unwrap().len() < 10_000);
    }

    #[test]
    fn validation_errors_answer_422_or_409_with_their_count() {
        let body = serde_json::json!({"organizations": vec![1; 500]});
        let wrapped =
            serde_json::json!({"type": "meeting.held", "time": "2024-02-28", "data": body});
        let errors = liaison_proto::validate_submission(&wrapped).unwrap_err();
        let p = Problem::from_validation(errors);
        assert_eq!(p.status, 422);
        assert_eq!(p.total_errors(), 500 + 2);
        assert_eq!(p.errors[0].pointer, "/data/organizations");
        let conflict = ValidationErrors::single(FieldError::conflict("/data/id", "taken"));
        let p = Problem::from_validation(conflict);
        assert_eq!(p.status, 409);
        assert_eq!(p.detail, "/data/id: taken");
        assert!(
            serde_json::to_value(&p)
                .unwrap()
                .get("more_errors")
                .is_none()
        );
    }
}
