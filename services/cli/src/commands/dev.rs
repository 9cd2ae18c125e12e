//! `liaison dev`: the whole stack on this machine, in the foreground, until Ctrl-C — secured as
//! shipped: nats-server requires TLS and knows one user per role; the credentials and the
//! local CA are generated into `<data-dir>/nats-secrets` on the first start and reused after;
//! the streams are created as the admin before the services start, each service with its own
//! role's key.
//!
//! `--cluster` runs NATS as the shipped 3-node cluster with R3 streams and two instances of each
//! service, on fixed ports (or free ones with `--free-ports`) — docs/decisions/022-the-cluster.md.

use std::net::SocketAddr;
use std::path::Path;

use async_nats::jetstream::stream;
use liaison_log::{
    LogSettings, alerts_stream_config, articles_stream_config, events_stream_config,
};

use crate::cli::{DevArgs, GlobalArgs};
use crate::commands::Context;
use crate::error::{CliError, CliResult};
use crate::stack::{
    DEV_SERVICES, LogMode, NatsCluster, Progress, Service, Stack, StackAddrs, StackError,
    StackOptions, cluster_dir, node_name,
};

/// Runs the command.
pub async fn run(args: DevArgs, ctx: &Context) -> CliResult {
    if args.fresh {
        remove_data_dir(&args.data_dir, "--fresh")?;
    }
    let mut options = StackOptions::dev(&args.data_dir, LogMode::prefixed());
    options.addrs = Some(addresses(&ctx.global, args.nats_monitor_addr)?);
    options.api_token = ctx.global.api_token.clone();
    options.streams = streams();
    if args.cluster {
        options = options.on_cluster(CLUSTER_NODES, CLUSTER_INSTANCES);
        if args.free_ports {
            options.addrs = None;
        }
    }
    options.find_binaries().map_err(StackError::from)?;
    let resuming = match args.cluster {
        true => cluster_dir(&args.data_dir).is_dir(),
        false => args.data_dir.join("nats").is_dir(),
    };
    println!(
        "liaison dev: {} data in {}",
        if resuming {
            "resuming with the"
        } else {
            "new stack,"
        },
        args.data_dir.display()
    );
    let mut stack = Stack::start(options, print_progress)
        .await
        .map_err(StackError::from)?;
    match stack.cluster() {
        Some(cluster) => print_cluster_banner(&stack, cluster, &args.data_dir),
        None => print_banner(&stack, &args.data_dir),
    }

    let error = tokio::select! {
        _ = tokio::signal::ctrl_c() => None,
        _ = sigterm() => None,
        e = stack.wait_for_exit() => Some(StackError::from(e)),
    };
    match &error {
        None => println!("\nstopping the stack (Ctrl-C again to kill it at once)…"),
        Some(e) => eprintln!("\n{e}; stopping the rest of the stack…"),
    }
    tokio::select! {
        () = stack.stop() => println!(
            "stopped; start again with `liaison dev --data-dir {}{}` to resume",
            args.data_dir.display(),
            if args.cluster { " --cluster" } else { "" }
        ),
        _ = tokio::signal::ctrl_c() => eprintln!("killed"),
    }
    match error {
        None => Ok(()),
        Some(e) => Err(e.into()),
    }
}

/// The nodes of `liaison dev --cluster`: the shipped cluster's three.
pub const CLUSTER_NODES: usize = 3;

/// The instances of each service `liaison dev --cluster` runs.
pub const CLUSTER_INSTANCES: usize = 2;

/// The streams the stack creates as the admin before the services start: the log, the alerts
/// and the reader's articles, with the settings of one machine.
pub fn streams() -> Vec<stream::Config> {
    let settings = LogSettings::default();
    vec![
        events_stream_config(&settings),
        alerts_stream_config(&settings),
        articles_stream_config(&settings),
    ]
}

/// Removes `dir` (for `--fresh` and the demo), saying so.
pub fn remove_data_dir(dir: &Path, why: &str) -> CliResult {
    if dir.exists() {
        println!("{why}: removing {}", dir.display());
        std::fs::remove_dir_all(dir)
            .map_err(|e| CliError::usage(format!("cannot remove {}: {e}", dir.display())))?;
    }
    Ok(())
}

/// The addresses the global URLs name, so that `--projection-url` and friends also move the
/// stack; NATS monitoring on `monitor`, else where the shipped configuration puts it.
pub fn addresses(global: &GlobalArgs, monitor: Option<SocketAddr>) -> CliResult<StackAddrs> {
    let mut addrs = StackAddrs::shipped();
    let urls = [
        (Service::Ingest, &global.ingest_url),
        (Service::Projection, &global.projection_url),
        (Service::Notifier, &global.notifier_url),
        (Service::Reader, &global.reader_url),
        (Service::Console, &global.console_url),
    ];
    for (service, url) in urls {
        addrs.set_service(service, addr_of(url, "http://")?);
    }
    let nats = global.nats_url.split(',').next().unwrap_or_default();
    addrs.nats = addr_of(nats, "nats://")?;
    if let Some(monitor) = monitor {
        addrs.nats_monitor = monitor;
    }
    Ok(addrs)
}

fn addr_of(url: &str, scheme: &str) -> CliResult<SocketAddr> {
    let rest = url
        .trim()
        .strip_prefix(scheme)
        .unwrap_or(url)
        .trim_end_matches('/');
    let rest = rest.replace("localhost", "127.0.0.1");
    rest.parse().map_err(|_| {
        CliError::usage(format!(
            "`liaison dev` needs a local {scheme}IP:PORT address, not `{url}`"
        ))
    })
}

/// Prints one line per step of the start.
pub fn print_progress(p: Progress) {
    match p {
        Progress::Started { name, pid } => println!("  {name:<10} started (pid {pid})"),
        Progress::Step(step) => println!("  {step}"),
        Progress::Ready { name, url, elapsed } => {
            println!(
                "  {name:<10} ready at {url} ({:.1} s)",
                elapsed.as_secs_f64()
            );
        }
    }
}

fn print_banner(stack: &Stack, data_dir: &Path) {
    let nats_note = match stack.secrets() {
        Some(secrets) => format!(" (TLS, one user per role: {})", secrets.dir().display()),
        None => String::new(),
    };
    println!(
        "\nLiaison is running (data in {}):\n  NATS        {}{nats_note}\n  ingest      {}\n  projection  {}\n  notifier    {}\n  reader      {}\n  console     {}/  (open it in a browser)\n\
         Try `liaison import deploy/scenarios/meta-lg-2024.json`, `liaison org meta`, `liaison tail --follow`.",
        data_dir.display(),
        stack.nats_url(),
        stack.url(Service::Ingest),
        stack.url(Service::Projection),
        stack.url(Service::Notifier),
        stack.url(Service::Reader),
        stack.url(Service::Console),
    );
    if let Some(secrets) = stack.secrets() {
        println!(
            "For `liaison tail`, `status` (evidence) and `alerts --follow` over NATS, first:\n  source {}",
            secrets.cli_env().display()
        );
    }
    println!("Ctrl-C stops everything.\n");
}

/// What runs where on a cluster: every node (client URL, monitoring, log), then every instance
/// of every service, one line per service.
fn print_cluster_banner(stack: &Stack, cluster: &NatsCluster, data_dir: &Path) {
    println!(
        "\nLiaison is running on a {}-node NATS cluster, streams of {} replicas (data in {}):",
        cluster.size(),
        cluster.size(),
        data_dir.display()
    );
    if let Some(secrets) = stack.secrets() {
        println!(
            "  NATS secured: TLS, one user per role ({})",
            secrets.dir().display()
        );
    }
    for index in 0..cluster.size() {
        println!(
            "  {:<11} {}  monitoring {}  log {}",
            node_name(index),
            cluster.url(index),
            cluster.monitor_url(index),
            cluster.log_path(index).display()
        );
    }
    println!("  {:<11} {}", "NATS", stack.nats_url());
    for service in DEV_SERVICES {
        let urls: Vec<String> = stack.instances(service).iter().map(|p| p.url()).collect();
        println!("  {:<11} {}", service.name(), urls.join(" "));
    }
    println!(
        "The console, the CLI and the other services use the first instance of each; both serve \
         queries over NATS (a queue group).\nTry `liaison --nats-url {} tail` after sourcing the \
         cli.env below.",
        stack.nats_url()
    );
    if let Some(secrets) = stack.secrets() {
        println!("  source {}", secrets.cli_env().display());
    }
    println!("Ctrl-C stops everything.\n");
}

#[cfg(unix)]
async fn sigterm() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut s) => {
            s.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
}
