//! A cluster of `nats-server`s with clustered JetStream, for tests of R3 streams and fail-over;
//! each node runs the shipped node configuration (`deploy/nats/cluster/n1.conf`) on free ports,
//! open or, with [`NatsCluster::start_secured`], secured as shipped (client TLS, users, routes
//! that authenticate each other by certificate).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use async_nats::jetstream;
use liaison_secure::{DEV_HOSTS, NatsAccess, NatsSecrets, Role, SECRETS_DIR};

use crate::child::{ChildProcess, Output};
use crate::error::StackError;
use crate::find::nats_server_binary;
use crate::nats_config::ClusterNodeConfig;
use crate::ready::{Awaited, wait_all_http_ok, wait_http_ok};
use crate::server::connect_once;

mod launch;

use launch::ClusterDir;
pub use launch::ClusterSetup;

const START_ATTEMPTS: usize = 3;

#[derive(Debug)]
struct Node {
    port: u16,
    cluster_port: u16,
    monitor_port: u16,
    process: Option<ChildProcess>,
}

/// A cluster of real `nats-server`s on loopback ports, each with its own temporary store, with
/// JetStream clustered over routes. Every process is killed when the value is dropped.
#[derive(Debug)]
pub struct NatsCluster {
    dir: ClusterDir,
    nodes: Vec<Node>,
    secrets: Option<NatsSecrets>,
    /// `jetstream.sync_interval` of every node (the shipped `always` unless a launch says).
    sync: crate::nats_config::SyncMode,
}

impl NatsCluster {
    /// Starts `size` open nodes (3 for R3 streams) and waits until every node is healthy and a
    /// JetStream meta leader is elected.
    ///
    /// Panics with the tail of a node's log when the cluster does not form.
    pub async fn start(size: usize) -> NatsCluster {
        NatsCluster::start_with(size, false).await
    }

    /// Starts `size` nodes secured as shipped, with one set of generated credentials and
    /// certificates; [`client`](Self::client) connects as the admin.
    pub async fn start_secured(size: usize) -> NatsCluster {
        NatsCluster::start_with(size, true).await
    }

    async fn start_with(size: usize, secured: bool) -> NatsCluster {
        assert!(size > 0, "a cluster needs at least one node");
        let dir = tempfile::Builder::new()
            .prefix("liaison-nats-cluster-")
            .tempdir()
            .expect("cannot create a temporary directory");
        let secrets = secured.then(|| {
            NatsSecrets::ensure(dir.path().join(SECRETS_DIR), &DEV_HOSTS)
                .unwrap_or_else(|e| panic!("{e}"))
        });
        let mut cluster = NatsCluster {
            dir: ClusterDir::Temp(dir),
            nodes: Vec::new(),
            secrets,
            sync: crate::nats_config::SyncMode::Always,
        };
        if let Err(failure) = cluster
            .start_fresh(size, false, START_ATTEMPTS, &mut |_, _| {})
            .await
        {
            panic!("the cluster did not start: {failure}");
        }
        cluster
    }

    /// The number of nodes.
    pub fn size(&self) -> usize {
        self.nodes.len()
    }

    /// The client URL of node `index`.
    pub fn url(&self, index: usize) -> String {
        format!("nats://127.0.0.1:{}", self.nodes[index].port)
    }

    /// The client URLs of every node.
    pub fn urls(&self) -> Vec<String> {
        (0..self.size()).map(|i| self.url(i)).collect()
    }

    /// The JetStream store directory of node `index`.
    pub fn store_dir(&self, index: usize) -> PathBuf {
        self.dir.path().join(format!("n{index}/store"))
    }

    /// The log file of node `index`.
    pub fn log_path(&self, index: usize) -> PathBuf {
        self.dir.path().join(format!("n{index}/nats-server.log"))
    }

    /// The generated credentials of a secured cluster; `None` when it is open.
    pub fn secrets(&self) -> Option<&NatsSecrets> {
        self.secrets.as_ref()
    }

    /// What a client of `role` connects with; panics when the cluster is open.
    pub fn access(&self, role: Role) -> NatsAccess {
        self.secrets
            .as_ref()
            .map(|s| s.access(role))
            .expect("the cluster is open: it has no roles")
    }

    /// The directory of the cluster's files (`n<i>/`, `nats-secrets/`).
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// The route address of node `index` (`cluster.listen`).
    pub fn route_addr(&self, index: usize) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.nodes[index].cluster_port))
    }

    /// The HTTP monitoring port of node `index` (`/routez`, `/healthz`).
    pub fn monitor_port(&self, index: usize) -> u16 {
        self.nodes[index].monitor_port
    }

    /// A client that knows every node's URL, so it fails over when one is stopped; on a secured
    /// cluster, as the admin.
    pub async fn client(&self) -> async_nats::Client {
        match &self.secrets {
            Some(_) => self.client_as(Role::Admin).await,
            None => {
                let addrs: Vec<async_nats::ServerAddr> = self
                    .urls()
                    .iter()
                    .map(|url| url.parse().expect("valid server URL"))
                    .collect();
                async_nats::connect(addrs)
                    .await
                    .unwrap_or_else(|e| panic!("cannot connect to {:?}: {e}", self.urls()))
            }
        }
    }

    /// A client of `role` that knows every node's URL; panics when it cannot connect or the
    /// cluster is open.
    pub async fn client_as(&self, role: Role) -> async_nats::Client {
        let access = self.access(role);
        connect_once(&self.urls(), &access, &role.inbox_prefix())
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {:?} as {role}: {e}", self.urls()))
    }

    /// A JetStream context on a new [`client`](NatsCluster::client).
    pub async fn jetstream(&self) -> jetstream::Context {
        jetstream::new(self.client().await)
    }

    /// Kills node `index` (SIGKILL), keeping its store and ports.
    pub fn stop_node(&mut self, index: usize) {
        if let Some(mut process) = self.nodes[index].process.take() {
            process.kill();
        }
    }

    /// Starts node `index` again with its store and ports and waits until it is healthy.
    pub async fn start_node(&mut self, index: usize) {
        assert!(
            self.nodes[index].process.is_none(),
            "start_node: node {index} is running"
        );
        self.spawn(index);
        if let Err(failure) = self.wait_ready(index).await {
            panic!("cluster node n{index} did not start again: {failure}");
        }
    }

    fn spawn(&mut self, index: usize) {
        let node_dir = self.dir.path().join(format!("n{index}"));
        std::fs::create_dir_all(&node_dir).expect("cannot create node directory");
        let config = node_dir.join("nats-server.conf");
        std::fs::write(&config, self.config(index).render(&node_dir))
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", config.display()));
        let mut command = crate::spawn::command(nats_server_binary());
        command.arg("-c").arg(&config);
        let process = ChildProcess::spawn(
            &format!("nats n{index}"),
            command,
            &Output::File(self.log_path(index)),
        )
        .unwrap_or_else(|e| panic!("cannot spawn nats-server: {e}"));
        self.nodes[index].process = Some(process);
    }

    /// Waits until every node is healthy — failing as soon as any node exits — and a meta
    /// leader answers.
    async fn wait_all_ready(&mut self) -> Result<(), (usize, StackError)> {
        let urls: Vec<String> = (0..self.size())
            .map(|i| format!("{}/healthz", self.monitor_url(i)))
            .collect();
        let outputs: Vec<Output> = (0..self.size())
            .map(|i| Output::File(self.log_path(i)))
            .collect();
        let awaited = self
            .nodes
            .iter_mut()
            .zip(outputs.iter().zip(&urls))
            .map(|(node, (output, url))| Awaited {
                child: node.process.as_mut().expect("node was spawned"),
                output,
                url,
            })
            .collect();
        // The full health check includes "JetStream is current with the meta leader".
        wait_all_http_ok(awaited, Duration::from_secs(30)).await?;
        self.wait_meta_leader().await.map_err(|f| (0, f))
    }

    async fn wait_ready(&mut self, index: usize) -> Result<(), StackError> {
        let url = format!(
            "http://127.0.0.1:{}/healthz",
            self.nodes[index].monitor_port
        );
        let output = Output::File(self.log_path(index));
        let process = self.nodes[index]
            .process
            .as_mut()
            .expect("node was spawned");
        // The full health check includes "JetStream is current with the meta leader".
        wait_http_ok(process, &output, &url, Duration::from_secs(30)).await
    }

    /// Waits until a JetStream API request succeeds, which needs an elected meta leader.
    async fn wait_meta_leader(&self) -> Result<(), StackError> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let js = self.jetstream().await;
        loop {
            match js.query_account().await {
                Ok(_) => return Ok(()),
                Err(e) if Instant::now() > deadline => {
                    return Err(StackError::NotReady {
                        name: "the cluster".into(),
                        seconds: 30,
                        url: "$JS.API.INFO".into(),
                        last: format!("no JetStream meta leader: {e}"),
                        hint: String::new(),
                    });
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    fn config(&self, index: usize) -> ClusterNodeConfig {
        let node = &self.nodes[index];
        let loopback = |port: u16| SocketAddr::from(([127, 0, 0, 1], port));
        ClusterNodeConfig {
            server_name: format!("n{index}"),
            listen: loopback(node.port),
            monitor: loopback(node.monitor_port),
            cluster_listen: loopback(node.cluster_port),
            routes: self
                .nodes
                .iter()
                .map(|n| loopback(n.cluster_port))
                .collect(),
            secrets: self.secrets.clone(),
            sync: self.sync,
            ..ClusterNodeConfig::shipped(0, self.store_dir(index))
        }
    }
}

/// How long a question to one node may take before the next node is asked: a frozen node
/// accepts the TCP connection but never answers.
const NODE_ANSWER: Duration = Duration::from_secs(2);

/// Fail-over: a node stopped cleanly, frozen and thawed, and where a stream's leader is.
impl NatsCluster {
    /// Stops node `index` cleanly (`SIGTERM`, then `SIGKILL` after `timeout`), keeping its store
    /// and ports; [`start_node`](Self::start_node) starts it again.
    pub async fn terminate_node(&mut self, index: usize, timeout: Duration) {
        if let Some(mut process) = self.nodes[index].process.take() {
            process.terminate(timeout).await;
        }
    }

    /// Freezes node `index` (`SIGSTOP`): it keeps its connections but answers nothing, like a
    /// machine that stalls; [`thaw_node`](Self::thaw_node) resumes it.
    pub fn freeze_node(&mut self, index: usize) {
        self.signal_node(index, rustix::process::Signal::STOP);
    }

    /// Resumes node `index` after [`freeze_node`](Self::freeze_node) (`SIGCONT`).
    pub fn thaw_node(&mut self, index: usize) {
        self.signal_node(index, rustix::process::Signal::CONT);
    }

    fn signal_node(&mut self, index: usize, signal: rustix::process::Signal) {
        let process = self.nodes[index]
            .process
            .as_mut()
            .unwrap_or_else(|| panic!("node n{index} is not running"));
        // Not reaped (no exit status yet), so the pid is still this node's.
        assert!(process.exit_status().is_none(), "node n{index} exited");
        let pid = i32::try_from(process.pid())
            .ok()
            .and_then(rustix::process::Pid::from_raw)
            .expect("a child's pid");
        rustix::process::kill_process(pid, signal)
            .unwrap_or_else(|e| panic!("cannot signal node n{index}: {e}"));
    }

    /// The index of the node that leads stream `stream`, as the first node that answers says;
    /// `None` while no leader is elected (or no node answers).
    pub async fn stream_leader(&self, stream: &str) -> Option<usize> {
        let leader = self.stream_cluster(stream).await?.leader?;
        (0..self.size()).find(|i| leader == format!("n{i}"))
    }

    /// Waits until stream `stream` has a leader and every other node is a current replica of it
    /// (a restarted node has caught up); panics with the last answer after `within`.
    pub async fn wait_stream_current(&self, stream: &str, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let cluster = self.stream_cluster(stream).await;
            let current = cluster.as_ref().is_some_and(|c| {
                c.leader.is_some()
                    && c.replicas.len() + 1 == self.size()
                    && c.replicas.iter().all(|r| r.current && !r.offline)
            });
            if current {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "stream {stream} not current on every node within {within:?}: {cluster:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The stream's RAFT group as the first running node that answers within [`NODE_ANSWER`]
    /// describes it.
    async fn stream_cluster(&self, stream: &str) -> Option<jetstream::stream::ClusterInfo> {
        for index in (0..self.size()).filter(|i| self.nodes[*i].process.is_some()) {
            let ask = async {
                let client = match &self.secrets {
                    Some(_) => {
                        connect_once(
                            &[self.url(index)],
                            &self.access(Role::Admin),
                            &Role::Admin.inbox_prefix(),
                        )
                        .await
                    }
                    None => async_nats::connect(self.url(index)).await,
                }
                .ok()?;
                let mut info = jetstream::new(client).get_stream(stream).await.ok()?;
                info.info().await.ok()?.cluster.clone()
            };
            if let Ok(Some(cluster)) = tokio::time::timeout(NODE_ANSWER, ask).await {
                return Some(cluster);
            }
        }
        None
    }
}
