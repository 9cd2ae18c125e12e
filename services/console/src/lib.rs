//! `liaison-console`: the web console. It serves the UI built into the binary ([`assets`]) and
//! forwards `/api/{ingest,projection,notifier,reader}/…` to the services ([`proxy`]), so that a
//! browser talks to one origin (CONTRACT.md, "The console").
//!
//! The console is a client (docs/decisions/018-the-console.md): it keeps no state, opens no
//! database and follows no log; everything it shows comes from the services' public APIs, and the
//! state of a view lives in the browser's URL. It holds no token either: it forwards the caller's
//! `Authorization`, and each service decides what the caller may do.
//!
//! [`ConsoleService`] wires it on the service skeleton of `liaison-runtime`.

pub mod assets;
pub mod config;
pub mod proxy;
pub mod upstream;

use std::sync::Arc;

use axum::Router;
use liaison_runtime::config::CommonArgs;
use liaison_runtime::service::{App, Context, Service, StartError};

pub use config::Config;
pub use upstream::Upstreams;

/// The running console.
pub type Application = App<ConsoleService>;

/// `liaison-console` as a service of the skeleton.
#[derive(Debug)]
pub struct ConsoleService;

/// What the console exposes once built: where it forwards to.
#[derive(Debug, Clone)]
pub struct ConsoleHandle {
    /// The services behind `/api/`.
    pub upstreams: Arc<Upstreams>,
    /// The skeleton's NATS connection, held for as long as the console runs: the console sends
    /// nothing on it yet, but `/readyz` reports it like every service's, and the client closes
    /// when its last handle is dropped.
    pub nats: async_nats::Client,
}

impl Service for ConsoleService {
    const KIND: liaison_proto::services::Service = liaison_proto::services::Service::Console;
    const ABOUT: &'static str = "The Liaison web console: serves the UI and forwards its API \
                                 calls to the services.";
    type Config = Config;
    type Handle = ConsoleHandle;

    fn common(config: &Config) -> &CommonArgs {
        &config.common
    }

    fn validate(mut config: Config) -> Result<Config, String> {
        config.check()?;
        // The services check the caller's token themselves; a token here would only lock the
        // page itself away from the browser that has to load it to sign in.
        config.common.api_token = None;
        config.common.read_token = None;
        Ok(config)
    }

    async fn build(
        config: Config,
        ctx: &mut Context,
    ) -> Result<(Router, ConsoleHandle), StartError> {
        let upstreams = Arc::new(Upstreams::from_config(&config));
        let proxy = proxy::Proxy::new((*upstreams).clone(), config.max_body_bytes)
            .map_err(|e| StartError::service("building the proxy", e))?;
        let routes = assets::routes().merge(proxy::routes(Arc::new(proxy)));
        let nats = ctx.nats().clone();
        Ok((routes, ConsoleHandle { upstreams, nats }))
    }
}
