//! Why a process of the stack could not be started or kept running. Every message says what
//! happened, to which process, and where to read more.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::find::FindError;

/// Why the stack (or one of its processes) could not be found, started or kept running.
#[derive(Debug, thiserror::Error)]
pub enum StackError {
    /// A binary is missing or of the wrong version.
    #[error(transparent)]
    Find(#[from] FindError),
    /// An address the stack needs is taken.
    #[error(
        "{what} cannot listen on {addr}: the address is in use. Is another `liaison dev` (or \
         `just nats`) running? Stop it first"
    )]
    AddressInUse {
        /// What wanted the address.
        what: String,
        /// The address.
        addr: SocketAddr,
    },
    /// A file or directory of the stack could not be prepared.
    #[error("cannot prepare {}: {source}", path.display())]
    Io {
        /// The file or directory that could not be used.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// A process could not be spawned.
    #[error("cannot start {name} ({}): {source}", path.display())]
    Spawn {
        /// The process's name.
        name: String,
        /// Its binary.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// A process exited while starting, or while the stack was running.
    #[error("{name} exited ({status}){hint}")]
    Exited {
        /// The process's name.
        name: String,
        /// How it exited.
        status: String,
        /// Where to read its log, or its last lines.
        hint: String,
    },
    /// The NATS credentials and certificates could not be prepared.
    #[error(transparent)]
    Secrets(#[from] liaison_secure::SecretsError),
    /// A step on NATS (creating a stream as the admin) failed.
    #[error("cannot {what}: {message}")]
    Nats {
        /// What was being done.
        what: String,
        /// What the client or server said.
        message: String,
    },
    /// A process did not become ready in time.
    #[error("{name} was not ready after {seconds} s (GET {url}: {last}){hint}")]
    NotReady {
        /// The process's name.
        name: String,
        /// How long the launcher waited.
        seconds: u64,
        /// The readiness URL.
        url: String,
        /// The last answer or error.
        last: String,
        /// Where to read its log.
        hint: String,
    },
}

impl StackError {
    /// Whether starting again on other (free) ports may help: the process exited at start, which
    /// is how a server that lost the race for its port ends.
    pub fn exited(&self) -> bool {
        matches!(self, StackError::Exited { .. })
    }

    /// An [`StackError::Io`] for `path`.
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> StackError {
        let path = path.into();
        move |source| StackError::Io { path, source }
    }
}
