//! Hostile input against the real ingest (a real nats-server, the service in-process): the
//! requests of issue 11 and their kind are refused with `422`, pointers and a small problem
//! document, nothing is appended, and the service keeps answering while it reads them.

mod support;

use std::time::{Duration, Instant};

use liaison_testkit::{NatsServer, ServerOptions};
use serde_json::{Value, json};
use support::{config, org, spawn_app};

fn slugs(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}-{i:03}")).collect()
}

/// How many entries the log holds.
async fn log_length(nats: &NatsServer) -> u64 {
    liaison_log::last_sequence(&nats.jetstream().await)
        .await
        .expect("the log's length")
}

fn pointers(body: &Value) -> Vec<&str> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["pointer"].as_str())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_meeting_of_too_many_registered_organizations_and_topics_is_refused() {
    let nats = NatsServer::start_with(ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(config(&nats.url(), dir.path())).await;
    for (organizations, topics) in [(120, 40), (200, 60)] {
        let names = slugs(&format!("org{organizations}"), organizations);
        let registrations: Vec<Value> = names.iter().map(|id| org(id)).collect();
        let registered = app.post(&Value::Array(registrations)).await;
        assert_eq!(registered.status, 201, "{registered:?}");
        let before = log_length(&nats).await;

        let meeting = json!({"type": "meeting.held", "time": "2024-02-28",
            "data": {"organizations": names, "topics": slugs("topic", topics)}});
        assert!(serde_json::to_vec(&meeting).unwrap().len() < 4_000);
        let answer = app.post(&meeting).await;
        answer.assert_problem(422);
        assert_eq!(
            pointers(&answer.body),
            vec!["/data/organizations", "/data/topics", "/data"],
            "{answer:?}"
        );
        let pairs = organizations * (organizations - 1) / 2;
        assert_eq!(
            answer.body["errors"][2]["detail"],
            format!(
                "the event names {organizations} organizations ({pairs} pairs) and {topics} \
                 topics: {} pair-topics, more than the limit of 256; split it into events \
                 about fewer organizations or topics",
                pairs * topics
            )
        );
        assert_eq!(log_length(&nats).await, before, "nothing appended");
    }
    // The same organizations, few enough at once, are accepted.
    let few = json!({"type": "meeting.held", "time": "2024-02-28",
        "data": {"organizations": slugs("org120", 16)}});
    assert_eq!(app.post(&few).await.status, 201);
    app.stop().await;
}

#[tokio::test]
async fn huge_lists_answer_a_small_problem_document() {
    let nats = NatsServer::start_with(ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(config(&nats.url(), dir.path())).await;
    app.post(&json!([org("meta"), org("lg-electronics")]))
        .await
        .sequences();
    let before = log_length(&nats).await;

    // 90,000 distinct topics: the list's limit, and the event's size.
    let topics: Vec<String> = (0..90_000).map(|i| format!("t{i}")).collect();
    let body = json!({"type": "cooperation.discussed", "time": "2024-02-28",
        "data": {"organizations": ["meta", "lg-electronics"], "topics": topics}});
    let answer = app.post(&body).await;
    answer.assert_problem(422);
    let found = pointers(&answer.body);
    assert!(found.contains(&"/data/topics"), "{found:?}");
    assert!(found.contains(&""), "{found:?}");
    assert!(answer.body.get("more_errors").is_none());

    // 100,000 numbers where organizations belong: 100 listed, the rest counted.
    let body = json!({"type": "meeting.held", "time": "2024-02-28",
        "data": {"organizations": vec![1; 100_000]}});
    let answer = app.post(&body).await;
    answer.assert_problem(422);
    let errors = answer.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 100);
    // Each item, the list's limit, the pair-topics and the event's size (200 KB): 100,003.
    assert_eq!(answer.body["more_errors"], 100_003 - 100);
    // The limits first: the event's size, the list's, the pair-topics; then the items.
    let first: Vec<&str> = errors[..4]
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        first,
        ["", "/data/organizations", "/data", "/data/organizations/0"]
    );
    assert!(
        answer.body["detail"]
            .as_str()
            .unwrap()
            .ends_with("(and 100002 more errors)"),
        "{}",
        answer.body["detail"]
    );
    let size = serde_json::to_vec(&answer.body).unwrap().len();
    assert!(size < 16 * 1024, "a problem document of {size} bytes");

    // 50,000 copies of one topic.
    let body = json!({"type": "cooperation.discussed", "time": "2024-02-28",
        "data": {"organizations": ["meta", "lg-electronics"], "topics": vec!["xr"; 50_000]}});
    let answer = app.post(&body).await;
    answer.assert_problem(422);
    assert_eq!(pointers(&answer.body)[..3], ["", "/data/topics", "/data"]);
    assert_eq!(
        answer.body["errors"].as_array().unwrap().len()
            + answer.body["more_errors"].as_u64().unwrap() as usize,
        // The copies after the first, the list's limit, the pair-topics, the event's size.
        49_999 + 3
    );

    assert_eq!(log_length(&nats).await, before, "nothing appended");
    app.stop().await;
}

#[tokio::test]
async fn a_batch_over_500_and_an_event_over_64_kib_are_refused() {
    let nats = NatsServer::start_with(ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(config(&nats.url(), dir.path())).await;

    let batch: Vec<Value> = slugs("org", 501).iter().map(|id| org(id)).collect();
    let answer = app.post(&Value::Array(batch.clone())).await;
    answer.assert_problem(422);
    assert_eq!(pointers(&answer.body), vec![""]);
    assert_eq!(
        answer.body["detail"],
        "a batch holds at most 500 events, got 501; split it"
    );
    assert_eq!(log_length(&nats).await, 0);
    // 500 are accepted.
    assert_eq!(app.post(&json!(batch[..500])).await.status, 201);

    // 32 aliases of 2,100 bytes: every field within its limit, the event over 64 KiB.
    let aliases: Vec<String> = (0..32)
        .map(|i| format!("{i:02}{}", "a".repeat(2_098)))
        .collect();
    let big = json!({"type": "organization.registered", "time": "2024-01-01",
        "data": {"id": "samsung", "name": "Samsung Electronics", "aliases": aliases}});
    let size = serde_json::to_vec(&big).unwrap().len();
    assert!(size > 64 * 1024 && size < 70 * 1024, "{size}");
    let answer = app.post(&big).await;
    answer.assert_problem(422);
    assert_eq!(pointers(&answer.body), vec![""]);
    // In a batch, the pointer names the event.
    let answer = app.post(&json!([org("sony"), big])).await;
    answer.assert_problem(422);
    assert_eq!(pointers(&answer.body), vec!["/1"]);
    assert_eq!(log_length(&nats).await, 500);
    app.stop().await;
}

#[tokio::test]
async fn healthz_answers_while_huge_requests_are_validated() {
    let nats = NatsServer::start_with(ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(config(&nats.url(), dir.path())).await;

    // 500 registrations just over 64 KiB each: 33 MB, under the body limit, all refused.
    let aliases: Vec<String> = (0..32)
        .map(|i| format!("{i:02}{}", "b".repeat(2_045)))
        .collect();
    let batch: Vec<Value> = slugs("org", 500)
        .iter()
        .map(|id| {
            json!({"type": "organization.registered", "time": "2024-01-01",
                "data": {"id": id, "name": "Hanwha", "aliases": aliases}})
        })
        .collect();
    let event_size = serde_json::to_vec(&batch[0]).unwrap().len();
    assert!(event_size > 64 * 1024, "{event_size}");
    let body = serde_json::to_vec(&batch).unwrap();
    assert!(body.len() > 32_000_000, "{}", body.len());
    assert!(body.len() <= liaison_ingest::append::DEFAULT_MAX_BODY_BYTES);
    drop(batch);

    let http = reqwest::Client::new();
    let huge: Vec<_> = (0..4)
        .map(|_| {
            let (http, url, body) = (http.clone(), app.url.clone(), body.clone());
            tokio::spawn(async move {
                let response = http
                    .post(format!("{url}/v1/events"))
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("answered");
                let status = response.status().as_u16();
                let problem: Value = response.json().await.expect("a problem document");
                (status, problem)
            })
        })
        .collect();
    // While they are read and validated, /healthz answers each time within a generous bound.
    let mut probes = 0;
    while !huge.iter().all(|task| task.is_finished()) {
        let started = Instant::now();
        // Generous for a debug build on a loaded 2-core machine: the point is that it answers
        // at all while the bodies are read, not how fast.
        let answered = tokio::time::timeout(
            Duration::from_secs(10),
            http.get(format!("{}/healthz", app.url)).send(),
        )
        .await;
        let status = answered
            .unwrap_or_else(|_| panic!("/healthz did not answer within 10 s (probe {probes})"))
            .expect("/healthz answered")
            .status();
        assert_eq!(status, 200);
        probes += 1;
        tokio::time::sleep(Duration::from_millis(50).saturating_sub(started.elapsed())).await;
    }
    assert!(probes > 0);
    for task in huge {
        let (status, problem) = task.await.unwrap();
        // Refused as invalid, or — when the validation permits stayed busy — asked to retry.
        assert!(
            status == 422 || status == 503,
            "{status}: {}",
            problem["title"]
        );
        if status == 422 {
            assert_eq!(problem["errors"].as_array().unwrap().len(), 100);
            assert_eq!(problem["more_errors"], 400);
        }
    }
    assert_eq!(log_length(&nats).await, 0);
    app.stop().await;
}

#[tokio::test]
async fn over_nats_the_problem_document_is_as_small() {
    let nats = NatsServer::start_with(ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(config(&nats.url(), dir.path())).await;
    let client = nats.client().await;
    let body = json!({"type": "meeting.held", "time": "2024-02-28",
        "data": {"organizations": vec![1; 100_000]}});
    let reply = tokio::time::timeout(
        Duration::from_secs(20),
        client.request(
            liaison_proto::subjects::INGEST_APPEND,
            serde_json::to_vec(&body).unwrap().into(),
        ),
    )
    .await
    .expect("answered in time")
    .expect("answered");
    let status = reply
        .headers
        .as_ref()
        .and_then(|h| h.get(liaison_ingest::nats_api::STATUS_HEADER))
        .map(|v| v.as_str().to_owned());
    assert_eq!(status.as_deref(), Some("422"));
    assert!(reply.payload.len() < 16 * 1024, "{}", reply.payload.len());
    let problem: Value = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!(problem["more_errors"], 100_003 - 100);
    app.stop().await;
}

#[tokio::test]
async fn a_body_of_millions_of_tiny_values_is_refused_before_it_is_parsed() {
    let nats = NatsServer::start_with(ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(config(&nats.url(), dir.path())).await;
    // 4 MB of `0,`: two million values, which parsed would take 64 MB and more.
    let mut body =
        b"{\"type\": \"meeting.held\", \"time\": \"2024-02-28\", \"data\": {\"organizations\": ["
            .to_vec();
    body.extend(std::iter::repeat_n(&b"0,"[..], 2_000_000).flatten());
    body.extend(b"0]}}");
    let answer = app.post_raw(body, "application/json").await;
    answer.assert_problem(413);
    assert_eq!(
        answer.body["limit_values"],
        liaison_runtime::json_body::JsonLimits::DEFAULT_MAX_VALUES
    );
    assert_eq!(log_length(&nats).await, 0);
    app.stop().await;
}
