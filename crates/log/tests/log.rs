//! Appending, deduplicating and reading back against a real server, and the stream settings.

mod common;

use async_nats::jetstream::stream::{DiscardPolicy, StorageType};
use common::{event, log, read};
use liaison_log::{
    LogSettings, StreamSetup, StreamSetupError, ensure_alerts_stream, ensure_events_stream,
    ensure_events_stream_if, get, last_sequence,
};

#[tokio::test]
async fn appended_events_read_back_in_order() {
    let (_server, js, appender) = log().await;
    for i in 0..50 {
        let appended = appender.append(event(i)).await.expect("append");
        assert_eq!(appended.sequence, i as u64 + 1);
        assert!(!appended.duplicate);
    }
    let entries = read(&js, 0, 50).await;
    for (i, entry) in entries.iter().enumerate() {
        assert_eq!(entry.sequence, i as u64 + 1);
        assert_eq!(entry.subject, event(i).subject);
        assert_eq!(entry.payload, event(i).payload);
        assert_eq!(
            entry.headers.get("Nats-Msg-Id").map(|v| v.as_str()),
            Some(format!("id-{i}").as_str())
        );
    }
    assert_eq!(last_sequence(&js).await.expect("last"), 50);
}

#[tokio::test]
async fn read_from_starts_exactly_at_the_sequence_asked() {
    let (_server, js, appender) = log().await;
    for i in 0..20 {
        appender.append(event(i)).await.expect("append");
    }
    let entries = read(&js, 13, 8).await;
    let sequences: Vec<u64> = entries.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, (13..=20).collect::<Vec<u64>>());
}

#[tokio::test]
async fn a_retried_msg_id_returns_the_original_sequence() {
    let (_server, js, appender) = log().await;
    let first = appender.append(event(1)).await.expect("append");
    appender.append(event(2)).await.expect("append");
    let again = appender.append(event(1)).await.expect("retry");
    assert_eq!(again.sequence, first.sequence);
    assert!(again.duplicate);
    assert_eq!(last_sequence(&js).await.expect("last"), 2);
}

#[tokio::test]
async fn a_wrong_expected_subject_sequence_is_refused_with_10071() {
    let (_server, js, appender) = log().await;
    let mut first = event(0);
    first.expected_last_subject_sequence = Some(0);
    let stored = appender.append(first).await.expect("first on its subject");
    let mut stale = event(7); // same subject as event 0
    stale.expected_last_subject_sequence = Some(0);
    let error = appender.append(stale).await.expect_err("stale expectation");
    assert!(error.is_wrong_last_sequence(), "{error:?}");
    assert!(!error.is_unavailable());
    let mut fresh = event(7);
    fresh.expected_last_subject_sequence = Some(stored.sequence);
    appender.append(fresh).await.expect("fresh expectation");
    assert_eq!(last_sequence(&js).await.expect("last"), 2);
}

#[tokio::test]
async fn get_returns_one_entry_or_none() {
    let (_server, js, appender) = log().await;
    appender.append(event(1)).await.expect("append");
    let entry = get(&js, 1).await.expect("get").expect("entry 1");
    assert_eq!(entry.payload, event(1).payload);
    assert_eq!(entry.subject, event(1).subject);
    assert!(get(&js, 2).await.expect("get").is_none());
}

#[tokio::test]
async fn ensuring_the_streams_twice_is_a_no_op_with_the_specified_settings() {
    let (_server, js, appender) = log().await;
    appender.append(event(1)).await.expect("append");
    let settings = LogSettings::default();
    let setup = ensure_events_stream(&js, &settings).await.expect("again");
    assert!(
        matches!(&setup, StreamSetup::Found { differences, .. } if differences.is_empty()),
        "{setup:?}"
    );
    let info = setup.info();
    let config = &info.config;
    assert_eq!(config.storage, StorageType::File);
    assert_eq!(config.discard, DiscardPolicy::New);
    assert!(config.deny_delete && config.deny_purge && config.allow_atomic_publish);
    assert_eq!(config.duplicate_window, settings.duplicate_window);
    assert_eq!(config.max_message_size, settings.max_message_size);
    assert_eq!(config.num_replicas, 1);
    assert_eq!(info.state.messages, 1, "ensuring again keeps the log");

    let alerts = ensure_alerts_stream(&js, &settings).await.expect("alerts");
    let again = ensure_alerts_stream(&js, &settings).await.expect("again");
    assert_eq!(alerts.info().config, again.info().config);
    assert_eq!(again.info().config.storage, StorageType::File);

    // The log refuses deletes and purges.
    let stream = js.get_stream("LIAISON_EVENTS").await.expect("stream");
    assert!(stream.delete_message(1).await.is_err());
    assert!(stream.purge().await.is_err());
}

#[tokio::test]
async fn durable_pull_on_the_alerts_stream_is_one_consumer_for_every_binder() {
    use async_nats::jetstream::consumer;
    use futures::StreamExt;
    use liaison_log::durable_pull_on;
    use liaison_proto::subjects::ALERTS_STREAM;

    let (_server, js, _appender) = log().await;
    ensure_alerts_stream(&js, &LogSettings::default())
        .await
        .expect("alerts stream");
    let config = || consumer::pull::Config {
        ack_policy: consumer::AckPolicy::Explicit,
        filter_subject: "liaison.alerts.*".to_owned(),
        max_deliver: 3,
        ..Default::default()
    };
    let first = durable_pull_on(&js, ALERTS_STREAM, "work", config())
        .await
        .expect("created");
    let second = durable_pull_on(&js, ALERTS_STREAM, "work", config())
        .await
        .expect("bound");
    js.publish("liaison.alerts.r", "a".into())
        .await
        .expect("publish")
        .await
        .expect("ack");
    js.publish("liaison.alerts._x.y", "skipped".into())
        .await
        .expect("publish")
        .await
        .expect("ack");
    let mut batch = first
        .fetch()
        .max_messages(5)
        .messages()
        .await
        .expect("fetch");
    let message = batch.next().await.expect("one").expect("message");
    assert_eq!(message.payload.as_ref(), b"a");
    message.ack().await.expect("ack");
    let mut rest = second
        .fetch()
        .max_messages(5)
        .expires(std::time::Duration::from_millis(300))
        .messages()
        .await
        .expect("fetch");
    assert!(
        rest.next().await.is_none(),
        "the message went to one binder only"
    );
    let mut info = second.clone();
    assert_eq!(info.info().await.expect("info").config.max_deliver, 3);
}

#[tokio::test]
async fn an_existing_stream_is_reported_never_changed_and_created_only_when_allowed() {
    let server = liaison_testkit::NatsServer::start().await;
    let js = async_nats::jetstream::new(server.client().await);
    let refused = ensure_events_stream_if(&js, &LogSettings::default(), Err("not allowed".into()))
        .await
        .expect_err("absent and not allowed");
    assert!(matches!(&refused, StreamSetupError::Missing { why, .. } if why == "not allowed"));
    assert!(
        js.get_stream("LIAISON_EVENTS").await.is_err(),
        "nothing created"
    );

    let wider = LogSettings {
        max_message_size: 2 * 1024 * 1024,
        ..LogSettings::default()
    };
    let created = ensure_events_stream_if(&js, &wider, Ok(()))
        .await
        .expect("created");
    assert!(matches!(created, StreamSetup::Created(_)));
    let found = ensure_events_stream(&js, &LogSettings::default())
        .await
        .expect("found");
    let StreamSetup::Found { info, differences } = found else {
        panic!("an existing stream is found, not created");
    };
    assert_eq!(differences.len(), 1, "{differences:?}");
    assert!(
        differences[0].starts_with("max_message_size: 2097152 on the server"),
        "{differences:?}"
    );
    assert_eq!(
        info.config.max_message_size,
        2 * 1024 * 1024,
        "the server's setting is kept"
    );
}
