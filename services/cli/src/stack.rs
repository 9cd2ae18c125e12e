//! The whole stack for `liaison dev` and `liaison demo`: `liaison-testkit`'s launcher (finding
//! nats-server 2.15 and the services, starting them in order with the shipped configuration,
//! children that die with `liaison` even on `kill -9`, stopping them in order), seen from the
//! command line: its errors end the command with exit code 3.

use crate::error::EXIT_UNAVAILABLE;

pub use liaison_proto::services::Service;
pub use liaison_testkit::NatsCluster;
pub use liaison_testkit::stack::{
    DEV_SERVICES, LogMode, Progress, Stack, StackAddrs, StackOptions, cluster_dir, node_name,
};

/// Why the stack could not be found, started or kept running; the message says what to do.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct StackError(#[from] pub liaison_testkit::StackError);

impl From<liaison_testkit::FindError> for StackError {
    fn from(error: liaison_testkit::FindError) -> Self {
        StackError(error.into())
    }
}

impl StackError {
    /// The process exit code for this error: 3, the stack is unavailable.
    pub fn exit_code(&self) -> u8 {
        EXIT_UNAVAILABLE
    }
}
