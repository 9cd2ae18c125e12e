//! The fixtures start real servers that accept JetStream work, and survive a stop/start cycle.

use liaison_testkit::{NatsCluster, NatsServer};

#[tokio::test]
async fn a_server_accepts_jetstream_and_restarts_on_the_same_store() {
    let mut server = NatsServer::start().await;
    let js = server.jetstream().await;
    js.create_stream(async_nats::jetstream::stream::Config {
        name: "T".into(),
        subjects: vec!["t.>".into()],
        ..Default::default()
    })
    .await
    .expect("create stream");
    js.publish("t.1", "one".into())
        .await
        .expect("publish")
        .await
        .expect("ack");
    assert!(server.store_dir().exists());

    let port = server.port();
    server.stop();
    assert!(!server.is_running());
    server.start_again().await;
    assert_eq!(server.port(), port);

    // The same client reconnects; the stream and its message survived in the store.
    let mut stream = js.get_stream("T").await.expect("stream after restart");
    assert_eq!(stream.info().await.expect("info").state.messages, 1);
}

#[tokio::test]
async fn a_cluster_elects_a_meta_leader() {
    let cluster = NatsCluster::start(3).await;
    assert_eq!(cluster.urls().len(), 3);
    let js = cluster.jetstream().await;
    let mut stream = js
        .create_stream(async_nats::jetstream::stream::Config {
            name: "R3".into(),
            subjects: vec!["r3.>".into()],
            num_replicas: 3,
            ..Default::default()
        })
        .await
        .expect("create R3 stream");
    js.publish("r3.x", "x".into())
        .await
        .expect("publish")
        .await
        .expect("ack");
    let info = stream.info().await.expect("info");
    assert_eq!(info.config.num_replicas, 3);
    assert_eq!(info.state.messages, 1);
}
