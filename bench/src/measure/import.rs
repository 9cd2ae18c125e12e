//! Import: `liaison import FILE` of a generated NDJSON file into a fresh stack (nats-server and
//! ingest), timed from the command's start to its exit — the figure the issue compares with raw
//! async publish. Then the rerun a user makes after an interruption: a second file is imported,
//! the command killed once part of it is in the log, and run again to the end; the log must then
//! hold every event exactly once (the events' ids make the rerun idempotent).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use liaison_testkit::workload::{GenEvent, Generator};

/// What the import section measured.
#[derive(Debug, Clone, Copy)]
pub struct ImportFigures {
    /// Events of the timed file per second, command start to exit.
    pub events_per_s: f64,
    /// Events of the timed file.
    pub events: usize,
    /// Log entries beyond one per event after the interrupted import was run again (0: none
    /// appended twice).
    pub duplicates: u64,
    /// Events of the interrupted file already in the log when the command was killed.
    pub in_log_at_kill: u64,
    /// Events of the interrupted file.
    pub rerun_events: usize,
}

/// Registers `generator`'s organizations through `ingest`, imports `events` events with the
/// `liaison` binary, then the interrupted-and-rerun file of `events / 4` events.
pub async fn run(
    client: &reqwest::Client,
    ingest: &str,
    nats_url: &str,
    generator: &mut Generator,
    events: usize,
    dir: &Path,
) -> Result<ImportFigures> {
    let registrations = generator.take(generator.registrations() as usize);
    super::ingest::register(client, ingest, &registrations).await?;
    let nats = async_nats::connect(nats_url).await?;
    let js = async_nats::jetstream::new(nats);
    let before = liaison_log::last_sequence(&js).await?;

    let timed = write_file(&dir.join("import.ndjson"), &generator.take(events))?;
    let started = Instant::now();
    let status = liaison(ingest, &timed).status().await?;
    let elapsed = started.elapsed().as_secs_f64();
    if !status.success() {
        bail!("liaison import exited with {status}");
    }
    let after = liaison_log::last_sequence(&js).await?;
    if after - before != events as u64 {
        bail!(
            "liaison import of {events} events appended {} log entries",
            after - before
        );
    }

    let rerun_events = (events / 4).max(1);
    let file = write_file(&dir.join("rerun.ndjson"), &generator.take(rerun_events))?;
    let mut first = liaison(ingest, &file).spawn()?;
    // Killed once a third of the file is in the log (or when it finished first).
    let deadline = Instant::now() + Duration::from_secs(600);
    let in_log_at_kill = loop {
        let n = liaison_log::last_sequence(&js).await? - after;
        if n >= rerun_events as u64 / 3 || first.try_wait()?.is_some() {
            let _ = first.start_kill();
            let _ = first.wait().await;
            break liaison_log::last_sequence(&js).await? - after;
        }
        if Instant::now() > deadline {
            bail!("the import to interrupt appended {n} events in 600 s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let status = liaison(ingest, &file).status().await?;
    if !status.success() {
        bail!("liaison import run again exited with {status}");
    }
    let end = liaison_log::last_sequence(&js).await?;
    let duplicates = (end - after).saturating_sub(rerun_events as u64);
    if end - after < rerun_events as u64 {
        bail!(
            "after the rerun, {} of {rerun_events} events are in the log",
            end - after
        );
    }
    Ok(ImportFigures {
        events_per_s: events as f64 / elapsed,
        events,
        duplicates,
        in_log_at_kill,
        rerun_events,
    })
}

/// `liaison import FILE --json` against `ingest`, its output discarded.
fn liaison(ingest: &str, file: &Path) -> tokio::process::Command {
    let mut command =
        tokio::process::Command::new(liaison_testkit::find::bin_dir().join("liaison"));
    command
        .arg("--ingest-url")
        .arg(ingest)
        .arg("import")
        .arg(file)
        .arg("--json")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    command
}

/// Writes `events` as NDJSON (one client document per line) to `path`.
fn write_file(path: &Path, events: &[GenEvent]) -> Result<PathBuf> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let file = std::fs::File::create(path).with_context(|| format!("{}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    for event in events {
        serde_json::to_writer(&mut out, &event.body)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(path.to_owned())
}
