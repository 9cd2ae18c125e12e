//! The shipped secured configurations, run as shipped: nats-server refuses whoever has no key of
//! the users file, or no TLS, or does not trust its certificate; a cluster's nodes join each
//! other over authenticated TLS routes and refuse a node of another CA.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use async_nats::ConnectErrorKind;
use liaison_secure::{DEV_HOSTS, NatsAccess, NatsSecrets, Role, SECRETS_DIR, inbox_prefix};
use liaison_testkit::nats_config::ClusterNodeConfig;
use liaison_testkit::{
    ChildProcess, NatsCluster, NatsServer, Output, free_addr, nats_server_binary,
};

/// A key the users file does not list (its seed written into `dir`), with the deployment's CA.
fn stranger(dir: &std::path::Path, server: &NatsServer) -> NatsAccess {
    let seed = dir.join("stranger.nk");
    let key = nkeys::KeyPair::new_user();
    std::fs::write(&seed, key.seed().unwrap()).unwrap();
    NatsAccess {
        nkey: Some(seed),
        ..server.access(Role::Cli)
    }
}

#[tokio::test]
async fn a_secured_server_refuses_unknown_keys_plain_connections_and_untrusting_clients() {
    let server = NatsServer::start_secured().await;
    let prefix = inbox_prefix("test");
    let dir = tempfile::tempdir().unwrap();

    // Every role's own key is accepted.
    for role in Role::ALL {
        let client = server.client_as(role).await;
        client.flush().await.expect("a role connects and flushes");
    }

    // A key the users file does not list, no credentials, a guessed password: authorization
    // violation.
    for (what, access) in [
        ("an unknown nkey", stranger(dir.path(), &server)),
        (
            "no credentials",
            NatsAccess {
                nkey: None,
                ..server.access(Role::Cli)
            },
        ),
        (
            "a user and a wrong password",
            NatsAccess {
                nkey: None,
                user: Some("admin".into()),
                password: Some("guessed".into()),
                ..server.access(Role::Cli)
            },
        ),
    ] {
        let err = server
            .connect(&access, &prefix)
            .await
            .map(|_| ())
            .unwrap_err();
        assert_eq!(
            err.kind(),
            ConnectErrorKind::AuthorizationViolation,
            "{what}: {err}"
        );
    }

    // A client that does not trust the local CA fails the TLS handshake.
    let untrusting = NatsAccess {
        tls_ca: None,
        ..server.access(Role::Cli)
    };
    let err = server
        .connect(&untrusting, &prefix)
        .await
        .map(|_| ())
        .unwrap_err();
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");

    // A client speaking plain NATS, without TLS, is told TLS is required and never gets a PONG.
    let answer = plain_connect(server.addr());
    assert!(answer.contains("\"tls_required\":true"), "{answer}");
    assert!(!answer.contains("PONG"), "{answer}");
}

/// Speaks plain NATS to `addr` — reads the INFO, sends CONNECT and PING — and returns all the
/// server said until it closed the connection (within 10 s).
fn plain_connect(addr: std::net::SocketAddr) -> String {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut info = String::new();
    reader.read_line(&mut info).unwrap();
    let mut writer = stream;
    let _ = writer.write_all(b"CONNECT {\"verbose\":false,\"tls_required\":false}\r\nPING\r\n");
    let mut rest = Vec::new();
    let _ = reader.read_to_end(&mut rest);
    format!("{info}{}", String::from_utf8_lossy(&rest))
}

#[tokio::test]
async fn a_secured_cluster_forms_over_authenticated_routes_and_refuses_a_stranger_node() {
    let cluster = NatsCluster::start_secured(3).await;
    // The meta leader was elected over the TLS routes; an R3 stream needs all three.
    let js = cluster.jetstream().await;
    let mut stream = js
        .create_stream(async_nats::jetstream::stream::Config {
            name: "R3".into(),
            subjects: vec!["r3.>".into()],
            num_replicas: 3,
            ..Default::default()
        })
        .await
        .expect("create an R3 stream as the admin");
    js.publish("r3.x", "x".into()).await.unwrap().await.unwrap();
    assert_eq!(stream.info().await.unwrap().state.messages, 1);

    // A node whose certificate another CA signed tries to join: the TLS handshake of its route
    // fails, and no member lists it.
    let dir = tempfile::tempdir().unwrap();
    let other = NatsSecrets::ensure(dir.path().join(SECRETS_DIR), &DEV_HOSTS).unwrap();
    let config = ClusterNodeConfig {
        server_name: "stranger".into(),
        listen: free_addr(),
        monitor: free_addr(),
        cluster_listen: free_addr(),
        routes: vec![cluster.route_addr(0)],
        secrets: Some(other),
        ..ClusterNodeConfig::shipped(0, dir.path().join("store"))
    };
    let conf_path = dir.path().join("nats-server.conf");
    std::fs::write(&conf_path, config.render(dir.path())).unwrap();
    let mut command = liaison_testkit::spawn::command(nats_server_binary());
    command.arg("-c").arg(&conf_path);
    let log = dir.path().join("stranger.log");
    let _stranger = ChildProcess::spawn("stranger", command, &Output::File(log.clone())).unwrap();

    let deadline = Instant::now() + Duration::from_secs(20);
    let refused = loop {
        let text = std::fs::read_to_string(cluster.log_path(0)).unwrap_or_default()
            + &std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(line) = text
            .lines()
            .find(|l| l.contains("TLS route handshake error"))
        {
            break line.to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "no TLS handshake error within 20 s; the stranger's log:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(refused.contains("certificate"), "{refused}");
    let routez: serde_json::Value = reqwest::get(format!(
        "http://127.0.0.1:{}/routez",
        cluster.monitor_port(0)
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let peers: Vec<&str> = routez["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["remote_name"].as_str())
        .collect();
    assert!(!peers.contains(&"stranger"), "{routez}");
    assert!(peers.contains(&"n1") && peers.contains(&"n2"), "{routez}");
}
