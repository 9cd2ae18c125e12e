//! The log across a NATS crash, and on a 3-node cluster with an R3 stream.

mod common;

use std::time::{Duration, Instant};

use async_nats::jetstream;
use common::{event, log, read};
use liaison_log::{AppendError, Appender, LogSettings, ensure_events_stream};
use liaison_testkit::NatsCluster;

#[tokio::test]
async fn a_stopped_server_is_unreachable_at_once_and_works_again_after_restart() {
    let (mut server, js, appender) = log().await;
    appender.append(event(1)).await.expect("append");

    server.stop();
    let started = Instant::now();
    // The client notices the lost connection within moments; until then an append times out.
    let error = appender
        .append(event(2))
        .await
        .expect_err("no append while the server is down");
    assert!(error.is_unavailable(), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    // Once the client knows, it answers without waiting.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let quick = Instant::now();
    assert!(matches!(
        appender.append(event(2)).await,
        Err(AppendError::Unreachable)
    ));
    // Far below the 2 s acknowledgement wait it is told apart from, with room for a paused
    // thread on a loaded machine.
    assert!(quick.elapsed() < Duration::from_secs(1));

    server.start_again().await;
    let deadline = Instant::now() + Duration::from_secs(15);
    let appended = loop {
        match appender.append(event(2)).await {
            Ok(appended) => break appended,
            Err(e) if e.is_unavailable() && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("no append after restart: {e:?}"),
        }
    };
    assert_eq!(appended.sequence, 2);
    assert_eq!(read(&js, 1, 2).await.len(), 2);
}

#[tokio::test]
async fn an_r3_stream_on_a_cluster_appends_and_reads() {
    let cluster = NatsCluster::start(3).await;
    let client = cluster.client().await;
    let js = jetstream::new(client.clone());
    let info = ensure_events_stream(&js, &LogSettings::clustered())
        .await
        .expect("R3 stream");
    assert_eq!(info.info().config.num_replicas, 3);
    // A service started with one-machine settings finds the R3 log, says so, and leaves it R3.
    let again = ensure_events_stream(&js, &LogSettings::default())
        .await
        .expect("found");
    let liaison_log::StreamSetup::Found { info, differences } = again else {
        panic!("found, not created");
    };
    assert_eq!(differences, ["replicas: 3 on the server, 1 here"]);
    assert_eq!(info.config.num_replicas, 3);
    let mut stream = js.get_stream("LIAISON_EVENTS").await.expect("stream");
    assert_eq!(stream.info().await.expect("info").config.num_replicas, 3);
    let appender = Appender::new(client);
    appender.append(event(0)).await.expect("append");
    let batch = appender
        .append_batch((1..=10).map(event).collect())
        .await
        .expect("batch on R3");
    assert_eq!(batch.last().map(|a| a.sequence), Some(11));
    assert_eq!(read(&js, 1, 11).await.len(), 11);
}

#[tokio::test]
async fn a_stream_is_placed_where_its_settings_say_or_not_created() {
    let cluster = NatsCluster::start(3).await;
    let js = jetstream::new(cluster.client().await);
    // A tag no server carries: no server may hold the replicas, so nothing is created.
    let nowhere = LogSettings {
        placement: liaison_log::StreamPlacement {
            cluster: None,
            tags: vec!["no-such-zone".into()],
        },
        ..LogSettings::clustered()
    };
    let refused = ensure_events_stream(&js, &nowhere).await;
    assert!(refused.is_err(), "{refused:?}");
    assert!(js.get_stream("LIAISON_EVENTS").await.is_err());
    // The shipped cluster's name: created there, the placement kept in the stream's settings.
    let placed = LogSettings {
        placement: liaison_log::StreamPlacement {
            cluster: Some("liaison".into()),
            tags: Vec::new(),
        },
        ..LogSettings::clustered()
    };
    let info = ensure_events_stream(&js, &placed).await.expect("placed");
    let placement = info.info().config.placement.clone().expect("a placement");
    assert_eq!(placement.cluster.as_deref(), Some("liaison"));
    // A service without a placement finds the stream, reports the difference and keeps it.
    let liaison_log::StreamSetup::Found { differences, .. } =
        ensure_events_stream(&js, &LogSettings::clustered())
            .await
            .expect("found")
    else {
        panic!("found, not created");
    };
    assert_eq!(differences.len(), 1, "{differences:?}");
    assert!(differences[0].starts_with("placement: "), "{differences:?}");
}
