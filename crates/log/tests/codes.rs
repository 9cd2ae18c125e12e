//! JetStream error codes produced for real and the outcome each gets
//! (docs/decisions/020-unknown-outcomes.md): the refusals one server makes cheaply, and error
//! 10158 ("duplicate message id is in process") on a 3-node cluster whose stream leader has lost
//! its followers, so that a proposal cannot settle.

mod common;

use std::time::{Duration, Instant};

use async_nats::HeaderMap;
use async_nats::header::{NATS_BATCH_COMMIT, NATS_BATCH_ID, NATS_BATCH_SEQUENCE, NATS_MESSAGE_ID};
use async_nats::jetstream;
use bytes::Bytes;
use common::{event, log, read};
use liaison_log::{
    AppendError, AppendOptions, Appender, ERR_DUPLICATE_IN_PROCESS, LogSettings, Outcome, Refusal,
    classify, ensure_events_stream, last_sequence,
};
use liaison_testkit::NatsCluster;

/// The error code and outcome of a raw answer to a publish.
fn raw_outcome(answer: &[u8]) -> (u64, Outcome) {
    let value: serde_json::Value = serde_json::from_slice(answer).expect("a JSON answer");
    let error = &value["error"];
    let status = error["code"].as_u64().expect("a status") as u16;
    let err_code = error["err_code"].as_u64().expect("an error code");
    (err_code, classify(status, err_code))
}

#[tokio::test]
async fn the_refusals_of_one_server_have_their_outcome() {
    let (server, js, appender) = log().await;

    // 10054: larger than the stream's max_msg_size (1 MiB), within NATS's max_payload (8 MB).
    let mut large = event(1);
    large.payload = Bytes::from(vec![b'x'; 2 * 1024 * 1024]);
    let error = appender.append(large).await.expect_err("too large");
    assert_eq!(error.err_code(), Some(10054), "{error:?}");
    assert_eq!(error.outcome(), Outcome::Refused(Refusal::TooLarge));

    // Headers the stream refuses, each a refusal named by its code: an expected stream that is
    // not this one (10060), an expected last message id that is not the last (10070), a
    // per-message TTL on a stream without TTLs (10166).
    for (header, value, code) in [
        ("Nats-Expected-Stream", "ANOTHER", 10060),
        ("Nats-Expected-Last-Msg-Id", "not-the-last", 10070),
        ("Nats-TTL", "1m", 10166),
    ] {
        let mut refused = event(2);
        refused.headers.insert(header, value);
        let error = appender.append(refused).await.expect_err(header);
        assert_eq!(error.err_code(), Some(code), "{header}: {error:?}");
        assert_eq!(
            error.outcome(),
            Outcome::Refused(Refusal::Other),
            "{header}"
        );
        assert!(!error.is_unavailable(), "{header}");
    }

    // 10071 (a failed expectation) is in tests/log.rs; 10201 (a batch with a known id) here.
    appender.append(event(3)).await.expect("appended");
    let error = appender
        .append_batch(vec![event(4), event(3)])
        .await
        .expect_err("a known id");
    assert_eq!(error.outcome(), Outcome::AlreadyAppended, "{error:?}");

    // 10199: message 1001 of a batch, refused before the commit (the appender never sends it).
    let client = server.client().await;
    let mut answer = Bytes::new();
    for position in 1..=1001 {
        let e = event(100 + position);
        let mut headers = HeaderMap::new();
        headers.insert(NATS_MESSAGE_ID, e.msg_id.as_str());
        headers.insert(NATS_BATCH_ID, "too-large");
        headers.insert(NATS_BATCH_SEQUENCE, position.to_string().as_str());
        if position == 1 || position == 1001 {
            answer = client
                .request_with_headers(e.subject, headers, e.payload)
                .await
                .expect("an answer")
                .payload;
        } else {
            client
                .publish_with_headers(e.subject, headers, e.payload)
                .await
                .expect("published");
        }
    }
    assert_eq!(
        raw_outcome(&answer),
        (10199, Outcome::Refused(Refusal::BatchTooLarge))
    );

    // 10176: a commit of a batch the server does not hold (never started, or lost).
    let e = event(5000);
    let mut headers = HeaderMap::new();
    headers.insert(NATS_MESSAGE_ID, e.msg_id.as_str());
    headers.insert(NATS_BATCH_ID, "never-started");
    headers.insert(NATS_BATCH_SEQUENCE, "2");
    headers.insert(NATS_BATCH_COMMIT, "1");
    let answer = client
        .request_with_headers(e.subject, headers, e.payload)
        .await
        .expect("an answer")
        .payload;
    assert_eq!(raw_outcome(&answer), (10176, Outcome::NotAppended));

    // Of all that, only event 3 is in the log.
    assert_eq!(last_sequence(&js).await.expect("last"), 1);
}

/// Kills every node of `cluster` but the leader of the events stream, whose index it returns.
async fn isolate_the_stream_leader(cluster: &mut NatsCluster, js: &jetstream::Context) -> usize {
    let mut stream = js.get_stream("LIAISON_EVENTS").await.expect("stream");
    let info = stream.info().await.expect("info");
    let leader = info
        .cluster
        .as_ref()
        .and_then(|c| c.leader.clone())
        .expect("a stream leader");
    let index: usize = leader
        .strip_prefix('n')
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("leader {leader} is not a node of the cluster"));
    for other in (0..cluster.size()).filter(|&i| i != index) {
        cluster.stop_node(other);
    }
    index
}

#[tokio::test]
async fn a_retry_that_meets_its_first_send_in_process_is_unknown_then_settles_once() {
    let mut cluster = NatsCluster::start(3).await;
    let admin = cluster.client().await;
    let js = jetstream::new(admin.clone());
    ensure_events_stream(&js, &LogSettings::clustered())
        .await
        .expect("R3 stream");
    Appender::new(admin.clone())
        .append(event(0))
        .await
        .expect("the stream works");
    drop(admin);

    // The leader keeps leading for a while (it steps down when it has heard from no follower for
    // 10 s), but cannot commit: the first send is proposed and stays in process.
    let leader = isolate_the_stream_leader(&mut cluster, &js).await;
    let client = async_nats::connect(cluster.url(leader))
        .await
        .expect("connect to the leader");
    let appender = Appender::with_options(
        client,
        AppendOptions {
            ack_timeout: Duration::from_millis(700),
            attempts: 3,
            in_process_wait: Duration::from_millis(50),
        },
    );
    let error = appender.append(event(1)).await.expect_err("cannot settle");
    let AppendError::Unsettled { attempts, last, .. } = &error else {
        panic!("an unsettled outcome, not {error:?}");
    };
    assert_eq!(*attempts, 3);
    assert!(
        last.contains(&format!("error code {ERR_DUPLICATE_IN_PROCESS}")),
        "{last}"
    );
    assert_eq!(error.outcome(), Outcome::Unknown);
    assert!(error.is_unavailable());

    // The followers come back: the retry with the same id settles it, and the event is in the log
    // once (stored by the first proposal or by the retry, depending on the election).
    for other in (0..cluster.size()).filter(|&i| i != leader) {
        cluster.start_node(other).await;
    }
    let client = cluster.client().await;
    let retry = Appender::new(client.clone());
    let deadline = Instant::now() + Duration::from_secs(60);
    let appended = loop {
        match retry.append(event(1)).await {
            Ok(appended) => break appended,
            Err(e) if e.is_unavailable() && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("the retry did not settle: {e:?}"),
        }
    };
    let js = jetstream::new(client);
    assert_eq!(last_sequence(&js).await.expect("last"), 2);
    assert_eq!(appended.sequence, 2);
    let entries = read(&js, 1, 2).await;
    let msg_id = entries[1].headers.get(NATS_MESSAGE_ID).map(|v| v.as_str());
    assert_eq!(msg_id, Some("id-1"));
}
