//! The NATS of a stack: one nats-server (`liaison dev`, most tests), or a cluster of the shipped
//! node configurations (`liaison dev --cluster`, the tests and bench of R3 streams;
//! docs/decisions/022-the-cluster.md) — started, reached as the admin, watched and stopped the
//! same way whichever it is.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use liaison_secure::{NatsSecrets, Role};

use super::{Progress, StackAddrs, StackOptions, output_for};
use crate::child::ChildProcess;
use crate::cluster::{ClusterSetup, NatsCluster};
use crate::error::StackError;
use crate::nats_config::NatsConfig;
use crate::server::{NatsServer, NatsSetup, connect_once};

/// One nats-server or a cluster.
#[derive(Debug)]
pub(super) enum StackNats {
    /// One server (boxed: it is the larger of the two by far).
    Single(Box<NatsServer>),
    /// A cluster.
    Cluster(NatsCluster),
}

impl StackNats {
    /// Starts what `options` asks for, its files under `data_dir`, reporting to `progress`.
    pub(super) async fn start(
        options: &StackOptions,
        nats_binary: PathBuf,
        data_dir: &Path,
        addrs: &StackAddrs,
        secrets: Option<NatsSecrets>,
        progress: &mut impl FnMut(Progress),
    ) -> Result<StackNats, StackError> {
        let started = Instant::now();
        let Some(size) = options.cluster else {
            let setup = NatsSetup {
                binary: nats_binary,
                config: NatsConfig {
                    listen: addrs.nats,
                    monitor: addrs.nats_monitor,
                    sync: options.sync,
                    secrets,
                    ..NatsConfig::shipped(data_dir.join("nats"))
                },
                free_ports: options.addrs.is_none(),
                conf_path: data_dir.join("nats-server.conf"),
                output: output_for(&options.logs, &data_dir.join("logs"), "nats"),
                ready_timeout: options.ready_timeout,
            };
            let nats = NatsServer::launch_reporting(setup, &mut |pid| {
                progress(Progress::Started {
                    name: "nats".into(),
                    pid,
                });
            })
            .await?;
            progress(Progress::Ready {
                name: "nats".into(),
                url: nats.url(),
                elapsed: started.elapsed(),
            });
            return Ok(StackNats::Single(Box::new(nats)));
        };
        let setup = ClusterSetup {
            dir: cluster_dir(data_dir),
            size,
            shipped_ports: options.addrs.is_some(),
            secrets,
            sync: options.sync,
        };
        let cluster = NatsCluster::launch(setup, &mut |index, pid| {
            progress(Progress::Started {
                name: node_name(index),
                pid,
            });
        })
        .await?;
        for index in 0..cluster.size() {
            progress(Progress::Ready {
                name: node_name(index),
                url: cluster.url(index),
                elapsed: started.elapsed(),
            });
        }
        Ok(StackNats::Cluster(cluster))
    }

    /// The URL the services and clients use: every node's, comma separated, on a cluster.
    pub(super) fn url(&self) -> String {
        match self {
            StackNats::Single(nats) => nats.url(),
            StackNats::Cluster(cluster) => cluster.urls().join(","),
        }
    }

    /// The generated credentials of a secured NATS.
    pub(super) fn secrets(&self) -> Option<&NatsSecrets> {
        match self {
            StackNats::Single(nats) => nats.secrets(),
            StackNats::Cluster(cluster) => cluster.secrets(),
        }
    }

    /// How many replicas the streams get: one per node.
    pub(super) fn replicas(&self) -> usize {
        match self {
            StackNats::Single(_) => 1,
            StackNats::Cluster(cluster) => cluster.size(),
        }
    }

    /// A client as the admin (anonymous when open), once.
    pub(super) async fn admin_client(&self) -> Result<async_nats::Client, StackError> {
        let urls: Vec<String> = self.url().split(',').map(str::to_owned).collect();
        let client = match self.secrets() {
            Some(secrets) => {
                connect_once(
                    &urls,
                    &secrets.access(Role::Admin),
                    &Role::Admin.inbox_prefix(),
                )
                .await
            }
            None => {
                let addrs: Vec<async_nats::ServerAddr> =
                    urls.iter().filter_map(|u| u.parse().ok()).collect();
                async_nats::connect(addrs).await
            }
        };
        client.map_err(|e| StackError::Nats {
            what: format!("connect to nats-server at {} as the admin", self.url()),
            message: e.to_string(),
        })
    }

    /// Every running nats-server process.
    pub(super) fn processes_mut(&mut self) -> Vec<&mut ChildProcess> {
        match self {
            StackNats::Single(nats) => nats.process_mut().into_iter().collect(),
            StackNats::Cluster(cluster) => cluster.processes_mut(),
        }
    }

    /// Stops every nats-server cleanly.
    pub(super) async fn terminate(&mut self, timeout: Duration) {
        match self {
            StackNats::Single(nats) => nats.terminate(timeout).await,
            StackNats::Cluster(cluster) => cluster.terminate(timeout).await,
        }
    }
}

/// Where a stack's cluster keeps its nodes' files: `<data-dir>/nats-cluster/n<i>/` (the
/// configuration, `nats-server.log`, the store).
pub fn cluster_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("nats-cluster")
}

/// The name of cluster node `index` in the progress and the logs: `nats-n0`, …
pub fn node_name(index: usize) -> String {
    format!("nats-n{index}")
}
