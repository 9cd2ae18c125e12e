//! Finding the `nats-server` binary the tests run.
//!
//! Tests must run against the same server version the project ships (2.15), not whatever an
//! operating system package happens to provide (Debian's 2.9 lacks features the log relies on),
//! so the lookup is explicit and the version is checked once per test process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The server minor version the project is built and tested against.
pub const REQUIRED_VERSION_PREFIX: &str = "v2.15.";

/// Environment variable naming the `nats-server` binary to use, taking precedence over the rest.
pub const NATS_SERVER_ENV: &str = "LIAISON_NATS_SERVER";

const NOT_FOUND: &str = "nats-server 2.15 not found: run `just setup` (installs it into .tools/bin) \
                         or set LIAISON_NATS_SERVER";

/// The path of a `nats-server` 2.15.x binary.
///
/// Looks at `$LIAISON_NATS_SERVER`, then `<workspace>/.tools/bin/nats-server`, then `nats-server`
/// on `PATH`, and takes the first candidate that exists (a set `$LIAISON_NATS_SERVER` must exist). Panics with a message saying how to
/// install it when there is none, or when the one found is not version 2.15.x.
pub fn nats_server_binary() -> PathBuf {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match FOUND.get_or_init(find) {
        Ok(path) => path.clone(),
        Err(message) => panic!("{message}"),
    }
}

fn find() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(NATS_SERVER_ENV).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        if !path.is_file() {
            return Err(format!(
                "{NATS_SERVER_ENV}={} is not a file; {NOT_FOUND}",
                path.display()
            ));
        }
    }
    let candidate = candidates()
        .into_iter()
        .find(|path| path.is_file())
        .ok_or_else(|| NOT_FOUND.to_owned())?;
    let version = version_of(&candidate)?;
    if version.contains(REQUIRED_VERSION_PREFIX) {
        Ok(candidate)
    } else {
        Err(format!(
            "{} is `{}`, not 2.15.x; {NOT_FOUND}",
            candidate.display(),
            version.trim()
        ))
    }
}

fn candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(path) = std::env::var_os(NATS_SERVER_ENV).filter(|p| !p.is_empty()) {
        out.push(PathBuf::from(path));
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    out.push(workspace.join(".tools/bin/nats-server"));
    if let Some(path) = std::env::var_os("PATH") {
        out.extend(std::env::split_paths(&path).map(|dir| dir.join("nats-server")));
    }
    out
}

fn version_of(binary: &Path) -> Result<String, String> {
    let output = Command::new(binary)
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run {}: {e}; {NOT_FOUND}", binary.display()))?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
