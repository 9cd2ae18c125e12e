//! Two notifier instances (in-process, separate sled directories, one nats-server) share webhook
//! delivery through one durable consumer: a real HTTP receiver gets every alert, no alert id is
//! posted twice while both are healthy, and both instances' `GET /v1/alerts` show every delivery
//! — also the failed attempts the other instance made. When one instance stops in the middle of
//! a stream, the other delivers every alert at least once.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use liaison_testkit::ServerOptions;
use serde_json::Value;
use support::{
    Log, Notifier, Receiver, all_alerts, eventually, fast_delivery, post, relation, webhook_rule,
};

const PAIRS: usize = 40;

/// Creates the webhook rule on `a` and waits until `b` applied it too.
async fn create_rule(a: &Notifier, b: &Notifier, receiver: &Receiver) {
    let (status, rule) = post(
        &a.http,
        &a.base,
        "/v1/rules",
        &webhook_rule("deals", receiver, &["agreed", "active"]),
    )
    .await;
    assert_eq!(status, 201, "{rule}");
    b.wait_applied(rule["sequence"].as_u64().unwrap()).await;
}

fn ids(alerts: &[Value]) -> HashSet<String> {
    alerts
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

fn failed_attempts(alerts: &[Value]) -> usize {
    alerts
        .iter()
        .flat_map(|a| a["deliveries"].as_array().unwrap().iter())
        .filter(|d| d["kind"] == "webhook")
        .flat_map(|d| d["attempts"].as_array().unwrap().iter())
        .filter(|x| x["ok"] == false)
        .count()
}

#[tokio::test]
async fn two_instances_post_each_alert_once_and_agree_on_its_delivery() {
    let log = Log::start(ServerOptions::fast()).await;
    let a = Notifier::start(&log, fast_delivery(5)).await;
    let b = Notifier::start(&log, fast_delivery(5)).await;
    let receiver = Receiver::start(3).await; // three refusals, whoever makes them
    create_rule(&a, &b, &receiver).await;

    let mut last = 0;
    for i in 0..PAIRS {
        let (_, seq) = log
            .append(relation(
                "agreement.signed",
                "2024-01-10",
                &format!("org-{i}"),
                &format!("partner-{i}"),
                "xr",
            ))
            .await;
        last = seq;
    }
    a.wait_applied(last).await;
    b.wait_applied(last).await;

    assert!(
        eventually(Duration::from_secs(20), || async {
            receiver.accepted_counts().len() == PAIRS
        })
        .await,
        "every alert received: {} of {PAIRS}",
        receiver.accepted_counts().len()
    );
    let counts = receiver.accepted_counts();
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "posted more than once: {twice:?}");
    assert_eq!(receiver.seen.lock().unwrap().refused, 3);
    assert_eq!(receiver.bad_signatures(), 0);

    for n in [&a, &b] {
        assert!(
            eventually(Duration::from_secs(10), || async {
                all_alerts(&n.http, &n.base, "?state=delivered").await.len() == 2 * PAIRS
            })
            .await,
            "every alert (webhook and NATS-only) delivered on {}",
            n.base
        );
        let deals = all_alerts(&n.http, &n.base, "?rule=deals").await;
        assert_eq!(ids(&deals), counts.keys().cloned().collect());
        assert_eq!(
            failed_attempts(&deals),
            3,
            "every instance shows the refused attempts, whoever made them"
        );
    }
    a.shutdown.trigger();
    b.shutdown.trigger();
}

#[tokio::test]
async fn when_one_instance_stops_mid_stream_the_other_delivers_every_alert() {
    let log = Log::start(ServerOptions::fast()).await;
    let mut delivery = fast_delivery(5);
    delivery.webhook_timeout_ms = 1_000; // ack wait: 4 s
    let a = Notifier::start(&log, delivery.clone()).await;
    let b = Notifier::start(&log, delivery).await;
    let receiver = Receiver::start(0).await;
    create_rule(&a, &b, &receiver).await;

    let appender = log.appender.clone();
    let js = log.js.clone();
    let stream = tokio::spawn(async move {
        let log = support::Log::from_parts(js, appender);
        let mut last = 0;
        for i in 0..PAIRS {
            let (_, seq) = log
                .append(relation(
                    "partnership.announced",
                    "2024-01-10",
                    &format!("org-{i}"),
                    &format!("partner-{i}"),
                    "xr",
                ))
                .await;
            last = seq;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        last
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(!stream.is_finished(), "stopped in the middle of the stream");
    a.shutdown.trigger();
    let last = stream.await.unwrap();
    b.wait_applied(last).await;

    assert!(
        eventually(Duration::from_secs(20), || async {
            receiver.accepted_counts().len() == PAIRS
        })
        .await,
        "every alert received at least once: {} of {PAIRS}",
        receiver.accepted_counts().len()
    );
    assert!(
        eventually(Duration::from_secs(10), || async {
            all_alerts(&b.http, &b.base, "?state=delivered").await.len() == 2 * PAIRS
        })
        .await,
        "the instance left shows every alert delivered"
    );
    assert_eq!(receiver.bad_signatures(), 0);
    b.shutdown.trigger();
}
