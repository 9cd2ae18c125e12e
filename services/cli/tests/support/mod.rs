//! What the command-line tests share: running the `liaison` binary while the services it talks to
//! run on the test's own async workers, and reading what a successful run printed.

use std::process::{Command, Output};

/// Runs `command` to its end on the blocking pool, so that the services the test runs in this
/// process keep answering it meanwhile.
pub async fn output(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

/// What `output` printed on stdout, once asserted that the run succeeded (its stderr otherwise).
#[allow(dead_code)] // not every test binary that includes this module reads stdout this way
pub fn succeeded(output: &Output) -> &[u8] {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    &output.stdout
}
