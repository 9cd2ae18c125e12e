//! `stack.rs` finds nats-server and the service binaries, and says clearly what to do when they
//! are missing; its nats-server configuration keeps the shipped durability settings.

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use liaison::stack::{
    Service, StackError, find_nats_server_in, find_service_binaries, nats_config,
};

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
    assert!(matches!(err, StackError::NatsServerMissing { .. }));
    let text = err.to_string();
    assert!(
        text.contains("just setup") && text.contains("nats-server"),
        "{text}"
    );
    assert_eq!(err.exit_code(), 3);
}

#[test]
fn a_nats_server_of_another_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let old = script(dir.path(), "nats-server", "echo 'nats-server: v2.9.25'");
    let err = find_nats_server_in(&[old]).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, StackError::NatsServerVersion { .. }),
        "{text}"
    );
    assert!(text.contains("v2.9.25") && text.contains("2.15") && text.contains("just setup"));
}

#[test]
fn the_first_existing_2_15_is_taken() {
    let dir = tempfile::tempdir().unwrap();
    let good = script(dir.path(), "nats-server", "echo 'nats-server: v2.15.1'");
    let found = find_nats_server_in(&[dir.path().join("absent"), good.clone()]).unwrap();
    assert_eq!(found, good);
}

#[test]
fn missing_service_binaries_are_named_with_how_to_build_them() {
    let dir = tempfile::tempdir().unwrap();
    script(dir.path(), "liaison-ingest", "exit 0");
    let err = find_service_binaries(dir.path()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("`liaison-projection` not found"), "{text}");
    assert!(text.contains("cargo build --release"), "{text}");
    script(dir.path(), "liaison-projection", "exit 0");
    script(dir.path(), "liaison-notifier", "exit 0");
    let found = find_service_binaries(dir.path()).unwrap();
    assert_eq!(found[2], dir.path().join(Service::Notifier.binary_name()));
}

#[test]
fn the_generated_config_keeps_durability_and_moves_the_store() {
    let listen: SocketAddr = "127.0.0.1:14222".parse().unwrap();
    let monitor: SocketAddr = "127.0.0.1:18222".parse().unwrap();
    let conf = nats_config(Path::new("/tmp/liaison data/nats"), listen, monitor);
    assert!(conf.contains("sync_interval: always"), "{conf}");
    assert!(conf.contains("listen: 127.0.0.1:14222"), "{conf}");
    assert!(conf.contains("http: 127.0.0.1:18222"), "{conf}");
    assert!(
        conf.contains("store_dir: \"/tmp/liaison data/nats\""),
        "{conf}"
    );
    assert!(conf.contains("max_payload: 8MB"), "{conf}");
    assert!(!conf.contains("./data/nats\""), "{conf}");
}

#[test]
fn services_have_the_contract_addresses() {
    let ports: Vec<u16> = Service::ALL
        .iter()
        .map(|s| s.default_addr().port())
        .collect();
    assert_eq!(ports, [7401, 7402, 7403]);
    assert_eq!(Service::Projection.binary_name(), "liaison-projection");
}
