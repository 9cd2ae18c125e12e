//! The errors every command can end with, and the exit code each one maps to.
//!
//! Scripts rely on the exit code, so the mapping lives in one place: 0 ok, 1 the server said
//! no (a 4xx answer), 2 a usage error (bad arguments or input files), 3 the stack is
//! unreachable, answered 5xx, or could not be started.

use crate::client::ClientError;
use crate::stack::StackError;

/// Exit code: the server refused the request (a `4xx` answer).
pub const EXIT_REJECTED: u8 = 1;
/// Exit code: a usage error (bad arguments, unreadable or malformed input).
pub const EXIT_USAGE: u8 = 2;
/// Exit code: a service or NATS is unreachable, answered `5xx`, or the stack did not start.
pub const EXIT_UNAVAILABLE: u8 = 3;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The arguments or the input are wrong; the message says how to fix them.
    #[error("{0}")]
    Usage(String),
    /// A service answered with an error, or could not be reached.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The local stack (`liaison dev`, `liaison demo`) could not be started or failed.
    #[error(transparent)]
    Stack(#[from] StackError),
    /// NATS (the log, the alerts) could not be reached or read.
    #[error("{0}")]
    Nats(String),
}

impl CliError {
    /// A usage error with `message`.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::Usage(message.into())
    }

    /// The process exit code this error maps to.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => EXIT_USAGE,
            Self::Client(e) => e.exit_code(),
            Self::Stack(e) => e.exit_code(),
            Self::Nats(_) => EXIT_UNAVAILABLE,
        }
    }
}

/// The result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;
