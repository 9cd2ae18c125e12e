//! `kill -9` of the real notifier binary in the middle of a stream of events, then a restart:
//! every alert that should exist exists once in `GET /v1/alerts`, and was delivered at least
//! once (to the alerts stream and to a webhook that verifies signatures).

mod support;

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures::StreamExt;
use liaison_proto::Slug;
use liaison_proto::subjects::{ALERTS_ONLY, ALERTS_STREAM};
use liaison_relations::{PairTopic, alert_id};
use liaison_testkit::{ServerOptions, free_port};
use support::{Log, Receiver, all_alerts, eventually, get, post, relation, webhook_rule};

const PAIRS: usize = 150;

fn spawn(nats: &str, dir: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_liaison-notifier"))
        .args([
            "--nats-url",
            nats,
            "--http-addr",
            &format!("127.0.0.1:{port}"),
        ])
        .arg("--data-dir")
        .arg(dir)
        .args([
            "--backoff-base-ms",
            "50",
            "--backoff-max-ms",
            "200",
            "--webhook-attempts",
            "20",
            "--webhook-timeout-ms",
            "2000",
        ])
        .env("RUST_LOG", "warn")
        .env("LIAISON_NOTIFIER_SECRETS_KEYS", support::TEST_KEYS)
        .env_remove("LIAISON_NOTIFIER_SECRETS_KEY_FILE")
        // The receiver listens on 127.0.0.1.
        .env("LIAISON_WEBHOOK_ALLOW_PRIVATE", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn liaison-notifier")
}

async fn ready(http: &reqwest::Client, base: &str) -> bool {
    eventually(Duration::from_secs(20), || async {
        http.get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    })
    .await
}

#[tokio::test]
async fn kill_9_mid_stream_loses_and_duplicates_no_alert() {
    let log = Log::start(ServerOptions::default()).await;
    let receiver = Receiver::start(0).await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut child = spawn(&log.server.url(), dir.path(), port);
    assert!(ready(&http, &base).await, "notifier ready");
    let (status, body) = post(
        &http,
        &base,
        "/v1/rules",
        &webhook_rule("deals", &receiver, &["agreed", "active"]),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    // A stream of events: per pair, an agreement (one alert per rule) and an announcement
    // (none). The notifier is killed while it runs.
    let appender = log.appender.clone();
    let js = log.js.clone();
    let stream = tokio::spawn(async move {
        let log = Log::from_parts(js, appender);
        let mut expected = Vec::new();
        for i in 0..PAIRS {
            let (a, b) = (format!("org-{i}"), format!("partner-{i}"));
            let (agreed, _) = log
                .append(relation("agreement.signed", "2024-01-10", &a, &b, "xr"))
                .await;
            log.append(relation(
                "partnership.announced",
                "2024-02-10",
                &a,
                &b,
                "xr",
            ))
            .await;
            let key = PairTopic::new(
                Slug::parse(&a).unwrap(),
                Slug::parse(&b).unwrap(),
                Slug::parse("xr").unwrap(),
            )
            .unwrap();
            expected.push(alert_id("new-partnership", &key, agreed.into()));
            expected.push(alert_id("deals", &key, agreed.into()));
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        expected
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(!stream.is_finished(), "killed in the middle of the stream");
    child.kill().expect("kill -9"); // SIGKILL
    child.wait().unwrap();
    let mut child = spawn(&log.server.url(), dir.path(), port);
    let expected: HashSet<String> = stream
        .await
        .unwrap()
        .into_iter()
        .map(|id| id.to_string())
        .collect();
    assert_eq!(expected.len(), 2 * PAIRS);
    assert!(ready(&http, &base).await, "notifier ready after restart");

    // Every alert exists, once.
    assert!(
        eventually(Duration::from_secs(30), || async {
            all_alerts(&http, &base, "").await.len() >= expected.len()
        })
        .await
    );
    let alerts = all_alerts(&http, &base, "").await;
    let ids: Vec<String> = alerts
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), expected.len(), "no alert twice");
    assert_eq!(ids.iter().cloned().collect::<HashSet<_>>(), expected);

    // Every alert delivered at least once: its state, the alerts stream, the webhook.
    assert!(
        eventually(Duration::from_secs(30), || async {
            all_alerts(&http, &base, "?state=delivered").await.len() == expected.len()
        })
        .await,
        "every alert delivered"
    );
    let webhook_ids: HashSet<String> = receiver.accepted_counts().into_keys().collect();
    let deals: HashSet<String> = alerts
        .iter()
        .filter(|a| a["rule"] == "deals")
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        webhook_ids, deals,
        "every webhook alert received at least once"
    );
    assert_eq!(receiver.bad_signatures(), 0);
    // The stream also holds webhook outcomes (liaison.alerts._outcome.<id>): count the alerts.
    let stream = log.js.get_stream(ALERTS_STREAM).await.unwrap();
    let alerts_stored: u64 = stream
        .info_with_subjects(ALERTS_ONLY)
        .await
        .unwrap()
        .map(|s| s.unwrap().1 as u64)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .sum();
    assert_eq!(
        alerts_stored as usize,
        expected.len(),
        "one stream message per alert (Nats-Msg-Id dedupe)"
    );
    let (status, _) = get(&http, &base, "/healthz").await;
    assert_eq!(status, 200);
    child.kill().unwrap();
    child.wait().unwrap();
}
