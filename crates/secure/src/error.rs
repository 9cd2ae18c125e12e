//! Why a client's NATS access settings cannot be used. Every message names the setting and the
//! file, and never holds a secret (a password, a token, a seed).

use std::path::PathBuf;

/// A NATS URL, credential or TLS setting that cannot be used: a configuration error, found
/// before the first connection attempt (never because NATS is down).
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// A NATS URL does not parse (shown without its credentials).
    #[error("invalid NATS URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL, its password replaced.
        url: String,
        /// Why it is invalid.
        reason: String,
    },
    /// No NATS URL was given.
    #[error("no NATS URL given (set --nats-url or LIAISON_NATS_URL)")]
    NoUrl,
    /// Two ways of authenticating were given at once, or URLs carry different credentials.
    #[error("conflicting NATS credentials: {0}")]
    Conflict(String),
    /// A file (credentials, seed, certificate, key) could not be read or is not what it must be.
    #[error("cannot use {what} {}: {reason}", path.display())]
    File {
        /// What the file is for (`NATS nkey seed file`).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why it cannot be used (never its content).
        reason: String,
    },
}

impl AccessError {
    pub(crate) fn file(
        what: &'static str,
        path: impl Into<PathBuf>,
        reason: impl Into<String>,
    ) -> Self {
        AccessError::File {
            what,
            path: path.into(),
            reason: reason.into(),
        }
    }
}
