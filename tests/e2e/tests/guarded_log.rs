//! The three real services guard themselves against the log (issue 11), on one stack:
//!
//! 1. Entries published straight into `liaison.events.>` — not JSON, not a CloudEvent, over the
//!    limits (the 120 × 40 fan-out that used to take the projection 76 s and 10 GB), naming an
//!    unregistered organization (a forged partnership), on another aggregate's subject — are
//!    quarantined by every follower, listed by `GET /v1/admin/quarantine` and
//!    `liaison admin quarantine`, and the next valid event is applied by all of them at once. The
//!    forged partnership is not served; ingest refuses the same fan-out with `422`.
//! 2. The log deleted and created again under the running services: ingest gives no `201` into
//!    the new log and every service reports not ready, with the reason.

use std::time::Duration;

use async_nats::jetstream;
use bytes::Bytes;
use liaison_e2e::Stack;
use liaison_log::{LogSettings, ensure_events_stream};
use liaison_testkit::Service;
use liaison_testkit::events::{organization, partnership_announced, with_new_id};
use liaison_testkit::log::log_message;
use serde_json::{Value, json};

/// The services that follow the log.
const FOLLOWERS: [Service; 3] = [Service::Ingest, Service::Projection, Service::Notifier];

async fn get(stack: &Stack, service: Service, path: &str) -> (u16, Value) {
    let response = stack
        .http
        .get(format!("{}{path}", stack.url(service)))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{service} reachable: {e}"));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Publishes `payload` on `subject` straight into the log, as any NATS client could; its sequence.
async fn publish_raw(js: &jetstream::Context, subject: &str, payload: impl Into<Bytes>) -> u64 {
    js.publish(subject.to_owned(), payload.into())
        .await
        .expect("published")
        .await
        .expect("stored")
        .sequence
}

/// Publishes the stored form of the client event `event` on its own subject (or on `subject`).
async fn publish_event(js: &jetstream::Context, event: &Value, subject: Option<&str>) -> u64 {
    let (message, _) = log_message(event, chrono::Utc::now());
    let subject = subject.map_or(message.subject.clone(), str::to_owned);
    publish_raw(js, &subject, message.payload).await
}

/// Waits (at most 20 s) until `check` holds for `service`'s answer to `GET path`.
async fn wait_for(
    stack: &Stack,
    service: Service,
    path: &str,
    check: impl Fn(u16, &Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = get(stack, service, path).await;
        if check(status, &body) {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{service} {path}: still {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_services_quarantine_what_does_not_belong_and_stop_on_another_log() {
    let stack = Stack::start().await;
    let client = async_nats::connect(stack.nats_url()).await.unwrap();
    let js = jetstream::new(client);

    let crowd: Vec<String> = (0..120).map(|i| format!("company-{i:03}")).collect();
    let mut registrations: Vec<Value> = crowd.iter().map(|id| organization(id)).collect();
    registrations.extend([organization("meta"), organization("lg-electronics")]);
    let (status, answer) = stack
        .post_events(&Value::Array(registrations))
        .await
        .unwrap();
    assert_eq!(status, 201, "{answer}");

    // Ingest refuses the fan-out: 120 organizations × 40 topics.
    let topics: Vec<String> = (0..40).map(|i| format!("topic-{i}")).collect();
    let fan_out = json!({"type": "meeting.held", "time": "2024-03-01",
        "data": {"organizations": crowd, "topics": topics}});
    let (status, problem) = stack.post_events(&fan_out).await.unwrap();
    assert_eq!(status, 422, "{problem}");

    // The same, and worse, straight into the log.
    let quarantined = vec![
        publish_raw(&js, "liaison.events.meeting.held._", "not json at all").await,
        publish_raw(
            &js,
            "liaison.events.meeting.held._",
            r#"{"hello": "world"}"#,
        )
        .await,
        publish_event(&js, &fan_out, None).await,
        publish_event(
            &js,
            &partnership_announced("2024-03-05", &["meta", "shadow-corp"], &["xr"]),
            None,
        )
        .await,
        publish_event(
            &js,
            &organization("squatter"),
            Some("liaison.events.organization.registered.meta"),
        )
        .await,
    ];
    // A valid partnership through ingest after them: every service applies it.
    let partnership = with_new_id(partnership_announced(
        "2024-03-10",
        &["meta", "lg-electronics"],
        &["xr"],
    ));
    let (status, answer) = stack.post_events(&partnership).await.unwrap();
    assert_eq!(status, 201, "{answer}");
    let last = answer["events"][0]["sequence"].as_u64().unwrap();
    let (code, view) = stack
        .query(&format!(
            "/v1/relationships/meta/lg-electronics?topic=xr&min_sequence={last}"
        ))
        .await;
    assert_eq!(
        (code, view["status"].as_str()),
        (200, Some("active")),
        "{view}"
    );

    for service in FOLLOWERS {
        let list = wait_for(&stack, service, "/v1/admin/quarantine", |status, body| {
            status == 200 && body["total"].as_u64() == Some(quarantined.len() as u64)
        })
        .await;
        let sequences: Vec<u64> = list["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["sequence"].as_u64().unwrap())
            .collect();
        assert_eq!(sequences, quarantined, "{service}: {list}");
        let reasons = |i: usize| list["entries"][i]["reasons"].to_string();
        assert!(
            reasons(2).contains("/data/organizations"),
            "{service}: {}",
            reasons(2)
        );
        assert!(
            reasons(3).contains("shadow-corp"),
            "{service}: {}",
            reasons(3)
        );
        assert!(
            reasons(4).contains("belongs on"),
            "{service}: {}",
            reasons(4)
        );
        let (_, metrics) = get_text(&stack, service, "/metrics").await;
        assert!(
            metrics.contains("liaison_log_quarantined_total"),
            "{service} counts its quarantine in /metrics"
        );
    }
    let alerts = wait_for(&stack, Service::Notifier, "/v1/alerts", |status, body| {
        status == 200 && !body["alerts"].as_array().is_none_or(Vec::is_empty)
    })
    .await;
    let pairs: Vec<String> = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["organizations"].to_string())
        .collect();
    assert_eq!(pairs, [r#"["lg-electronics","meta"]"#], "{alerts}");
    // The forged partnership is not served: its second party does not even exist.
    let (code, _) = stack
        .query("/v1/relationships/meta/shadow-corp?topic=xr")
        .await;
    assert_eq!(code, 404);
    let (_, meta) = stack.query("/v1/organizations/meta").await;
    assert_ne!(meta["name"], "squatter", "{meta}");

    let run = stack
        .liaison(&["admin", "quarantine", "--service", "projection"])
        .await;
    assert_eq!(run.code, Some(0), "{run}");
    assert!(
        run.stdout.contains("projection: 5 quarantined in all"),
        "{run}"
    );
    assert!(run.stdout.contains("shadow-corp"), "{run}");

    // The log is deleted and created again under the running services.
    js.delete_stream("LIAISON_EVENTS").await.unwrap();
    ensure_events_stream(&js, &LogSettings::default())
        .await
        .unwrap();
    publish_event(&js, &organization("meta"), None).await;
    for service in FOLLOWERS {
        let readyz = wait_for(&stack, service, "/readyz", |status, body| {
            status == 503
                && body["checks"]["log"]["detail"]
                    .to_string()
                    .contains("created again")
        })
        .await;
        assert_eq!(readyz["status"], "not_ready", "{service}: {readyz}");
    }
    let (status, problem) = stack
        .post_events(&with_new_id(partnership_announced(
            "2024-03-11",
            &["meta", "lg-electronics"],
            &["ai"],
        )))
        .await
        .unwrap();
    assert_eq!(status, 503, "no 201 into another log: {problem}");
    assert!(
        problem["detail"].to_string().contains("LIAISON_EVENTS"),
        "{problem}"
    );
    let mut stream = js.get_stream("LIAISON_EVENTS").await.unwrap();
    assert_eq!(
        stream.info().await.unwrap().state.messages,
        1,
        "ingest appended nothing there"
    );
}

async fn get_text(stack: &Stack, service: Service, path: &str) -> (u16, String) {
    let response = stack
        .http
        .get(format!("{}{path}", stack.url(service)))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}
