//! The built-in `new-partnership` rule on the contract's cases, against a real nats-server: one
//! alert per partnership formed, on `liaison.alerts.new-partnership` as a `liaison.alert`
//! CloudEvent with `Nats-Msg-Id` = the alert id, and listed by `GET /v1/alerts`.

mod support;

use std::time::Duration;

use futures::StreamExt;
use liaison_log::read_stream_from;
use liaison_proto::Slug;
use liaison_proto::subjects::ALERTS_STREAM;
use liaison_relations::{PairTopic, alert_id};
use liaison_testkit::ServerOptions;
use support::{Log, Notifier, all_alerts, eventually, fast_delivery, get, relation};

fn key(a: &str, b: &str, topic: &str) -> PairTopic {
    PairTopic::new(
        Slug::parse(a).unwrap(),
        Slug::parse(b).unwrap(),
        Slug::parse(topic).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn new_partnership_fires_once_per_partnership_formed() {
    let log = Log::start(ServerOptions::fast()).await;
    let notifier = Notifier::start(&log, fast_delivery(3)).await;
    let (m, l) = ("meta", "lg-electronics");

    // Climb to agreed: one alert (negotiating → agreed).
    log.append(relation("negotiation.reported", "2024-01-05", m, l, "xr"))
        .await;
    let (agreed, _) = log
        .append(relation("agreement.signed", "2024-01-10", m, l, "xr"))
        .await;
    // Then active: none (agreed → active stays a partnership).
    log.append(relation("partnership.announced", "2024-02-01", m, l, "xr"))
        .await;
    // A repeated announcement: none.
    log.append(relation("partnership.announced", "2024-02-15", m, l, "xr"))
        .await;
    // Ended: none for new-partnership.
    log.append(relation("partnership.ended", "2024-03-01", m, l, "xr"))
        .await;
    // A late, older announcement after `ended`: the current status stays `ended`, none.
    log.append(relation("partnership.announced", "2024-02-20", m, l, "xr"))
        .await;
    // Announced again after `ended`: a second alert.
    let (again, _) = log
        .append(relation("partnership.announced", "2024-04-01", m, l, "xr"))
        .await;
    // A rumoured announcement (on another topic and pair): none.
    let mut rumour = relation("partnership.announced", "2024-04-02", m, l, "ai");
    rumour["data"]["factuality"] = "reported".into();
    log.append(rumour).await;
    let mut rumour = relation("partnership.announced", "2024-04-02", m, "sony", "xr");
    rumour["data"]["factuality"] = "reported".into();
    let (_, last) = log.append(rumour).await;
    notifier.wait_applied(last).await;

    let alerts = all_alerts(&notifier.http, &notifier.base, "?rule=new-partnership").await;
    assert_eq!(alerts.len(), 2, "{alerts:#?}");
    let k = key(m, l, "xr");
    let expected = [
        (
            alert_id("new-partnership", &k, agreed.into()),
            agreed,
            "agreed",
            "negotiating",
            "2024-01-10",
        ),
        (
            alert_id("new-partnership", &k, again.into()),
            again,
            "active",
            "ended",
            "2024-04-01",
        ),
    ];
    for (alert, (id, event, status, before, time)) in alerts.iter().zip(expected) {
        assert_eq!(alert["id"], id.to_string());
        assert_eq!(alert["event_id"], event.to_string());
        assert_eq!(alert["status"], status);
        assert_eq!(alert["previous_status"], before);
        assert_eq!(alert["time"], time);
        assert_eq!(
            alert["organizations"],
            serde_json::json!(["lg-electronics", "meta"])
        );
        assert_eq!(alert["topic"], "xr");
    }

    // Both delivered to the alerts stream, once each, as liaison.alert CloudEvents.
    assert!(
        eventually(Duration::from_secs(10), || async {
            all_alerts(&notifier.http, &notifier.base, "?state=delivered")
                .await
                .len()
                == 2
        })
        .await
    );
    let messages: Vec<_> = read_stream_from(&log.js, ALERTS_STREAM, 1)
        .take(2)
        .collect()
        .await;
    for (message, (id, ..)) in messages.into_iter().zip(expected) {
        let message = message.unwrap();
        assert_eq!(message.subject, "liaison.alerts.new-partnership");
        assert_eq!(
            message.headers.get("Nats-Msg-Id").map(|v| v.as_str()),
            Some(id.to_string().as_str())
        );
        let event: serde_json::Value = serde_json::from_slice(&message.payload).unwrap();
        assert_eq!(event["type"], "liaison.alert");
        assert_eq!(event["specversion"], "1.0");
        assert_eq!(event["id"], id.to_string());
        assert_eq!(event["data"]["id"], id.to_string());
    }
    let mut stream = log.js.get_stream(ALERTS_STREAM).await.unwrap();
    assert_eq!(stream.info().await.unwrap().state.messages, 2);

    // Filters and errors of GET /v1/alerts.
    assert_eq!(
        all_alerts(&notifier.http, &notifier.base, "?state=failed")
            .await
            .len(),
        0
    );
    assert_eq!(
        all_alerts(&notifier.http, &notifier.base, "?since=2999-01-01")
            .await
            .len(),
        0
    );
    assert_eq!(
        all_alerts(&notifier.http, &notifier.base, "?since=2000-01-01")
            .await
            .len(),
        2
    );
    let (status, body) = get(
        &notifier.http,
        &notifier.base,
        "/v1/alerts?state=lost&limit=0",
    )
    .await;
    assert_eq!(status, 422);
    let pointers: Vec<_> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].clone())
        .collect();
    assert_eq!(pointers, vec!["/state", "/limit"]);
    let (status, page) = get(&notifier.http, &notifier.base, "/v1/alerts?limit=1").await;
    assert_eq!(status, 200);
    assert_eq!(page["alerts"].as_array().unwrap().len(), 1);
    assert!(page["next_cursor"].is_string());
    notifier.shutdown.trigger();
}

#[tokio::test]
async fn a_restart_from_an_empty_database_raises_the_same_alerts_once() {
    let log = Log::start(ServerOptions::fast()).await;
    let (m, l) = ("meta", "lg-electronics");
    log.append(relation("agreement.signed", "2024-01-10", m, l, "xr"))
        .await;
    let (_, last) = log
        .append(relation("partnership.announced", "2024-02-01", m, l, "ai"))
        .await;
    let first = Notifier::start(&log, fast_delivery(3)).await;
    first.wait_applied(last).await;
    let ids: Vec<_> = all_alerts(&first.http, &first.base, "")
        .await
        .iter()
        .map(|a| a["id"].clone())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(
        eventually(Duration::from_secs(10), || async {
            all_alerts(&first.http, &first.base, "?state=delivered")
                .await
                .len()
                == 2
        })
        .await
    );
    first.shutdown.trigger();
    // A second instance (its own empty database) replays the log: same ids, and the stream's
    // deduplication keeps one message per alert.
    let second = Notifier::start(&log, fast_delivery(3)).await;
    second.wait_applied(last).await;
    let again: Vec<_> = all_alerts(&second.http, &second.base, "")
        .await
        .iter()
        .map(|a| a["id"].clone())
        .collect();
    assert_eq!(again, ids);
    assert!(
        eventually(Duration::from_secs(10), || async {
            all_alerts(&second.http, &second.base, "?state=delivered")
                .await
                .len()
                == 2
        })
        .await
    );
    let mut stream = log.js.get_stream(ALERTS_STREAM).await.unwrap();
    assert_eq!(stream.info().await.unwrap().state.messages, 2);
    second.shutdown.trigger();
}
