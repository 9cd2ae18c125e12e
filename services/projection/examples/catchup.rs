//! Measures the projection on this machine: the apply rate while catching up on a log of N
//! events (default 1,000,000; Zipf-skewed pairs, 5 % late facts, 1 % retractions), then the
//! p50/p99 latency of a status query over HTTP on that data.
//!
//! `cargo run --release -p liaison-projection --example catchup [-- N [CACHE_MIB]]`

use std::time::{Duration, Instant};

use async_nats::jetstream;
use hdrhistogram::Histogram;
use liaison_log::{Appender, LogSettings, OutgoingEvent, ensure_events_stream};
use liaison_projection::{Application, Config};
use liaison_proto::{ClientEvent, Envelope};
use liaison_runtime::config::CommonArgs;
use liaison_runtime::shutdown::Shutdown;
use liaison_testkit::{NatsServer, ServerOptions};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Zipf};
use serde_json::json;
use uuid::Uuid;

const ORGS: usize = 1_000;
const TOPICS: [&str; 8] = [
    "xr", "ai", "chips", "cloud", "auto", "energy", "health", "media",
];

fn outgoing(v: serde_json::Value, recorded: chrono::DateTime<chrono::Utc>) -> OutgoingEvent {
    let client: ClientEvent = serde_json::from_value(v).expect("valid");
    let envelope = Envelope::record(client, "/liaison/bench", recorded);
    OutgoingEvent::new(
        envelope.subject(),
        envelope.id.to_string(),
        serde_json::to_vec(&envelope).unwrap().into(),
    )
}

fn generate(n: usize) -> Vec<OutgoingEvent> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let zipf = Zipf::new(ORGS as f64, 1.1).unwrap();
    let recorded = chrono::Utc::now();
    let types = [
        "meeting.held",
        "meeting.held",
        "cooperation.discussed",
        "negotiation.reported",
        "agreement.signed",
        "partnership.announced",
        "partnership.ended",
        "meeting.scheduled",
        "competition.noted",
    ];
    let mut ids = Vec::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    for i in 0..ORGS {
        let id = Uuid::now_v7();
        ids.push(id);
        out.push(outgoing(
            json!({"type": "organization.registered", "id": id, "time": "2000-01-01",
                "data": {"id": format!("org-{i}"), "name": format!("Org {i}")}}),
            recorded,
        ));
    }
    let start = chrono::NaiveDate::from_ymd_opt(2010, 1, 1).unwrap();
    while out.len() < n {
        let i = out.len();
        let id = Uuid::now_v7();
        // Time grows with the sequence (a day per 200 events); 5 % are late by up to a year.
        let mut day = (i / 200) as i64;
        if rng.random_ratio(1, 20) {
            day -= rng.random_range(0..365).min(day);
        }
        let time = (start + chrono::Duration::days(day)).to_string();
        if rng.random_ratio(1, 100) {
            let target = ids[rng.random_range(ORGS..i)];
            ids.push(id);
            out.push(outgoing(
                json!({"type": "event.retracted", "id": id, "time": time, "data": {"event_id": target}}),
                recorded,
            ));
            continue;
        }
        let a = zipf.sample(&mut rng) as usize - 1;
        let mut b = zipf.sample(&mut rng) as usize - 1;
        if a == b {
            b = (b + 1) % ORGS;
        }
        let t = types[rng.random_range(0..types.len())];
        let factuality = if rng.random_ratio(17, 20) {
            "asserted"
        } else {
            "reported"
        };
        let topic = TOPICS[zipf.sample(&mut rng) as usize % TOPICS.len()];
        ids.push(id);
        out.push(outgoing(
            json!({"type": t, "id": id, "time": time, "data": {
                "organizations": [format!("org-{a}"), format!("org-{b}")],
                "topics": [topic], "factuality": factuality}}),
            recorded,
        ));
    }
    out
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
        sled_cache_mib: cache_mib,
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

    let http = reqwest::Client::new();
    let mut hist = Histogram::<u64>::new(3).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(2);
    let zipf = Zipf::new(ORGS as f64, 1.1).unwrap();
    for i in 0..11_000 {
        let a = zipf.sample(&mut rng) as usize - 1;
        let b = rng.random_range(0..ORGS);
        if a == b {
            continue;
        }
        let topic = TOPICS[rng.random_range(0..TOPICS.len())];
        let url = format!("http://{addr}/v1/relationships/org-{a}/org-{b}?topic={topic}");
        let t = Instant::now();
        let r = http.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let _ = r.bytes().await.unwrap();
        if i >= 1_000 {
            hist.record(t.elapsed().as_micros() as u64).unwrap();
        }
    }
    println!(
        "status query over HTTP ({} queries, Zipf org x uniform org): p50 {} µs, p99 {} µs, max {} µs",
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
