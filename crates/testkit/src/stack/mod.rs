//! The whole Liaison stack on one machine — `nats-server` and the services as child processes —
//! started, watched and stopped the same way by `liaison dev`, `liaison demo`, the end-to-end
//! tests and the bench.
//!
//! 1. find `nats-server` 2.15 and the service binaries, and say what to do when one is missing;
//! 2. secured (`liaison dev`, `liaison demo`): prepare `<data-dir>/nats-secrets` — a local CA
//!    and server certificate, an nkey per role, generated on first start and reused after;
//! 3. start `nats-server` with the shipped configuration (JetStream, `sync_interval: always`,
//!    store in `<data-dir>/nats`; secured: TLS required, the users of every role), create the
//!    streams the options name as the admin, then each service with
//!    `LIAISON_DATA_DIR=<data-dir>/<service>`, every service's URL and (secured) its own role's
//!    credentials and the CA in its environment, waiting for each one's `/readyz`; the
//!    notifier also gets the key file `<data-dir>/notifier-secrets.keys`, made on the first
//!    start ([`ensure_secrets_key`]);
//! 4. stop them cleanly: `SIGTERM` to the services, wait, then `nats-server`.
//!
//! On a cluster ([`StackOptions::cluster`], docs/decisions/022-the-cluster.md) step 3 starts
//! the shipped cluster's nodes instead (files in `<data-dir>/nats-cluster/n<i>/`), creates the
//! streams with one replica per node, and starts [`StackOptions::instances`] of each service,
//! each with every node's URL and `LIAISON_STREAM_REPLICAS`.
//!
//! Children die with the launcher, even on `kill -9` of it, and run in their own process groups
//! so that a terminal's Ctrl-C reaches only the launcher (see [`crate::spawn`]). Every child is
//! killed when the [`Stack`] is dropped without [`Stack::stop`].

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use std::net::SocketAddr;

use async_nats::jetstream::{self, stream};
use liaison_proto::services::Service;
use liaison_secure::{DEV_HOSTS, NatsSecrets, Role, SECRETS_DIR};
use tempfile::TempDir;

use crate::child::{Output, describe};
use crate::cluster::NatsCluster;
use crate::error::StackError;
use crate::nats_config::ClusterNodeConfig;
use crate::ports::{free_addr, is_free};
use crate::ready::hint;
use crate::server::NatsServer;
use crate::service::{ServiceProcess, ServiceSetup};

mod nats;
mod options;
mod secrets_key;

pub use nats::{cluster_dir, node_name};
pub use options::{DEV_SERVICES, LogMode, StackAddrs, StackOptions};
pub use secrets_key::{SECRETS_KEY_FILE, ensure_secrets_key};

/// How many times a service is started on a fresh free port when it exits at start.
const SERVICE_START_ATTEMPTS: usize = 3;

/// What [`Stack::start`] reports as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A process was spawned.
    Started {
        /// Its name (`nats`, `ingest`, …).
        name: String,
        /// Its process id.
        pid: u32,
    },
    /// A step before the services: credentials prepared, a stream created or found.
    Step(String),
    /// A process answered ready.
    Ready {
        /// Its name.
        name: String,
        /// Where it listens (its URL).
        url: String,
        /// How long it took since it was spawned.
        elapsed: Duration,
    },
}

/// A running stack. Stop it with [`Stack::stop`]; dropping it kills every child.
#[derive(Debug)]
pub struct Stack {
    options: StackOptions,
    data_dir: PathBuf,
    services: Vec<ServiceProcess>,
    nats: nats::StackNats,
    _temp: Option<TempDir>,
}

impl Stack {
    /// Starts nats-server, then each service, waiting for each to be ready; reports each step to
    /// `progress`. On failure, whatever was started is stopped.
    pub async fn start(
        options: StackOptions,
        mut progress: impl FnMut(Progress),
    ) -> Result<Stack, StackError> {
        let (nats_binary, binaries) = options.find_binaries()?;
        if let Some(addrs) = &options.addrs {
            check_free(addrs, &options)?;
        }
        let (data_dir, temp) = match &options.data_dir {
            Some(dir) => (dir.clone(), None),
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("liaison-stack-")
                    .tempdir()
                    .map_err(StackError::io(std::env::temp_dir()))?;
                (temp.path().to_path_buf(), Some(temp))
            }
        };
        let data_dir = std::path::absolute(&data_dir).map_err(StackError::io(&data_dir))?;
        let log_dir = data_dir.join("logs");
        for dir in [&data_dir.join("nats"), &log_dir] {
            std::fs::create_dir_all(dir).map_err(StackError::io(dir))?;
        }
        if options.services.contains(&Service::Notifier) {
            ensure_secrets_key(&data_dir)?;
        }
        let mut addrs = options
            .addrs
            .clone()
            .unwrap_or_else(|| StackAddrs::free(&options.services));
        let secrets = match options.secured {
            true => Some(prepare_secrets(&data_dir, &mut progress)?),
            false => None,
        };

        let nats = nats::StackNats::start(
            &options,
            nats_binary,
            &data_dir,
            &addrs,
            secrets,
            &mut progress,
        )
        .await?;
        let mut stack = Stack {
            options,
            data_dir,
            services: Vec::new(),
            nats,
            _temp: temp,
        };
        if let Err(e) = stack.create_streams(&mut progress).await {
            stack.stop().await;
            return Err(e);
        }
        let services = stack.options.services.clone();
        for (service, binary) in services.into_iter().zip(binaries) {
            for instance in 0..stack.options.instances.max(1) {
                let started = Instant::now();
                match stack
                    .start_service(service, instance, binary.clone(), &mut addrs, &mut progress)
                    .await
                {
                    Ok(process) => {
                        progress(Progress::Ready {
                            name: instance_name(service, instance),
                            url: process.url(),
                            elapsed: started.elapsed(),
                        });
                        stack.services.push(process);
                    }
                    Err(e) => {
                        stack.stop().await;
                        return Err(e);
                    }
                }
            }
        }
        Ok(stack)
    }

    /// Creates the streams of the options that are absent, as the admin when secured; on a
    /// cluster with one replica per node.
    async fn create_streams(&self, progress: &mut impl FnMut(Progress)) -> Result<(), StackError> {
        if self.options.streams.is_empty() {
            return Ok(());
        }
        let js = jetstream::new(self.nats.admin_client().await?);
        for config in &self.options.streams {
            let config = &stream::Config {
                num_replicas: self.nats.replicas(),
                ..config.clone()
            };
            let failed = |what: &str, e: &dyn std::fmt::Display| StackError::Nats {
                what: format!("{what} stream {}", config.name),
                message: e.to_string(),
            };
            let step = match js.get_stream(&config.name).await {
                Ok(_) => format!("stream {} found", config.name),
                Err(e)
                    if matches!(e.kind(), jetstream::context::GetStreamErrorKind::JetStream(inner)
                        if inner.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND) =>
                {
                    js.create_stream(config.clone())
                        .await
                        .map_err(|e| failed("create", &e))?;
                    format!("stream {} created", config.name)
                }
                Err(e) => return Err(failed("read", &e)),
            };
            progress(Progress::Step(step));
        }
        Ok(())
    }

    /// Starts instance `instance` of `service`: the first on its address in `addrs` (moved there
    /// when a retry takes a new port), the next ones on [`StackAddrs::instance`] or free ports.
    async fn start_service(
        &self,
        service: Service,
        instance: usize,
        binary: PathBuf,
        addrs: &mut StackAddrs,
        progress: &mut impl FnMut(Progress),
    ) -> Result<ServiceProcess, StackError> {
        let free_ports = self.options.addrs.is_none();
        let attempts = if free_ports {
            SERVICE_START_ATTEMPTS
        } else {
            1
        };
        let name = instance_name(service, instance);
        let mut addr = match (instance, free_ports) {
            (0, _) => addrs.service(service),
            (_, true) => free_addr(),
            (_, false) => addrs.instance(service, instance),
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let setup = self.service_setup(service, instance, binary.clone(), addr, addrs);
            let report = &mut |pid| {
                progress(Progress::Started {
                    name: name.clone(),
                    pid,
                })
            };
            match ServiceProcess::launch_reporting(setup, report).await {
                Err(e) if e.exited() && attempt < attempts => {
                    tracing::warn!(%service, attempt, "exited at start; retrying on a new port");
                    addr = free_addr();
                    if instance == 0 {
                        addrs.set_service(service, addr);
                    }
                }
                result => return result,
            }
        }
    }

    fn service_setup(
        &self,
        service: Service,
        instance: usize,
        binary: PathBuf,
        addr: SocketAddr,
        addrs: &StackAddrs,
    ) -> ServiceSetup {
        let options = &self.options;
        let mut env: Vec<(String, String)> = options
            .services
            .iter()
            .map(|s| {
                (
                    s.url_env().to_owned(),
                    format!("http://{}", addrs.service(*s)),
                )
            })
            .collect();
        if !matches!(options.logs, LogMode::Prefixed { color: true }) {
            env.push(("NO_COLOR".into(), "1".into()));
        }
        if let Some(filter) = &options.log_filter {
            env.push(("RUST_LOG".into(), filter.clone()));
        }
        if service == Service::Notifier {
            let keys = self.data_dir.join(SECRETS_KEY_FILE);
            env.push((
                "LIAISON_NOTIFIER_SECRETS_KEY_FILE".into(),
                keys.display().to_string(),
            ));
            // Empty is none: keys inherited from a shell would conflict with the file.
            env.push(("LIAISON_NOTIFIER_SECRETS_KEYS".into(), String::new()));
        }
        env.extend(options.env.iter().cloned());
        if self.options.cluster.is_some() {
            env.push((
                "LIAISON_STREAM_REPLICAS".into(),
                self.nats.replicas().to_string(),
            ));
        }
        if let Some(secrets) = self.nats.secrets() {
            let access = secrets.access(Role::of_service(service));
            env.extend(access.env().into_iter().map(|(k, v)| (k.to_owned(), v)));
        }
        ServiceSetup {
            service,
            binary,
            addr,
            data_dir: self.data_dir.join(instance_name(service, instance)),
            nats_url: self.nats.url(),
            api_token: options.api_token.clone(),
            env,
            output: output_for(
                &options.logs,
                &self.log_dir(),
                &instance_name(service, instance),
            ),
            ready_path: "/readyz".into(),
            ready_timeout: options.ready_timeout,
        }
    }

    /// The options the stack was started with.
    pub fn options(&self) -> &StackOptions {
        &self.options
    }

    /// The root of the stack's data (absolute).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The directory of the log files in [`LogMode::Files`].
    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }

    /// The log file of the process `name` (`nats`, `ingest`, …) in [`LogMode::Files`].
    pub fn log_path(&self, name: &str) -> PathBuf {
        self.log_dir().join(format!("{name}.log"))
    }

    /// The nats-server; panics on a cluster ([`cluster`](Self::cluster)).
    pub fn nats(&self) -> &NatsServer {
        match &self.nats {
            nats::StackNats::Single(nats) => nats,
            nats::StackNats::Cluster(_) => panic!("the stack runs a cluster: use cluster()"),
        }
    }

    /// The nats-server, to stop and start it again; panics on a cluster.
    pub fn nats_mut(&mut self) -> &mut NatsServer {
        match &mut self.nats {
            nats::StackNats::Single(nats) => nats,
            nats::StackNats::Cluster(_) => panic!("the stack runs a cluster: use cluster_mut()"),
        }
    }

    /// The cluster, when the stack runs one.
    pub fn cluster(&self) -> Option<&NatsCluster> {
        match &self.nats {
            nats::StackNats::Cluster(cluster) => Some(cluster),
            nats::StackNats::Single(_) => None,
        }
    }

    /// The cluster, to stop and start its nodes; panics when the stack runs one nats-server.
    pub fn cluster_mut(&mut self) -> &mut NatsCluster {
        match &mut self.nats {
            nats::StackNats::Cluster(cluster) => cluster,
            nats::StackNats::Single(_) => panic!("the stack runs one nats-server: use nats_mut()"),
        }
    }

    /// The NATS URL the services and clients use (every node's, comma separated, on a
    /// cluster).
    pub fn nats_url(&self) -> String {
        self.nats.url()
    }

    /// The generated NATS credentials and certificates of a secured stack; `None` when open.
    pub fn secrets(&self) -> Option<&NatsSecrets> {
        self.nats.secrets()
    }

    /// Every service process, in start order.
    pub fn services(&self) -> &[ServiceProcess] {
        &self.services
    }

    /// Whether the stack runs `service`.
    pub fn runs(&self, service: Service) -> bool {
        self.services.iter().any(|p| p.service() == service)
    }

    /// Every instance of `service`, the first first.
    pub fn instances(&self, service: Service) -> Vec<&ServiceProcess> {
        self.services
            .iter()
            .filter(|p| p.service() == service)
            .collect()
    }

    /// Instance `index` of `service`, to stop or kill it; panics when there is none.
    pub fn instance_mut(&mut self, service: Service, index: usize) -> &mut ServiceProcess {
        self.services
            .iter_mut()
            .filter(|p| p.service() == service)
            .nth(index)
            .unwrap_or_else(|| panic!("the stack runs no instance {index} of {service}"))
    }

    /// The (first) process of `service`; panics when the stack does not run it.
    pub fn service(&self, service: Service) -> &ServiceProcess {
        self.services
            .iter()
            .find(|p| p.service() == service)
            .unwrap_or_else(|| panic!("the stack does not run {service}"))
    }

    /// The process of `service`, to kill or restart it; panics when the stack does not run it.
    pub fn service_mut(&mut self, service: Service) -> &mut ServiceProcess {
        self.services
            .iter_mut()
            .find(|p| p.service() == service)
            .unwrap_or_else(|| panic!("the stack does not run {service}"))
    }

    /// The base URL of `service` (`http://127.0.0.1:7401`).
    pub fn url(&self, service: Service) -> String {
        self.service(service).url()
    }

    /// Waits until any child exits, and says which and how: a running stack should never end
    /// by itself.
    pub async fn wait_for_exit(&mut self) -> StackError {
        let logs = self.options.logs;
        let log_dir = self.log_dir();
        let mut waits = self.nats.processes_mut();
        for service in &mut self.services {
            if let Some(process) = service.process_mut() {
                waits.push(process);
            }
        }
        if waits.is_empty() {
            return StackError::Exited {
                name: "every process".into(),
                status: "stopped".into(),
                hint: String::new(),
            };
        }
        let waits = waits.into_iter().map(|process| {
            Box::pin(async {
                let status = process.wait().await;
                let name = process.name().to_owned();
                StackError::Exited {
                    hint: hint(&output_for(&logs, &log_dir, &name), false),
                    name,
                    status: describe(status),
                }
            })
        });
        futures::future::select_all(waits).await.0
    }

    /// Stops the services (`SIGTERM`, then a kill after the stop timeout), then nats-server.
    pub async fn stop(mut self) {
        let timeout = self.options.stop_timeout;
        let stops = self
            .services
            .iter_mut()
            .rev()
            .map(|service| service.terminate(timeout));
        futures::future::join_all(stops).await;
        self.nats.terminate(timeout).await;
    }
}

/// Prepares `<data_dir>/nats-secrets` for a stack on this machine, saying what it generated.
fn prepare_secrets(
    data_dir: &Path,
    progress: &mut impl FnMut(Progress),
) -> Result<NatsSecrets, StackError> {
    let secrets = NatsSecrets::ensure(data_dir.join(SECRETS_DIR), &DEV_HOSTS)?;
    let dir = secrets.dir().display();
    progress(Progress::Step(match secrets.generated() {
        [] => format!("NATS credentials and certificates reused from {dir}"),
        generated => format!(
            "NATS credentials and certificates generated in {dir} ({})",
            generated.join(", ")
        ),
    }));
    Ok(secrets)
}

/// The name of instance `instance` of `service` (its data directory, its log file, its
/// progress lines): `ingest` for the first, `ingest-2` for the second, …
pub fn instance_name(service: Service, instance: usize) -> String {
    match instance {
        0 => service.name().to_owned(),
        n => format!("{}-{}", service.name(), n + 1),
    }
}

/// Fails with the first address that something already listens on: of NATS (one server, or the
/// shipped cluster's nodes) and of every instance of every service.
fn check_free(addrs: &StackAddrs, options: &StackOptions) -> Result<(), StackError> {
    let mut wanted = match options.cluster {
        None => vec![
            ("nats-server".to_owned(), addrs.nats),
            ("nats-server monitoring".to_owned(), addrs.nats_monitor),
        ],
        Some(size) => (0..size.min(3))
            .flat_map(|i| {
                let node = ClusterNodeConfig::shipped(i, "");
                let name = node_name(i);
                [
                    (name.clone(), node.listen),
                    (format!("{name} monitoring"), node.monitor),
                    (format!("{name} routes"), node.cluster_listen),
                ]
            })
            .collect(),
    };
    for instance in 0..options.instances.max(1) {
        wanted.extend(options.services.iter().map(|s| {
            let name = s.binary_name().to_owned();
            match instance {
                0 => (name, addrs.service(*s)),
                n => (
                    format!("{name} (instance {})", n + 1),
                    addrs.instance(*s, n),
                ),
            }
        }));
    }
    match wanted.into_iter().find(|(_, addr)| !is_free(*addr)) {
        Some((what, addr)) => Err(StackError::AddressInUse { what, addr }),
        None => Ok(()),
    }
}

fn output_for(logs: &LogMode, log_dir: &Path, name: &str) -> Output {
    match logs {
        LogMode::Files => Output::File(log_dir.join(format!("{name}.log"))),
        LogMode::Prefixed { color } => Output::Prefixed(prefix(name, *color)),
    }
}

/// The line prefix of process `name`: padded to the longest name, colored per process.
pub fn prefix(name: &str, color: bool) -> String {
    let padded = format!("{name:>10} │ ");
    if !color {
        return padded;
    }
    let service = name.split_once('-').map_or(name, |(service, _)| service);
    let code = match Service::from_name(service) {
        None => "35", // nats
        Some(Service::Ingest) => "36",
        Some(Service::Projection) => "32",
        Some(Service::Notifier) => "33",
        Some(Service::Reader) => "31",
        Some(Service::Console) => "34",
    };
    format!("\x1b[{code}m{padded}\x1b[0m")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_address_is_named() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let taken = listener.local_addr().unwrap();
        let mut addrs = StackAddrs::free(&Service::CORE);
        addrs.set_service(Service::Notifier, taken);
        let options = StackOptions {
            services: Service::CORE.to_vec(),
            ..StackOptions::for_tests()
        };
        let err = check_free(&addrs, &options).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("liaison-notifier cannot listen on"), "{text}");
        assert!(text.contains(&taken.to_string()), "{text}");
        drop(listener);
        assert!(check_free(&addrs, &options).is_ok());
    }

    #[test]
    fn prefixes_line_up() {
        assert_eq!(prefix("nats", false), "      nats │ ");
        assert_eq!(prefix("projection", false), "projection │ ");
        assert!(prefix("ingest", true).starts_with("\x1b[36m"));
    }
}
