//! Server plumbing shared by the Liaison services (`liaison-ingest`, `liaison-reader`,
//! `liaison-projection`, `liaison-notifier`).
//!
//! Every service has the same operational surface — the same flags and environment
//! variables, the same logs, the same `/healthz`, `/readyz` and `/metrics`, the same
//! `application/problem+json` errors, the same start-up and shutdown — so that surface
//! lives here, once, and the services stay thin shells around the domain.
//!
//! Start-up follows the `build → address → run_until_stopped` shape, so tests can spawn
//! the real service on port 0 and learn the address it got. The HTTP server enforces
//! [`http::HttpLimits`]; [`shutdown::Shutdown::on_signals`] ends the process within a deadline
//! once asked to stop, and [`telemetry`] logs without ever blocking it (see the README):
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use liaison_runtime::{http::{self, Check, HttpLimits, HttpServer}, shutdown::Shutdown};
//!
//! let app = axum::Router::new();
//! let router = http::service_router(app, || vec![Check::pass("nats", "connected")]);
//! let server = HttpServer::build("127.0.0.1:0".parse()?, router)
//!     .await?
//!     .with_limits(HttpLimits::default());
//! println!("listening on {}", server.address());
//! server.run_until_stopped(Shutdown::on_signals()).await?;
//! # Ok(())
//! # }
//! ```

mod allocator;
pub mod auth;
pub mod config;
pub mod http;
pub mod json_body;
pub mod nats;
pub mod problem;
pub mod request_reply;
pub mod service;
pub mod shutdown;
pub mod storage;
pub mod target_policy;
pub mod telemetry;

pub use problem::{FieldError, Problem, ProblemDetails};
