//! The problems validation reports: one [`FieldError`] per problem, each located by an RFC 6901
//! JSON pointer, collected into [`ValidationErrors`] — at most
//! [`MAX_REPORTED_ERRORS`](crate::limits::MAX_REPORTED_ERRORS) of them, plus the count of the
//! rest, so that a body with 100,000 wrong items answers a small problem document.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::limits::MAX_REPORTED_ERRORS;

/// Whether a problem makes the request invalid (HTTP 422) or conflicts with what is already
/// stored (HTTP 409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    /// The body breaks a rule of the contract.
    #[default]
    Invalid,
    /// The body conflicts with stored state (an organization registered with other content).
    Conflict,
}

/// One problem, at one place of the request body (or of a stored log entry). Serializes as
/// `{"pointer", "detail"}`, the shape of a member of an RFC 9457 problem document's `errors`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FieldError {
    /// RFC 6901 JSON pointer into the request body (`/data/organizations/1`, or `/3/time` inside a
    /// batch; `""` for the body as a whole).
    pub pointer: String,
    /// What is wrong, for a human.
    pub detail: String,
    /// 422 or 409; not serialized (a problem document's status says it).
    #[serde(skip)]
    pub kind: ErrorKind,
}

impl FieldError {
    /// An [`ErrorKind::Invalid`] problem.
    pub fn invalid(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            detail: detail.into(),
            kind: ErrorKind::Invalid,
        }
    }

    /// The same as [`FieldError::invalid`]; the name the services' problem documents used.
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::invalid(pointer, detail)
    }

    /// An [`ErrorKind::Conflict`] problem.
    pub fn conflict(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            detail: detail.into(),
            kind: ErrorKind::Conflict,
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "(body)"
        } else {
            &self.pointer
        };
        write!(f, "{at}: {}", self.detail)
    }
}

/// Every problem found in a request body, in document order: the first
/// [`MAX_REPORTED_ERRORS`] listed, the rest counted ([`more`](Self::more)). Never empty.
///
/// Serializes as the array of its listed [`FieldError`]s, ready to be the `errors` member of an
/// RFC 9457 problem document (whose `more_errors` member carries [`more`](Self::more)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", summarize(self))]
pub struct ValidationErrors {
    listed: Vec<FieldError>,
    more: usize,
    kind: ErrorKind,
}

impl Serialize for ValidationErrors {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.listed.serialize(serializer)
    }
}

impl ValidationErrors {
    /// Wraps a list of problems, keeping the first [`MAX_REPORTED_ERRORS`] and counting the
    /// rest; `None` if it is empty.
    pub fn from_vec(errors: Vec<FieldError>) -> Option<Self> {
        let mut collector = Collector::default();
        errors.into_iter().for_each(|e| collector.push(e));
        collector.finish()
    }

    /// One problem.
    pub fn single(error: FieldError) -> Self {
        Self {
            kind: error.kind,
            listed: vec![error],
            more: 0,
        }
    }

    /// The problems listed (at most [`MAX_REPORTED_ERRORS`]).
    pub fn errors(&self) -> &[FieldError] {
        &self.listed
    }

    /// How many more problems there were beyond those listed.
    pub fn more(&self) -> usize {
        self.more
    }

    /// How many problems there were in all: listed and counted.
    pub fn total(&self) -> usize {
        self.listed.len() + self.more
    }

    /// Consumes into the listed problems.
    pub fn into_vec(self) -> Vec<FieldError> {
        self.listed
    }

    /// Consumes into the listed problems and the count of the rest.
    pub fn into_parts(self) -> (Vec<FieldError>, usize) {
        (self.listed, self.more)
    }

    /// The answer the request deserves: [`ErrorKind::Conflict`] only when every problem (listed
    /// or not) is a conflict (a body that also breaks a rule is invalid first).
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Whether [`kind`](Self::kind) is [`ErrorKind::Conflict`].
    pub fn is_conflict(&self) -> bool {
        self.kind() == ErrorKind::Conflict
    }

    /// The first listed problem whose pointer is `pointer`, for tests and messages.
    pub fn at(&self, pointer: &str) -> Option<&FieldError> {
        self.listed.iter().find(|e| e.pointer == pointer)
    }
}

/// Gathers problems as they are found: lists the first [`MAX_REPORTED_ERRORS`], counts the
/// rest, and remembers whether any was [`ErrorKind::Invalid`].
#[derive(Debug, Default)]
pub(crate) struct Collector {
    listed: Vec<FieldError>,
    more: usize,
    any_invalid: bool,
}

impl Collector {
    /// Records one problem.
    pub fn push(&mut self, error: FieldError) {
        self.any_invalid |= error.kind == ErrorKind::Invalid;
        if self.listed.len() < MAX_REPORTED_ERRORS {
            self.listed.push(error);
        } else {
            self.more += 1;
        }
    }

    /// The problems, or `None` when there were none.
    pub fn finish(self) -> Option<ValidationErrors> {
        (!self.listed.is_empty()).then_some(ValidationErrors {
            listed: self.listed,
            more: self.more,
            kind: if self.any_invalid {
                ErrorKind::Invalid
            } else {
                ErrorKind::Conflict
            },
        })
    }
}

fn summarize(errors: &ValidationErrors) -> String {
    let n = errors.total();
    let list: Vec<String> = errors.listed.iter().map(ToString::to_string).collect();
    let rest = if errors.more > 0 {
        format!("; and {} more", errors.more)
    } else {
        String::new()
    };
    format!(
        "{n} problem{}: {}{rest}",
        if n == 1 { "" } else { "s" },
        list.join("; ")
    )
}

/// Appends the RFC 6901 reference token `token` to `pointer` (escaping `~` and `/`).
pub(crate) fn push_token(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// `s` for a message: quoted, and cut to a few dozen characters so that a problem document
/// never echoes a hostile value back at length.
pub(crate) fn quote(s: &str) -> String {
    const SHOWN: usize = 64;
    match s.char_indices().nth(SHOWN) {
        None => format!("'{s}'"),
        Some((cut, _)) => format!("'{}…' ({} bytes)", &s[..cut], s.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_the_first_hundred_and_counts_the_rest() {
        let errors: Vec<FieldError> = (0..250)
            .map(|i| FieldError::invalid(format!("/{i}"), "bad"))
            .collect();
        let e = ValidationErrors::from_vec(errors).unwrap();
        assert_eq!(e.errors().len(), MAX_REPORTED_ERRORS);
        assert_eq!(e.more(), 150);
        assert_eq!(e.total(), 250);
        assert_eq!(e.errors()[99].pointer, "/99");
        assert!(e.to_string().ends_with("; and 150 more"), "{e}");
    }

    #[test]
    fn a_dropped_invalid_problem_still_makes_the_whole_invalid() {
        let mut errors: Vec<FieldError> = (0..MAX_REPORTED_ERRORS)
            .map(|i| FieldError::conflict(format!("/{i}/id"), "taken"))
            .collect();
        let only_conflicts = ValidationErrors::from_vec(errors.clone()).unwrap();
        assert!(only_conflicts.is_conflict());
        errors.push(FieldError::invalid("/100/time", "not a date"));
        let e = ValidationErrors::from_vec(errors).unwrap();
        assert_eq!(e.more(), 1);
        assert!(!e.is_conflict());
    }

    #[test]
    fn quotes_are_cut() {
        assert_eq!(quote("meta"), "'meta'");
        let long = "é".repeat(1000);
        let q = quote(&long);
        assert!(q.chars().count() < 100, "{q}");
        assert!(q.ends_with("…' (2000 bytes)"), "{q}");
    }

    #[test]
    fn tokens_are_escaped() {
        assert_eq!(push_token("/data", "a/b~c"), "/data/a~1b~0c");
    }
}
