//! `liaison admin nats-config` writes configurations nats-server 2.15 accepts as they are — the
//! users file and roles included, the certificates found — and the credentials they name.

use std::path::Path;
use std::process::Command;

use liaison::cli::NatsConfigArgs;
use liaison::commands::nats_config;
use liaison_testkit::found_nats_server;

/// `nats-server -t -c conf`: parses the configuration, loads its includes and certificates,
/// binds nothing.
fn nats_server_accepts(conf: &Path) {
    let output = Command::new(found_nats_server().unwrap())
        .arg("-t")
        .arg("-c")
        .arg(conf)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr).into_owned()
        + &String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}: {said}", conf.display());
    assert!(said.contains("is valid"), "{said}");
}

#[test]
fn the_written_single_and_cluster_configurations_are_valid_and_secured() {
    let dir = tempfile::tempdir().unwrap();
    nats_config::run(NatsConfigArgs {
        data_dir: dir.path().to_path_buf(),
        cluster: false,
        hosts: Vec::new(),
    })
    .unwrap();
    let single = dir.path().join("nats-server.conf");
    nats_server_accepts(&single);
    let text = std::fs::read_to_string(&single).unwrap();
    let secrets = dir.path().join("nats-secrets");
    assert!(
        text.contains(&format!(
            "{:?}",
            secrets.join("server.pem").display().to_string()
        )),
        "{text}"
    );
    assert!(
        text.contains("include \"./nats-secrets/users.conf\""),
        "{text}"
    );
    assert!(secrets.join("admin.nk").is_file());

    nats_config::run(NatsConfigArgs {
        data_dir: dir.path().to_path_buf(),
        cluster: true,
        hosts: vec!["127.0.0.1".into(), "nats.internal".into()],
    })
    .unwrap();
    for node in 1..=3 {
        let conf = dir.path().join(format!("nats-n{node}.conf"));
        nats_server_accepts(&conf);
        let text = std::fs::read_to_string(&conf).unwrap();
        assert!(text.contains("verify: true"), "{text}");
        assert!(text.contains(&format!("nats-n{node}\"")), "{text}");
    }
    assert_eq!(
        std::fs::read_to_string(secrets.join("server.hosts")).unwrap(),
        "127.0.0.1\nnats.internal\n"
    );
}
