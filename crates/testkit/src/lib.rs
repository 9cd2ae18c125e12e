//! Real `nats-server` processes for tests: no mock of NATS anywhere (docs/decisions/006-real-parts-in-tests.md).
//!
//! [`NatsServer`] starts one server with JetStream on a free loopback port and a temporary store,
//! with `sync_interval: always` like every shipped configuration; it can be killed and started
//! again on the same port and store, to test services that must survive a NATS crash.
//! [`NatsCluster`] starts a small cluster (routes, clustered JetStream) for R3 streams.
//!
//! The binary is found by [`nats_server_binary`]: `$LIAISON_NATS_SERVER`, then
//! `<workspace>/.tools/bin/nats-server` (installed by `just setup`), then `PATH`; it must be 2.15.x.
//!
//! ```no_run
//! # async fn demo() {
//! let server = liaison_testkit::NatsServer::start().await;
//! let js = server.jetstream().await;
//! # let _ = js;
//! # }
//! ```

mod binary;
mod cluster;
mod ports;
mod process;
mod server;

pub use binary::{NATS_SERVER_ENV, REQUIRED_VERSION_PREFIX, nats_server_binary};
pub use cluster::NatsCluster;
pub use ports::free_port;
pub use server::{NatsServer, ServerOptions};
