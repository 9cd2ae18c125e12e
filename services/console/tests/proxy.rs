//! The console's forwarding against a real ingest and projection (on a real nats-server): writes
//! and reads with their headers, Server-Sent Events passing through and resuming with
//! `Last-Event-ID`, the body bound, an unreachable service, and paths that try to climb out.

mod support;

use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;
use support::{TOKEN, TestStack, closed_addr, console, scenario};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Reads SSE blocks from `response` until `n` events (id, data) were read.
async fn read_events(response: reqwest::Response, n: usize) -> Vec<(String, Value)> {
    let mut body = response.bytes_stream();
    let (mut text, mut out) = (String::new(), Vec::new());
    while out.len() < n {
        let chunk = tokio::time::timeout(Duration::from_secs(10), body.next())
            .await
            .expect("an event in time")
            .expect("the stream goes on")
            .expect("a chunk");
        text.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            let id = block.lines().find_map(|l| l.strip_prefix("id: "));
            let data = block.lines().find_map(|l| l.strip_prefix("data: "));
            if let (Some(id), Some(data)) = (id, data) {
                out.push((
                    id.to_owned(),
                    serde_json::from_str(data).expect("JSON data"),
                ));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_forwards_to_real_services() {
    let stack = TestStack::start().await;
    let http = &stack.http;
    let api = |path: &str| format!("{}/api{path}", stack.console.url);

    // A write without the token is refused by ingest, and the refusal comes back as it was.
    let refused = http
        .post(api("/ingest/v1/events"))
        .json(&scenario("meta-lg-2024"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );

    // With the token, the batch is appended (a streamed body with its length).
    let appended = http
        .post(api("/ingest/v1/events"))
        .bearer_auth(TOKEN)
        .json(&scenario("meta-lg-2024"))
        .send()
        .await
        .unwrap();
    assert_eq!(appended.status(), 201);
    let body: Value = appended.json().await.unwrap();
    let last = body["events"].as_array().unwrap().last().unwrap()["sequence"]
        .as_u64()
        .unwrap();

    // A read with its query string, answered once the projection applied the batch.
    let read = http
        .get(api(&format!(
            "/projection/v1/relationships/meta/lg-electronics?topic=xr&min_sequence={last}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    assert!(
        read.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let view: Value = read.json().await.unwrap();
    assert_eq!(view["status"], "exploring", "{view}");

    // The stream passes through: a replay from the start, then a resume after its first event.
    let replay = http
        .get(api("/projection/v1/stream?from=start"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(replay.headers()["content-type"], "text/event-stream");
    let first_two = read_events(replay, 2).await;
    let resumed = http
        .get(api("/projection/v1/stream"))
        .header("last-event-id", &first_two[0].0)
        .send()
        .await
        .unwrap();
    let after_first = read_events(resumed, 1).await;
    assert_eq!(
        after_first[0].0, first_two[1].0,
        "resumed after the first event"
    );

    // A live client sees a new change as it happens.
    let live = http.get(api("/projection/v1/stream")).send().await.unwrap();
    assert_eq!(live.status(), 200);
    let partnership = scenario("demo-hypothetical");
    stack.append(&partnership).await;
    let change = read_events(live, 1).await.remove(0).1;
    assert_eq!(change["after"], "active", "{change}");
    assert_eq!(change["event_id"], partnership[0]["id"]);

    // A body over the bound is refused before it reaches the service: declared, or streamed.
    let bounded = console(&stack.nats.url(), stack_dir(), |c| {
        c.ingest_url = stack.ingest.url.clone();
        c.max_body_bytes = 1024;
    })
    .await;
    let big = vec![b' '; 4096];
    let declared = http
        .post(format!("{}/api/ingest/v1/events", bounded.url))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(declared.status(), 413);
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        big.chunks(512).map(|c| Ok(c.to_vec())).collect();
    let chunks = futures::stream::iter(chunks);
    let streamed = http
        .post(format!("{}/api/ingest/v1/events", bounded.url))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_eq!(streamed.status(), 413);
    bounded.stop().await;
    stack.stop().await;
}

fn stack_dir() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

#[tokio::test]
async fn an_unreachable_service_is_a_502_naming_it() {
    let nats =
        liaison_testkit::NatsServer::start_with(liaison_testkit::ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    let gone = format!("http://{}", closed_addr());
    let console = console(&nats.url(), dir.path(), |c| c.notifier_url = gone.clone()).await;
    let response = reqwest::get(format!("{}/api/notifier/v1/rules", console.url))
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["service"], "notifier", "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("liaison-notifier") && detail.contains(&gone),
        "{detail}"
    );
    assert!(detail.contains("LIAISON_NOTIFIER_URL"), "{detail}");

    let unknown = reqwest::get(format!("{}/api/console/v1/anything", console.url))
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    console.stop().await;
}

/// Sends `GET <target>` as written (no client normalises it) and returns the status code.
async fn raw_get(addr: &str, target: &str) -> u16 {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let head = String::from_utf8_lossy(&answer);
    head.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn paths_that_climb_out_of_a_service_are_refused() {
    let nats =
        liaison_testkit::NatsServer::start_with(liaison_testkit::ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    // Every service "reachable" at a closed port: a refused path answers 400, never 502.
    let console = console(&nats.url(), dir.path(), |_| {}).await;
    let addr = console.url.trim_start_matches("http://").to_owned();
    for target in [
        "/api/projection/../ingest/v1/events",
        "/api/projection/v1/../../ingest/v1/events",
        "/api/projection/%2e%2e/ingest/v1/events",
        "/api/projection/%2E%2E/ingest/v1/events",
        "/api/projection/..%2Fingest%2Fv1%2Fevents",
        "/api/projection/v1%5C..%5Cingest",
        "/api/projection/./v1/relationships",
        "/api/projection/v1//relationships",
    ] {
        assert_eq!(raw_get(&addr, target).await, 400, "{target}");
    }
    console.stop().await;
}

#[tokio::test]
async fn the_ui_is_served_from_the_binary() {
    let nats =
        liaison_testkit::NatsServer::start_with(liaison_testkit::ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    let console = console(&nats.url(), dir.path(), |_| {}).await;
    let index = reqwest::get(format!("{}/", console.url)).await.unwrap();
    assert_eq!(index.status(), 200);
    assert_eq!(index.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(index.headers()["cache-control"], "no-cache");
    let csp = index.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("connect-src 'self'"),
        "{csp}"
    );
    let html = index.text().await.unwrap();
    let script = html
        .split("src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the page names its script");
    let js = reqwest::get(format!("{}{script}", console.url))
        .await
        .unwrap();
    assert_eq!(js.status(), 200);
    assert_eq!(
        js.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        js.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let missing = reqwest::get(format!("{}/assets/nope-AAAAAAAA.js", console.url))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    console.stop().await;
}
