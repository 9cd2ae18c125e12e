//! `liaison dev` from an empty data directory comes up secured: it generates the NATS
//! credentials and the local CA into `<data-dir>/nats-secrets` (secrets `0600`, the directory
//! `0700`), creates the streams as the admin, starts each service with its own role's key, and
//! its nats-server refuses a client without the CA or without a key — while `liaison` with the
//! `cli.env` it prints reads the log.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use async_nats::ConnectErrorKind;
use liaison_e2e::{CliUrls, liaison_binary, run_liaison};
use liaison_secure::{NatsAccess, Role, Servers, inbox_prefix};
use liaison_testkit::{ChildProcess, Output, free_addr};

/// How long the stack may take to become ready (a debug build on a busy machine).
const READY_WITHIN: Duration = Duration::from_secs(120);

fn read(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// The `export KEY='value'` lines of `cli.env`.
fn exports(path: &Path) -> HashMap<String, String> {
    read(path)
        .lines()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('\'').to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn liaison_dev_from_an_empty_data_directory_comes_up_secured() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let nats: SocketAddr = free_addr();
    let urls = CliUrls {
        ingest: format!("http://{}", free_addr()),
        projection: format!("http://{}", free_addr()),
        notifier: format!("http://{}", free_addr()),
        reader: format!("http://{}", free_addr()),
        console: format!("http://{}", free_addr()),
        nats: format!("nats://{nats}"),
    };
    let output = dir.path().join("dev.out");
    let mut command = liaison_testkit::spawn::command(liaison_binary());
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if key.starts_with("LIAISON_") && key != "LIAISON_NATS_SERVER" && key != "LIAISON_BIN_DIR" {
            command.env_remove(key);
        }
    }
    command
        .args(urls.flags())
        .arg("dev")
        .arg("--data-dir")
        .arg(&data_dir)
        .args(["--nats-monitor-addr", &free_addr().to_string()]);
    let mut dev = ChildProcess::spawn("liaison dev", command, &Output::File(output.clone()))
        .expect("start liaison dev");

    // Ready: every service answers /readyz (connected to the secured NATS, following the log).
    let http = reqwest::Client::new();
    let deadline = Instant::now() + READY_WITHIN;
    for base in [
        &urls.ingest,
        &urls.projection,
        &urls.notifier,
        &urls.reader,
        &urls.console,
    ] {
        loop {
            if let Some(status) = dev.exit_status() {
                panic!("liaison dev exited ({status}):\n{}", read(&output));
            }
            let ready = http
                .get(format!("{base}/readyz"))
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{base} not ready within {READY_WITHIN:?}:\n{}",
                read(&output)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // The banner comes right after the last service is ready.
    while !read(&output).contains("Ctrl-C stops everything") {
        assert!(Instant::now() < deadline, "no banner:\n{}", read(&output));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let text = read(&output);
    let secrets = data_dir.join("nats-secrets");
    assert!(
        text.contains(&format!(
            "NATS credentials and certificates generated in {}",
            secrets.display()
        )),
        "{text}"
    );
    assert!(text.contains("stream LIAISON_EVENTS created"), "{text}");
    assert!(text.contains("stream LIAISON_ALERTS created"), "{text}");
    assert!(
        text.contains(&format!("source {}", secrets.join("cli.env").display())),
        "{text}"
    );

    // The files: secrets readable by their owner only.
    assert_eq!(mode(&secrets), 0o700);
    assert_eq!(mode(&secrets.join("server-key.pem")), 0o600);
    for role in Role::ALL {
        assert_eq!(mode(&secrets.join(role.seed_file())), 0o600, "{role}");
    }
    assert!(read(&data_dir.join("nats-server.conf")).contains("users.conf"));

    // Each service connected with its own role's key.
    for service in liaison_testkit::DEV_SERVICES {
        let seed = secrets.join(Role::of_service(service).seed_file());
        assert!(
            text.contains(&format!("nkey seed file {}", seed.display())),
            "{service} did not connect with {}:\n{text}",
            seed.display()
        );
    }

    // nats-server refuses a client that does not trust its CA, and one without a key.
    let servers = Servers::parse(&[&urls.nats]).unwrap();
    let connect = |access: NatsAccess| {
        let servers = servers.clone();
        async move {
            access
                .connect_options(&servers, &inbox_prefix("test"))
                .await
                .unwrap()
                .connection_timeout(Duration::from_secs(5))
                .connect(servers.addrs().to_vec())
                .await
                .map(|_| ())
        }
    };
    let plain = connect(NatsAccess::default()).await.unwrap_err();
    assert!(plain.to_string().contains("UnknownIssuer"), "{plain}");
    let keyless = connect(NatsAccess {
        tls_ca: Some(secrets.join("ca.pem")),
        ..NatsAccess::default()
    })
    .await
    .unwrap_err();
    assert_eq!(
        keyless.kind(),
        ConnectErrorKind::AuthorizationViolation,
        "{keyless}"
    );

    // `liaison` with what cli.env exports reads the (empty) log.
    let env = exports(&secrets.join("cli.env"));
    let args = [
        "--nats-nkey",
        env["LIAISON_NATS_NKEY"].as_str(),
        "--nats-tls-ca",
        env["LIAISON_NATS_TLS_CA"].as_str(),
        "tail",
    ];
    let tail = run_liaison(&urls, &args).await;
    assert_eq!(tail.code, Some(0), "{tail}");

    dev.terminate(Duration::from_secs(30)).await;
}
