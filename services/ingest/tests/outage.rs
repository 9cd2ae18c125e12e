//! NATS going away while ingest runs, and ingest starting while NATS is down: appends answer
//! `503` with `Retry-After` meanwhile, nothing half-done, and succeed afterwards without a
//! restart of ingest.

mod support;

use std::time::{Duration, Instant};

use liaison_testkit::{NatsServer, ServerOptions};
use serde_json::json;
use support::{TestApp, config, meeting, new_id, org, read_log, spawn_app, spawn_app_unready};

/// Posts `body` until it is answered with something other than 503, for at most `within`.
async fn until_not_503(app: &TestApp, body: &serde_json::Value, within: Duration) -> u16 {
    let deadline = Instant::now() + within;
    loop {
        let answer = app.post(body).await;
        if answer.status != 503 || Instant::now() > deadline {
            return answer.status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn nats_stopped_and_started_again_while_ingest_runs() {
    let mut nats = NatsServer::start_with(ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(config(&nats.url(), dir.path())).await;
    assert_eq!(app.post(&json!([org("meta"), org("lg")])).await.status, 201);

    nats.stop();
    let single = meeting(Some(new_id()), "meta", "lg");
    let batch = json!([
        meeting(Some(new_id()), "meta", "lg"),
        meeting(Some(new_id()), "lg", "meta")
    ]);
    for body in [&single, &batch] {
        let answer = app.post(body).await;
        answer.assert_problem(503);
        assert_eq!(answer.retry_after.as_deref(), Some("2"), "{answer:?}");
        assert!(
            answer.body["detail"].as_str().unwrap().contains("retry"),
            "{answer:?}"
        );
    }
    // Still a 4xx for what is wrong whatever the log says.
    assert_eq!(app.post(&json!({"type": "meeting.held"})).await.status, 422);
    let (status, readyz) = app.get("/readyz").await;
    assert_eq!(status, 503, "{readyz}");
    assert_eq!(app.get("/healthz").await.0, 200);
    let (_, metrics) = app.get("/metrics").await;
    assert!(metrics.contains("reason=\"unavailable\""));

    nats.start_again().await;
    assert_eq!(
        until_not_503(&app, &single, Duration::from_secs(30)).await,
        201
    );
    assert_eq!(app.post(&batch).await.status, 201);
    app.wait_ready(Duration::from_secs(10)).await;
    assert_eq!(read_log(&nats.jetstream().await).await.len(), 5);
    app.stop().await;
}

#[tokio::test]
async fn ingest_started_while_nats_is_down_keeps_retrying_and_then_serves() {
    let mut nats = NatsServer::start_with(ServerOptions::fast()).await;
    nats.stop();
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app_unready(config(&nats.url(), dir.path())).await;
    assert_eq!(app.get("/healthz").await.0, 200);
    let (status, readyz) = app.get("/readyz").await;
    assert_eq!(status, 503);
    assert!(readyz.contains("not_ready"), "{readyz}");
    let answer = app.post(&org("meta")).await;
    answer.assert_problem(503);
    assert!(answer.retry_after.is_some());

    tokio::time::sleep(Duration::from_millis(500)).await;
    nats.start_again().await;
    app.wait_ready(Duration::from_secs(30)).await;
    assert_eq!(app.post(&org("meta")).await.status, 201);
    let info = nats
        .jetstream()
        .await
        .get_stream(liaison_proto::subjects::EVENTS_STREAM)
        .await
        .unwrap()
        .cached_info()
        .config
        .clone();
    assert!(info.deny_delete && info.deny_purge && info.allow_atomic_publish);
    assert_eq!(read_log(&nats.jetstream().await).await.len(), 1);
    app.stop().await;
}
