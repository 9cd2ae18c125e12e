//! The settings of the log streams that a deployment chooses (the rest is fixed by design).

use std::time::Duration;

/// How the log streams are configured in a given deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSettings {
    /// Replicas of each stream: 1 on one machine, 3 in a cluster.
    pub replicas: usize,
    /// How long the server remembers a `Nats-Msg-Id` to drop a duplicate append. An event id
    /// appended again after this window must be caught by the appender's caller (ingest keeps
    /// its own index of appended ids).
    pub duplicate_window: Duration,
    /// The largest message, headers included, a stream accepts, in bytes.
    pub max_message_size: i32,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            replicas: 1,
            duplicate_window: Duration::from_secs(120),
            max_message_size: 1024 * 1024,
        }
    }
}

impl LogSettings {
    /// The settings of a 3-node cluster: R3 streams, the rest default.
    pub fn clustered() -> Self {
        LogSettings {
            replicas: 3,
            ..LogSettings::default()
        }
    }
}
