//! One child process of the stack, as its launcher sees it: where its output goes, whether it
//! still runs, and how it stops (`SIGTERM` then `SIGKILL`, or `SIGKILL` at once, like a crash).
//!
//! The child is a plain `std::process::Child` (forked by [`crate::spawn`]'s long-lived thread)
//! that the async side polls with `try_wait`: no SIGCHLD handling to share with a runtime, and a
//! process is never signalled after it was reaped, so a recycled pid is never hit.

use std::fs::OpenOptions;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use crate::measure;

/// How often a waiting launcher looks whether a child exited.
const POLL: Duration = Duration::from_millis(20);

/// Where a child's stdout and stderr go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Appended to this file (created if needed).
    File(PathBuf),
    /// To the launcher's stdout, each line after this prefix (`liaison dev` shows them so).
    Prefixed(String),
    /// Nowhere.
    Null,
}

/// A running (or exited) child process. Dropping it kills it (`SIGKILL`) and reaps it.
#[derive(Debug)]
pub struct ChildProcess {
    name: String,
    child: Child,
    status: Option<ExitStatus>,
    pumps: Vec<std::thread::JoinHandle<()>>,
}

impl ChildProcess {
    /// Spawns `command` (made by [`crate::spawn::command`]) as `name`, its output to `output`.
    pub fn spawn(name: &str, mut command: Command, output: &Output) -> io::Result<ChildProcess> {
        match output {
            Output::File(path) => {
                let file = OpenOptions::new().create(true).append(true).open(path)?;
                command.stdout(file.try_clone()?).stderr(file);
            }
            Output::Prefixed(_) => {
                command.stdout(Stdio::piped()).stderr(Stdio::piped());
            }
            Output::Null => {
                command.stdout(Stdio::null()).stderr(Stdio::null());
            }
        }
        let mut child = crate::spawn::spawn(command)?;
        let mut pumps = Vec::new();
        if let Output::Prefixed(prefix) = output {
            if let Some(out) = child.stdout.take() {
                pumps.push(pump(out, prefix.clone()));
            }
            if let Some(err) = child.stderr.take() {
                pumps.push(pump(err, prefix.clone()));
            }
        }
        Ok(ChildProcess {
            name: name.to_owned(),
            child,
            status: None,
            pumps,
        })
    }

    /// Its name (`nats`, `ingest`, …).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// How it exited, if it did (without waiting).
    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status
    }

    /// Waits until it exits.
    pub async fn wait(&mut self) -> ExitStatus {
        loop {
            if let Some(status) = self.exit_status() {
                return status;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Sends `SIGTERM` (a clean stop), waits up to `timeout`, then kills it; waits until its
    /// output is drained.
    pub async fn terminate(&mut self, timeout: Duration) -> ExitStatus {
        if self.exit_status().is_none() {
            self.signal(rustix::process::Signal::TERM);
        }
        let status = match tokio::time::timeout(timeout, self.wait()).await {
            Ok(status) => status,
            Err(_) => self.kill(),
        };
        self.drain().await;
        status
    }

    /// Kills it with `SIGKILL` (like a crash) and reaps it.
    pub fn kill(&mut self) -> ExitStatus {
        if let Some(status) = self.exit_status() {
            return status;
        }
        let _ = self.child.kill();
        let status = self
            .child
            .wait()
            .unwrap_or_else(|e| panic!("cannot reap {} (pid {}): {e}", self.name, self.pid()));
        self.status = Some(status);
        status
    }

    /// Its peak resident set size so far (`VmHWM`), in bytes; `None` once it exited.
    pub fn peak_rss(&mut self) -> Option<u64> {
        if self.exit_status().is_some() {
            return None;
        }
        measure::peak_rss(self.pid())
    }

    fn signal(&self, signal: rustix::process::Signal) {
        // Not reaped yet (status is None), so the pid is still this child's.
        if let Some(pid) = i32::try_from(self.pid())
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        {
            let _ = rustix::process::kill_process(pid, signal);
        }
    }

    /// Waits (bounded) until the output pumps have written the child's last lines.
    async fn drain(&mut self) {
        let pumps = std::mem::take(&mut self.pumps);
        if pumps.is_empty() {
            return;
        }
        let joined = tokio::task::spawn_blocking(move || {
            for pump in pumps {
                let _ = pump.join();
            }
        });
        let _ = tokio::time::timeout(Duration::from_secs(2), joined).await;
    }
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Copies `output` to stdout line by line after `prefix`, on a thread of its own (it ends when
/// the child closes its end). A stdout that cannot be written any more is skipped, but the child's
/// output is still read, so that the child never blocks on a full pipe.
fn pump(output: impl Read + Send + 'static, prefix: String) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(output);
        let mut line = Vec::new();
        let mut stdout_ok = true;
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if stdout_ok {
                let text = String::from_utf8_lossy(&line);
                let mut stdout = io::stdout().lock();
                stdout_ok = writeln!(stdout, "{prefix}{}", text.trim_end_matches(['\n', '\r']))
                    .and_then(|()| stdout.flush())
                    .is_ok();
            }
        }
    })
}

/// The last `lines` lines of the file at `path` (or why it cannot be read).
pub fn log_tail(path: &Path, lines: usize) -> String {
    match std::fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let all: Vec<&str> = text.lines().collect();
            all[all.len().saturating_sub(lines)..].join("\n")
        }
        Err(e) => format!("(cannot read {}: {e})", path.display()),
    }
}

/// How a process ended, in words (`exit code 1`, `killed by signal 9`).
pub fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        _ => status.to_string(),
    }
}
