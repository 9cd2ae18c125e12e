//! The RFC 9457 problem document (`application/problem+json`) every Liaison service answers
//! on error, as a wire type: clients, the CLI and the tests read the same struct the services
//! write. Building an HTTP response from it is the runtime's business
//! (`liaison_runtime::Problem`); this module is only the document.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::limits::MAX_REPORTED_ERRORS;
use crate::validate::FieldError;

/// The media type of a problem document.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The `type` of a problem that adds nothing beyond its HTTP status (RFC 9457 §4.2.1).
pub const ABOUT_BLANK: &str = "about:blank";

/// The members the document defines, which an extension may not overwrite.
pub const STANDARD_MEMBERS: &[&str] = &[
    "type",
    "title",
    "status",
    "detail",
    "instance",
    "errors",
    "more_errors",
];

/// The members of an RFC 9457 problem document.
///
/// `errors` lists at most [`MAX_REPORTED_ERRORS`] problems; `more_errors` says how many more
/// there were (omitted when none), so that a body with 100,000 wrong items answers a small
/// document. Set both with [`ProblemDetails::set_errors`], which keeps that promise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// The individual rules broken (for `422` and `409`), each with a JSON pointer into the
    /// request body; at most [`MAX_REPORTED_ERRORS`]. Omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// How many problems there were beyond those in `errors`. Omitted when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub more_errors: usize,
    /// Seconds after which the client may retry; sent as the `Retry-After` header, not in the
    /// document.
    #[serde(skip)]
    pub retry_after: Option<u64>,
    /// Extension members, serialised at the top level of the document.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

fn about_blank() -> String {
    ABOUT_BLANK.to_owned()
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl ProblemDetails {
    /// A document of type `about:blank` with `status`, `title` and `detail`, and nothing else.
    pub fn new(status: u16, title: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            type_: about_blank(),
            title: title.into(),
            status,
            detail: detail.into(),
            instance: None,
            errors: Vec::new(),
            more_errors: 0,
            retry_after: None,
            extensions: Map::new(),
        }
    }

    /// Sets `errors` and `more_errors`: the first [`MAX_REPORTED_ERRORS`] of `errors` are
    /// listed, the rest are added to `more` (the count of problems already left out).
    pub fn set_errors(&mut self, mut errors: Vec<FieldError>, more: usize) {
        let over = errors.len().saturating_sub(MAX_REPORTED_ERRORS);
        errors.truncate(MAX_REPORTED_ERRORS);
        self.errors = errors;
        self.more_errors = more + over;
    }

    /// How many problems there were in all: listed and counted.
    pub fn total_errors(&self) -> usize {
        self.errors.len() + self.more_errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn more_errors_is_omitted_when_zero_and_counted_otherwise() {
        let mut p = ProblemDetails::new(422, "Unprocessable Entity", "bad");
        p.set_errors(vec![FieldError::new("/time", "not a date")], 0);
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            json!({"type": "about:blank", "title": "Unprocessable Entity", "status": 422,
                   "detail": "bad", "errors": [{"pointer": "/time", "detail": "not a date"}]})
        );
        let many = (0..130)
            .map(|i| FieldError::new(format!("/{i}"), "x"))
            .collect();
        p.set_errors(many, 5);
        assert_eq!(p.errors.len(), MAX_REPORTED_ERRORS);
        assert_eq!(p.more_errors, 35);
        assert_eq!(p.total_errors(), 135);
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["more_errors"], 35);
        let back: ProblemDetails = serde_json::from_value(v).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn extensions_sit_at_the_top_level() {
        let mut p = ProblemDetails::new(413, "Content Too Large", "too big");
        p.extensions.insert("limit_bytes".into(), json!(1024));
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["limit_bytes"], 1024);
        assert!(v.get("more_errors").is_none());
    }
}
