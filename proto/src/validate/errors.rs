//! The problems validation reports: one [`FieldError`] per problem, each located by an RFC 6901
//! JSON pointer, collected into [`ValidationErrors`].

use std::fmt;

use serde::Serialize;

/// Whether a problem makes the request invalid (HTTP 422) or conflicts with what is already
/// stored (HTTP 409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    /// The body breaks a rule of the contract.
    #[default]
    Invalid,
    /// The body conflicts with stored state (an organization registered with other content).
    Conflict,
}

/// One problem, at one place of the request body. Serializes as `{"pointer", "detail"}`, the
/// shape of an RFC 9457 `errors` member.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct FieldError {
    /// RFC 6901 JSON pointer into the request body (`/data/organizations/1`, or `/3/time` inside a
    /// batch; `""` for the body as a whole).
    pub pointer: String,
    /// What is wrong, for a human.
    pub detail: String,
    /// 422 or 409; not serialized.
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

/// Every problem found in a request body, in document order. Never empty.
///
/// Serializes as the array of its [`FieldError`]s, ready to be the `errors` member of an RFC 9457
/// problem document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(transparent)]
#[error("{}", summarize(.0))]
pub struct ValidationErrors(Vec<FieldError>);

impl ValidationErrors {
    /// Wraps a list of problems; `None` if it is empty.
    pub fn from_vec(errors: Vec<FieldError>) -> Option<Self> {
        (!errors.is_empty()).then_some(Self(errors))
    }

    /// One problem.
    pub fn single(error: FieldError) -> Self {
        Self(vec![error])
    }

    /// The problems.
    pub fn errors(&self) -> &[FieldError] {
        &self.0
    }

    /// Consumes into the problems.
    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    /// The answer the request deserves: [`ErrorKind::Conflict`] only when every problem is a
    /// conflict (a body that also breaks a rule is invalid first).
    pub fn kind(&self) -> ErrorKind {
        if self.0.iter().all(|e| e.kind == ErrorKind::Conflict) {
            ErrorKind::Conflict
        } else {
            ErrorKind::Invalid
        }
    }

    /// Whether [`kind`](Self::kind) is [`ErrorKind::Conflict`].
    pub fn is_conflict(&self) -> bool {
        self.kind() == ErrorKind::Conflict
    }

    /// The first problem whose pointer is `pointer`, for tests and messages.
    pub fn at(&self, pointer: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.pointer == pointer)
    }
}

fn summarize(errors: &[FieldError]) -> String {
    let n = errors.len();
    let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
    format!(
        "{n} problem{}: {}",
        if n == 1 { "" } else { "s" },
        list.join("; ")
    )
}

/// Appends the RFC 6901 reference token `token` to `pointer` (escaping `~` and `/`).
pub(crate) fn push_token(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}
