//! `connect()` never fails or hangs because NATS is down, and `NatsHealth` tells the truth,
//! against a real `nats-server` (from `liaison-testkit`) and a port where nothing listens.

use std::time::{Duration, Instant};

use liaison_runtime::config::CommonArgs;
use liaison_runtime::nats::{NatsHealth, connect};
use liaison_testkit::{NatsServer, free_port};

fn args_for(url: String) -> CommonArgs {
    CommonArgs {
        nats_urls: vec![url],
        ..CommonArgs::default()
    }
}

/// Waits up to `within` for `condition` on `health`.
async fn eventually(
    health: &NatsHealth,
    within: Duration,
    condition: impl Fn(&NatsHealth) -> bool,
) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if condition(health) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    condition(health)
}

#[tokio::test]
async fn connect_without_nats_returns_promptly_and_reports_disconnected() {
    let args = args_for(format!("nats://127.0.0.1:{}", free_port()));
    let started = Instant::now();
    let (client, health) = tokio::time::timeout(Duration::from_secs(2), connect(&args, "test"))
        .await
        .expect("connect() must not wait for NATS")
        .expect("connect() must not fail because NATS is down");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(!health.is_connected());
    assert!(!health.check().ok);
    assert!(
        eventually(&health, Duration::from_secs(5), |h| h
            .last_error()
            .is_some())
        .await,
        "the failed attempts are reported"
    );
    let check = health.check();
    assert!(
        check.detail.starts_with("disconnected: "),
        "{}",
        check.detail
    );
    assert_eq!(
        client.connection_state(),
        async_nats::connection::State::Pending
    );
}

#[tokio::test]
async fn health_follows_the_server_going_away_and_coming_back() {
    let mut server = NatsServer::start().await;
    server.stop();
    // started while NATS is down …
    let (client, health) = connect(&args_for(server.url()), "test").await.unwrap();
    assert!(!health.is_connected());
    // … it connects once NATS is up
    server.start_again().await;
    assert!(
        eventually(&health, Duration::from_secs(15), NatsHealth::is_connected).await,
        "connects when the server comes up"
    );
    assert_eq!(health.check().detail, "connected");
    client
        .publish("liaison.test", "hello".into())
        .await
        .unwrap();
    client.flush().await.unwrap();

    server.stop();
    assert!(
        eventually(&health, Duration::from_secs(15), |h| !h.is_connected()).await,
        "notices the server going away"
    );
    server.start_again().await;
    assert!(
        eventually(&health, Duration::from_secs(15), NatsHealth::is_connected).await,
        "reconnects"
    );
}

#[tokio::test]
async fn a_bad_url_is_a_configuration_error() {
    let err = connect(&args_for("http://[::1".to_owned()), "test")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("invalid NATS URL"), "{err}");
}

#[tokio::test]
async fn a_service_connects_with_its_roles_key_and_the_ca_and_says_why_a_wrong_key_is_refused() {
    let server = NatsServer::start_secured().await;
    let access = server.access(liaison_testkit::Role::Ingest);
    let args = CommonArgs {
        nats_nkey: access.nkey.clone(),
        nats_tls_ca: access.tls_ca.clone(),
        ..args_for(server.url())
    };
    let (client, health) = connect(&args, "ingest").await.unwrap();
    assert!(
        eventually(&health, Duration::from_secs(10), NatsHealth::is_connected).await,
        "the ingest's key and the CA connect: {:?}",
        health.last_error()
    );
    // Its inbox is its role's: a request's answer arrives (the JetStream API answers there).
    let js = async_nats::jetstream::new(client);
    let err = js.get_stream("LIAISON_EVENTS").await.unwrap_err();
    assert!(err.to_string().contains("not found"), "{err}");

    // A key the server's users file does not list.
    let dir = tempfile::tempdir().unwrap();
    let stranger = dir.path().join("stranger.nk");
    std::fs::write(&stranger, nkeys_seed()).unwrap();
    let args = CommonArgs {
        nats_nkey: Some(stranger),
        ..args
    };
    let (_client, health) = connect(&args, "ingest").await.unwrap();
    assert!(
        eventually(&health, Duration::from_secs(10), |h| h
            .last_error()
            .is_some_and(|e| e.to_lowercase().contains("authorization")))
        .await,
        "an unknown key is reported as refused: {:?}",
        health.last_error()
    );
    assert!(!health.is_connected());
    assert!(health.check().detail.starts_with("disconnected: "));
}

#[tokio::test]
async fn unusable_credential_files_stop_the_service_at_start_with_their_path() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("ingest.nk");
    std::fs::write(&seed, "not a seed\n").unwrap();
    let args = CommonArgs {
        nats_nkey: Some(seed),
        ..args_for(format!("nats://127.0.0.1:{}", free_port()))
    };
    let err = connect(&args, "ingest").await.unwrap_err().to_string();
    assert!(
        err.contains("nkey seed file") && err.contains("ingest.nk"),
        "{err}"
    );
    assert!(!err.contains("not a seed"), "{err}");

    let args = CommonArgs {
        nats_tls_ca: Some(dir.path().join("absent-ca.pem")),
        ..args_for(format!("nats://127.0.0.1:{}", free_port()))
    };
    let err = connect(&args, "ingest").await.unwrap_err().to_string();
    assert!(
        err.contains("TLS CA file") && err.contains("absent-ca.pem"),
        "{err}"
    );
}

/// A user seed the test server does not know.
fn nkeys_seed() -> String {
    nkeys::KeyPair::new_user().seed().unwrap()
}
