//! `GET /v1/stream` serves a bounded number of clients: one more gets `503` with `Retry-After`,
//! and a place is given back when a client goes away.

mod support;

use std::time::{Duration, Instant};

use liaison_projection::http_api::HttpLimits;
use support::{Log, Projection};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_clients_beyond_the_bound_get_503() {
    const BOUND: usize = HttpLimits::DEFAULT_MAX_STREAM_CLIENTS;
    let log = Log::start().await;
    let dir = tempfile::tempdir().unwrap();
    let p = Projection::start(&log.server.url(), dir.path().join("p"), |_| {}).await;
    let url = format!("http://{}/v1/stream", p.addr);
    let http = reqwest::Client::new();

    let mut open = Vec::new();
    for i in 0..BOUND {
        let response = http.get(&url).send().await.unwrap();
        assert_eq!(response.status(), 200, "client {i}");
        open.push(response);
    }
    for _ in 0..3 {
        let refused = http.get(&url).send().await.unwrap();
        assert_eq!(refused.status(), 503);
        assert_eq!(refused.headers()["retry-after"], "5");
        assert_eq!(
            refused.headers()["content-type"],
            "application/problem+json"
        );
        let problem: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(
            problem["detail"],
            format!("the stream serves {BOUND} clients already, its bound; retry later")
        );
    }
    // Other endpoints are not affected.
    let (code, _, _) = p.get("/v1/meetings").await;
    assert_eq!(code, 200);

    // One client leaves: its place goes to the next (once the server sees the connection
    // closed, at the latest at the next keep-alive).
    drop(open.pop());
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let response = http.get(&url).send().await.unwrap();
        if response.status() == 200 {
            open.push(response);
            break;
        }
        assert_eq!(response.status(), 503);
        assert!(Instant::now() < deadline, "the place was given back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let refused = http.get(&url).send().await.unwrap();
    assert_eq!(refused.status(), 503, "the bound holds again");
    drop(open);
    p.stop().await;
}
