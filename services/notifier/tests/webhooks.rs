//! Webhook delivery against a real HTTP receiver that verifies every Standard Webhooks signature:
//! retries with backoff until the receiver recovers, the dead-letter state, redelivery; and the
//! rules API (`POST`/`GET`/`DELETE /v1/rules`, `422` with pointers, masked secrets).

mod support;

use std::time::Duration;

use liaison_testkit::ServerOptions;
use serde_json::json;
use support::{
    Log, Notifier, Receiver, SECRET, all_alerts, eventually, fast_delivery, get, post, relation,
    webhook_rule,
};

#[tokio::test]
async fn a_receiver_that_fails_three_times_gets_the_alert_once_it_recovers() {
    let log = Log::start(ServerOptions::fast()).await;
    let notifier = Notifier::start(&log, fast_delivery(5)).await;
    let receiver = Receiver::start(3).await;
    let (status, rule) = post(
        &notifier.http,
        &notifier.base,
        "/v1/rules",
        &webhook_rule("deals", &receiver, &["agreed", "active"]),
    )
    .await;
    assert_eq!(status, 201, "{rule}");
    assert_eq!(rule["deliver"]["webhook"]["secret"], "sealed:2025-06");

    let (event, seq) = log
        .append(relation(
            "agreement.signed",
            "2024-01-10",
            "meta",
            "lg",
            "xr",
        ))
        .await;
    notifier.wait_applied(seq).await;
    assert!(
        eventually(Duration::from_secs(10), || async {
            !receiver.accepted_counts().is_empty()
        })
        .await,
        "delivered after the receiver recovered"
    );
    let alerts = all_alerts(&notifier.http, &notifier.base, "?rule=deals").await;
    assert_eq!(alerts.len(), 1);
    let alert = &alerts[0];
    assert_eq!(alert["event_id"], event.to_string());
    let counts = receiver.accepted_counts();
    assert_eq!(counts.get(alert["id"].as_str().unwrap()), Some(&1));
    assert_eq!(receiver.seen.lock().unwrap().refused, 3);
    assert_eq!(receiver.bad_signatures(), 0);
    assert!(
        eventually(Duration::from_secs(5), || async {
            let (_, a) = get(
                &notifier.http,
                &notifier.base,
                &format!("/v1/alerts/{}", alert["id"].as_str().unwrap()),
            )
            .await;
            a["state"] == "delivered"
        })
        .await
    );
    let (_, a) = get(
        &notifier.http,
        &notifier.base,
        &format!("/v1/alerts/{}", alert["id"].as_str().unwrap()),
    )
    .await;
    let webhook = a["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "webhook")
        .unwrap()
        .clone();
    assert_eq!(webhook["state"], "delivered");
    let oks: Vec<bool> = webhook["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["ok"].as_bool().unwrap())
        .collect();
    assert_eq!(oks, vec![false, false, false, true]);
    assert!(!a.to_string().contains(SECRET), "the secret never leaves");
    notifier.shutdown.trigger();
}

#[tokio::test]
async fn a_receiver_that_never_recovers_ends_in_failed_and_redeliver_works() {
    let log = Log::start(ServerOptions::fast()).await;
    let notifier = Notifier::start(&log, fast_delivery(3)).await;
    let receiver = Receiver::start(u32::MAX).await;
    let (status, _) = post(
        &notifier.http,
        &notifier.base,
        "/v1/rules",
        &webhook_rule("deals", &receiver, &["agreed", "active"]),
    )
    .await;
    assert_eq!(status, 201);
    let (_, seq) = log
        .append(relation(
            "partnership.announced",
            "2024-01-10",
            "meta",
            "lg",
            "xr",
        ))
        .await;
    notifier.wait_applied(seq).await;
    assert!(
        eventually(Duration::from_secs(10), || async {
            all_alerts(&notifier.http, &notifier.base, "?state=failed")
                .await
                .len()
                == 1
        })
        .await,
        "dead-lettered after 3 attempts"
    );
    let failed = all_alerts(&notifier.http, &notifier.base, "?state=failed").await;
    let id = failed[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(failed[0]["rule"], "deals");
    assert_eq!(receiver.seen.lock().unwrap().refused, 3);
    // The built-in rule's alert for the same transition went to NATS only, and is delivered.
    assert!(
        eventually(Duration::from_secs(5), || async {
            all_alerts(
                &notifier.http,
                &notifier.base,
                "?rule=new-partnership&state=delivered",
            )
            .await
            .len()
                == 1
        })
        .await
    );

    receiver
        .fail_next
        .store(0, std::sync::atomic::Ordering::SeqCst);
    let (status, body) = post(
        &notifier.http,
        &notifier.base,
        &format!("/v1/alerts/{id}/redeliver"),
        &json!({}),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    assert!(
        eventually(Duration::from_secs(10), || async {
            receiver.accepted_counts().get(&id) == Some(&1)
        })
        .await,
        "redelivered with the same id"
    );
    assert!(
        eventually(Duration::from_secs(5), || async {
            all_alerts(
                &notifier.http,
                &notifier.base,
                "?state=delivered&rule=deals",
            )
            .await
            .len()
                == 1
        })
        .await
    );
    assert_eq!(receiver.bad_signatures(), 0);
    let (status, _) = post(
        &notifier.http,
        &notifier.base,
        "/v1/alerts/00000000-0000-0000-0000-000000000000/redeliver",
        &json!({}),
    )
    .await;
    assert_eq!(status, 404);
    notifier.shutdown.trigger();
}

#[tokio::test]
async fn rules_are_events_validated_with_pointers_listed_and_deleted() {
    let log = Log::start(ServerOptions::fast()).await;
    log.append(json!({"type": "organization.registered", "time": "2024-01-01", "data": {"id": "meta", "name": "Meta"}})).await;
    let notifier = Notifier::start(&log, fast_delivery(3)).await;
    let (http, base) = (&notifier.http, notifier.base.as_str());

    // The built-in rule is there from the start.
    let (_, rules) = get(http, base, "/v1/rules").await;
    assert_eq!(rules["rules"][0]["id"], "new-partnership");
    assert_eq!(rules["rules"][0]["builtin"], true);

    // Bad rules: 422 with pointers into the body.
    let (status, body) = post(
        http,
        base,
        "/v1/rules",
        &json!({
            "id": "Bad Id",
            "match": {"status": ["married"], "organizations": ["nobody"]},
            "deliver": {"webhook": {"url": "ftp://x", "secret": "s"}}
        }),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let pointers: Vec<String> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap().to_owned())
        .collect();
    for p in ["/id", "/match/status/0", "/deliver/webhook/url"] {
        assert!(pointers.contains(&p.to_owned()), "{p} in {pointers:?}");
    }
    let (status, body) = post(
        http,
        base,
        "/v1/rules",
        &json!({"id": "x", "match": {"organizations": ["nobody"]}}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["pointer"], "/match/organizations/0");
    let (status, body) = post(http, base, "/v1/rules", &json!({"id": "x", "match": {}, "deliver": {"webhook": {"url": "http://h/", "secret": "whsec_!!"}}})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["pointer"], "/deliver/webhook/secret");
    let (status, _) = post(
        http,
        base,
        "/v1/rules",
        &json!({"id": "new-partnership", "match": {}}),
    )
    .await;
    assert!(status == 422 || status == 409);

    // A good rule: 201, listed with its secret masked, idempotent, then deleted.
    let rule = json!({
        "id": "meta-rumours",
        "name": "Rumours about Meta",
        "match": {"organizations": ["meta"], "factuality": ["reported"], "event_types": ["partnership.announced"]},
        "deliver": {"nats_subject": "team.meta", "webhook": {"url": "http://127.0.0.1:9/", "secret": "raw-secret"}}
    });
    let (status, created) = post(http, base, "/v1/rules", &rule).await;
    assert_eq!(status, 201, "{created}");
    let (status, _) = post(http, base, "/v1/rules", &rule).await;
    assert_eq!(status, 200, "the same rule again changes nothing");
    let (_, rules) = get(http, base, "/v1/rules").await;
    assert_eq!(rules["rules"].as_array().unwrap().len(), 2);
    assert_eq!(
        rules["rules"][1]["deliver"]["webhook"]["secret"],
        "sealed:2025-06"
    );
    assert!(!rules.to_string().contains("raw-secret"));

    // It fires on a rumour (which moves no status), not on the asserted announcement.
    let mut rumour = relation("partnership.announced", "2024-02-01", "meta", "lg", "xr");
    rumour["data"]["factuality"] = "reported".into();
    log.append(rumour).await;
    let (_, seq) = log
        .append(relation(
            "partnership.announced",
            "2024-02-02",
            "meta",
            "sony",
            "xr",
        ))
        .await;
    notifier.wait_applied(seq).await;
    let mine = all_alerts(http, base, "?rule=meta-rumours").await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["status"], "none");

    let r = http
        .delete(format!("{base}/v1/rules/meta-rumours"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let (status, _) = get(http, base, "/v1/rules/meta-rumours").await;
    assert_eq!(status, 404);
    let r = http
        .delete(format!("{base}/v1/rules/meta-rumours"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let r = http
        .delete(format!("{base}/v1/rules/new-partnership"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 409);
    let mut rumour = relation("partnership.announced", "2024-02-03", "meta", "lg", "ai");
    rumour["data"]["factuality"] = "reported".into();
    let (_, seq) = log.append(rumour).await;
    notifier.wait_applied(seq).await;
    assert_eq!(
        all_alerts(http, base, "?rule=meta-rumours").await.len(),
        1,
        "a deleted rule fires no more"
    );
    notifier.shutdown.trigger();
}
