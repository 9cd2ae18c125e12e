//! Why a service could not start — one error for every service (never because NATS is down:
//! the connection is made in the background).

use crate::http::HttpError;
use crate::nats::NatsError;
use crate::storage::StorageError;

/// Starting a service failed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A setting is unusable.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The NATS options are unusable (a bad URL, unreadable credentials).
    #[error(transparent)]
    Nats(#[from] NatsError),
    /// The sled database cannot be opened (another process uses it, permissions).
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The applier cannot read its records (checkpoint, log identity).
    #[error("cannot start following the log: {0}")]
    Follower(#[from] liaison_log::ApplyError),
    /// The HTTP server cannot bind.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The service's own wiring failed.
    #[error("{context}: {source}")]
    Service {
        /// What was being done.
        context: String,
        /// Why it failed.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl StartError {
    /// A failure of the service's own wiring.
    pub fn service(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self::Service {
            context: context.into(),
            source: source.into(),
        }
    }
}
