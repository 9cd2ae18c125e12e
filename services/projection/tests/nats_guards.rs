//! The guards of the NATS query API: a reply goes only to an inbox (a request naming the log or
//! the JetStream API as its reply subject is dropped, and nothing is published there), and the
//! requests answered at once are bounded (one more is answered `503` at once, and the requests
//! in flight still get their answers).

mod support;

use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use liaison_proto::subjects::{EVENTS_STREAM, query_subject};
use liaison_runtime::request_reply::DROPPED;
use serde_json::{Value, json};
use support::{Log, Projection, event, org};

/// Status header and JSON body of a reply.
fn read(reply: &async_nats::Message) -> (String, Value) {
    let status = reply.headers.as_ref().unwrap().get("Status").unwrap();
    (
        status.to_string(),
        serde_json::from_slice(&reply.payload).unwrap(),
    )
}

async fn ask(client: &async_nats::Client, name: &str, body: &Value) -> async_nats::Message {
    tokio::time::timeout(
        Duration::from_secs(20),
        client.request(query_subject(name), Bytes::from(body.to_string())),
    )
    .await
    .expect("answered in time")
    .expect("a reply")
}

async fn stored_messages(log: &Log) -> u64 {
    let mut stream = log.js.get_stream(EVENTS_STREAM).await.unwrap();
    stream.info().await.unwrap().state.messages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_go_only_to_inboxes() {
    let log = Log::start().await;
    let dir = tempfile::tempdir().unwrap();
    let p = Projection::start(&log.server.url(), dir.path().join("p"), |_| {}).await;
    let pair = json!({"organizations": ["airbus", "thales"], "topics": ["space"]});
    let last = log
        .append(&[
            org("airbus"),
            org("thales"),
            event("partnership.announced", "2024-06-01", pair),
        ])
        .await[2];
    p.wait_applied(last).await;
    let before = stored_messages(&log).await;

    // Someone watches the subjects a forged reply would land on.
    let watcher = log.server.client().await;
    let forged = [
        "liaison.events.meeting.held._",
        "$JS.API.STREAM.INFO.LIAISON_EVENTS",
    ];
    let mut watches = Vec::new();
    for subject in forged {
        watches.push(watcher.subscribe(subject).await.unwrap());
    }
    watcher.flush().await.unwrap();

    let query = json!({"a": "airbus", "b": "thales", "topic": "space"});
    let body = Bytes::from(query.to_string());
    for subject in forged {
        log.client
            .publish_with_reply(query_subject("relationship"), subject, body.clone())
            .await
            .unwrap();
    }
    // A publish without a reply subject is no request either.
    log.client
        .publish(query_subject("relationship"), body.clone())
        .await
        .unwrap();
    log.client.flush().await.unwrap();

    // A request with an inbox is answered; it came after the forged ones on the same
    // subscription, so those were handled before it.
    let (status, v) = read(&ask(&log.client, "relationship", &query).await);
    assert_eq!(
        (status.as_str(), v["status"].as_str()),
        ("200", Some("active"))
    );
    for (subject, watch) in forged.iter().zip(&mut watches) {
        // Others use the JetStream API too (the projection's follower asks for the stream's
        // state): only a reply of the projection, which names its instance, would be wrong.
        let deadline = tokio::time::Instant::now() + Duration::from_millis(500);
        while let Ok(Some(msg)) = tokio::time::timeout_at(deadline, watch.next()).await {
            let from_projection = msg
                .headers
                .as_ref()
                .is_some_and(|h| h.get("Liaison-Instance").is_some());
            assert!(
                !from_projection,
                "a reply was published on {subject}: {msg:?}"
            );
        }
    }
    assert_eq!(stored_messages(&log).await, before, "the log is unchanged");

    let metrics = reqwest::get(format!("http://{}/metrics", p.addr))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let dropped = |reason: &str| {
        metrics
            .lines()
            .find(|l| {
                l.starts_with(DROPPED)
                    && l.contains("subject=\"liaison.query.relationship\"")
                    && l.contains(&format!("reason=\"{reason}\""))
            })
            .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
    };
    assert_eq!(dropped("reply_subject"), Some(2.0), "{metrics}");
    assert_eq!(dropped("no_reply"), Some(1.0), "{metrics}");
    p.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_bound_queries_get_503_and_those_in_flight_are_answered() {
    const BOUND: usize = 4;
    let log = Log::start().await;
    let dir = tempfile::tempdir().unwrap();
    let p = Projection::start(&log.server.url(), dir.path().join("p"), |s| {
        s.max_nats_in_flight = BOUND;
    })
    .await;
    let pair = json!({"organizations": ["volvo", "northvolt"], "topics": ["batteries"]});
    let last = log
        .append(&[
            org("volvo"),
            org("northvolt"),
            event("negotiation.reported", "2024-02-01", pair.clone()),
        ])
        .await[2];
    p.wait_applied(last).await;
    let query = json!({"a": "volvo", "b": "northvolt", "topic": "batteries"});
    // Wait until the subscriptions are in place.
    let mut ready = false;
    for _ in 0..100 {
        let request = log.client.request(
            query_subject("relationship"),
            Bytes::from(query.to_string()),
        );
        if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_secs(1), request).await {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ready, "the bounded API answers");

    // BOUND queries that wait for an event not appended yet hold every place...
    let mut waiting = Vec::new();
    let mut slow = query.clone();
    slow["min_sequence"] = json!(last + 1);
    for _ in 0..BOUND {
        let (client, slow) = (log.client.clone(), slow.clone());
        waiting.push(tokio::spawn(async move {
            ask(&client, "relationship", &slow).await
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    log.client.flush().await.unwrap();
    // ...so a burst behind them is refused at once, each with 503 and Retry-After.
    let burst =
        futures::future::join_all((0..40).map(|_| ask(&log.client, "relationship", &query))).await;
    for reply in &burst {
        let (status, problem) = read(reply);
        assert_eq!(status, "503", "{problem}");
        let headers = reply.headers.as_ref().unwrap();
        assert_eq!(headers.get("Retry-After").unwrap().as_str(), "1");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains(&format!("bound of {BOUND} requests")),
            "{problem}"
        );
    }

    // The awaited event arrives: every waiting query is answered, with it.
    log.append(&[event("agreement.signed", "2024-03-01", pair)])
        .await;
    for task in waiting {
        let (status, v) = read(&task.await.unwrap());
        assert_eq!(
            (status.as_str(), v["status"].as_str()),
            ("200", Some("agreed"))
        );
    }

    // Places are free again; a burst is answered in full, none lost.
    let burst =
        futures::future::join_all((0..200).map(|_| ask(&log.client, "relationship", &query))).await;
    let answered: Vec<String> = burst.iter().map(|r| read(r).0).collect();
    assert_eq!(answered.len(), 200);
    assert!(
        answered.iter().all(|s| s == "200" || s == "503"),
        "{answered:?}"
    );
    assert!(answered.iter().any(|s| s == "200"));

    p.stop().await;
}
