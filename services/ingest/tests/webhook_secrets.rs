//! A webhook secret never enters the log in clear (CONTRACT.md, "Access (v2)"): a `rule.created`
//! posted to ingest with its secret in clear is a `422` naming the secret, and nothing is
//! appended; one whose secret is sealed (as the notifier writes it) is appended. Against a real
//! nats-server.

mod support;

use liaison_testkit::{NatsServer, ServerOptions};
use serde_json::{Value, json};
use support::{config, read_log, spawn_app};

const SECRET: &str = "lg-uplus-hook-s3cret";

fn rule(secret: Value) -> Value {
    json!({"type": "rule.created", "time": "2024-03-01",
        "data": {"id": "lg-uplus-deals", "match": {"status": ["agreed"]},
            "deliver": {"webhook": {"url": "https://hooks.example.com/lg-uplus", "secret": secret}}}})
}

#[tokio::test]
async fn a_rule_with_a_secret_in_clear_is_refused_and_a_sealed_one_appended() {
    let nats = NatsServer::start_with(ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(config(&nats.url(), dir.path())).await;

    let refused = app.post(&rule(json!(SECRET))).await;
    refused.assert_problem(422);
    assert_eq!(refused.pointer(), "/data/deliver/webhook/secret");
    let detail = refused.body["errors"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("must be sealed"), "{detail}");
    assert!(!refused.body.to_string().contains(SECRET), "{refused:?}");
    assert!(
        read_log(&nats.jetstream().await).await.is_empty(),
        "nothing appended"
    );

    let sealed = json!({"alg": "xchacha20poly1305", "key_id": "2025-06",
        "nonce": "bm9uY2Utb2YtMjQtYnl0ZXMtZXhhY3Qh",
        "ciphertext": "Y2lwaGVydGV4dC1hbmQtaXRzLTE2LWJ5dGUtdGFn"});
    let appended = app.post(&rule(sealed.clone())).await;
    assert_eq!(appended.status, 201, "{appended:?}");
    let log = read_log(&nats.jetstream().await).await;
    assert_eq!(log.len(), 1);
    let stored: Value = serde_json::from_slice(&log[0].0.payload).unwrap();
    assert_eq!(stored["data"]["deliver"]["webhook"]["secret"], sealed);
    app.stop().await;
}
