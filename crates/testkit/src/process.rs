//! One running `nats-server` process: spawn it on a config file, wait until it is healthy, kill it.
//!
//! Shared by [`crate::NatsServer`] and [`crate::NatsCluster`]. Output goes to a log file next to
//! the config, so a failing start can show the server's own explanation.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::binary::nats_server_binary;

/// How long a server may take to become healthy before the start counts as failed.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// A spawned server process, killed when dropped.
#[derive(Debug)]
pub(crate) struct Process {
    child: Child,
}

/// Why a server did not become ready.
#[derive(Debug)]
pub(crate) enum StartFailure {
    /// The process exited (often: a port was taken); starting again with new ports may work.
    Exited(String),
    /// The process runs but did not become healthy in time.
    NotReady(String),
}

impl Process {
    /// Starts `nats-server -c <config>`, appending its stdout and stderr to `log`.
    pub(crate) fn spawn(config: &Path, log: &Path) -> Process {
        let log_file = open_log(log);
        let child = Command::new(nats_server_binary())
            .arg("-c")
            .arg(config)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("cannot clone log file handle"))
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot spawn nats-server: {e}"));
        Process { child }
    }

    /// Polls the monitoring endpoint `http://127.0.0.1:<monitor_port><health_path>` until it
    /// answers 200, and fails early when the process exits.
    pub(crate) async fn wait_ready(
        &mut self,
        monitor_port: u16,
        health_path: &str,
    ) -> Result<(), StartFailure> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(StartFailure::Exited(format!(
                    "nats-server exited with {status}"
                )));
            }
            let last = match http_get(monitor_port, health_path).await {
                Ok((200, _)) => return Ok(()),
                Ok((code, body)) => format!("{health_path} answered {code}: {body}"),
                Err(e) => format!("{health_path}: {e}"),
            };
            if Instant::now() > deadline {
                return Err(StartFailure::NotReady(format!(
                    "not ready after {READY_TIMEOUT:?} ({last})"
                )));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Kills the process (SIGKILL: no clean shutdown, like a crash) and reaps it.
    pub(crate) fn kill(mut self) {
        self.kill_in_place();
    }

    fn kill_in_place(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill_in_place();
    }
}

impl StartFailure {
    /// Whether starting again on fresh ports may help.
    pub(crate) fn is_retryable(&self) -> bool {
        matches!(self, StartFailure::Exited(_))
    }

    /// Panics with the reason and the tail of the server log.
    pub(crate) fn panic_with_log(&self, log: &Path) -> ! {
        let reason = match self {
            StartFailure::Exited(r) | StartFailure::NotReady(r) => r,
        };
        panic!(
            "nats-server did not start: {reason}\n--- last lines of {} ---\n{}",
            log.display(),
            log_tail(log, 40)
        )
    }
}

fn open_log(path: &Path) -> File {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()))
}

/// The last `lines` lines of the file at `path` (or why it cannot be read).
pub(crate) fn log_tail(path: &Path, lines: usize) -> String {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let all: Vec<&str> = text.lines().collect();
            all[all.len().saturating_sub(lines)..].join("\n")
        }
        Err(e) => format!("(cannot read log: {e})"),
    }
}

/// A minimal HTTP/1.0 GET against the local monitoring port: status code and body.
async fn http_get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut response))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "slow answer"))??;
    let text = String::from_utf8_lossy(&response);
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or("")
        .trim()
        .to_owned();
    Ok((code, body))
}

/// Writes `text` to `path`, panicking with the path on failure.
pub(crate) fn write_file(path: &PathBuf, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}
