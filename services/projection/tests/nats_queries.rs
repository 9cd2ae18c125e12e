//! Two instances answer queries through the NATS queue group, and one of them stopping loses no
//! query that the other could answer.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use bytes::Bytes;
use liaison_proto::subjects::query_subject;
use serde_json::{Value, json};
use support::{Log, Projection, event, org};

async fn ask(client: &async_nats::Client, name: &str, body: Value) -> (String, String, Value) {
    let reply = tokio::time::timeout(
        Duration::from_secs(15),
        client.request(query_subject(name), Bytes::from(body.to_string())),
    )
    .await
    .expect("answered in time")
    .expect("a reply");
    let headers = reply.headers.expect("headers");
    (
        headers.get("Status").unwrap().to_string(),
        headers.get("Liaison-Instance").unwrap().to_string(),
        serde_json::from_slice(&reply.payload).unwrap(),
    )
}

/// Like [`ask`], `None` when no answer came in time.
async fn try_ask(
    client: &async_nats::Client,
    name: &str,
    body: &Value,
) -> Option<(String, String, Value)> {
    let request = client.request(query_subject(name), Bytes::from(body.to_string()));
    let reply = tokio::time::timeout(Duration::from_secs(15), request)
        .await
        .ok()?
        .ok()?;
    let headers = reply.headers.expect("headers");
    Some((
        headers.get("Status").unwrap().to_string(),
        headers.get("Liaison-Instance").unwrap().to_string(),
        serde_json::from_slice(&reply.payload).unwrap(),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_queries_and_one_stopping_loses_none() {
    let log = Log::start().await;
    let dir = tempfile::tempdir().unwrap();
    let a = Projection::start(&log.server.url(), dir.path().join("a"), |_| {}).await;
    let b = Projection::start(&log.server.url(), dir.path().join("b"), |_| {}).await;
    let last = log
        .append(&[
            org("meta"),
            org("lg"),
            event(
                "agreement.signed",
                "2024-02-01",
                json!({"organizations": ["meta", "lg"], "topics": ["xr"]}),
            ),
        ])
        .await[2];
    a.wait_applied(last).await;
    b.wait_applied(last).await;

    // Every query of the contract, with its errors.
    let (status, _, v) = ask(
        &log.client,
        "relationship",
        json!({"a": "lg", "b": "meta", "topic": "xr"}),
    )
    .await;
    assert_eq!(
        (status.as_str(), v["status"].as_str()),
        ("200", Some("agreed"))
    );
    let (status, _, v) = ask(&log.client, "relationships", json!({"org": "meta"})).await;
    assert_eq!(status, "200");
    assert_eq!(v["relationships"].as_array().unwrap().len(), 1);
    let (status, _, v) = ask(
        &log.client,
        "organization",
        json!({"id": "meta", "min_sequence": last}),
    )
    .await;
    assert_eq!((status.as_str(), v["name"].as_str()), ("200", Some("META")));
    let (status, _, v) = ask(&log.client, "timeline", json!({"id": "lg", "limit": 10})).await;
    assert_eq!(status, "200");
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let (status, _, _) = ask(&log.client, "organization", json!({"id": "nobody"})).await;
    assert_eq!(status, "404");
    let (status, _, v) = ask(
        &log.client,
        "relationship",
        json!({"a": "meta", "b": "lg", "as_of": "yesterday"}),
    )
    .await;
    assert_eq!(status, "400", "{v}");

    // Both instances answer.
    let mut instances = HashSet::new();
    for _ in 0..60 {
        let (status, instance, _) = ask(
            &log.client,
            "relationship",
            json!({"a": "meta", "b": "lg", "topic": "xr"}),
        )
        .await;
        assert_eq!(status, "200");
        instances.insert(instance);
    }
    assert_eq!(instances.len(), 2, "both instances answered");

    // A steady stream of queries while one instance stops: every one is answered. NATS
    // request-reply is at most once, so a client retries a query that timed out (queries are
    // idempotent); the instances drain their subscriptions, so at most the few requests in
    // flight at the instant of the drain may need it.
    let client = log.client.clone();
    let asking = tokio::spawn(async move {
        let mut answered = 0;
        for _ in 0..400 {
            let query = json!({"a": "meta", "b": "lg", "topic": "xr"});
            let (status, _, v) = match try_ask(&client, "relationship", &query).await {
                Some(answer) => answer,
                None => ask(&client, "relationship", query).await,
            };
            assert_eq!(status, "200");
            assert_eq!(v["status"], "agreed");
            answered += 1;
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        answered
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    a.stop().await;
    assert_eq!(asking.await.unwrap(), 400);
    b.stop().await;
}
