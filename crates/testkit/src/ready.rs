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
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .no_proxy()
        .build()
        .expect("an HTTP client");
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.exit_status() {
            return Err(StackError::Exited {
                name: child.name().to_owned(),
                status: describe(status),
                hint: hint(output, true),
            });
        }
        let last = match http.get(url).send().await {
            Ok(r) if r.status().is_success() => return Ok(()),
            Ok(r) => {
                let status = r.status();
                let body = r.text().await.unwrap_or_default();
                format!("{status} {}", body.trim())
            }
            Err(e) => e.to_string(),
        };
        if Instant::now() >= deadline {
            return Err(StackError::NotReady {
                name: child.name().to_owned(),
                seconds: timeout.as_secs(),
                url: url.to_owned(),
                last,
                hint: hint(output, false),
            });
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
