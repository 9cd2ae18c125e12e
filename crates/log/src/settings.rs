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
    /// Where a stream created now is placed: a NATS cluster by name, and server tags its
    /// replicas' servers must all carry (`server_tags` in their configuration), e.g. one tag per
    /// availability zone group. Empty: anywhere (docs/decisions/022-the-cluster.md).
    pub placement: StreamPlacement,
}

/// The placement of a stream: a cluster name and the server tags it requires.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamPlacement {
    /// The NATS cluster (its `cluster.name`) that holds the stream's replicas.
    pub cluster: Option<String>,
    /// Tags every server holding a replica must carry.
    pub tags: Vec<String>,
}

impl StreamPlacement {
    /// JetStream's placement, or `None` when nothing is asked for.
    pub fn to_jetstream(&self) -> Option<async_nats::jetstream::stream::Placement> {
        (self.cluster.is_some() || !self.tags.is_empty()).then(|| {
            async_nats::jetstream::stream::Placement {
                cluster: self.cluster.clone(),
                tags: self.tags.clone(),
            }
        })
    }
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            replicas: 1,
            duplicate_window: Duration::from_secs(120),
            max_message_size: 1024 * 1024,
            placement: StreamPlacement::default(),
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
