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
