//! The one shape of every Liaison service: a clap `Config`, [`Service::build`] that wires the
//! service's domain into a [`Context`] the skeleton prepared, and an [`App`] that runs it —
//! `App::build(config, shutdown) → address() → run_until_stopped()`, so that tests start the real
//! service in-process on port 0 (docs/decisions/011-one-service-shape.md).
//!
//! What every service shares lives here, once: reading the configuration, logging, connecting to
//! NATS (in the background: a service never fails to start because NATS is down), opening the
//! sled database, following the log through the one applier of `liaison-log` (its gate,
//! checkpoint and quarantine), the readiness rule, `/healthz` `/readyz` `/metrics`,
//! `GET /v1/admin/quarantine`, `GET /v1/admin/status` (each follower's checkpoint, head, lag and
//! apply rate), background tasks that stop with the service, and a shutdown that always finishes.
//!
//! A service's `main.rs` is one line: `liaison_runtime::service::main::<MyService>()`.

mod app;
mod context;
mod error;
mod launch;
mod quarantine;
mod readiness;
mod status;

use std::future::Future;

use axum::Router;

pub use app::App;
pub use context::{Context, Followed};
pub use error::StartError;
pub use launch::{main, parse, run, serve};
pub use readiness::log_check;

use crate::config::CommonArgs;

/// A Liaison service: what the skeleton needs to know of it, and how it wires itself.
pub trait Service: Sized + Send + Sync + 'static {
    /// Which service of the stack it is: its name (the data directory `./data/<name>`, logs,
    /// metrics, the NATS client name), its binary and its default HTTP address, as the contract
    /// crate lists them.
    const KIND: liaison_proto::services::Service;
    /// What it does, for `--help`.
    const ABOUT: &'static str;

    /// Its sled page cache in MiB unless `LIAISON_SLED_CACHE_MIB` says otherwise: sled holds more
    /// than this in memory, so a service that stores little chooses less
    /// (docs/decisions/023-memory-bounds.md).
    const SLED_CACHE_MIB: u64 = crate::config::DEFAULT_SLED_CACHE_MIB;

    /// Every setting: [`CommonArgs`] flattened, plus the service's own, named
    /// `LIAISON_<SERVICE>_<NAME>[_<UNIT>]` in the environment.
    type Config: clap::Args + clap::FromArgMatches + Clone + std::fmt::Debug + Send + Sync + 'static;

    /// What the service exposes to its tests and operators once built (cheap to clone).
    type Handle: Clone + Send + Sync + 'static;

    /// The settings every service shares, inside `config`.
    fn common(config: &Self::Config) -> &CommonArgs;

    /// Checks and clamps the service's own settings (the one place they are validated, also
    /// for a `Config` built directly by a test); an error says which setting and why.
    fn validate(config: Self::Config) -> Result<Self::Config, String> {
        Ok(config)
    }

    /// Wires the service into `ctx`: its read model ([`Context::follow`]), background tasks
    /// ([`Context::spawn`]), readiness checks ([`Context::check`]); returns its routes (the
    /// skeleton adds the shared ones) and its handle.
    ///
    /// Every route returned is a read to the skeleton: it requires the read or the write token
    /// when `LIAISON_READ_TOKEN` is set. Write and admin routes say so with their own layer,
    /// [`Context::write_auth`]; reads of credentials with [`Context::access`]`(Scope::Confidential)`.
    fn build(
        config: Self::Config,
        ctx: &mut Context,
    ) -> impl Future<Output = Result<(Router, Self::Handle), StartError>> + Send;

    /// Called once the HTTP server stopped and before the background tasks are awaited: to
    /// finish work in flight (drain NATS subscriptions, flush files).
    fn stopping(_handle: &Self::Handle) -> impl Future<Output = ()> + Send {
        async {}
    }
}
