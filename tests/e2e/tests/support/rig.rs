//! The stack on the testkit's 3-node loopback cluster, as the fail-over tests run it: ingest (one
//! or two instances), the projection and the notifier, each a real process with every node's URL
//! in `LIAISON_NATS_URL` and `LIAISON_STREAM_REPLICAS=3` (they create the R3 streams), a webhook
//! rule that calls the test's [`Receiver`], the workload's organizations registered (and applied
//! by the projection), and facts for the writers.

use std::path::Path;
use std::time::Duration;

use liaison_e2e::workload::{Generator, WorkloadConfig};
use liaison_e2e::{Service, ServiceProcess};
use liaison_testkit::{NatsCluster, Output, ServiceSetup};
use serde_json::{Value, json};
use tempfile::TempDir;

use super::receiver::Receiver;
use liaison_e2e::http::{post_until_accepted, query};

/// The workload's seed.
const SEED: u64 = 20_260_316;

/// The webhook rule every rig creates: status changes into `agreed` or `active`.
pub const RULE: &str = "failover-deals";

/// A Standard Webhooks secret (the rule's; the receiver does not check signatures).
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// The key the notifier seals webhook secrets with.
const SECRETS_KEYS: &str = "2025-06:S2V5LW9mLVRlc3RzLUxHLXNlYWxzLXRoZS1zZWNyZXQ=";

/// How long a service may take to be ready.
const READY: Duration = Duration::from_secs(60);

/// The cluster, the services on it and the webhook receiver. Dropping it kills every process.
pub struct Rig {
    /// Three nodes, every stream R3.
    pub cluster: NatsCluster,
    /// The ingest instances.
    pub ingests: Vec<ServiceProcess>,
    /// The projection.
    pub projection: ServiceProcess,
    /// The notifier.
    pub notifier: ServiceProcess,
    /// Where the rule's webhook calls go.
    pub receiver: Receiver,
    /// The organizations the workload registers.
    pub organizations: Vec<String>,
    /// An HTTP client.
    pub http: reqwest::Client,
    /// The log's last sequence once set up (the rule and the registrations): what follows is the
    /// writers'.
    pub set_up: u64,
    generator: Generator,
    root: TempDir,
}

impl Rig {
    /// Starts the cluster, `ingests` ingest instances, the projection and the notifier, creates
    /// the webhook rule and registers the workload's organizations and people.
    pub async fn start(ingests: usize) -> Rig {
        let cluster = NatsCluster::start(3).await;
        let root = tempfile::Builder::new()
            .prefix("liaison-failover-")
            .tempdir()
            .expect("a temporary directory");
        let urls = cluster.urls().join(",");
        let mut started = Vec::new();
        for i in 0..ingests {
            let setup = setup(Service::Ingest, &format!("ingest-{i}"), &urls, root.path());
            started.push(launch(setup).await);
        }
        let projection = launch(setup(Service::Projection, "projection", &urls, root.path())).await;
        let notifier = setup(Service::Notifier, "notifier", &urls, root.path())
            .with_env("LIAISON_NOTIFIER_SECRETS_KEYS", SECRETS_KEYS)
            .with_env("LIAISON_WEBHOOK_ALLOW_PRIVATE", "1")
            .with_env("LIAISON_NOTIFIER_BACKOFF_BASE_MS", "100")
            .with_env("LIAISON_NOTIFIER_BACKOFF_MAX_MS", "1000")
            .with_env("LIAISON_NOTIFIER_WEBHOOK_ATTEMPTS", "100");
        let notifier = launch(notifier).await;
        let config = WorkloadConfig {
            // Writers run concurrently: a retraction could overtake the fact it names.
            retraction_share: 0.0,
            ..WorkloadConfig::small(SEED)
        };
        let mut generator = Generator::new(config);
        let registrations = generator.take(generator.registrations() as usize);
        let registrations = Value::Array(registrations.into_iter().map(|e| e.body).collect());
        let mut rig = Rig {
            cluster,
            ingests: started,
            projection,
            notifier,
            receiver: Receiver::start().await,
            organizations: generator.organization_slugs(),
            http: reqwest::Client::new(),
            set_up: 0,
            generator,
            root,
        };
        let rule = json!({
            "id": RULE,
            "match": {"status": ["agreed", "active"]},
            "deliver": {"webhook": {"url": rig.receiver.url, "secret": SECRET}}
        });
        post_until_accepted(
            &rig.http,
            &format!("{}/v1/rules", rig.notifier.url()),
            &rule,
        )
        .await;
        let events = format!("{}/v1/events", rig.ingests[0].url());
        let answer = post_until_accepted(&rig.http, &events, &registrations).await;
        let registered = answer["events"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["sequence"].as_u64())
            .max()
            .expect("the registrations' sequences");
        // The projection knows every organization before anyone asks about them.
        let (a, b) = (&rig.organizations[0], &rig.organizations[1]);
        let path = format!("/v1/relationships/{a}/{b}?min_sequence={registered}");
        let (code, body) = rig.get(&rig.projection.url(), &path).await;
        assert_eq!(code, 200, "{path}: {body}");
        rig.set_up = registered;
        rig
    }

    /// The next `count` facts of the workload, each with its id, to be sent alone.
    pub fn facts(&mut self, count: usize) -> Vec<Value> {
        self.generator
            .take(count)
            .into_iter()
            .map(|e| e.body)
            .collect()
    }

    /// The base URL of each ingest instance.
    pub fn ingest_urls(&self) -> Vec<String> {
        self.ingests.iter().map(ServiceProcess::url).collect()
    }

    /// Every service process, ingest first.
    pub fn services_mut(&mut self) -> Vec<&mut ServiceProcess> {
        let mut all: Vec<&mut ServiceProcess> = self.ingests.iter_mut().collect();
        all.push(&mut self.projection);
        all.push(&mut self.notifier);
        all
    }

    /// The pid of every service process.
    pub fn pids(&mut self) -> Vec<Option<u32>> {
        self.services_mut().iter().map(|s| s.pid()).collect()
    }

    /// A projection of its own (an empty sled) on the same log, ready once caught up: what an
    /// undisturbed run of the same log gives.
    pub async fn fresh_projection(&self) -> ServiceProcess {
        let urls = self.cluster.urls().join(",");
        launch(setup(
            Service::Projection,
            "projection-fresh",
            &urls,
            self.root.path(),
        ))
        .await
    }

    /// `GET {base}{path}` as [`query`] does, with the rig's client.
    pub async fn get(&self, base: &str, path: &str) -> (u16, Value) {
        query(&self.http, base, path).await
    }
}

/// `service` on the cluster, named `name` (its data directory and log file under `root`).
fn setup(service: Service, name: &str, urls: &str, root: &Path) -> ServiceSetup {
    let mut setup = ServiceSetup::in_dir(service, urls, root)
        .unwrap_or_else(|e| panic!("{e}"))
        .with_env("LIAISON_STREAM_REPLICAS", "3")
        .with_env("RUST_LOG", "info");
    setup.data_dir = root.join(name);
    setup.output = Output::File(root.join(format!("{name}.log")));
    setup.ready_timeout = READY;
    setup
}

/// Starts a service and waits until its `/readyz` answers 200.
async fn launch(setup: ServiceSetup) -> ServiceProcess {
    ServiceProcess::launch(setup)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}
