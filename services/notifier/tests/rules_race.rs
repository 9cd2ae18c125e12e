//! Concurrent `POST /v1/rules` of one new id, on two instances: only one `rule.created` is
//! appended (optimistic concurrency on the rule's subject); the other request answers `409` when
//! its definition differs and `200` when it is the same.

mod support;

use futures::StreamExt;
use liaison_proto::subjects::{EVENTS_STREAM, event_subject};
use liaison_testkit::ServerOptions;
use serde_json::{Value, json};
use support::{Log, Notifier, fast_delivery, get, post};

fn rule(id: &str, topic: &str) -> Value {
    json!({"id": id, "match": {"topics": [topic], "status": ["active"]}})
}

async fn created_in_log(log: &Log, id: &str) -> u64 {
    let stream = log.js.get_stream(EVENTS_STREAM).await.unwrap();
    stream
        .info_with_subjects(event_subject("rule.created", Some(id)))
        .await
        .unwrap()
        .map(|s| s.unwrap().1 as u64)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .sum()
}

#[tokio::test]
async fn two_concurrent_creations_of_one_id_append_one_rule() {
    let log = Log::start(ServerOptions::fast()).await;
    let a = Notifier::start(&log, fast_delivery(3)).await;
    let b = Notifier::start(&log, fast_delivery(3)).await;
    for round in 0..5 {
        // Different definitions: one 201, one 409, both instances show the winner.
        let id = format!("race-{round}");
        let (xr, ai) = (rule(&id, "xr"), rule(&id, "ai"));
        let (ra, rb) = tokio::join!(
            post(&a.http, &a.base, "/v1/rules", &xr),
            post(&b.http, &b.base, "/v1/rules", &ai),
        );
        let mut statuses = [ra.0, rb.0];
        statuses.sort();
        assert_eq!(statuses, [201, 409], "{ra:?} {rb:?}");
        let winner = if ra.0 == 201 { "xr" } else { "ai" };
        assert_eq!(
            created_in_log(&log, &id).await,
            1,
            "one rule.created appended"
        );
        let sequence = if ra.0 == 201 { &ra.1 } else { &rb.1 }["sequence"]
            .as_u64()
            .unwrap();
        for n in [&a, &b] {
            n.wait_applied(sequence).await;
            let (status, body) = get(&n.http, &n.base, &format!("/v1/rules/{id}")).await;
            assert_eq!(status, 200);
            assert_eq!(body["match"]["topics"], json!([winner]));
        }

        // The same definition: one 201, one 200, one event.
        let id = format!("same-{round}");
        let xr = rule(&id, "xr");
        let (ra, rb) = tokio::join!(
            post(&a.http, &a.base, "/v1/rules", &xr),
            post(&b.http, &b.base, "/v1/rules", &xr),
        );
        let mut statuses = [ra.0, rb.0];
        statuses.sort();
        assert_eq!(statuses, [200, 201], "{ra:?} {rb:?}");
        assert_eq!(created_in_log(&log, &id).await, 1);
    }

    // Deleted, then created again: the expectation is the last definition's sequence.
    let r = a
        .http
        .delete(format!("{}/v1/rules/race-0", a.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let (status, body) = post(&a.http, &a.base, "/v1/rules", &rule("race-0", "chips")).await;
    assert_eq!(status, 201, "{body}");
    a.shutdown.trigger();
    b.shutdown.trigger();
}
