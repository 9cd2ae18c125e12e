//! The `liaison` command-line binary, run against a [`Stack`] as a user would: a child process
//! pointed at the stack with `--ingest-url`, `--projection-url`, `--notifier-url` and `--nats-url`,
//! its exit code, stdout and stderr captured.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

use liaison_testkit::{Service, bin_dir};

use crate::Stack;

/// How long one run of `liaison` may take before the test fails.
const RUN_LIMIT: Duration = Duration::from_secs(30);

/// Where `liaison` finds the services and NATS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliUrls {
    /// `--ingest-url`.
    pub ingest: String,
    /// `--projection-url`.
    pub projection: String,
    /// `--notifier-url`.
    pub notifier: String,
    /// `--reader-url`.
    pub reader: String,
    /// `--console-url` (where `liaison dev` puts the console).
    pub console: String,
    /// `--nats-url`.
    pub nats: String,
}

impl CliUrls {
    /// The global flags that say so.
    pub fn flags(&self) -> Vec<String> {
        [
            ("--ingest-url", &self.ingest),
            ("--projection-url", &self.projection),
            ("--notifier-url", &self.notifier),
            ("--reader-url", &self.reader),
            ("--console-url", &self.console),
            ("--nats-url", &self.nats),
        ]
        .into_iter()
        .flat_map(|(flag, url)| [flag.to_owned(), url.clone()])
        .collect()
    }
}

/// What one run of `liaison` gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliRun {
    /// The exit code (`None` if a signal ended it).
    pub code: Option<i32>,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

impl std::fmt::Display for CliRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// The `liaison` binary cargo built next to the services.
pub fn liaison_binary() -> PathBuf {
    let binary = bin_dir().join("liaison");
    assert!(
        binary.exists(),
        "{} is missing: run `cargo build -p liaison` (or `cargo test --workspace`) first",
        binary.display()
    );
    binary
}

/// Runs `liaison <url flags> <args>` and waits for it to end (at most 30 s). The environment's
/// `LIAISON_*` variables are removed so that only the flags say where the stack is.
pub async fn run_liaison(urls: &CliUrls, args: &[&str]) -> CliRun {
    let mut command = Command::new(liaison_binary());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("LIAISON_") {
            command.env_remove(key);
        }
    }
    let child = command
        .args(urls.flags())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start liaison");
    let output = tokio::time::timeout(RUN_LIMIT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| {
            panic!(
                "`liaison {}` did not end within {RUN_LIMIT:?}",
                args.join(" ")
            )
        })
        .expect("wait for liaison");
    CliRun {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

impl Stack {
    /// The URLs of this stack, for `liaison`'s flags.
    pub fn cli_urls(&self) -> CliUrls {
        CliUrls {
            ingest: self.url(Service::Ingest),
            projection: self.url(Service::Projection),
            notifier: self.url(Service::Notifier),
            reader: if self.runs(Service::Reader) {
                self.url(Service::Reader)
            } else {
                Service::Reader.default_url().to_owned()
            },
            console: if self.runs(Service::Console) {
                self.url(Service::Console)
            } else {
                Service::Console.default_url().to_owned()
            },
            nats: self.nats_url(),
        }
    }

    /// Runs `liaison <args>` against this stack.
    pub async fn liaison(&self, args: &[&str]) -> CliRun {
        run_liaison(&self.cli_urls(), args).await
    }
}
