//! `kill -9` of the projection binary while it applies a stream of events, restart, and a full
//! dump of every read model equals the dump of a run that was never killed.

mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use liaison_projection::store::Store;
use support::{Log, Projection, generate};

fn spawn(nats_url: &str, data_dir: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_liaison-projection"))
        .env("LIAISON_NATS_URL", nats_url)
        .env("LIAISON_DATA_DIR", data_dir)
        .env("LIAISON_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env("LIAISON_SLED_CACHE_MIB", "32")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn liaison-projection")
}

/// Waits until the binary at `port` has applied `sequence` (read-your-writes through HTTP).
async fn wait_applied(port: u16, sequence: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let url = format!("http://127.0.0.1:{port}/v1/relationships/o0/o1?min_sequence={sequence}");
    while Instant::now() < deadline {
        if let Ok(r) = reqwest::get(&url).await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("sequence {sequence} not applied in time");
}

async fn wait_up(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("liaison-projection did not start");
}

fn kill9(child: &mut Child) {
    child.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
    child.wait().expect("reap");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_applying_then_restart_gives_the_same_read_models() {
    let log = Log::start().await;
    let events = generate(12_000, 42);
    let dir = tempfile::tempdir().unwrap();
    let killed_dir = dir.path().join("killed");
    let port = liaison_testkit::free_port();

    let mut child = spawn(&log.server.url(), &killed_dir, port);
    wait_up(port).await;
    let chunks: Vec<_> = events.chunks(2_000).collect();
    let mut last = 0;
    for (i, chunk) in chunks.iter().enumerate() {
        last = *log.append(chunk).await.last().unwrap();
        if i % 2 == 0 {
            // Let it get into the batch, then kill it mid-apply and restart it.
            tokio::time::sleep(Duration::from_millis(20 + 15 * i as u64)).await;
            kill9(&mut child);
            child = spawn(&log.server.url(), &killed_dir, port);
            wait_up(port).await;
        }
    }
    wait_applied(port, last).await;
    // Stop it gracefully (SIGTERM) so the database can be opened here.
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    let killed = Store::open(&killed_dir.join("db"), 32).unwrap();
    assert_eq!(killed.checkpoint().unwrap(), last);
    let killed_dump = killed.dump().unwrap();

    let reference =
        Projection::start(&log.server.url(), dir.path().join("reference"), |_| {}).await;
    reference.wait_applied(last).await;
    let reference_dump = reference.store().dump().unwrap();
    reference.stop().await;

    assert!(reference_dump.lines().count() > 25_000);
    if killed_dump != reference_dump {
        let diff: Vec<_> = killed_dump
            .lines()
            .zip(reference_dump.lines())
            .filter(|(a, b)| a != b)
            .take(5)
            .collect();
        panic!("dumps differ, first lines: {diff:#?}");
    }
}
