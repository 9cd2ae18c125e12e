//! Atomic batches against a real server: all or nothing, consecutive sequences, and how the
//! server treats abandoned batches, duplicate message ids and oversized batches.

mod common;

use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::header::{
    NATS_BATCH_COMMIT, NATS_BATCH_COMMIT_FINAL, NATS_BATCH_ID, NATS_BATCH_SEQUENCE, NATS_MESSAGE_ID,
};
use common::{event, log, read};
use liaison_log::{
    AppendError, Appender, ERR_BATCH_INCOMPLETE, LogSettings, ensure_events_stream, last_sequence,
};
use liaison_testkit::{NatsServer, ServerOptions};

#[tokio::test]
async fn a_batch_of_500_is_stored_whole_with_consecutive_sequences() {
    let (_server, js, appender) = log().await;
    appender.append(event(0)).await.expect("first event");
    let events: Vec<_> = (1..=500).map(event).collect();
    let appended = appender.append_batch(events).await.expect("batch");
    let sequences: Vec<u64> = appended.iter().map(|a| a.sequence).collect();
    assert_eq!(sequences, (2..=501).collect::<Vec<u64>>());
    assert!(appended.iter().all(|a| !a.duplicate));
    let entries = read(&js, 2, 500).await;
    for (i, entry) in entries.iter().enumerate() {
        assert_eq!(entry.sequence, i as u64 + 2);
        assert_eq!(entry.payload, format!("{{\"n\":{}}}", i + 1));
    }
}

async fn stage(
    client: &async_nats::Client,
    batch_id: &str,
    position: usize,
    commit: bool,
) -> String {
    let e = event(position);
    let mut headers = HeaderMap::new();
    headers.insert(NATS_MESSAGE_ID, e.msg_id.as_str());
    headers.insert(NATS_BATCH_ID, batch_id);
    headers.insert(NATS_BATCH_SEQUENCE, position.to_string().as_str());
    if commit {
        headers.insert(NATS_BATCH_COMMIT, NATS_BATCH_COMMIT_FINAL);
    }
    let answer = client
        .request_with_headers(e.subject, headers, e.payload)
        .await
        .expect("an answer");
    String::from_utf8_lossy(&answer.payload).into_owned()
}

#[tokio::test]
async fn a_batch_abandoned_before_its_commit_leaves_nothing() {
    let options = ServerOptions::default().with_batch_timeout(Duration::from_secs(1));
    let server = NatsServer::start_with(options).await;
    let client = server.client().await;
    let js = async_nats::jetstream::new(client.clone());
    ensure_events_stream(&js, &LogSettings::default())
        .await
        .expect("stream");
    let publisher = server.client().await;
    for position in 1..=9 {
        let answer = stage(&publisher, "abandoned", position, false).await;
        assert_eq!(
            answer, "",
            "a staged message is acknowledged with an empty body"
        );
    }
    drop(publisher);
    assert_eq!(
        last_sequence(&js).await.expect("last"),
        0,
        "nothing before the commit"
    );

    // After the batch timeout the server has dropped the staged messages: a late commit (from any
    // connection: batches are not bound to one) is refused as incomplete.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let late_commit = stage(&client, "abandoned", 10, true).await;
    assert!(
        late_commit.contains(&ERR_BATCH_INCOMPLETE.to_string()),
        "{late_commit}"
    );
    assert_eq!(last_sequence(&js).await.expect("last"), 0);

    // The same events go in whole in a new batch: the staged ones were never stored or deduped.
    let appended = Appender::new(client)
        .append_batch((1..=9).map(event).collect())
        .await
        .expect("a new batch");
    assert_eq!(appended.last().map(|a| a.sequence), Some(9));
    assert_eq!(read(&js, 1, 9).await.len(), 9);
}

#[tokio::test]
async fn a_batch_with_an_already_appended_msg_id_is_refused_whole() {
    let (_server, js, appender) = log().await;
    appender
        .append_batch((1..=5).map(event).collect())
        .await
        .expect("first batch");

    // The same batch again (a retry): refused as a whole, nothing stored.
    let retry = appender.append_batch((1..=5).map(event).collect()).await;
    let error = retry.expect_err("a retried batch is refused");
    assert!(error.is_batch_duplicate(), "{error:?}");

    // A batch of new events with one old id among them: also refused whole.
    let mut mixed: Vec<_> = (6..=8).map(event).collect();
    mixed.push(event(3));
    let error = appender.append_batch(mixed).await.expect_err("refused");
    assert!(error.is_batch_duplicate(), "{error:?}");
    assert_eq!(last_sequence(&js).await.expect("last"), 5);
}

#[tokio::test]
async fn the_server_refuses_a_batch_over_its_maximum_size() {
    let (_server, js, appender) = log().await;
    let too_many = appender.append_batch((0..1001).map(event).collect()).await;
    assert!(matches!(too_many, Err(AppendError::Invalid(_))));
    let appended = appender
        .append_batch((0..1000).map(event).collect())
        .await
        .expect("a batch of 1000");
    assert_eq!(appended.len(), 1000);
    assert_eq!(last_sequence(&js).await.expect("last"), 1000);
}
