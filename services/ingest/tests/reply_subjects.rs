//! `liaison.ingest.append` answers only on inbox subjects: a request whose reply subject is a
//! log subject or the JetStream API is dropped — nothing appended, nothing published there —
//! while a request with an inbox is answered.

mod support;

use std::time::Duration;

use futures::StreamExt;
use liaison_proto::subjects::{EVENTS_STREAM, INGEST_APPEND};
use liaison_testkit::{NatsServer, ServerOptions};
use serde_json::Value;
use support::{config, meeting, new_id, org, read_log, spawn_app};

#[tokio::test]
async fn an_append_whose_reply_subject_is_not_an_inbox_is_dropped() {
    let nats = NatsServer::start_with(ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(config(&nats.url(), dir.path())).await;
    let js = nats.jetstream().await;
    assert_eq!(
        app.post(&serde_json::json!([org("hyundai"), org("kia")]))
            .await
            .status,
        201
    );
    let stored = || async {
        let mut stream = js.get_stream(EVENTS_STREAM).await.unwrap();
        stream.info().await.unwrap().state.messages
    };
    let before = stored().await;

    let watcher = nats.client().await;
    let forged = [
        "liaison.events.meeting.held._",
        "$JS.API.STREAM.INFO.LIAISON_EVENTS",
    ];
    let mut watches = Vec::new();
    for subject in forged {
        watches.push(watcher.subscribe(subject).await.unwrap());
    }
    watcher.flush().await.unwrap();

    let client = nats.client().await;
    for subject in forged {
        let body = serde_json::to_vec(&meeting(Some(new_id()), "hyundai", "kia")).unwrap();
        client
            .publish_with_reply(INGEST_APPEND, subject, body.into())
            .await
            .unwrap();
    }
    client.flush().await.unwrap();

    // A request with an inbox, after them on the same subscription, is answered and appended.
    let event = meeting(Some(new_id()), "hyundai", "kia");
    let reply = tokio::time::timeout(
        Duration::from_secs(10),
        client.request(INGEST_APPEND, serde_json::to_vec(&event).unwrap().into()),
    )
    .await
    .expect("answered in time")
    .expect("answered");
    let status = reply.headers.as_ref().unwrap().get("Status").unwrap();
    assert_eq!(status.as_str(), "201");
    let answer: Value = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!(answer["events"][0]["id"], event["id"]);

    // Only that one was stored in the log (not the forged ones, nor an answer to them), and no
    // answer went to the forged subjects.
    assert_eq!(stored().await, before + 1);
    assert_eq!(
        read_log(&js).await.last().unwrap().1.id.to_string(),
        event["id"]
    );
    for (subject, watch) in forged.iter().zip(&mut watches) {
        let deadline = tokio::time::Instant::now() + Duration::from_millis(500);
        while let Ok(Some(msg)) = tokio::time::timeout_at(deadline, watch.next()).await {
            // Others use the JetStream API too; an append answer carries a Status header.
            let from_ingest = msg
                .headers
                .as_ref()
                .is_some_and(|h| h.get("Status").is_some());
            assert!(
                !from_ingest,
                "an answer was published on {subject}: {msg:?}"
            );
        }
    }
    app.stop().await;
}
