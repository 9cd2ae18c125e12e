//! With `LIAISON_READ_TOKEN` set, every query of the projection needs the read or the API token
//! (the skeleton's read scope over every route the projection returns), the SSE stream
//! included; `/healthz`, `/readyz`, `/metrics` stay open; the read token cannot rebuild nor read
//! the quarantine (CONTRACT.md, "Access (v2)"). Real nats-server, real sled, real HTTP.

mod support;

use reqwest::Method;
use serde_json::json;
use support::{Log, Projection, event, org};

const WRITE: &str = "kakao-ops-wr1te";
const READ: &str = "kakao-ops-r3ad";

/// The status of `method path` with `token`.
async fn status(p: &Projection, method: Method, path: &str, token: Option<&str>) -> u16 {
    let mut request = reqwest::Client::new().request(method, format!("http://{}{path}", p.addr));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    // Only the head: the SSE stream's body never ends.
    let response = request.send().await.unwrap();
    if response.status() == 401 {
        assert_eq!(response.headers()["www-authenticate"], "Bearer", "{path}");
    }
    response.status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_query_needs_a_token_and_health_does_not() {
    let log = Log::start().await;
    let dir = tempfile::tempdir().unwrap();
    let p = Projection::start(&log.server.url(), dir.path().join("p"), |config| {
        config.common.api_token = Some(WRITE.into());
        config.common.read_token = Some(READ.into());
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
    p.wait_applied(sequences[2]).await;

    for path in [
        "/v1/relationships?org=kakao",
        "/v1/relationships/kakao/samsung",
        "/v1/relationships/kakao/samsung?topic=ai",
        "/v1/organizations/kakao",
        "/v1/organizations/kakao/timeline",
        "/v1/organizations/kakao/meetings",
        "/v1/meetings",
        "/v1/stream",
    ] {
        assert_eq!(status(&p, Method::GET, path, None).await, 401, "{path}");
        assert_eq!(
            status(&p, Method::GET, path, Some("guess")).await,
            401,
            "{path}"
        );
        assert_eq!(
            status(&p, Method::GET, path, Some(READ)).await,
            200,
            "{path}"
        );
        assert_eq!(
            status(&p, Method::GET, path, Some(WRITE)).await,
            200,
            "{path}"
        );
    }
    // The effect preview is a read: the read token passes (then it asks for a JSON body).
    assert_eq!(status(&p, Method::POST, "/v1/preview", None).await, 401);
    assert_eq!(
        status(&p, Method::POST, "/v1/preview", Some(READ)).await,
        415
    );
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert_eq!(status(&p, Method::GET, path, None).await, 200, "{path}");
    }
    assert_eq!(
        status(&p, Method::POST, "/v1/admin/rebuild", Some(READ)).await,
        401
    );
    assert_eq!(
        status(&p, Method::GET, "/v1/admin/quarantine", Some(READ)).await,
        401
    );
    assert_eq!(
        status(&p, Method::GET, "/v1/admin/quarantine", Some(WRITE)).await,
        200
    );
    p.stop().await;
}
