//! Measures the projection on this machine: the apply rate while catching up on a log of N
//! events (default 1,000,000) of the testkit's seeded workload (Zipf-skewed pairs, 5 % late
//! facts, 1 % retractions; 1,000 organizations, 8 topics, no evidence, so that the figure is the
//! fold's, not the parsing of long quotes), then the p50/p99 latency of a status query over HTTP
//! on that data.
//!
//! `cargo run --release -p liaison-projection --example catchup [-- N [CACHE_MIB]]`

use std::time::{Duration, Instant};

use async_nats::jetstream;
use hdrhistogram::Histogram;
use liaison_log::{Appender, LogSettings, OutgoingEvent, ensure_events_stream};
use liaison_projection::{Application, Config};
use liaison_runtime::config::CommonArgs;
use liaison_runtime::shutdown::Shutdown;
use liaison_testkit::workload::{Generator, WorkloadConfig};
use liaison_testkit::{NatsServer, ServerOptions};

/// The workload of the measurement; `seed` 1 for the log, 2 for the queries.
fn workload(seed: u64) -> WorkloadConfig {
    WorkloadConfig {
        organizations: 1_000,
        people: 0,
        topics: 8,
        evidence_share: 0.0,
        ..WorkloadConfig::quick(seed)
    }
}

fn generate(n: usize) -> Vec<OutgoingEvent> {
    let recorded = chrono::Utc::now();
    Generator::new(workload(1))
        .take(n)
        .iter()
        .map(|e| e.to_outgoing(recorded))
        .collect()
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("N"))
        .unwrap_or(1_000_000);
    let cache_mib: u64 = std::env::args()
        .nth(2)
        .map(|s| s.parse().expect("CACHE_MIB"))
        .unwrap_or(128);
    let server = NatsServer::start_with(ServerOptions::fast()).await;
    let client = server.client().await;
    let js = jetstream::new(client.clone());
    ensure_events_stream(&js, &LogSettings::default())
        .await
        .unwrap();

    let t = Instant::now();
    let events = generate(n);
    println!("generated {n} events in {:.1?}", t.elapsed());
    let t = Instant::now();
    let appender = Appender::new(client.clone());
    let mut last = 0;
    let mut chunks = events
        .chunks(1000)
        .map(<[_]>::to_vec)
        .collect::<Vec<_>>()
        .into_iter();
    loop {
        let group: Vec<_> = chunks.by_ref().take(8).collect();
        if group.is_empty() {
            break;
        }
        let appended =
            futures::future::join_all(group.into_iter().map(|c| appender.append_batch(c))).await;
        for a in appended {
            last = last.max(a.expect("append").last().unwrap().sequence);
        }
    }
    println!(
        "published {n} events in {:.1?} (last sequence {last})",
        t.elapsed()
    );
    drop(events);

    let dir = tempfile::tempdir().unwrap();
    let common = CommonArgs {
        nats_urls: vec![server.url()],
        data_dir: Some(dir.path().to_owned()),
        http_addr: Some("127.0.0.1:0".parse().unwrap()),
        sled_cache_mib: Some(cache_mib),
        ..CommonArgs::default()
    };
    let t = Instant::now();
    let shutdown = Shutdown::new();
    let config = Config {
        common,
        ..Config::default()
    };
    let app = Application::build(config, shutdown.clone()).await.unwrap();
    let addr = app.address();
    let follower = app.handle().follower.clone();
    let handle = app.handle().clone();
    let task = tokio::spawn(async move { app.run_until_stopped().await.unwrap() });
    let mut reported = Instant::now();
    while !follower.wait_applied(last, Duration::from_secs(1)).await {
        if reported.elapsed() > Duration::from_secs(10) {
            println!("  applied {} after {:.1?}", follower.applied(), t.elapsed());
            reported = Instant::now();
        }
    }
    let took = t.elapsed();
    println!(
        "caught up on {last} events in {took:.1?}: {:.0} events/s; {}",
        last as f64 / took.as_secs_f64(),
        rss()
    );

    print_tables(&handle.store());

    let http = reqwest::Client::new();
    let mut hist = Histogram::<u64>::new(3).unwrap();
    let mut picker = Generator::new(workload(2));
    for i in 0..11_000 {
        let (a, b) = picker.random_pair();
        let topic = Generator::topic(picker.topic_index());
        let url = format!("http://{addr}/v1/relationships/{a}/{b}?topic={topic}");
        let t = Instant::now();
        let r = http.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let _ = r.bytes().await.unwrap();
        if i >= 1_000 {
            hist.record(t.elapsed().as_micros() as u64).unwrap();
        }
    }
    println!(
        "status query over HTTP ({} queries, Zipf-popular pairs): p50 {} µs, p99 {} µs, max {} µs",
        hist.len(),
        hist.value_at_quantile(0.5),
        hist.value_at_quantile(0.99),
        hist.max()
    );
    println!("after the queries: {}", rss());
    shutdown.trigger();
    let _ = task.await;
}

/// This process's resident memory now (the generated events are dropped by then, so it is
/// mostly the projection's; the peak, VmHWM, includes them).
fn rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with("VmRSS"))
        .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("")
        .replace("kB", "kB RSS")
}

/// Per table of the projection's tree: keys, key bytes and value bytes per applied event, and the
/// bodies file — what the disk per event is made of.
fn print_tables(store: &liaison_projection::store::Store) {
    let mut tables = std::collections::BTreeMap::<u8, (u64, u64, u64)>::new();
    for kv in store.tree().iter() {
        let (k, v) = kv.unwrap();
        let t = tables.entry(k.first().copied().unwrap_or(0)).or_default();
        t.0 += 1;
        t.1 += k.len() as u64;
        t.2 += v.len() as u64;
    }
    for (table, (n, k, v)) in tables {
        println!(
            "  table {:?}: {n} keys, {k} key bytes, {v} value bytes",
            table as char
        );
    }
    println!("  bodies file: {} bytes", store.bodies().committed());
    store.flush().unwrap();
    let disk: u64 = walk(store.path());
    println!("  on disk after a flush: {disk} bytes");
}

/// The bytes of every file under `dir`.
fn walk(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => walk(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}
