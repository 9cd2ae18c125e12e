//! What the skeleton prepares for a service's [`super::Service::build`]: the NATS connection,
//! the data directory and its database, the shutdown signal — and the registers in which the
//! service leaves its follower, background tasks and readiness checks for the skeleton to run.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use async_nats::jetstream;
use liaison_log::{Applier, EntryGate, EventGate, Follower, ReadModel, spawn_follower};
use tokio::task::JoinHandle;

use super::StartError;
use super::quarantine::QuarantineSource;
use crate::auth::{BearerAuthLayer, Scope};
use crate::config::CommonArgs;
use crate::http::Check;
use crate::nats::NatsHealth;
use crate::shutdown::Shutdown;
use crate::storage::open_db_with_segments;

/// A service's follower and the applier it drives.
pub struct Followed<M, G = EventGate> {
    /// The applier: the read model behind the gate; its write lock for other writers.
    pub applier: Arc<Applier<M, G>>,
    /// How far it got.
    pub follower: Follower,
}

/// The start-up context of a service.
pub struct Context {
    pub(super) service: &'static str,
    pub(super) common: CommonArgs,
    pub(super) nats: async_nats::Client,
    pub(super) health: NatsHealth,
    pub(super) shutdown: Shutdown,
    pub(super) db: Option<sled::Db>,
    pub(super) tasks: Vec<JoinHandle<()>>,
    pub(super) checks: Vec<Box<dyn Fn() -> Check + Send + Sync>>,
    /// The followers, the log's first: the stream each applies and its handle.
    pub(super) followers: Vec<(String, Follower)>,
    /// The quarantine of each followed stream, the log's first.
    pub(super) quarantine: Vec<(String, Arc<dyn QuarantineSource>)>,
}

impl Context {
    /// The settings every service shares.
    pub fn common(&self) -> &CommonArgs {
        &self.common
    }

    /// The service's name.
    pub fn service(&self) -> &'static str {
        self.service
    }

    /// The NATS client (connecting in the background).
    pub fn nats(&self) -> &async_nats::Client {
        &self.nats
    }

    /// JetStream on the NATS client.
    pub fn jetstream(&self) -> jetstream::Context {
        jetstream::new(self.nats.clone())
    }

    /// Whether NATS is connected, for checks of the service's own.
    pub fn health(&self) -> &NatsHealth {
        &self.health
    }

    /// The signal that stops the service; background loops select on it.
    pub fn shutdown(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// The service's data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.common.data_dir(self.service)
    }

    /// The service's sled database in its data directory, opened on first use (and flushed by
    /// the skeleton when the service stops). A service that manages its databases itself (the
    /// projection switches to a rebuilt one) uses [`Context::data_dir`] instead.
    pub fn db(&mut self) -> Result<sled::Db, StartError> {
        self.db_with_segments(crate::storage::SLED_SEGMENT_BYTES)
    }

    /// [`Context::db`], a new database getting log segments of `segment_bytes`
    /// ([`crate::storage::open_db_with_segments`]); an existing one keeps its own.
    pub fn db_with_segments(&mut self, segment_bytes: usize) -> Result<sled::Db, StartError> {
        if let Some(db) = &self.db {
            return Ok(db.clone());
        }
        let db = open_db_with_segments(
            &self.data_dir(),
            self.common
                .sled_cache_mib(crate::config::DEFAULT_SLED_CACHE_MIB),
            self.service,
            segment_bytes,
        )?;
        self.db = Some(db.clone());
        Ok(db)
    }

    /// The write-endpoint guard: `Authorization: Bearer <LIAISON_API_TOKEN>` when a token is set.
    pub fn write_auth(&self) -> BearerAuthLayer {
        self.access(Scope::Write)
    }

    /// The guard of `scope` over the configured tokens. Every route the service returns is
    /// already under [`Scope::Read`]; a service wraps its write routes in [`Scope::Write`]
    /// (or [`Context::write_auth`]) and reads of credentials in [`Scope::Confidential`].
    pub fn access(&self, scope: Scope) -> BearerAuthLayer {
        BearerAuthLayer::scoped(self.common.tokens(), scope)
    }

    /// Follows the log with `model` behind the one applier (gate, quarantine, checkpoint,
    /// identity); its state shows in `/readyz` and `GET /v1/admin/quarantine`. One per service.
    pub fn follow<M: ReadModel>(&mut self, model: M) -> Result<Followed<M>, StartError> {
        self.follow_stream(model, EventGate)
    }

    /// Follows the stream of `gate` — the log, or a stream of the service's own — with `model`
    /// behind the same applier and follower as the log's: every entry checked by `gate`,
    /// quarantined when it fails, applied with the checkpoint, on the stream's identity. Its
    /// state shows in `/readyz` (a check named after the stream) and in
    /// `GET /v1/admin/quarantine?stream=<name>`. One follower per stream.
    pub fn follow_stream<M, G>(&mut self, model: M, gate: G) -> Result<Followed<M, G>, StartError>
    where
        G: EntryGate,
        M: ReadModel<G::Entry>,
    {
        let stream = gate.stream().to_owned();
        if self.followers.iter().any(|(name, _)| *name == stream) {
            return Err(StartError::Config(format!(
                "liaison-{} follows the stream {stream} twice",
                self.service
            )));
        }
        let applier = Arc::new(Applier::with_gate(self.service, model, gate));
        let follower = spawn_follower(self.jetstream(), applier.clone(), self.shutdown.token())?;
        self.followers.push((stream.clone(), follower.clone()));
        self.quarantine.push((stream, applier.clone()));
        Ok(Followed { applier, follower })
    }

    /// Runs `task` in the background; the skeleton awaits it (bounded) when the service stops,
    /// so it must end once [`Context::shutdown`] fires.
    pub fn spawn(&mut self, task: impl Future<Output = ()> + Send + 'static) {
        self.tasks.push(tokio::spawn(task));
    }

    /// Adds a readiness check of the service's own to `/readyz`.
    pub fn check(&mut self, check: impl Fn() -> Check + Send + Sync + 'static) {
        self.checks.push(Box::new(check));
    }
}
