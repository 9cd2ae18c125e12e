//! Finding the binaries the stack runs: `nats-server` 2.15 and the Liaison services.
//!
//! One lookup for every caller — `liaison dev`, `liaison demo`, the tests and the bench — so that
//! they all run the same server version the project ships (Debian's 2.9 lacks features the log
//! relies on) and say the same thing when something is missing.
//!
//! - `nats-server`: `$LIAISON_NATS_SERVER` (which must then exist), then
//!   `<dir>/.tools/bin/nats-server` for every directory above the running executable and above
//!   the current directory (`just setup` installs it there), then the `.tools/bin` of the checkout
//!   this crate was built from, then `PATH`; the first that exists must say `v2.15.x`.
//! - the services: `$LIAISON_BIN_DIR`, else the directory of the running executable (its parent
//!   when that is cargo's `deps/`, as for tests), where cargo puts every binary of the workspace.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use liaison_proto::services::Service;

/// The server minor version the project is built and tested against.
pub const REQUIRED_VERSION_PREFIX: &str = "v2.15.";

/// Environment variable naming the `nats-server` binary to use, taking precedence over the rest.
pub const NATS_SERVER_ENV: &str = "LIAISON_NATS_SERVER";

/// Environment variable naming the directory of the service binaries.
pub const BIN_DIR_ENV: &str = "LIAISON_BIN_DIR";

/// What to do when nats-server is missing or of the wrong version.
const NATS_HINT: &str = "run `just setup` (it installs nats-server 2.15 into .tools/bin), \
                         or set LIAISON_NATS_SERVER to a nats-server 2.15 binary";

/// Why a binary of the stack was not found. Every message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FindError {
    /// No nats-server binary was found.
    #[error("nats-server not found (looked at {searched}): {NATS_HINT}")]
    NatsServerMissing {
        /// The places looked at (the first few, then `PATH`).
        searched: String,
    },
    /// `$LIAISON_NATS_SERVER` names something that is not a file.
    #[error("{NATS_SERVER_ENV}={} is not a file: {NATS_HINT}", path.display())]
    NatsServerEnvMissing {
        /// What the variable says.
        path: PathBuf,
    },
    /// The nats-server found is not 2.15.
    #[error("{} is `{version}`, but Liaison needs nats-server 2.15: {NATS_HINT}", path.display())]
    NatsServerVersion {
        /// The binary found.
        path: PathBuf,
        /// What it says its version is.
        version: String,
    },
    /// A service binary is not in the binary directory.
    #[error(
        "`{binary}` not found in {}: build the services with `{build}` (or run `just demo`) \
         and run the `liaison` from the same target directory, or set LIAISON_BIN_DIR",
        dir.display()
    )]
    ServiceMissing {
        /// The binary's file name.
        binary: &'static str,
        /// Where it was looked for.
        dir: PathBuf,
        /// The cargo command that builds what is missing.
        build: String,
    },
}

/// The path of a `nats-server` 2.15.x binary, for tests: [`found_nats_server`]; panics with
/// what to do when there is none.
pub fn nats_server_binary() -> PathBuf {
    found_nats_server().unwrap_or_else(|error| panic!("{error}"))
}

/// [`find_nats_server`], once per process: a test suite starts many servers, and asking each
/// candidate its version every time would cost a process start per server.
pub fn found_nats_server() -> Result<PathBuf, FindError> {
    static FOUND: OnceLock<Result<PathBuf, FindError>> = OnceLock::new();
    FOUND.get_or_init(find_nats_server).clone()
}

/// Finds `nats-server` 2.15 in the places listed in the module documentation.
pub fn find_nats_server() -> Result<PathBuf, FindError> {
    if let Some(path) = std::env::var_os(NATS_SERVER_ENV).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        if !path.is_file() {
            return Err(FindError::NatsServerEnvMissing { path });
        }
    }
    find_nats_server_in(&nats_server_candidates())
}

/// The candidates for `nats-server`, in search order (see the module documentation).
pub fn nats_server_candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut push = |candidate: PathBuf| {
        if !out.contains(&candidate) {
            out.push(candidate);
        }
    };
    if let Some(path) = std::env::var_os(NATS_SERVER_ENV).filter(|p| !p.is_empty()) {
        push(PathBuf::from(path));
    }
    let starts = [std::env::current_exe().ok(), std::env::current_dir().ok()];
    for start in starts.into_iter().flatten() {
        for dir in start.ancestors() {
            push(dir.join(".tools/bin/nats-server"));
        }
    }
    push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.tools/bin/nats-server"));
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            push(dir.join("nats-server"));
        }
    }
    out
}

/// The first of `candidates` that is a file, if it says it is version 2.15.
pub fn find_nats_server_in(candidates: &[PathBuf]) -> Result<PathBuf, FindError> {
    let Some(found) = candidates.iter().find(|p| p.is_file()) else {
        let mut searched: Vec<String> = candidates
            .iter()
            .take(4)
            .map(|p| p.display().to_string())
            .collect();
        if candidates.len() > 4 {
            searched.push("PATH".to_owned());
        }
        return Err(FindError::NatsServerMissing {
            searched: searched.join(", "),
        });
    };
    let version = version_of(found);
    if version.contains(REQUIRED_VERSION_PREFIX) {
        Ok(found.clone())
    } else {
        Err(FindError::NatsServerVersion {
            path: found.clone(),
            version,
        })
    }
}

/// What `binary --version` prints, or why it cannot run. A binary written a moment ago can be
/// held open for writing by a child that another thread forked meanwhile, until that child
/// `exec`s ("text file busy"): it is asked again for up to a second.
fn version_of(binary: &Path) -> String {
    let mut busy = 0;
    loop {
        match Command::new(binary).arg("--version").output() {
            Ok(output) => return String::from_utf8_lossy(&output.stdout).trim().to_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && busy < 20 => {
                busy += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => return format!("cannot run: {e}"),
        }
    }
}

/// The directory of the service binaries: `$LIAISON_BIN_DIR`, else the directory of the running
/// executable (its parent when that is a cargo `deps/` directory, as for tests and benches).
pub fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(BIN_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    let dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir.parent().map(Path::to_path_buf).unwrap_or(dir)
    } else {
        dir
    }
}

/// The binary of `service` in [`bin_dir`].
pub fn service_binary(service: Service) -> Result<PathBuf, FindError> {
    find_service_binaries(&bin_dir(), &[service]).map(|mut paths| paths.remove(0))
}

/// The paths of the binaries of `services` in `dir`, in the same order; an error naming the first
/// one missing and the cargo command that builds them all.
pub fn find_service_binaries(dir: &Path, services: &[Service]) -> Result<Vec<PathBuf>, FindError> {
    let paths: Vec<PathBuf> = services.iter().map(|s| dir.join(s.binary_name())).collect();
    for (service, path) in services.iter().zip(&paths) {
        if !path.is_file() {
            return Err(FindError::ServiceMissing {
                binary: service.binary_name(),
                dir: dir.to_path_buf(),
                build: build_command(dir, services),
            });
        }
    }
    Ok(paths)
}

/// The cargo command that puts the binaries of `services` (and `liaison`) into `dir`: a debug
/// build for a `debug` directory, a release build otherwise.
fn build_command(dir: &Path, services: &[Service]) -> String {
    let profile = if dir.file_name().is_some_and(|n| n == "debug") {
        ""
    } else {
        " --release"
    };
    let packages: String = services
        .iter()
        .map(|s| format!(" -p {}", s.binary_name()))
        .collect();
    format!("cargo build{profile} -p liaison{packages}")
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn missing_nats_server_says_run_just_setup() {
        let dir = tempfile::tempdir().unwrap();
        let err = find_nats_server_in(&[dir.path().join("nats-server")]).unwrap_err();
        assert!(matches!(err, FindError::NatsServerMissing { .. }), "{err}");
        let text = err.to_string();
        assert!(text.contains("just setup"), "{text}");
        assert!(text.contains(&dir.path().display().to_string()), "{text}");
    }

    #[test]
    fn a_nats_server_of_another_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let old = script(dir.path(), "nats-server", "echo 'nats-server: v2.9.25'");
        let err = find_nats_server_in(&[old]).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, FindError::NatsServerVersion { .. }), "{text}");
        assert!(text.contains("v2.9.25") && text.contains("2.15") && text.contains("just setup"));
    }

    #[test]
    fn the_first_existing_candidate_is_taken_when_it_is_2_15() {
        let dir = tempfile::tempdir().unwrap();
        let good = script(dir.path(), "nats-server", "echo 'nats-server: v2.15.1'");
        let other = tempfile::tempdir().unwrap();
        let old = script(other.path(), "nats-server", "echo 'nats-server: v2.9.25'");
        let found = find_nats_server_in(&[dir.path().join("absent"), good.clone(), old]).unwrap();
        assert_eq!(found, good);
    }

    #[test]
    fn the_candidates_start_with_the_checkouts_tools() {
        let candidates = nats_server_candidates();
        let exe_dir = std::env::current_exe().unwrap();
        let first_tools = exe_dir
            .ancestors()
            .map(|d| d.join(".tools/bin/nats-server"))
            .find(|p| candidates.contains(p))
            .expect("a .tools candidate above the executable");
        let at = |p: &PathBuf| candidates.iter().position(|c| c == p).unwrap();
        let on_path = candidates
            .iter()
            .position(|c| !c.to_string_lossy().contains(".tools/bin"))
            .unwrap_or(candidates.len());
        assert!(at(&first_tools) < on_path, "{candidates:?}");
        let unique: std::collections::HashSet<_> = candidates.iter().collect();
        assert_eq!(unique.len(), candidates.len(), "no candidate twice");
    }

    #[test]
    fn missing_service_binaries_are_named_with_how_to_build_them() {
        let dir = tempfile::tempdir().unwrap();
        script(dir.path(), "liaison-ingest", "exit 0");
        let err = find_service_binaries(dir.path(), &Service::CORE).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("`liaison-projection` not found"), "{text}");
        assert!(
            text.contains(
                "cargo build --release -p liaison -p liaison-ingest -p liaison-projection \
                 -p liaison-notifier"
            ),
            "{text}"
        );
        script(dir.path(), "liaison-projection", "exit 0");
        script(dir.path(), "liaison-notifier", "exit 0");
        let found = find_service_binaries(dir.path(), &Service::CORE).unwrap();
        assert_eq!(found[2], dir.path().join("liaison-notifier"));
    }

    #[test]
    fn a_debug_directory_is_built_without_release() {
        let root = tempfile::tempdir().unwrap();
        let debug = root.path().join("debug");
        std::fs::create_dir(&debug).unwrap();
        let err = find_service_binaries(&debug, &[Service::Reader]).unwrap_err();
        assert!(
            err.to_string()
                .contains("`cargo build -p liaison -p liaison-reader`"),
            "{err}"
        );
    }

    #[test]
    fn the_test_executable_finds_the_workspace_binaries_next_to_it() {
        // Tests run from target/<profile>/deps/: the binaries are one level up.
        let dir = bin_dir();
        assert_ne!(dir.file_name().unwrap(), "deps");
        assert!(std::env::current_exe().unwrap().starts_with(&dir));
    }
}
