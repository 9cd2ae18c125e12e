//! `liaison import` against the real `liaison` binary, the real ingest (in-process) and a real
//! nats-server: several batches in flight whose later ones name what earlier ones registered, an
//! import killed halfway and run again (no event twice in the log), and a bad event far into a
//! file reported where it is (docs/decisions/026-streaming-pipelined-import.md).

mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use liaison_testkit::NatsServer;
use liaison_testkit::events::{meeting_held, organization, with_new_id};
use serde_json::Value;
use tempfile::TempDir;

/// A nats-server with the log, and ingest in this process.
struct Rig {
    _nats: NatsServer,
    js: async_nats::jetstream::Context,
    ingest: String,
    dir: TempDir,
}

impl Rig {
    async fn start() -> Self {
        let (nats, js) = support::log_server().await;
        let dir = tempfile::tempdir().unwrap();
        let (ingest, _) = support::start_ingest(&nats.url(), &dir.path().join("ingest")).await;
        Self {
            _nats: nats,
            js,
            ingest,
            dir,
        }
    }

    /// Entries in the log.
    async fn in_log(&self) -> u64 {
        liaison_log::last_sequence(&self.js).await.unwrap()
    }

    /// Writes `events` as NDJSON to a file named `name`.
    fn file(&self, name: &str, events: &[Value]) -> PathBuf {
        let path = self.dir.path().join(name);
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for event in events {
            serde_json::to_writer(&mut out, event).unwrap();
            out.write_all(b"\n").unwrap();
        }
        out.flush().unwrap();
        path
    }

    fn command(&self, file: &Path, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_liaison"));
        command
            .arg("import")
            .arg(file)
            .args(args)
            .env("LIAISON_INGEST_URL", &self.ingest)
            .env_remove("LIAISON_API_TOKEN")
            .stdin(Stdio::null());
        command
    }

    /// Runs `liaison import FILE args…` off the async workers (ingest runs in this process).
    async fn import(&self, file: &Path, args: &[&str]) -> Output {
        support::output(self.command(file, args)).await
    }
}

fn summary(output: &Output) -> Value {
    serde_json::from_slice(support::succeeded(output)).expect("--json prints the summary")
}

/// Rounds of ten registrations each followed by batches that name only what that round
/// registered: sent with many batches in flight, every later batch must still find its names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_batches_name_what_earlier_batches_registered() {
    let rig = Rig::start().await;
    let mut events = Vec::new();
    for round in 0..6 {
        let names: Vec<String> = (0..10).map(|i| format!("r{round}-org-{i}")).collect();
        events.extend(names.iter().map(|n| with_new_id(organization(n))));
        for i in 0..50 {
            let (a, b) = (&names[i % 10], &names[(i + 1) % 10]);
            events.push(with_new_id(meeting_held(
                "2024-02-28",
                &[a.as_str(), b.as_str()],
                &["xr"],
            )));
        }
    }
    let file = rig.file("rounds.ndjson", &events);

    let first = summary(
        &rig.import(&file, &["--batch-size", "10", "--in-flight", "8", "--json"])
            .await,
    );
    assert_eq!(first["events"], 360, "{first}");
    assert_eq!(first["appended"], 360, "{first}");
    assert_eq!(rig.in_log().await, 360);
    assert_eq!(first["last_sequence"], 360, "{first}");

    let again = summary(
        &rig.import(&file, &["--batch-size", "10", "--in-flight", "8", "--json"])
            .await,
    );
    assert_eq!(
        (again["appended"].as_u64(), again["already_there"].as_u64()),
        (Some(0), Some(360)),
        "{again}"
    );
    assert_eq!(rig.in_log().await, 360);
}

/// An import killed once part of its file is in the log, then run again to the end: every event
/// is in the log exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_import_run_again_appends_every_event_once() {
    let rig = Rig::start().await;
    let names: Vec<String> = (0..20).map(|i| format!("org-{i}")).collect();
    let mut events: Vec<Value> = names.iter().map(|n| with_new_id(organization(n))).collect();
    for i in 0..3_000 {
        let (a, b) = (&names[i % 20], &names[(i * 7 + 1) % 20]);
        events.push(with_new_id(meeting_held(
            "2024-02-28",
            &[a.as_str(), b.as_str()],
            &["ai"],
        )));
    }
    let total = events.len() as u64;
    let file = rig.file("interrupted.ndjson", &events);
    let args = ["--batch-size", "20", "--in-flight", "6", "--json"];

    let mut child = rig
        .command(&file, &args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let in_log = rig.in_log().await;
        if in_log >= total / 3 || child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "{in_log} events in 120 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let at_kill = rig.in_log().await;
    assert!(
        at_kill < total,
        "the import ended before it was killed; make the file larger"
    );

    let rerun = summary(&rig.import(&file, &args).await);
    assert_eq!(rig.in_log().await, total, "{rerun}");
    assert_eq!(rerun["events"].as_u64(), Some(total), "{rerun}");
    let already = rerun["already_there"].as_u64().unwrap();
    assert!(already > 0, "{rerun}");
    assert_eq!(
        rerun["appended"].as_u64().unwrap() + already,
        total,
        "{rerun}"
    );
}

/// A file whose 1,801st event is not JSON: the batches before its batch are appended, the error
/// names the line and the event, and once the line is fixed the import runs again to the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_event_far_into_a_file_is_reported_with_its_position() {
    let rig = Rig::start().await;
    let mut events = vec![
        with_new_id(organization("meta")),
        with_new_id(organization("lg-electronics")),
    ];
    for _ in 2..2_000 {
        events.push(with_new_id(meeting_held(
            "2024-02-28",
            &["meta", "lg-electronics"],
            &["xr"],
        )));
    }
    let good = rig.file("good.ndjson", &events);
    let text = std::fs::read_to_string(&good).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1_800] = "{\"type\": \"meeting.held\", oops";
    let bad = rig.dir.path().join("bad.ndjson");
    std::fs::write(&bad, lines.join("\n")).unwrap();

    let failed = rig.import(&bad, &[]).await;
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(failed.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("bad.ndjson: line 1801 (event 1801): not valid JSON"),
        "{stderr}"
    );
    assert!(
        stderr.contains("import stopped before event 1801 (1500 appended"),
        "{stderr}"
    );
    assert!(stderr.contains("run the same import again"), "{stderr}");
    assert_eq!(rig.in_log().await, 1_500);

    let fixed = summary(&rig.import(&good, &["--json"]).await);
    assert_eq!(
        (fixed["appended"].as_u64(), fixed["already_there"].as_u64()),
        (Some(500), Some(1_500)),
        "{fixed}"
    );
    assert_eq!(rig.in_log().await, 2_000);
}
