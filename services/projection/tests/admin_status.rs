//! The operators' read endpoints the console polls: `GET /v1/admin/status` (every service's
//! skeleton: each follower's checkpoint, the log's head, the lag, the apply rate) and the
//! projection's `GET /v1/admin/rebuild` (the rebuild running or the last one, with its progress).
//! Real nats-server, real sled, real HTTP.

mod support;

use std::time::{Duration, Instant};

use liaison_proto::admin::{RebuildState, RebuildStatus, ServiceStatus};
use serde_json::{Value, json};
use support::{Log, Projection, event, org};

const TOKEN: &str = "status-t0ken";

/// `method path` with `token`: the status and the JSON answer.
async fn call(p: &Projection, post: bool, path: &str, token: Option<&str>) -> (u16, Value) {
    let url = format!("http://{}{path}", p.addr);
    let client = reqwest::Client::new();
    let mut request = if post {
        client.post(url)
    } else {
        client.get(url)
    };
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_shows_checkpoint_head_and_lag_and_a_rebuild_its_progress() {
    let log = Log::start().await;
    let dir = tempfile::tempdir().unwrap();
    let p = Projection::start(&log.server.url(), dir.path().join("p"), |config| {
        config.common.api_token = Some(TOKEN.into());
    })
    .await;
    let pair = json!({"organizations": ["kakao", "samsung"], "topics": ["ai"]});
    let sequences = log
        .append(&[
            org("kakao"),
            org("samsung"),
            event("meeting.held", "2024-05-02", pair),
        ])
        .await;
    let head = sequences[2];
    p.wait_applied(head).await;

    // The status is a read (no token needed while no read token is set): the log's follower at
    // the head, once the head is polled.
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        let (code, body) = call(&p, false, "/v1/admin/status", None).await;
        assert_eq!(code, 200, "{body}");
        let status: ServiceStatus = serde_json::from_value(body).unwrap();
        if status.streams[0].head == Some(head) {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the head is never known: {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(status.service, "projection");
    assert_eq!(status.streams.len(), 1);
    let log_status = &status.streams[0];
    assert_eq!(log_status.stream, "LIAISON_EVENTS");
    assert_eq!((log_status.checkpoint, log_status.lag), (head, Some(0)));
    assert_eq!(log_status.state, "following");
    assert!(log_status.applied_per_second >= 0.0);
    eprintln!("status: {status:?}");

    // A parameter is a 400 naming it.
    let (code, body) = call(&p, false, "/v1/admin/status?verbose=1", None).await;
    assert_eq!(code, 400, "{body}");
    assert_eq!(body["errors"][0]["pointer"], "/verbose", "{body}");

    // The rebuild's progress is an admin read: the token; idle before any rebuild.
    let (code, _) = call(&p, false, "/v1/admin/rebuild", None).await;
    assert_eq!(code, 401);
    let (code, body) = call(&p, false, "/v1/admin/rebuild", Some(TOKEN)).await;
    assert_eq!(code, 200, "{body}");
    let idle: RebuildStatus = serde_json::from_value(body).unwrap();
    assert_eq!(idle, RebuildStatus::default());
    let (code, body) = call(&p, false, "/v1/admin/rebuild?wait=true", Some(TOKEN)).await;
    assert_eq!(code, 400, "{body}");
    assert_eq!(body["errors"][0]["pointer"], "/wait", "{body}");

    // Started in the background, it is seen running or done, then done with the whole log.
    let (code, body) = call(&p, true, "/v1/admin/rebuild", Some(TOKEN)).await;
    assert_eq!(code, 202, "{body}");
    let mut seen = Vec::new();
    let done = loop {
        let (_, body) = call(&p, false, "/v1/admin/rebuild", Some(TOKEN)).await;
        let now: RebuildStatus = serde_json::from_value(body).unwrap();
        seen.push(now.state);
        if now.state == RebuildState::Done {
            break now;
        }
        assert_ne!(now.state, RebuildState::Failed, "{now:?}");
        assert_ne!(now.state, RebuildState::Idle, "{now:?}");
        assert!(
            Instant::now() < deadline + Duration::from_secs(20),
            "{now:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!((done.applied, done.target), (head, head), "{done:?}");
    let report = done.report.expect("the report of a finished rebuild");
    assert_eq!(report.checkpoint, head);
    assert!(done.started_at.is_some() && done.error.is_none());
    eprintln!(
        "rebuild states seen while polling: {seen:?}; took {} s",
        report.seconds
    );
    p.stop().await;
}
