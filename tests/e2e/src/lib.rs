//! End-to-end harness: the real `liaison-ingest`, `liaison-projection` and `liaison-notifier`
//! binaries as separate processes on a real nats-server, each with its own sled directory.
//!
//! The tests in `tests/` drive the stack over HTTP exactly as a user would, and kill services
//! with SIGKILL in the middle of the work to check that nothing acknowledged is lost and that every
//! read model converges; they also run the `liaison` command line against the stack ([`Stack::liaison`]).
//! The binaries are the ones `cargo test --workspace` built next to the test executable
//! (`target/<profile>/`).

mod cli;
mod process;
mod stack;
pub mod workload;

pub use cli::{CliRun, CliUrls, liaison_binary, run_liaison};
pub use process::{Service, ServiceProcess};
pub use stack::{Stack, first_difference};
