//! End-to-end harness: the real `liaison-ingest`, `liaison-projection` and `liaison-notifier`
//! binaries as separate processes on a real nats-server, each with its own sled directory,
//! started by `liaison-testkit`'s launcher exactly as `liaison dev` starts them.
//!
//! The tests in `tests/` drive the stack over HTTP as a user would, kill services with SIGKILL
//! in the middle of the work to check that nothing acknowledged is lost and that every read model
//! converges, run the `liaison` command line against the stack ([`Stack::liaison`]), and run
//! `liaison dev` itself. The binaries are the ones `cargo build --workspace` put next to the test
//! executable (`target/<profile>/`), or in `$LIAISON_BIN_DIR`.

mod cli;
mod dump;
pub mod http;
mod stack;

pub use cli::{CliRun, CliUrls, liaison_binary, run_liaison};
pub use dump::{first_difference, projection_view, strip_instants};
pub use liaison_testkit::workload;
pub use liaison_testkit::{Service, ServiceProcess};
pub use stack::Stack;
