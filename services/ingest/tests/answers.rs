//! Every answer of the contract's `POST /v1/events`, with the problem's pointer where there is
//! one, against a real nats-server; and the same append over NATS request-reply.

mod support;

use std::time::Duration;

use async_nats::HeaderMap;
use liaison_testkit::{NatsServer, ServerOptions};
use serde_json::{Value, json};
use support::{config, meeting, new_id, org, read_log, spawn_app};

#[tokio::test]
async fn single_events_batches_idempotency_and_conflicts() {
    let nats = NatsServer::start_with(ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(config(&nats.url(), dir.path())).await;

    // 201 for a registration; 200 no-op for the same content, answered with the original.
    let meta = app.post(&org("meta")).await;
    assert_eq!(meta.status, 201, "{meta:?}");
    assert_eq!(meta.content_type, "application/json");
    let meta_seq = meta.sequences()[0];
    let meta_id = meta.body["events"][0]["id"].clone();
    let again = app.post(&org("meta")).await;
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(again.body["events"][0]["sequence"], meta_seq);
    assert_eq!(again.body["events"][0]["id"], meta_id);
    // 409 for the same organization with other content, pointing at its id.
    let mut other = org("meta");
    other["data"]["name"] = json!("Meta Platforms");
    app.post(&other).await.assert_problem(409);
    assert_eq!(app.post(&other).await.pointer(), "/data/id");

    // A batch may register an organization and use it in the same request.
    let id = new_id();
    let batch = json!([org("lg"), org("lg"), meeting(Some(id), "meta", "lg")]);
    let created = app.post(&batch).await;
    assert_eq!(created.status, 201, "{created:?}");
    let seqs = created.sequences();
    assert_eq!(
        seqs[0], seqs[1],
        "the repeated registration is answered like the first"
    );
    assert_eq!(seqs[2], seqs[0] + 1, "a batch is appended in order");
    assert_eq!(created.body["events"][2]["id"], json!(id));
    // The retried batch answers 200 with the same sequences.
    let retried = app.post(&batch).await;
    assert_eq!(retried.status, 200, "{retried:?}");
    assert_eq!(retried.sequences(), seqs);

    // The same id with the same content: 200, the original sequence; with other content: 409.
    let single = meeting(Some(new_id()), "meta", "lg");
    let first = app.post(&single).await;
    assert_eq!(first.status, 201);
    let second = app.post(&single).await;
    assert_eq!(second.status, 200);
    assert_eq!(second.sequences(), first.sequences());
    let mut changed = single.clone();
    changed["data"]["topics"] = json!(["ai"]);
    let conflict = app.post(&changed).await;
    conflict.assert_problem(409);
    assert_eq!(conflict.pointer(), "/id");
    // In a batch, the pointer names the event.
    let conflict = app
        .post(&json!([meeting(None, "meta", "lg"), changed]))
        .await;
    conflict.assert_problem(409);
    assert_eq!(conflict.pointer(), "/1/id");
    // A batch mixing an appended event with a new one: 409, naming the appended one.
    let mixed = app
        .post(&json!([meeting(Some(new_id()), "meta", "lg"), single]))
        .await;
    mixed.assert_problem(409);
    assert_eq!(mixed.pointer(), "/1/id");
    assert!(
        mixed.body["detail"].as_str().unwrap().contains("/0"),
        "{mixed:?}"
    );

    // Nothing refused reached the log: 2 registrations, the batch's 2 new events, 1 meeting.
    let log = read_log(&nats.jetstream().await).await;
    assert_eq!(
        log.len(),
        4,
        "{:?}",
        log.iter().map(|(_, e)| e.id).collect::<Vec<_>>()
    );
    assert_eq!(
        log[0].0.subject,
        "liaison.events.organization.registered.meta"
    );
    assert_eq!(log[0].1.id.to_string(), meta_id.as_str().unwrap());
    app.stop().await;
}

#[tokio::test]
async fn invalid_requests_are_problems_with_pointers() {
    let nats = NatsServer::start_with(ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&nats.url(), dir.path());
    cfg.max_body_bytes = 16 * 1024;
    cfg.max_json_depth = 8;
    let app = spawn_app(cfg).await;
    assert_eq!(app.post(&org("meta")).await.status, 201);

    // 422: references, with the contract's pointer shapes.
    let unknown = app.post(&meeting(None, "meta", "lgg")).await;
    unknown.assert_problem(422);
    assert_eq!(unknown.pointer(), "/data/organizations/1");
    assert!(
        unknown.body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("lgg")
    );
    let unknown = app
        .post(&json!([org("lg"), meeting(None, "lgg", "lg")]))
        .await;
    unknown.assert_problem(422);
    assert_eq!(unknown.pointer(), "/1/data/organizations/0");
    // 422: the rules of the event table.
    let missing = app
        .post(&json!({"type": "meeting.held", "time": "2024-02-28", "data": {"organizations": ["meta"]}}))
        .await;
    missing.assert_problem(422);
    assert!(
        missing.pointer().starts_with("/data/organizations"),
        "{missing:?}"
    );
    app.post(&json!({"type": "nope", "time": "2024-01-01", "data": {}}))
        .await
        .assert_problem(422);
    // 422: retractions name an event that exists and is not retracted.
    let retract = |id: uuid::Uuid| json!({"type": "event.retracted", "time": "2024-03-01", "data": {"event_id": id}});
    let unknown = app.post(&retract(new_id())).await;
    unknown.assert_problem(422);
    assert_eq!(unknown.pointer(), "/data/event_id");
    assert_eq!(app.post(&org("lg")).await.status, 201);
    let target = new_id();
    assert_eq!(
        app.post(&meeting(Some(target), "meta", "lg")).await.status,
        201
    );
    assert_eq!(app.post(&retract(target)).await.status, 201);
    let twice = app.post(&retract(target)).await;
    twice.assert_problem(422);
    assert!(
        twice.body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("already retracted")
    );

    // 400: malformed JSON, invalid UTF-8, too deep.
    app.post_raw("{\"type\": ", "application/json")
        .await
        .assert_problem(400);
    app.post_raw(b"{\"type\": \"\xff\"}".to_vec(), "application/json")
        .await
        .assert_problem(400);
    let deep = format!("{}{}", "[".repeat(9), "]".repeat(9));
    let too_deep = app.post_raw(deep, "application/json").await;
    too_deep.assert_problem(400);
    assert!(too_deep.body["detail"].as_str().unwrap().contains("nested"));
    // 413: over the configured limit.
    let big = json!({"type": "meeting.held", "time": "2024-02-28",
        "data": {"organizations": ["meta", "lg"], "summary": "x".repeat(20 * 1024)}});
    app.post(&big).await.assert_problem(413);
    // 415: not JSON.
    app.post_raw("hello", "text/plain")
        .await
        .assert_problem(415);

    // None of it was appended: meta, lg, the meeting and its retraction.
    assert_eq!(read_log(&nats.jetstream().await).await.len(), 4);

    // The metrics say so.
    let (status, metrics) = app.get("/metrics").await;
    assert_eq!(status, 200);
    for needle in [
        "liaison_ingest_rejections_total",
        "reason=\"invalid\"",
        "reason=\"too_large\"",
        "reason=\"unsupported_media_type\"",
        "liaison_ingest_append_duration_seconds",
        "liaison_ingest_events_total",
    ] {
        assert!(metrics.contains(needle), "{needle} missing from /metrics");
    }
    app.stop().await;
}

#[tokio::test]
async fn writes_need_the_token_when_one_is_set_and_health_stays_open() {
    let nats = NatsServer::start_with(ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&nats.url(), dir.path());
    cfg.common.api_token = Some("s3cret".to_owned());
    let app = spawn_app(cfg).await;
    app.post(&org("meta")).await.assert_problem(401);
    app.post_with_token(&org("meta"), "wrong")
        .await
        .assert_problem(401);
    assert_eq!(
        app.post_with_token(&org("meta"), "s3cret").await.status,
        201
    );
    assert_eq!(app.get("/healthz").await.0, 200);
    assert_eq!(app.get("/metrics").await.0, 200);
    // Readiness answers without the token too; it may say 503 for a moment while the registry
    // follows the append above (its lag is part of readiness), so it is waited for.
    assert_ne!(app.get("/readyz").await.0, 401);
    app.wait_ready(Duration::from_secs(30)).await;

    // Over NATS, too.
    let client = nats.client().await;
    let reply = client
        .request(liaison_proto::subjects::INGEST_APPEND, to_bytes(&org("lg")))
        .await
        .unwrap();
    assert_eq!(status_of(&reply), "401");
    let mut headers = HeaderMap::new();
    headers.insert("Authorization", "Bearer s3cret");
    let reply = client
        .request_with_headers(
            liaison_proto::subjects::INGEST_APPEND,
            headers,
            to_bytes(&org("lg")),
        )
        .await
        .unwrap();
    assert_eq!(status_of(&reply), "201");
    app.stop().await;
}

#[tokio::test]
async fn appends_over_nats_request_reply_answer_like_http() {
    let nats = NatsServer::start_with(ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(config(&nats.url(), dir.path())).await;
    let client = nats.client().await;
    let request = |body: Vec<u8>| {
        let client = client.clone();
        async move {
            tokio::time::timeout(
                Duration::from_secs(10),
                client.request(liaison_proto::subjects::INGEST_APPEND, body.into()),
            )
            .await
            .expect("answered in time")
            .expect("answered")
        }
    };
    let reply = request(to_bytes(&json!([org("meta"), org("lg")])).to_vec()).await;
    assert_eq!(status_of(&reply), "201");
    let body: Value = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!(body["events"].as_array().unwrap().len(), 2);

    let event = meeting(Some(new_id()), "meta", "lg");
    let first = request(to_bytes(&event).to_vec()).await;
    assert_eq!(status_of(&first), "201");
    let again = request(to_bytes(&event).to_vec()).await;
    assert_eq!(status_of(&again), "200");
    assert_eq!(first.payload, again.payload);
    // The HTTP side sees the same event as already appended.
    assert_eq!(app.post(&event).await.status, 200);

    let unknown = request(to_bytes(&meeting(None, "meta", "lgg")).to_vec()).await;
    assert_eq!(status_of(&unknown), "422");
    let problem: Value = serde_json::from_slice(&unknown.payload).unwrap();
    assert_eq!(problem["errors"][0]["pointer"], "/data/organizations/1");
    assert_eq!(
        unknown
            .headers
            .as_ref()
            .unwrap()
            .get("Content-Type")
            .unwrap()
            .as_str(),
        "application/problem+json"
    );
    let malformed = request(b"{nope".to_vec()).await;
    assert_eq!(status_of(&malformed), "400");
    app.stop().await;
}

fn to_bytes(v: &Value) -> bytes::Bytes {
    serde_json::to_vec(v).unwrap().into()
}

fn status_of(message: &async_nats::Message) -> String {
    message
        .headers
        .as_ref()
        .and_then(|h| h.get(liaison_ingest::nats_api::STATUS_HEADER))
        .map(|v| v.as_str().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_event_larger_than_the_log_accepts_is_422_by_the_contract_not_500() {
    let nats = NatsServer::start_with(ServerOptions::fast()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&nats.url(), dir.path());
    cfg.max_body_bytes = 4 * 1024 * 1024;
    let app = spawn_app(cfg).await;
    let aliases: Vec<String> = (0..120)
        .map(|i| format!("{i}{}", "a".repeat(9_000)))
        .collect();
    let huge = json!({"type": "organization.registered", "time": "2024-01-01",
        "data": {"id": "huge", "name": "Huge", "aliases": aliases}});
    // Over NATS's 1 MiB max_payload, and over the contract's 64 KiB (v2): refused as invalid
    // before it reaches the log.
    let answer = app.post(&huge).await;
    answer.assert_problem(422);
    assert_eq!(answer.pointer(), "");
    assert_eq!(read_log(&nats.jetstream().await).await.len(), 0);
    app.stop().await;
}
