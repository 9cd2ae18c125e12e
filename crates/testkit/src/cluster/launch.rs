//! Starting a [`NatsCluster`] the way a stack does (`liaison dev --cluster`, the tests' and the
//! bench's clustered stacks): its files in a directory the caller keeps (the data directory), on
//! the shipped node addresses or on free ports, with the caller's credentials and fsync setting;
//! and stopping it cleanly. Kept apart from `cluster.rs`, which the fail-over tests extend.
//! docs/decisions/022-the-cluster.md.

use std::path::{Path, PathBuf};
use std::time::Duration;

use liaison_secure::NatsSecrets;
use tempfile::TempDir;

use super::{NatsCluster, Node, START_ATTEMPTS};
use crate::child::ChildProcess;
use crate::error::StackError;
use crate::nats_config::{ClusterNodeConfig, SyncMode};
use crate::ports::free_ports;

/// Where a cluster's files are: a temporary directory deleted with it (tests), or one the
/// caller keeps (a stack's data directory).
#[derive(Debug)]
pub(super) enum ClusterDir {
    /// Deleted when the cluster is dropped.
    Temp(TempDir),
    /// Kept.
    Kept(PathBuf),
}

impl ClusterDir {
    /// The directory.
    pub(super) fn path(&self) -> &Path {
        match self {
            ClusterDir::Temp(dir) => dir.path(),
            ClusterDir::Kept(dir) => dir,
        }
    }
}

/// How to start a cluster in a directory of the caller's.
#[derive(Debug, Clone)]
pub struct ClusterSetup {
    /// The cluster's files: `n<i>/` (configuration, log, store) per node. Kept.
    pub dir: PathBuf,
    /// How many nodes (at most 3 on the shipped addresses).
    pub size: usize,
    /// The addresses of the shipped `deploy/nats/cluster/n{1,2,3}.conf` (clients on
    /// 4222–4224, monitoring on 8222–8224, routes on 6222–6224), checked free first; `false`:
    /// free ports (with fresh ones when a node loses the race for one).
    pub shipped_ports: bool,
    /// Secured as shipped with these credentials; `None`: open.
    pub secrets: Option<NatsSecrets>,
    /// `jetstream.sync_interval` of every node.
    pub sync: SyncMode,
}

impl NatsCluster {
    /// Starts the cluster `setup` describes and waits until every node is healthy and a
    /// JetStream meta leader is elected; `spawned` hears each node's index and pid.
    pub async fn launch(
        setup: ClusterSetup,
        spawned: &mut dyn FnMut(usize, u32),
    ) -> Result<NatsCluster, StackError> {
        assert!(setup.size > 0, "a cluster needs at least one node");
        let dir = std::path::absolute(&setup.dir).map_err(StackError::io(&setup.dir))?;
        std::fs::create_dir_all(&dir).map_err(StackError::io(&dir))?;
        let mut cluster = NatsCluster {
            dir: ClusterDir::Kept(dir),
            nodes: Vec::new(),
            secrets: setup.secrets,
            sync: setup.sync,
        };
        let attempts = if setup.shipped_ports {
            1
        } else {
            START_ATTEMPTS
        };
        cluster
            .start_fresh(setup.size, setup.shipped_ports, attempts, spawned)
            .await?;
        Ok(cluster)
    }

    /// Starts `size` nodes on the shipped addresses or on free ports and waits until every node
    /// is healthy and a meta leader is elected; when a node exits at start (it lost the race for
    /// a free port), starts them all again on fresh ports, up to `attempts` times.
    pub(super) async fn start_fresh(
        &mut self,
        size: usize,
        shipped_ports: bool,
        attempts: usize,
        spawned: &mut dyn FnMut(usize, u32),
    ) -> Result<(), StackError> {
        for attempt in 1..=attempts {
            self.nodes = node_addresses(size, shipped_ports);
            for index in 0..size {
                self.spawn(index);
                if let Some(pid) = self.nodes[index].process.as_ref().map(|p| p.pid()) {
                    spawned(index, pid);
                }
            }
            match self.wait_all_ready().await {
                Ok(()) => return Ok(()),
                Err((index, failure)) if failure.exited() && attempt < attempts => {
                    tracing::warn!(
                        attempt,
                        node = index,
                        "a cluster node exited at start; retrying"
                    );
                    self.nodes.iter_mut().for_each(|n| n.process = None);
                }
                Err((_, failure)) => return Err(failure),
            }
        }
        unreachable!("the last attempt returns")
    }

    /// Stops every node cleanly (SIGTERM, then SIGKILL after `timeout`), keeping the stores.
    pub async fn terminate(&mut self, timeout: Duration) {
        let stops = self
            .nodes
            .iter_mut()
            .filter_map(|n| n.process.as_mut())
            .map(|p| p.terminate(timeout));
        futures::future::join_all(stops).await;
        self.nodes.iter_mut().for_each(|n| n.process = None);
    }

    /// Starts the stopped nodes `indices` again together (with their stores and ports) and
    /// waits until each is healthy: nodes that must restore a quorum together come back at once,
    /// not one waiting on the other. Panics when one does not start.
    pub async fn start_nodes(&mut self, indices: &[usize]) {
        for &index in indices {
            assert!(
                self.nodes[index].process.is_none(),
                "start_nodes: node {index} is running"
            );
            self.spawn(index);
        }
        for &index in indices {
            if let Err(failure) = self.wait_ready(index).await {
                panic!("cluster node n{index} did not start again: {failure}");
            }
        }
    }

    /// Whether node `index` runs.
    pub fn is_running(&mut self, index: usize) -> bool {
        self.nodes[index]
            .process
            .as_mut()
            .is_some_and(|p| p.exit_status().is_none())
    }

    /// The HTTP monitoring URL of node `index` (`http://127.0.0.1:<port>`).
    pub fn monitor_url(&self, index: usize) -> String {
        format!("http://127.0.0.1:{}", self.nodes[index].monitor_port)
    }

    /// The running nodes' processes, for a launcher that watches them.
    pub(crate) fn processes_mut(&mut self) -> Vec<&mut ChildProcess> {
        self.nodes
            .iter_mut()
            .filter_map(|n| n.process.as_mut())
            .collect()
    }
}

/// The addresses of `size` nodes: the shipped nodes', or distinct free ports.
fn node_addresses(size: usize, shipped: bool) -> Vec<Node> {
    if shipped {
        return (0..size)
            .map(|index| {
                let conf = ClusterNodeConfig::shipped(index, "");
                Node {
                    port: conf.listen.port(),
                    cluster_port: conf.cluster_listen.port(),
                    monitor_port: conf.monitor.port(),
                    process: None,
                }
            })
            .collect();
    }
    free_ports(3 * size)
        .chunks_exact(3)
        .map(|ports| Node {
            port: ports[0],
            cluster_port: ports[1],
            monitor_port: ports[2],
            process: None,
        })
        .collect()
}
