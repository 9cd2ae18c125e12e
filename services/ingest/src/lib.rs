//! `liaison-ingest`: accepts events over HTTP (`POST /v1/events`) and NATS request-reply
//! (`liaison.ingest.append`), validates them against the contract and what the log already
//! holds, and appends them to the JetStream log exactly once — one event, or a batch all or
//! nothing.
//!
//! A library on the service skeleton of `liaison-runtime`, so that tests start the real service
//! in-process: `Application::build(config, shutdown).await?` → `address()` →
//! `run_until_stopped()`. `main.rs` is one line.
//!
//! | module | purpose |
//! |---|---|
//! | [`config`] | flags and environment |
//! | [`app`] | the service on the skeleton: wiring, log stream set-up with retries, readiness |
//! | [`registry`] | the sled registry: organizations, persons, rules, event ids with digests |
//! | [`registry_model`] | the registry as a read model of the log, and the writes ahead of it |
//! | [`append`] | the append operation, transport-independent |
//! | [`http_api`] | `POST /v1/events` |
//! | [`nats_api`] | the same on NATS request-reply |
//! | [`validation_gate`] | parsing and validation on the blocking pool, a bounded number at once |
//! | [`metrics`] | Prometheus metric names |

pub mod app;
pub mod append;
pub mod config;
pub mod http_api;
pub mod metrics;
pub mod nats_api;
pub mod registry;
pub mod registry_model;
pub mod schemas_api;
pub mod validation_gate;

pub use app::{Application, IngestHandle, IngestService};
pub use append::{AppendOutcome, AppendRejection, Ingest, Receipt, Receipts};
pub use config::Config;
