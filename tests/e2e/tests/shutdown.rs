//! Every service stops on `SIGTERM` within a bound, whatever its log output and NATS are doing.
//!
//! A supervisor that dies leaves its services writing into a pipe nobody reads: closed (the
//! reader is gone) or full (the reader is alive but stuck). The security review (issue 11) found
//! services that then never stopped on `SIGTERM`. Each service binary that follows NATS is started in
//! every combination of
//! - its stdout and stderr on a pipe whose reader is closed once it serves, on a pipe that the
//!   test fills once it serves and never reads, or on `/dev/null`;
//! - NATS up, NATS never reachable, or NATS stopped after the service started;
//!
//! and must exit by itself within [`BOUND`] of `SIGTERM`, with a clean (0) or forced
//! ([`FORCED_EXIT_CODE`]) exit code, never a panic or a kill.
//!
//! The 36 processes run side by side on one nats-server, so the file takes seconds, not minutes.

use std::fmt;
use std::io::{PipeReader, PipeWriter};
use std::os::fd::AsRawFd;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use futures::future::join_all;
use liaison_e2e::Service;
use liaison_testkit::{NatsServer, free_ports};
use tokio::process::{Child, Command};

/// How long a service may take to exit after `SIGTERM`: its own hard deadline is 6 s (and half a
/// second to flush its log), and the test stops 36 processes at once on two cores.
const BOUND: Duration = Duration::from_secs(15);
/// The exit code of a service that had to be stopped by its hard-exit deadline
/// (`liaison_runtime::shutdown::FORCED_EXIT_CODE`).
const FORCED_EXIT_CODE: i32 = 70;
/// How long a service may take to answer `/healthz` (or `/readyz`) after it starts.
const START_BOUND: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    /// A pipe whose reader is closed once the service serves (its supervisor died).
    ClosedPipe,
    /// A pipe that nobody reads, filled to the brim once the service serves.
    FullPipe,
    /// `/dev/null`.
    DevNull,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Nats {
    /// Up the whole time.
    Up,
    /// Never reachable (nothing listens on the port).
    NeverReachable,
    /// Up at start, gone before `SIGTERM`.
    StoppedAfterStart,
}

#[derive(Clone, Copy)]
struct Case {
    service: Service,
    output: Output,
    nats: Nats,
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} with {:?} and NATS {:?}",
            self.service.binary_name(),
            self.output,
            self.nats
        )
    }
}

/// One started service and the pipe ends the test keeps.
struct Running {
    case: Case,
    child: Child,
    port: u16,
    reader: Option<PipeReader>,
    writer: Option<PipeWriter>,
    _data: tempfile::TempDir,
}

/// Starts `case` on `port` (one of [`free_ports`]: a port shared by two services would let the
/// second's health check be answered by the first while the second exits at start).
fn start(case: Case, nats_url: &str, port: u16) -> Running {
    let binary = liaison_testkit::service_binary(case.service).unwrap_or_else(|e| panic!("{e}"));
    let data = tempfile::tempdir().expect("a data directory");
    let mut command = Command::new(&binary);
    command
        .env("LIAISON_NATS_URL", nats_url)
        .env("LIAISON_DATA_DIR", data.path())
        .env("LIAISON_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let (reader, writer) = match case.output {
        Output::DevNull => {
            command.stdout(Stdio::null()).stderr(Stdio::null());
            (None, None)
        }
        Output::ClosedPipe | Output::FullPipe => {
            let (reader, writer) = std::io::pipe().expect("a pipe");
            command
                .stdout(writer.try_clone().expect("the pipe's writer"))
                .stderr(writer.try_clone().expect("the pipe's writer"));
            (Some(reader), Some(writer))
        }
    };
    let child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
    Running {
        case,
        child,
        port,
        reader,
        writer,
        _data: data,
    }
}

impl Running {
    /// Waits until the service answers `path` with a 2xx.
    async fn wait_for(&mut self, path: &str) {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let client = reqwest::Client::new();
        let deadline = Instant::now() + START_BOUND;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("{} exited at start: {status}", self.case);
            }
            if let Ok(r) = client.get(&url).send().await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{} did not answer {path} within {START_BOUND:?}", self.case);
    }

    /// Puts the output in its state: the reader closed, or the pipe full.
    async fn disturb_output(&mut self) {
        match self.case.output {
            Output::DevNull => {}
            Output::ClosedPipe => drop(self.reader.take()),
            Output::FullPipe => {
                let writer = self.writer.as_ref().expect("the pipe's writer");
                fill(writer).await;
            }
        }
        // The service holds its own ends; the test's copy of the writer is not needed any more.
        drop(self.writer.take());
    }

    /// Sends `SIGTERM` and waits up to [`BOUND`] for the process to exit.
    async fn terminate(mut self) -> (Case, Result<ExitStatus, String>) {
        let pid = self.child.id().expect("a running child has a pid");
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM {pid} failed");
        let outcome = match tokio::time::timeout(BOUND, self.child.wait()).await {
            Ok(status) => status.map_err(|e| format!("cannot wait for it: {e}")),
            Err(_) => Err(format!("still running {BOUND:?} after SIGTERM")),
        };
        // A process still running is killed when `child` drops (kill_on_drop); the reader of a
        // full pipe stays open until then, so that it does not turn into a closed one.
        let _reader = self.reader.take();
        (self.case, outcome)
    }
}

/// Fills the pipe behind `writer` until a write would block, through a second, non-blocking
/// opening of the same pipe (the service's own descriptors stay blocking, as a real pipe's are).
async fn fill(writer: &PipeWriter) {
    let path = format!("/proc/self/fd/{}", writer.as_raw_fd());
    let sender = tokio::net::unix::pipe::OpenOptions::new()
        .open_sender(&path)
        .expect("a non-blocking opening of the pipe");
    let chunk = [b'#'; 4096];
    // Room is left (the service logged a few KiB at most): wait until the reactor knows it, then
    // write until a write would block.
    tokio::time::timeout(Duration::from_secs(5), sender.writable())
        .await
        .expect("the pipe has room before the test fills it")
        .expect("the pipe's readiness");
    loop {
        match sender.try_write(&chunk) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(e) => panic!("filling the pipe: {e}"),
        }
    }
}

fn judge(case: Case, outcome: &Result<ExitStatus, String>) -> Option<String> {
    match outcome {
        Ok(status) if matches!(status.code(), Some(0) | Some(FORCED_EXIT_CODE)) => None,
        Ok(status) => Some(format!("{case}: exited with {status}")),
        Err(why) => Some(format!("{case}: {why}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_service_stops_on_sigterm_whatever_its_output_and_nats_do() {
    let mut nats = NatsServer::start().await;
    let cases = Service::STACK.len() * 3 * 3;
    let mut ports = free_ports(cases + 1).into_iter();
    let unreachable = format!("nats://127.0.0.1:{}", ports.next().expect("a port"));
    let mut running = Vec::new();
    for service in Service::STACK {
        for output in [Output::ClosedPipe, Output::FullPipe, Output::DevNull] {
            for kind in [Nats::Up, Nats::NeverReachable, Nats::StoppedAfterStart] {
                let url = match kind {
                    Nats::NeverReachable => unreachable.clone(),
                    Nats::Up | Nats::StoppedAfterStart => nats.url(),
                };
                let case = Case {
                    service,
                    output,
                    nats: kind,
                };
                running.push(start(case, &url, ports.next().expect("a port per case")));
            }
        }
    }
    join_all(running.iter_mut().map(|r| async move {
        // Serving HTTP is enough for NATS never reachable; otherwise wait until it is connected
        // and following the log, so that a stop of NATS later is a real disconnection.
        let path = if r.case.nats == Nats::NeverReachable {
            "/healthz"
        } else {
            "/readyz"
        };
        r.wait_for(path).await;
    }))
    .await;
    for r in &mut running {
        r.disturb_output().await;
    }

    let (later, now): (Vec<Running>, Vec<Running>) = running
        .into_iter()
        .partition(|r| r.case.nats == Nats::StoppedAfterStart);
    let mut outcomes = join_all(now.into_iter().map(Running::terminate)).await;
    nats.stop();
    // Let the services notice that NATS is gone (and log it into their pipes).
    tokio::time::sleep(Duration::from_secs(1)).await;
    outcomes.extend(join_all(later.into_iter().map(Running::terminate)).await);

    let failures: Vec<String> = outcomes
        .iter()
        .filter_map(|(case, outcome)| judge(*case, outcome))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} services did not stop cleanly within {BOUND:?} of SIGTERM:\n{}",
        failures.len(),
        outcomes.len(),
        failures.join("\n")
    );
}
