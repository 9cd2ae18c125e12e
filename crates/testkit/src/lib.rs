//! Real parts for Liaison's tests, bench and local stack: no mock of NATS anywhere
//! (docs/decisions/006-real-parts-in-tests.md).
//!
//! - Processes: [`NatsServer`] (one `nats-server` 2.15 with the shipped configuration, free
//!   ports and a temporary store for a test; it can be killed and started again on the same port
//!   and store), [`NatsCluster`] (routes, clustered JetStream, for R3 streams), [`ServiceProcess`]
//!   (a service binary: start, `SIGTERM`, `kill -9`, restart, wait for `/readyz`) and [`Stack`]
//!   (nats-server and the services together, as `liaison dev` runs them). Every child dies with
//!   its launcher, even on `kill -9` of it ([`spawn`]).
//! - Finding binaries ([`find`]): `nats-server` 2.15 and the service binaries, with errors that
//!   say what to install or build.
//! - Data: [`events`] builds the events tests send; [`workload`] is the seeded generator of the
//!   bench, the end-to-end tests and the projection's catch-up example; [`measure`] reads peak
//!   memory and disk use; with the `log` feature, [`log`](crate::log) appends to and reads the
//!   JetStream log directly.
//!
//! ```no_run
//! # async fn demo() {
//! let server = liaison_testkit::NatsServer::start().await;
//! let js = server.jetstream().await;
//! # let _ = js;
//! # }
//! ```

mod child;
mod cluster;
mod error;
pub mod events;
pub mod find;
#[cfg(feature = "log")]
pub mod log;
pub mod measure;
pub mod nats_config;
mod ports;
mod ready;
mod server;
mod service;
pub mod spawn;
pub mod stack;
pub mod workload;

pub use child::{ChildProcess, Output, describe, log_tail};
pub use cluster::NatsCluster;
pub use error::StackError;
pub use find::{
    BIN_DIR_ENV, FindError, NATS_SERVER_ENV, REQUIRED_VERSION_PREFIX, bin_dir, found_nats_server,
    nats_server_binary, service_binary,
};
pub use liaison_proto::services::Service;
pub use nats_config::SyncMode;
pub use ports::{free_addr, free_port, is_free};
pub use server::{NatsServer, NatsSetup, ServerOptions};
pub use service::{ServiceProcess, ServiceSetup};
pub use stack::{LogMode, Progress, Stack, StackAddrs, StackOptions};
