//! `liaison-bench`: starts fresh Liaison stacks as separate processes, drives them with a seeded
//! synthetic workload, and measures the raw engines (JetStream publish, a plain consumer into
//! sled) on the same payloads in the same run, so that each figure is printed with its ratio to
//! a baseline and its target. Output: a table on stdout and a JSON file with every figure.
//!
//! Per sync setting (`sync_interval: always` and the NATS default), three phases, each on fresh
//! processes and data: the baselines; the HTTP stack (ingest throughput, 201→visible latency at
//! fixed loads and the maximum rate, alert latency); the large log (loaded directly with atomic
//! batches), replayed into a fresh projection, then queried, then the footprint.
//!
//! `--cluster` runs instead the pipeline on one node (R1) and on a 3-node cluster (R3) side by
//! side, and the time from the log's stream leader's death to the first `201`
//! ([`measure::cluster`], docs/decisions/022-the-cluster.md).

mod baseline;
mod measure;
mod report;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use chrono::Utc;
use clap::{Parser, ValueEnum};
use serde_json::json;

use liaison_testkit::workload::{Generator, WorkloadConfig};
use liaison_testkit::{NatsServer, NatsSetup, Service, SyncMode};
use measure::{e2e, footprint, import, ingest, queries, reader, rebuild, start_service};
use report::{Measurements, Report};

/// Which sync settings to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SyncArg {
    Always,
    Default,
    Both,
}

/// A section to run alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Section {
    Baseline,
    Ingest,
    E2e,
    Alerts,
    Rebuild,
    Queries,
    Footprint,
    Reader,
    Import,
}

/// Measure the Liaison pipeline against the raw engines.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Small sizes and short windows: about a minute in all.
    #[arg(long)]
    quick: bool,
    /// Events in the large log (rebuild, queries, footprint); default 1,000,000 (20,000 quick).
    #[arg(long)]
    events: Option<u64>,
    /// Where to write the JSON results (default bench-results/<timestamp>.json).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Which nats-server sync settings to run.
    #[arg(long, value_enum, default_value = "both")]
    sync: SyncArg,
    /// Run only this section (repeatable).
    #[arg(long, value_enum)]
    only: Vec<Section>,
    /// Seed of the workload.
    #[arg(long, default_value_t = 20_240_228)]
    seed: u64,
    /// Only the pipeline on one node (R1) and on a 3-node cluster (R3), and the time from the
    /// stream leader's death to the first 201.
    #[arg(long)]
    cluster: bool,
}

/// Sizes and windows of a run.
#[derive(Debug, Clone, Copy)]
struct Plan {
    quick: bool,
    big_events: u64,
    baseline_events: usize,
    single_events: usize,
    batch_events: usize,
    load_window: Duration,
    max_rate_events: usize,
    alerts: usize,
    query_window: Duration,
    rebuild_limit: Duration,
    /// Articles the extractor reads for its rate, and articles posted to the reader service.
    extract_articles: usize,
    reader_articles: usize,
    /// Events in the file `liaison import` reads (its rerun after an interruption: a quarter).
    import_events: usize,
}

impl Plan {
    fn new(args: &Args) -> Plan {
        if args.quick {
            let big = args.events.unwrap_or(20_000);
            Plan {
                quick: true,
                big_events: big,
                baseline_events: big.min(20_000) as usize,
                single_events: 2_000,
                batch_events: 5_000,
                load_window: Duration::from_secs(2),
                max_rate_events: 5_000,
                alerts: 40,
                query_window: Duration::from_secs(3),
                rebuild_limit: Duration::from_secs(120),
                extract_articles: 500,
                reader_articles: 1_000,
                import_events: 10_000,
            }
        } else {
            let big = args.events.unwrap_or(1_000_000);
            Plan {
                quick: false,
                big_events: big,
                baseline_events: big.min(200_000) as usize,
                single_events: 20_000,
                batch_events: 100_000,
                load_window: Duration::from_secs(10),
                max_rate_events: 100_000,
                alerts: 200,
                query_window: Duration::from_secs(10),
                rebuild_limit: Duration::from_secs(1_800),
                extract_articles: 2_000,
                reader_articles: 10_000,
                import_events: big as usize,
            }
        }
    }

    fn workload(&self, seed: u64) -> WorkloadConfig {
        if self.quick {
            WorkloadConfig::quick(seed)
        } else {
            WorkloadConfig::full(seed)
        }
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let started_at = Utc::now();
    let plan = Plan::new(&args);
    let modes = match args.sync {
        SyncArg::Always => vec![SyncMode::Always],
        SyncArg::Default => vec![SyncMode::Default],
        SyncArg::Both => vec![SyncMode::Always, SyncMode::Default],
    };
    if args.cluster {
        return cluster_run(&args, &plan).await;
    }
    let wants = |s: Section| args.only.is_empty() || args.only.contains(&s);
    let root = tempfile::Builder::new()
        .prefix("liaison-bench-")
        .tempdir()?;
    let mut runs = Vec::new();
    for sync in modes {
        eprintln!("== {} ==", sync.label());
        let dir = root.path().join(sync.label());
        let mut m = Measurements::default();
        if wants(Section::Baseline) {
            eprintln!("baselines ({} events)", plan.baseline_events);
            if let Err(e) = baselines(&plan, args.seed, sync, &dir.join("baseline"), &mut m).await {
                m.unavailable("baseline", &format!("{e:#}"));
            }
        }
        if [Section::Ingest, Section::E2e, Section::Alerts]
            .into_iter()
            .any(wants)
        {
            eprintln!("HTTP stack");
            if let Err(e) =
                http_phase(&plan, args.seed, sync, &dir.join("http"), &wants, &mut m).await
            {
                let why = format!("{e:#}");
                for prefix in ["ingest", "e2e", "alerts", "footprint.disk.sled_ingest"] {
                    m.unavailable(prefix, &why);
                }
            }
        }
        if [Section::Rebuild, Section::Queries, Section::Footprint]
            .into_iter()
            .any(wants)
        {
            eprintln!("large log ({} events)", plan.big_events);
            if let Err(e) =
                big_phase(&plan, args.seed, sync, &dir.join("big"), &wants, &mut m).await
            {
                let why = format!("{e:#}");
                for prefix in ["rebuild", "queries", "footprint"] {
                    m.unavailable(prefix, &why);
                }
            }
        }
        if wants(Section::Reader) {
            eprintln!("reader ({} articles)", plan.reader_articles);
            if let Err(e) = reader_phase(&plan, sync, &dir.join("reader"), &mut m).await {
                m.unavailable("reader", &format!("{e:#}"));
            }
        }
        if wants(Section::Import) {
            eprintln!("import ({} events)", plan.import_events);
            if let Err(e) = import_phase(&plan, args.seed, sync, &dir.join("import"), &mut m).await
            {
                m.unavailable("import", &format!("{e:#}"));
            }
        }
        m.unavailable("", "section not selected (--only)");
        runs.push((sync, m));
    }
    let meta = json!({
        "quick": plan.quick,
        "seed": args.seed,
        "large_log_events": plan.big_events,
        "baseline_events": plan.baseline_events,
        "http": {"single_events": plan.single_events, "batch_events": plan.batch_events,
            "load_window_s": plan.load_window.as_secs_f64(), "max_rate_events": plan.max_rate_events,
            "alerts": plan.alerts},
        "query_window_s": plan.query_window.as_secs_f64(),
        "large_log_loading": "appended directly with liaison-log atomic batches of 1000 envelopes, not through HTTP",
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "started_at": started_at.to_rfc3339(),
        "duration_s": (Utc::now() - started_at).num_milliseconds() as f64 / 1000.0,
    });
    let report = Report::build(meta, &runs);
    print!("{}", report.table());
    let out = args.out.unwrap_or_else(|| {
        PathBuf::from(format!(
            "bench-results/{}.json",
            Utc::now().format("%Y%m%dT%H%M%SZ")
        ))
    });
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&out, serde_json::to_vec_pretty(&report)?)?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// `--cluster`: R1 and R3 side by side, printed and written as JSON.
async fn cluster_run(args: &Args, plan: &Plan) -> Result<()> {
    let started_at = Utc::now();
    let root = tempfile::Builder::new()
        .prefix("liaison-bench-cluster-")
        .tempdir()?;
    let cluster_plan = measure::cluster::ClusterPlan {
        load_window: plan.load_window,
        max_rate_events: plan.max_rate_events,
        quick: plan.quick,
    };
    let (r1, r3) = measure::cluster::run(cluster_plan, args.seed, root.path()).await;
    print!("{}", measure::cluster::table(&r1, &r3));
    let meta = json!({
        "quick": plan.quick,
        "seed": args.seed,
        "load_events_per_s": 500,
        "load_window_s": plan.load_window.as_secs_f64(),
        "max_rate_events": plan.max_rate_events,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "started_at": started_at.to_rfc3339(),
        "duration_s": (Utc::now() - started_at).num_milliseconds() as f64 / 1000.0,
    });
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "bench-results/cluster-{}.json",
            Utc::now().format("%Y%m%dT%H%M%SZ")
        ))
    });
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let json = measure::cluster::json(&r1, &r3, meta);
    std::fs::write(&out, serde_json::to_vec_pretty(&json)?)?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

async fn baselines(
    plan: &Plan,
    seed: u64,
    sync: SyncMode,
    dir: &Path,
    m: &mut Measurements,
) -> Result<()> {
    let nats = start_nats(&dir.join("nats"), sync).await?;
    let mut generator = Generator::new(plan.workload(seed));
    let now = Utc::now();
    let events: Vec<_> = generator
        .take(plan.baseline_events)
        .iter()
        .map(|e| e.to_outgoing(now))
        .collect();
    let bytes: usize = events.iter().map(|e| e.payload.len()).sum();
    m.set(
        "baseline.payload.bytes_per_event",
        bytes as f64 / events.len().max(1) as f64,
    );
    let rate = baseline::js_publish(&nats.url(), &events).await?;
    m.set("baseline.js_publish.events_per_s", rate);
    m.note(
        "baseline.js_publish.events_per_s",
        format!(
            "{} envelopes, 512 acks in flight, plain file stream",
            events.len()
        ),
    );
    let rate =
        baseline::consumer_into_sled(&nats.url(), &dir.join("sled"), events.len() as u64).await?;
    m.set("baseline.consumer_sled.events_per_s", rate);
    m.note(
        "baseline.consumer_sled.events_per_s",
        "durable pull consumer, sled batch of 1000 with checkpoint, AckAll",
    );
    let (sled_dir, n) = (dir.join("sled-scattered"), plan.big_events);
    let rate =
        tokio::task::spawn_blocking(move || baseline::sled_scattered(&sled_dir, n)).await??;
    m.set("baseline.sled_scattered.events_per_s", rate);
    m.note(
        "baseline.sled_scattered.events_per_s",
        format!(
            "{n} events x {} random keys of 100 B + 1 absent-key lookup, batches of 2000 events, 64 MiB cache",
            baseline::SCATTERED_KEYS
        ),
    );
    Ok(())
}

async fn http_phase(
    plan: &Plan,
    seed: u64,
    sync: SyncMode,
    dir: &Path,
    wants: &impl Fn(Section) -> bool,
    m: &mut Measurements,
) -> Result<()> {
    let nats = start_nats(&dir.join("nats"), sync).await?;
    let ready = Duration::from_secs(30);
    let ingest_svc = start_service(Service::Ingest, &nats.url(), dir, "/readyz", ready).await?;
    let projection = start_service(Service::Projection, &nats.url(), dir, "/readyz", ready).await;
    let notifier = start_service(Service::Notifier, &nats.url(), dir, "/readyz", ready).await;
    let client = measure::http_client()?;
    let ingest = ingest_svc.url();
    // A different seed from the large log, so that ids never collide across phases.
    let mut generator = Generator::new(plan.workload(seed + 1));
    let registrations = generator.take(generator.registrations() as usize);
    ingest::register(&client, &ingest, &registrations).await?;
    // The highest sequence the ingest section appended: the e2e windows start once the
    // projection has applied it.
    let mut appended = 0;

    if wants(Section::Ingest) {
        let events = generator.take(plan.single_events);
        match ingest::throughput(&client, &ingest, &events, 1, 32).await {
            Ok(t) => {
                appended = appended.max(t.last_sequence);
                m.set("ingest.single.events_per_s", t.events_per_s);
                m.note(
                    "ingest.single.events_per_s",
                    note_errors(
                        "one event per request, 32 in flight",
                        t.errors,
                        &t.first_error,
                    ),
                );
            }
            Err(e) => m.unavailable("ingest.single", &format!("{e:#}")),
        }
        let events = generator.take(plan.batch_events);
        match ingest::throughput(&client, &ingest, &events, 100, 4).await {
            Ok(t) => {
                appended = appended.max(t.last_sequence);
                m.set("ingest.batch.events_per_s", t.events_per_s);
                m.note(
                    "ingest.batch.events_per_s",
                    note_errors(
                        "100 events per request, 4 in flight",
                        t.errors,
                        &t.first_error,
                    ),
                );
            }
            Err(e) => m.unavailable("ingest.batch", &format!("{e:#}")),
        }
    }
    if wants(Section::E2e) {
        match &projection {
            Ok(projection) => {
                let base = projection.url();
                let notifier_base = notifier.as_ref().ok().map(|n| n.url());
                if let Err(e) =
                    e2e::settle(&client, &base, notifier_base.as_deref(), appended).await
                {
                    eprintln!("  the stack did not catch up before the e2e windows: {e:#}");
                }
                for (rate, keys) in [
                    (
                        500.0,
                        [
                            "e2e.load_500.p50_ms",
                            "e2e.load_500.p95_ms",
                            "e2e.load_500.p99_ms",
                        ],
                    ),
                    (
                        1000.0,
                        [
                            "e2e.load_1000.p50_ms",
                            "e2e.load_1000.p95_ms",
                            "e2e.load_1000.p99_ms",
                        ],
                    ),
                    (
                        2000.0,
                        [
                            "e2e.load_2000.p50_ms",
                            "e2e.load_2000.p95_ms",
                            "e2e.load_2000.p99_ms",
                        ],
                    ),
                ] {
                    let n = (rate * plan.load_window.as_secs_f64()) as usize;
                    let events = generator.take(n);
                    eprintln!("  e2e at {rate} ev/s");
                    match e2e::fixed_load(&client, &ingest, &base, events, rate).await {
                        Ok(r) => {
                            for (key, q) in keys.iter().zip([0.5, 0.95, 0.99]) {
                                m.set(key, r.latencies.ms(q));
                            }
                            let how = format!(
                                "{n} single events, offered {rate} ev/s, achieved {:.0}",
                                r.achieved_per_s
                            );
                            m.note(keys[2], note_errors(&how, r.errors, &r.first_error));
                        }
                        Err(e) => {
                            for key in keys {
                                m.unavailable(key, &format!("{e:#}"));
                            }
                        }
                    }
                }
                let events = generator.take(plan.max_rate_events);
                match e2e::max_rate(&client, &ingest, &base, &events).await {
                    Ok((rate, t)) => {
                        m.set("e2e.max_rate.events_per_s", rate);
                        m.note(
                            "e2e.max_rate.events_per_s",
                            note_errors(
                                &format!("{} events in batches of 100, 8 in flight, first POST to last visible", events.len()),
                                t.errors,
                                &t.first_error,
                            ),
                        );
                    }
                    Err(e) => m.unavailable("e2e.max_rate", &format!("{e:#}")),
                }
            }
            Err(e) => m.unavailable("e2e", &format!("projection: {e:#}")),
        }
    }
    if wants(Section::Alerts) {
        match &notifier {
            Ok(notifier) => {
                match measure::alerts::run(
                    &client,
                    &ingest,
                    &notifier.url(),
                    &nats.url(),
                    plan.alerts,
                    seed,
                )
                .await
                {
                    Ok(r) => {
                        for (latencies, prefix, p50, p99) in [
                            (
                                &r.webhook,
                                "alerts.webhook",
                                "alerts.webhook.p50_ms",
                                "alerts.webhook.p99_ms",
                            ),
                            (
                                &r.nats,
                                "alerts.nats",
                                "alerts.nats.p50_ms",
                                "alerts.nats.p99_ms",
                            ),
                        ] {
                            if latencies.is_empty() {
                                m.unavailable(
                                    prefix,
                                    &format!("none of {} alerts received in time", r.expected),
                                );
                            } else {
                                m.set(p50, latencies.ms(0.5));
                                m.set(p99, latencies.ms(0.99));
                                m.note(
                                    p99,
                                    format!(
                                        "{} of {} alerts received",
                                        latencies.len(),
                                        r.expected
                                    ),
                                );
                            }
                        }
                    }
                    Err(e) => m.unavailable("alerts", &format!("{e:#}")),
                }
            }
            Err(e) => m.unavailable("alerts", &format!("notifier: {e:#}")),
        }
    }
    drop((projection, notifier, ingest_svc, nats));
    Ok(())
}

async fn big_phase(
    plan: &Plan,
    seed: u64,
    sync: SyncMode,
    dir: &Path,
    wants: &impl Fn(Section) -> bool,
    m: &mut Measurements,
) -> Result<()> {
    // Write back what the earlier sections left dirty in the page cache first, so that the
    // kernel does not stall this section's load and rebuild with it.
    let _ = std::process::Command::new("sync").status();
    let mut nats = start_nats(&dir.join("nats"), sync).await?;
    let mut generator = Generator::new(plan.workload(seed));
    let loaded = rebuild::load_log(&nats.url(), &mut generator, plan.big_events).await?;
    eprintln!(
        "  loaded {} events at {:.0} ev/s",
        loaded.events, loaded.events_per_s
    );
    let (rate, mut projection) =
        rebuild::rebuild(&nats.url(), dir, loaded, plan.rebuild_limit).await?;
    m.set("rebuild.events_per_s", rate);
    m.note(
        "rebuild.events_per_s",
        format!(
            "{} events ({} late, {} retractions, {:.0} B/event payload) loaded directly at {:.0} ev/s \
             (atomic batches of 1000); fresh projection start to caught up",
            loaded.events,
            loaded.late,
            loaded.retractions,
            loaded.payload_bytes as f64 / loaded.events.max(1) as f64,
            loaded.events_per_s
        ),
    );
    let client = measure::http_client()?;
    if wants(Section::Queries) {
        let mut picker = Generator::new(plan.workload(seed + 2));
        for (urls, prefix, in_flight) in [
            (
                queries::status_urls(&projection.url(), &mut picker, 10_000),
                "queries.status",
                16,
            ),
            (
                queries::timeline_urls(&projection.url(), &mut picker, 10_000),
                "queries.timeline",
                8,
            ),
        ] {
            match queries::run(&client, &urls, in_flight, plan.query_window).await {
                Ok(r) => {
                    let (p50, p99, qps) = match prefix {
                        "queries.status" => (
                            "queries.status.p50_ms",
                            "queries.status.p99_ms",
                            "queries.status.qps",
                        ),
                        _ => (
                            "queries.timeline.p50_ms",
                            "queries.timeline.p99_ms",
                            "queries.timeline.qps",
                        ),
                    };
                    m.set(p50, r.latencies.ms(0.5));
                    m.set(p99, r.latencies.ms(0.99));
                    m.set(qps, r.per_s);
                    m.note(
                        qps,
                        format!(
                            "{in_flight} in flight, {} errors, Zipf-popular keys",
                            r.errors
                        ),
                    );
                }
                Err(e) => m.unavailable(prefix, &format!("{e:#}")),
            }
        }
    }
    if wants(Section::Footprint) {
        let ready = plan.rebuild_limit;
        let mut ingest = start_service(Service::Ingest, &nats.url(), dir, "/readyz", ready).await;
        let mut notifier =
            start_service(Service::Notifier, &nats.url(), dir, "/readyz", ready).await;
        let mut reader = start_service(Service::Reader, &nats.url(), dir, "/readyz", ready).await;
        let mut services = vec![&mut projection];
        match &mut ingest {
            Ok(s) => services.push(s),
            Err(e) => m.unavailable("footprint.rss.ingest", &format!("{e:#}")),
        }
        match &mut notifier {
            Ok(s) => services.push(s),
            Err(e) => m.unavailable("footprint.rss.notifier", &format!("{e:#}")),
        }
        match &mut reader {
            Ok(s) => services.push(s),
            Err(e) => m.unavailable("footprint.rss.reader", &format!("{e:#}")),
        }
        footprint::record(m, &mut nats, &mut services, loaded.events);
        for key in [
            "footprint.rss.ingest_mib",
            "footprint.rss.projection_mib",
            "footprint.rss.notifier_mib",
            "footprint.rss.reader_mib",
        ] {
            m.note(
                key,
                format!(
                    "VmHWM once caught up with the {}-event log from an empty data directory \
                     (the projection's over its rebuild and the queries)",
                    loaded.events
                ),
            );
        }
    }
    Ok(())
}

/// The reader's figures: the extractor's rate on one core (in this process), then the reader
/// service reading `plan.reader_articles` articles, with its peak memory.
async fn reader_phase(plan: &Plan, sync: SyncMode, dir: &Path, m: &mut Measurements) -> Result<()> {
    let corpus = reader::Corpus::from_gold();
    let (rate, candidates) = reader::extraction_rate(&corpus, plan.extract_articles);
    m.set("reader.extract.articles_per_s", rate);
    m.note(
        "reader.extract.articles_per_s",
        format!(
            "{} articles of {} words built from the gold set, one thread, half with language \
             detection; {candidates} candidates",
            plan.extract_articles,
            reader::WORDS
        ),
    );
    let nats = start_nats(&dir.join("nats"), sync).await?;
    let figures =
        reader::service_memory(&corpus, &nats.url(), dir, plan.reader_articles, 4).await?;
    m.set("reader.http.articles_per_s", figures.articles_per_s);
    m.set(
        "reader.rss_mib",
        figures.peak_rss as f64 / (1024.0 * 1024.0),
    );
    for key in ["reader.http.articles_per_s", "reader.rss_mib"] {
        m.note(
            key,
            format!(
                "{} distinct articles of about {} words posted over HTTP, 4 in flight, with the \
                 gold registry (VmHWM at the end)",
                plan.reader_articles,
                reader::WORDS
            ),
        );
    }
    Ok(())
}

/// `liaison import` of a generated file on a fresh nats-server and ingest, then the same
/// command interrupted and run again (`measure::import`).
async fn import_phase(
    plan: &Plan,
    seed: u64,
    sync: SyncMode,
    dir: &Path,
    m: &mut Measurements,
) -> Result<()> {
    let nats = start_nats(&dir.join("nats"), sync).await?;
    let ingest = start_service(
        Service::Ingest,
        &nats.url(),
        dir,
        "/readyz",
        Duration::from_secs(30),
    )
    .await?;
    // Its own seed: ids never collide with another phase's.
    let mut generator = Generator::new(plan.workload(seed + 3));
    let client = measure::http_client()?;
    let r = import::run(
        &client,
        &ingest.url(),
        &nats.url(),
        &mut generator,
        plan.import_events,
        dir,
    )
    .await?;
    m.set("import.events_per_s", r.events_per_s);
    m.note(
        "import.events_per_s",
        format!("`liaison import` of a {}-event NDJSON file (default batch size), command start to exit", r.events),
    );
    m.set("import.rerun.duplicates", r.duplicates as f64);
    m.note(
        "import.rerun.duplicates",
        format!(
            "a {}-event import killed with {} in the log, then run again to the end",
            r.rerun_events, r.in_log_at_kill
        ),
    );
    Ok(())
}

/// A nats-server for one phase, its store and log under `dir`, with fsync `sync`.
async fn start_nats(dir: &Path, sync: SyncMode) -> Result<NatsServer> {
    std::fs::create_dir_all(dir)?;
    Ok(NatsServer::launch(NatsSetup::in_dir(dir, sync)?).await?)
}

fn note_errors(how: &str, errors: u64, first: &Option<String>) -> String {
    match first {
        Some(e) if errors > 0 => format!("{how}; {errors} failed requests, first: {e}"),
        _ => how.to_owned(),
    }
}
