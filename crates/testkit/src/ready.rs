//! Waiting until a process answers: poll its health URL until it says 200, and give up early
//! when the process exits, with what it said last.

use std::time::{Duration, Instant};

use crate::child::{ChildProcess, Output, describe, log_tail};
use crate::error::StackError;

/// How often the URL is asked.
const POLL: Duration = Duration::from_millis(50);

/// Polls `url` until it answers 200 (within `timeout`), failing early when `child` exits.
pub(crate) async fn wait_http_ok(
    child: &mut ChildProcess,
    output: &Output,
    url: &str,
    timeout: Duration,
) -> Result<(), StackError> {
    wait_all_http_ok(vec![Awaited { child, output, url }], timeout)
        .await
        .map_err(|(_, error)| error)
}

/// One process [`wait_all_http_ok`] waits for: its health URL and where its output goes.
pub(crate) struct Awaited<'a> {
    /// The process, watched for an early exit.
    pub child: &'a mut ChildProcess,
    /// Where its output goes, named in the error.
    pub output: &'a Output,
    /// Its health URL.
    pub url: &'a str,
}

/// Polls every process's URL until each has answered 200 once (within `timeout`), failing
/// early — with the index of the process in `awaited` — as soon as any of them exits, not only
/// the one being asked: a cluster node that cannot bind its route port exits while another
/// node waits for a quorum that will never form.
pub(crate) async fn wait_all_http_ok(
    mut awaited: Vec<Awaited<'_>>,
    timeout: Duration,
) -> Result<(), (usize, StackError)> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .no_proxy()
        .build()
        .expect("an HTTP client");
    let deadline = Instant::now() + timeout;
    let mut ready = vec![false; awaited.len()];
    loop {
        for (index, process) in awaited.iter_mut().enumerate() {
            if let Some(status) = process.child.exit_status() {
                return Err((
                    index,
                    StackError::Exited {
                        name: process.child.name().to_owned(),
                        status: describe(status),
                        hint: hint(process.output, true),
                    },
                ));
            }
        }
        let mut waiting = None;
        for (index, process) in awaited.iter().enumerate() {
            if ready[index] {
                continue;
            }
            match http.get(process.url).send().await {
                Ok(r) if r.status().is_success() => ready[index] = true,
                Ok(r) => {
                    let status = r.status();
                    let body = r.text().await.unwrap_or_default();
                    waiting.get_or_insert((index, format!("{status} {}", body.trim())));
                }
                Err(e) => {
                    waiting.get_or_insert((index, e.to_string()));
                }
            }
        }
        let Some((index, last)) = waiting else {
            return Ok(());
        };
        if Instant::now() >= deadline {
            let process = &awaited[index];
            return Err((
                index,
                StackError::NotReady {
                    name: process.child.name().to_owned(),
                    seconds: timeout.as_secs(),
                    url: process.url.to_owned(),
                    last,
                    hint: hint(process.output, false),
                },
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Where to read a process's own explanation: above (prefixed output), or its log file, with its
/// last lines when `with_tail`.
pub(crate) fn hint(output: &Output, with_tail: bool) -> String {
    match output {
        Output::Prefixed(_) => "; its output is above".to_owned(),
        Output::Null => String::new(),
        Output::File(path) => {
            let mut hint = format!("; see its log at {}", path.display());
            if with_tail {
                let tail = log_tail(path, 10);
                if !tail.is_empty() && !tail.starts_with("(cannot read") {
                    hint.push_str(", which ends with:\n");
                    hint.push_str(&tail);
                }
            }
            hint
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::free_port;

    fn spawn(name: &str, program: &str, args: &[&str]) -> ChildProcess {
        let mut command = crate::spawn::command(program);
        command.args(args);
        ChildProcess::spawn(name, command, &Output::Null).expect("spawn")
    }

    /// A cluster node that cannot bind its route port exits while the first node still waits
    /// for a quorum: the wait names the node that exited instead of timing out on the first.
    #[tokio::test]
    async fn any_exit_ends_the_wait_with_the_index_of_the_process_that_exited() {
        let mut waiting = spawn("waits", "sleep", &["60"]);
        let mut exiting = spawn("exits", "sh", &["-c", "sleep 0.2; exit 3"]);
        let (never, also_never) = (
            format!("http://127.0.0.1:{}/healthz", free_port()),
            format!("http://127.0.0.1:{}/healthz", free_port()),
        );
        let awaited = vec![
            Awaited {
                child: &mut waiting,
                output: &Output::Null,
                url: &never,
            },
            Awaited {
                child: &mut exiting,
                output: &Output::Null,
                url: &also_never,
            },
        ];
        let (index, error) = wait_all_http_ok(awaited, Duration::from_secs(120))
            .await
            .expect_err("one process exited");
        assert_eq!(index, 1);
        assert!(error.exited(), "{error}");
        assert!(error.to_string().starts_with("exits exited"), "{error}");
    }
}
