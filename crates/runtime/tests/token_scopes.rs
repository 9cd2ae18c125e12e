//! The skeleton's token scopes (CONTRACT.md, "Access (v2)"), on a real service built by
//! `App::build` against a real nats-server and asked over real HTTP: every route a service
//! returns is a read (open unless `LIAISON_READ_TOKEN` is set), a route under the write layer
//! needs the API token, a confidential read needs a token whenever one is configured, and
//! `/healthz`, `/readyz`, `/metrics` stay open.

use axum::Router;
use axum::routing::{get, post};
use liaison_runtime::auth::Scope;
use liaison_runtime::config::CommonArgs;
use liaison_runtime::problem::PROBLEM_JSON;
use liaison_runtime::service::{App, Context, Service, StartError};
use liaison_runtime::shutdown::Shutdown;
use liaison_testkit::NatsServer;

const WRITE: &str = "wr1te-f0r-hanwha";
const READ: &str = "r3ad-f0r-hanwha";

/// A service with a read, a write and a confidential route, wired as the real ones are.
struct Ledger;

impl Service for Ledger {
    const KIND: liaison_proto::services::Service = liaison_proto::services::Service::Ingest;
    const ABOUT: &'static str = "a test service";
    type Config = CommonArgs;
    type Handle = ();

    fn common(config: &CommonArgs) -> &CommonArgs {
        config
    }

    async fn build(_config: CommonArgs, ctx: &mut Context) -> Result<(Router, ()), StartError> {
        let reads = Router::new()
            .route("/v1/things", get(|| async { "things" }))
            .route("/v1/things/{id}", get(|| async { "one thing" }));
        let writes = Router::new()
            .route("/v1/things", post(|| async { "written" }))
            .layer(ctx.write_auth());
        let secrets = Router::new()
            .route("/v1/secrets", get(|| async { "webhook urls" }))
            .layer(ctx.access(Scope::Confidential));
        Ok((reads.merge(writes).merge(secrets), ()))
    }
}

struct Running {
    base: String,
    http: reqwest::Client,
    shutdown: Shutdown,
    _dir: tempfile::TempDir,
}

impl Running {
    async fn start(nats: &NatsServer, api: Option<&str>, read: Option<&str>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = CommonArgs {
            nats_urls: vec![nats.url()],
            data_dir: Some(dir.path().to_owned()),
            http_addr: Some("127.0.0.1:0".parse().unwrap()),
            api_token: api.map(Into::into),
            read_token: read.map(Into::into),
            ..CommonArgs::default()
        };
        let shutdown = Shutdown::new();
        let app = App::<Ledger>::build(config, shutdown.clone())
            .await
            .expect("the service builds");
        let base = format!("http://{}", app.address());
        tokio::spawn(app.run_until_stopped());
        Self {
            base,
            http: reqwest::Client::new(),
            shutdown,
            _dir: dir,
        }
    }

    /// The status of `method path` with `token` as the bearer token (none when `None`).
    async fn status(&self, method: &str, path: &str, token: Option<&str>) -> u16 {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        if status == 401 {
            assert_eq!(response.headers()["www-authenticate"], "Bearer", "{path}");
            assert_eq!(response.headers()["content-type"], PROBLEM_JSON, "{path}");
        }
        status
    }

    /// The statuses of `method path` with no token, the write token, the read token and a
    /// wrong one.
    async fn statuses(&self, method: &str, path: &str) -> [u16; 4] {
        [
            self.status(method, path, None).await,
            self.status(method, path, Some(WRITE)).await,
            self.status(method, path, Some(READ)).await,
            self.status(method, path, Some("hanwha-guess")).await,
        ]
    }

    /// `/healthz`, `/readyz` and `/metrics` answer without a token (`/readyz` may say not
    /// ready, never unauthorized).
    async fn assert_ops_routes_open(&self) {
        assert_eq!(self.status("GET", "/healthz", None).await, 200);
        assert_eq!(self.status("GET", "/metrics", None).await, 200);
        assert!([200, 503].contains(&self.status("GET", "/readyz", None).await));
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

#[tokio::test]
async fn with_a_read_token_every_read_needs_a_token_and_the_write_token_also_reads() {
    let nats = NatsServer::start().await;
    let service = Running::start(&nats, Some(WRITE), Some(READ)).await;
    // [no token, write token, read token, wrong token]
    assert_eq!(
        service.statuses("GET", "/v1/things").await,
        [401, 200, 200, 401]
    );
    assert_eq!(
        service.statuses("GET", "/v1/things/7").await,
        [401, 200, 200, 401]
    );
    assert_eq!(
        service.statuses("GET", "/v1/secrets").await,
        [401, 200, 200, 401]
    );
    assert_eq!(
        service.statuses("POST", "/v1/things").await,
        [401, 200, 401, 401]
    );
    service.assert_ops_routes_open().await;
}

#[tokio::test]
async fn with_the_api_token_alone_reads_are_open_but_confidential_ones_and_writes_are_not() {
    let nats = NatsServer::start().await;
    let service = Running::start(&nats, Some(WRITE), None).await;
    // [no token, write token, (read token: not configured, so just a wrong token), wrong token]
    assert_eq!(
        service.statuses("GET", "/v1/things").await,
        [200, 200, 200, 200]
    );
    assert_eq!(
        service.statuses("GET", "/v1/secrets").await,
        [401, 200, 401, 401]
    );
    assert_eq!(
        service.statuses("POST", "/v1/things").await,
        [401, 200, 401, 401]
    );
    service.assert_ops_routes_open().await;
}

#[tokio::test]
async fn without_tokens_everything_is_open() {
    let nats = NatsServer::start().await;
    let service = Running::start(&nats, None, None).await;
    for (method, path) in [
        ("GET", "/v1/things"),
        ("GET", "/v1/secrets"),
        ("POST", "/v1/things"),
    ] {
        assert_eq!(service.status(method, path, None).await, 200, "{path}");
    }
}

#[tokio::test]
async fn a_read_token_without_an_api_token_or_equal_to_it_is_refused_at_start() {
    let nats = NatsServer::start().await;
    for (api, read, expected) in [
        (None, Some(READ), "without LIAISON_API_TOKEN"),
        (Some(WRITE), Some(WRITE), "equals LIAISON_API_TOKEN"),
    ] {
        let config = CommonArgs {
            nats_urls: vec![nats.url()],
            http_addr: Some("127.0.0.1:0".parse().unwrap()),
            api_token: api.map(Into::into),
            read_token: read.map(Into::into),
            ..CommonArgs::default()
        };
        let error = App::<Ledger>::build(config, Shutdown::new())
            .await
            .expect_err("the service refuses to start");
        assert!(
            matches!(&error, StartError::Config(m) if m.contains(expected)),
            "{error}"
        );
    }
}
