//! Ingest never acknowledges into a log the services do not hold: when the log is deleted it
//! answers `503` naming the cause and does not create an empty one; when someone creates it
//! again, an append that lands there is still a `503`, never a `201`; `/readyz` says why.

mod support;

use std::time::Duration;

use liaison_log::{LogSettings, ensure_events_stream};
use liaison_testkit::NatsServer;
use serde_json::Value;
use support::{config, meeting, new_id, org, spawn_app};

/// Waits (at most 10 s) until `GET /readyz` is a 503 whose document mentions `needle`.
async fn wait_not_ready(app: &support::TestApp, needle: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (status, body) = app.get("/readyz").await;
        if status == 503 && body.contains(needle) {
            return serde_json::from_str(&body).unwrap();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still {status}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_deleted_or_replaced_log_gets_no_201_and_is_not_recreated() {
    let nats = NatsServer::start().await;
    let js = nats.jetstream().await;
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(config(&nats.url(), dir.path())).await;
    assert_eq!(
        app.post(&serde_json::json!([org("meta"), org("lg")]))
            .await
            .status,
        201
    );
    assert_eq!(
        app.post(&meeting(Some(new_id()), "meta", "lg"))
            .await
            .status,
        201
    );

    js.delete_stream("LIAISON_EVENTS").await.unwrap();
    let readyz = wait_not_ready(&app, "does not exist").await;
    assert_eq!(readyz["status"], "not_ready");
    let answer = app.post(&meeting(Some(new_id()), "meta", "lg")).await;
    answer.assert_problem(503);
    assert!(answer.retry_after.is_some(), "{answer:?}");
    assert!(
        answer.body["detail"]
            .as_str()
            .unwrap()
            .contains("LIAISON_EVENTS"),
        "{answer:?}"
    );
    // Ingest does not create an empty log in its place, however long it runs.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        js.get_stream("LIAISON_EVENTS").await.is_err(),
        "ingest recreated the log"
    );

    // Someone else creates it again: nothing this ingest appends there is acknowledged.
    ensure_events_stream(&js, &LogSettings::default())
        .await
        .unwrap();
    let answer = app.post(&meeting(Some(new_id()), "meta", "lg")).await;
    answer.assert_problem(503);
    wait_not_ready(&app, "created again").await;
    for _ in 0..3 {
        let answer = app.post(&meeting(Some(new_id()), "meta", "lg")).await;
        assert_eq!(answer.status, 503, "{answer:?}");
    }
    app.stop().await;

    // Started again on the same data directory, it still refuses.
    let app = support::spawn_app_unready(config(&nats.url(), dir.path())).await;
    wait_not_ready(&app, "created again").await;
    assert_eq!(
        app.post(&meeting(Some(new_id()), "meta", "lg"))
            .await
            .status,
        503
    );
    app.stop().await;
}
