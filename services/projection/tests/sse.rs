//! `GET /v1/stream`: status changes with before and after, resumable with `Last-Event-ID`.

mod support;

use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};
use support::{Log, Projection, event, org};

/// Reads SSE events (id, data) until `n` were read.
async fn read_events(response: reqwest::Response, n: usize) -> Vec<(String, Value)> {
    let mut body = response.bytes_stream();
    let mut text = String::new();
    let mut out = Vec::new();
    while out.len() < n {
        let chunk = tokio::time::timeout(Duration::from_secs(10), body.next())
            .await
            .expect("an event in time")
            .expect("the stream goes on")
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            let id = block
                .lines()
                .find_map(|l| l.strip_prefix("id: "))
                .map(str::to_owned);
            let data = block.lines().find_map(|l| l.strip_prefix("data: "));
            if let (Some(id), Some(data)) = (id, data) {
                out.push((id, serde_json::from_str(data).unwrap()));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_changes_stream_and_resume_with_last_event_id() {
    let log = Log::start().await;
    let dir = tempfile::tempdir().unwrap();
    let p = Projection::start(&log.server.url(), dir.path().join("p"), |_| {}).await;
    let pair = json!({"organizations": ["meta", "lg"], "topics": ["xr"]});
    let first = log
        .append(&[
            org("meta"),
            org("lg"),
            event("meeting.held", "2024-01-10", pair.clone()),
            event("meeting.held", "2024-01-11", pair.clone()), // no change
            event("agreement.signed", "2024-02-01", pair.clone()),
        ])
        .await;
    p.wait_applied(first[4]).await;

    let url = format!("http://{}/v1/stream?from=start", p.addr);
    let events = read_events(reqwest::get(&url).await.unwrap(), 2).await;
    assert_eq!(events[0].0, format!("{}-0", first[2]));
    assert_eq!(events[0].1["before"], "none");
    assert_eq!(events[0].1["after"], "contact");
    assert_eq!(events[0].1["organizations"], json!(["lg", "meta"]));
    assert_eq!(events[1].0, format!("{}-0", first[4]));
    assert_eq!(
        (&events[1].1["before"], &events[1].1["after"]),
        (&json!("contact"), &json!("agreed"))
    );

    // Resume after the first: the second comes again, then a new one as it is applied.
    let resumed = reqwest::Client::new()
        .get(format!("http://{}/v1/stream", p.addr))
        .header("Last-Event-ID", &events[0].0)
        .send()
        .await
        .unwrap();
    let ended = log
        .append_one(event("partnership.ended", "2024-03-01", pair))
        .await;
    let again = read_events(resumed, 2).await;
    assert_eq!(again[0].0, events[1].0);
    assert_eq!(again[1].0, format!("{ended}-0"));
    assert_eq!(again[1].1["after"], "ended");

    let (code, _, _) = p.get("/v1/stream?from=nowhere").await;
    assert_eq!(code, 400);
    p.stop().await;
}
