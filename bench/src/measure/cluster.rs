//! `--cluster`: the pipeline (ingest → log → projection) on one nats-server with R1 streams and
//! on a 3-node cluster with R3 streams, in the same run on the same machine, and the time from
//! the death (`kill -9`) of the log's stream leader to the first `201` after it
//! (docs/decisions/022-the-cluster.md).
//!
//! Each setting gets fresh processes and data: the nats-server(s) with `sync_interval: always`
//! as shipped, one ingest and one projection (the cluster's with every node's URL and
//! `LIAISON_STREAM_REPLICAS=3`), the workload's registrations, then the e2e figures of the
//! main run: `201` → visible at a fixed load, and the maximum rate.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::{e2e, http_client, ingest, post_events};
use liaison_testkit::workload::{GenEvent, Generator, WorkloadConfig};
use liaison_testkit::{ClusterSetup, NatsCluster, NatsServer, NatsSetup, Service, ServiceProcess};
use liaison_testkit::{ServiceSetup, SyncMode};

/// The offered load of the fixed-load window, events per second.
const LOAD: f64 = 500.0;

/// The sizes of a run.
#[derive(Debug, Clone, Copy)]
pub struct ClusterPlan {
    /// The fixed-load window.
    pub load_window: Duration,
    /// Events of the maximum-rate run.
    pub max_rate_events: usize,
    /// Small workload (quick).
    pub quick: bool,
}

/// The figures of one setting.
#[derive(Debug, Clone, Default)]
pub struct Pipeline {
    /// `201` → visible at [`LOAD`]: p50, p95, p99 in ms.
    pub load: Option<[f64; 3]>,
    /// Events per second, first POST to last visible.
    pub max_rate: Option<f64>,
    /// Leader death → first `201`, ms (the cluster only).
    pub failover_ms: Option<f64>,
    /// Why a figure is missing.
    pub errors: Vec<String>,
}

/// Runs both settings under `dir`; R1 then R3.
pub async fn run(plan: ClusterPlan, seed: u64, dir: &Path) -> (Pipeline, Pipeline) {
    eprintln!("R1: one nats-server");
    let r1 = match one_node(plan, seed, &dir.join("r1")).await {
        Ok(p) => p,
        Err(e) => failed(e),
    };
    eprintln!("R3: a 3-node cluster");
    let r3 = match three_nodes(plan, seed, &dir.join("r3")).await {
        Ok(p) => p,
        Err(e) => failed(e),
    };
    (r1, r3)
}

fn failed(e: anyhow::Error) -> Pipeline {
    Pipeline {
        errors: vec![format!("{e:#}")],
        ..Pipeline::default()
    }
}

async fn one_node(plan: ClusterPlan, seed: u64, dir: &Path) -> Result<Pipeline> {
    std::fs::create_dir_all(dir.join("nats"))?;
    let nats = NatsServer::launch(NatsSetup::in_dir(&dir.join("nats"), SyncMode::Always)?).await?;
    let (ingest, projection) = services(&nats.url(), 1, dir).await?;
    let mut generator = Generator::new(workload(plan, seed));
    Ok(pipeline(plan, &mut generator, &ingest.url(), &projection.url()).await)
}

async fn three_nodes(plan: ClusterPlan, seed: u64, dir: &Path) -> Result<Pipeline> {
    let setup = ClusterSetup {
        dir: dir.join("nats"),
        size: 3,
        shipped_ports: false,
        secrets: None,
        sync: SyncMode::Always,
    };
    let mut cluster = NatsCluster::launch(setup, &mut |_, _| {}).await?;
    let (ingest, projection) = services(&cluster.urls().join(","), 3, dir).await?;
    let mut generator = Generator::new(workload(plan, seed));
    let mut figures = pipeline(plan, &mut generator, &ingest.url(), &projection.url()).await;
    match failover(&mut cluster, &mut generator, &ingest.url()).await {
        Ok(ms) => figures.failover_ms = Some(ms),
        Err(e) => figures.errors.push(format!("failover: {e:#}")),
    }
    Ok(figures)
}

fn workload(plan: ClusterPlan, seed: u64) -> WorkloadConfig {
    if plan.quick {
        WorkloadConfig::quick(seed)
    } else {
        WorkloadConfig::full(seed)
    }
}

/// An ingest and a projection on `nats_url`, ready.
async fn services(
    nats_url: &str,
    replicas: usize,
    dir: &Path,
) -> Result<(ServiceProcess, ServiceProcess)> {
    let mut started = Vec::new();
    for service in [Service::Ingest, Service::Projection] {
        let mut setup = ServiceSetup::in_dir(service, nats_url, dir)?
            .with_env("RUST_LOG", "warn")
            .with_env("LIAISON_STREAM_REPLICAS", &replicas.to_string());
        setup.ready_timeout = Duration::from_secs(60);
        let process = ServiceProcess::launch(setup)
            .await
            .with_context(|| format!("{} not ready", service.binary_name()))?;
        started.push(process);
    }
    let projection = started.pop().expect("two");
    Ok((started.pop().expect("two"), projection))
}

/// The registrations, then the fixed load and the maximum rate.
async fn pipeline(
    plan: ClusterPlan,
    generator: &mut Generator,
    ingest_url: &str,
    projection: &str,
) -> Pipeline {
    let mut figures = Pipeline::default();
    let client = match http_client() {
        Ok(c) => c,
        Err(e) => return failed(e),
    };
    let registrations = generator.take(generator.registrations() as usize);
    match ingest::register(&client, ingest_url, &registrations).await {
        Ok(last) => {
            if let Err(e) = e2e::settle(&client, projection, None, last).await {
                figures.errors.push(format!("settle: {e:#}"));
            }
        }
        Err(e) => {
            figures.errors.push(format!("registrations: {e:#}"));
            return figures;
        }
    }
    let n = (LOAD * plan.load_window.as_secs_f64()) as usize;
    match e2e::fixed_load(&client, ingest_url, projection, generator.take(n), LOAD).await {
        Ok(r) => figures.load = Some([0.5, 0.95, 0.99].map(|q| r.latencies.ms(q))),
        Err(e) => figures.errors.push(format!("fixed load: {e:#}")),
    }
    let events = generator.take(plan.max_rate_events);
    match e2e::max_rate(&client, ingest_url, projection, &events).await {
        Ok((rate, _)) => figures.max_rate = Some(rate),
        Err(e) => figures.errors.push(format!("max rate: {e:#}")),
    }
    figures
}

/// Kills the node that leads the log's stream and appends until ingest answers `201` (each
/// event retried as it is, with its id): milliseconds from the kill to that `201`.
async fn failover(
    cluster: &mut NatsCluster,
    generator: &mut Generator,
    ingest_url: &str,
) -> Result<f64> {
    let js = cluster.jetstream().await;
    let mut stream = js
        .get_stream(liaison_proto::subjects::EVENTS_STREAM)
        .await?;
    let info = stream.info().await?;
    let leader = info
        .cluster
        .as_ref()
        .and_then(|c| c.leader.clone())
        .context("the log's stream has no leader")?;
    let index = (0..cluster.size())
        .find(|i| leader == format!("n{i}"))
        .with_context(|| format!("the leader {leader} is not a node of the cluster"))?;
    let client = http_client()?;
    eprintln!("  kill -9 of {leader}, the log's stream leader");
    cluster.stop_node(index);
    let killed = Instant::now();
    let event: GenEvent = generator.next_event();
    loop {
        if post_events(&client, ingest_url, event.to_bytes())
            .await
            .is_ok()
        {
            // `post_events` accepts `200` too: an earlier attempt may have been stored.
            let ms = killed.elapsed().as_secs_f64() * 1000.0;
            cluster.start_node(index).await;
            return Ok(ms);
        }
        if killed.elapsed() > Duration::from_secs(120) {
            bail!("no 201 within 120 s of the leader's death");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The table: one row per figure, R1 and R3 side by side.
pub fn table(r1: &Pipeline, r3: &Pipeline) -> String {
    let cell = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"));
    let load = |p: &Pipeline, i: usize| p.load.map(|l| l[i]);
    let mut out = String::from(
        "\ncluster: the pipeline on one node (R1) and on a 3-node cluster (R3), sync_interval: always\n",
    );
    out += &format!("{:<44} {:>12} {:>12}\n", "figure", "R1", "R3");
    for (label, a, b) in [
        (
            "201 → visible p50 at 500 ev/s (ms)",
            load(r1, 0),
            load(r3, 0),
        ),
        (
            "201 → visible p95 at 500 ev/s (ms)",
            load(r1, 1),
            load(r3, 1),
        ),
        (
            "201 → visible p99 at 500 ev/s (ms)",
            load(r1, 2),
            load(r3, 2),
        ),
        (
            "max rate, first POST → last visible (ev/s)",
            r1.max_rate,
            r3.max_rate,
        ),
        ("leader kill -9 → first 201 (ms)", None, r3.failover_ms),
    ] {
        out += &format!("{label:<44} {:>12} {:>12}\n", cell(a), cell(b));
    }
    for (name, p) in [("R1", r1), ("R3", r3)] {
        for e in &p.errors {
            out += &format!("{name} unavailable: {e}\n");
        }
    }
    out
}

/// The JSON of both settings.
pub fn json(r1: &Pipeline, r3: &Pipeline, meta: Value) -> Value {
    let one = |p: &Pipeline| {
        json!({
            "e2e_load_500_ms": p.load.map(|l| json!({"p50": l[0], "p95": l[1], "p99": l[2]})),
            "max_rate_events_per_s": p.max_rate,
            "leader_kill_to_first_201_ms": p.failover_ms,
            "errors": p.errors,
        })
    };
    json!({"meta": meta, "cluster": {"r1": one(r1), "r3": one(r3)}})
}
