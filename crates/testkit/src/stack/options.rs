//! What a [`Stack`](super::Stack) is started with: where its data and output go, which
//! addresses and services, and the presets of `liaison dev` and of the tests.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use async_nats::jetstream::stream;
use liaison_proto::services::Service;

use crate::error::StackError;
use crate::find::{bin_dir, find_service_binaries, found_nats_server};
use crate::nats_config::{SyncMode, shipped_listen, shipped_monitor};
use crate::ports::free_addrs;

/// Where the children's output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogMode {
    /// To the launcher's stdout, each line prefixed with the process's name (colored when
    /// `color`), as `liaison dev` shows it.
    Prefixed {
        /// Color the prefixes.
        color: bool,
    },
    /// To `<data-dir>/logs/<name>.log`, as `liaison demo`, the tests and the bench keep them.
    Files,
}

impl LogMode {
    /// Prefixed, colored when stdout is a terminal.
    pub fn prefixed() -> Self {
        Self::Prefixed {
            color: std::io::stdout().is_terminal(),
        }
    }
}

/// The addresses a stack listens on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackAddrs {
    /// NATS clients.
    pub nats: SocketAddr,
    /// NATS monitoring (`/healthz`), which the launcher waits on.
    pub nats_monitor: SocketAddr,
    /// Each service's HTTP address.
    pub services: Vec<(Service, SocketAddr)>,
}

impl StackAddrs {
    /// The shipped addresses: NATS where `deploy/nats/single.conf` listens, every service on its
    /// contract default.
    pub fn shipped() -> StackAddrs {
        StackAddrs {
            nats: shipped_listen(),
            nats_monitor: shipped_monitor(),
            services: Service::ALL
                .into_iter()
                .map(|s| (s, s.default_addr()))
                .collect(),
        }
    }

    /// Free loopback ports for NATS and `services`.
    pub fn free(services: &[Service]) -> StackAddrs {
        let mut addrs = free_addrs(2 + services.len()).into_iter();
        let mut next = || addrs.next().expect("one address per process");
        StackAddrs {
            nats: next(),
            nats_monitor: next(),
            services: services.iter().map(|s| (*s, next())).collect(),
        }
    }

    /// The address of `service` (its contract default when none is set).
    pub fn service(&self, service: Service) -> SocketAddr {
        self.services
            .iter()
            .find(|(s, _)| *s == service)
            .map_or_else(|| service.default_addr(), |(_, addr)| *addr)
    }

    /// The address of instance `index` (0 is the first) of `service` on fixed addresses: the
    /// first on [`service`](Self::service), each next one 100 ports above the one before
    /// (7401 → 7501 for the second ingest; docs/decisions/022-the-cluster.md).
    pub fn instance(&self, service: Service, index: usize) -> SocketAddr {
        let first = self.service(service);
        let port = first.port() + u16::try_from(100 * index).expect("a few instances");
        SocketAddr::new(first.ip(), port)
    }

    /// Moves `service` to `addr`.
    pub fn set_service(&mut self, service: Service, addr: SocketAddr) {
        match self.services.iter_mut().find(|(s, _)| *s == service) {
            Some(entry) => entry.1 = addr,
            None => self.services.push((service, addr)),
        }
    }
}

/// The services `liaison dev` and `liaison demo` run, in start order: the services of
/// [`Service::STACK`], then the console in front of them.
pub const DEV_SERVICES: [Service; 5] = [
    Service::Ingest,
    Service::Projection,
    Service::Notifier,
    Service::Reader,
    Service::Console,
];

/// Everything needed to start a stack.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// Root of every process's data: `nats/`, `<service>/`, `logs/`, `nats-server.conf`. `None`:
    /// a temporary directory, deleted with the stack.
    pub data_dir: Option<PathBuf>,
    /// Fixed addresses (checked free before anything starts); `None`: free ports.
    pub addrs: Option<StackAddrs>,
    /// The services to start, in this order.
    pub services: Vec<Service>,
    /// Where the children's output goes.
    pub logs: LogMode,
    /// nats-server's fsync setting.
    pub sync: SyncMode,
    /// The directory of the service binaries.
    pub bin_dir: PathBuf,
    /// How long each process may take to become ready.
    pub ready_timeout: Duration,
    /// How long a stopping process may take before it is killed.
    pub stop_timeout: Duration,
    /// `LIAISON_API_TOKEN` for the services, if any (an inherited one is removed otherwise).
    pub api_token: Option<String>,
    /// `RUST_LOG` for the services; `None` leaves the inherited one.
    pub log_filter: Option<String>,
    /// nats-server secured as shipped — TLS required, one user per role — with the credentials
    /// and certificates in `<data-dir>/nats-secrets` (generated on first start, reused after),
    /// each service given its own role's. `false`: an open server, as tests of other things use.
    pub secured: bool,
    /// The streams created (as the admin, when secured) once nats-server is up and before any
    /// service starts, when absent; an existing stream is kept as it is. Services may not create
    /// streams on a secured server: `liaison dev` puts the log's and the alerts' here
    /// (`liaison_log::events_stream_config`, `alerts_stream_config`, `articles_stream_config`).
    pub streams: Vec<stream::Config>,
    /// NATS as a cluster of this many nodes — the shipped `deploy/nats/cluster/n*.conf`, on
    /// their addresses when `addrs` is set (4222–4224), else on free ports — with every stream of
    /// `streams` created with this many replicas and `LIAISON_STREAM_REPLICAS` set to it; `None`:
    /// one nats-server (docs/decisions/022-the-cluster.md).
    pub cluster: Option<usize>,
    /// How many instances of each service run, each with its own data directory
    /// (`<data-dir>/<service>`, then `<service>-2`, …) and port ([`StackAddrs::instance`]).
    pub instances: usize,
    /// More environment for every service (e.g. `LIAISON_WEBHOOK_ALLOW_PRIVATE=1` for a test's
    /// webhook receiver on loopback).
    pub env: Vec<(String, String)>,
}

impl StackOptions {
    /// `liaison dev` on `data_dir`: the shipped addresses, the services of [`DEV_SERVICES`],
    /// binaries from [`bin_dir`], generous timeouts for a first start on a slow machine, secured
    /// (the caller names the `streams`).
    pub fn dev(data_dir: impl Into<PathBuf>, logs: LogMode) -> StackOptions {
        StackOptions {
            data_dir: Some(data_dir.into()),
            addrs: Some(StackAddrs::shipped()),
            services: DEV_SERVICES.to_vec(),
            logs,
            sync: SyncMode::Always,
            bin_dir: bin_dir(),
            ready_timeout: Duration::from_secs(120),
            stop_timeout: Duration::from_secs(15),
            api_token: None,
            log_filter: None,
            secured: true,
            streams: Vec::new(),
            cluster: None,
            instances: 1,
            env: Vec::new(),
        }
    }

    /// These options on a cluster of `nodes` nats-servers with `instances` of each service.
    pub fn on_cluster(self, nodes: usize, instances: usize) -> StackOptions {
        StackOptions {
            cluster: Some(nodes),
            instances,
            ..self
        }
    }

    /// A test's stack: the v1 services (add the console to `services` to test it), a temporary
    /// directory, free ports, logs in files, `RUST_LOG=info`, open (set `secured` and `streams`
    /// for the shipped access rules).
    pub fn for_tests() -> StackOptions {
        StackOptions {
            data_dir: None,
            addrs: None,
            services: Service::CORE.to_vec(),
            ready_timeout: Duration::from_secs(30),
            stop_timeout: Duration::from_secs(10),
            log_filter: Some("info".into()),
            secured: false,
            ..StackOptions::dev(PathBuf::new(), LogMode::Files)
        }
    }

    /// Finds the binaries the stack needs: `nats-server` 2.15 and each service's, or the error
    /// that says what to build or install.
    pub fn find_binaries(&self) -> Result<(PathBuf, Vec<PathBuf>), StackError> {
        let services = find_service_binaries(&self.bin_dir, &self.services)?;
        Ok((found_nats_server()?, services))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_addresses_are_the_contracts() {
        let addrs = StackAddrs::shipped();
        assert_eq!(addrs.nats.port(), 4222);
        assert_eq!(addrs.nats_monitor.port(), 8222);
        let ports: Vec<u16> = Service::CORE
            .iter()
            .map(|s| addrs.service(*s).port())
            .collect();
        assert_eq!(ports, [7401, 7402, 7403]);
    }

    #[test]
    fn a_moved_service_keeps_the_others() {
        let mut addrs = StackAddrs::shipped();
        let moved: SocketAddr = "127.0.0.1:17402".parse().unwrap();
        addrs.set_service(Service::Projection, moved);
        assert_eq!(addrs.service(Service::Projection), moved);
        assert_eq!(
            addrs.service(Service::Ingest),
            Service::Ingest.default_addr()
        );
    }

    #[test]
    fn a_second_instance_is_a_hundred_ports_up() {
        let addrs = StackAddrs::shipped();
        assert_eq!(addrs.instance(Service::Ingest, 0).port(), 7401);
        assert_eq!(addrs.instance(Service::Console, 1).port(), 7500);
    }
}
