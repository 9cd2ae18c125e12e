//! The services on a 3-node cluster with R3 streams when the cluster loses its quorum (two of
//! the three nodes stopped): ingest answers appends `503` with `Retry-After` — never `500`, never
//! a hang —, the projection keeps answering queries from what it applied, and every service's
//! `/readyz` says it is not ready because the log does not answer; with the nodes back, appends
//! are acknowledged again (the same id: `201`, or `200` when the refused attempt was stored
//! after all) and every service is ready again (docs/decisions/022-the-cluster.md).

use std::time::Duration;

use liaison_e2e::{Service, Stack};
use liaison_testkit::StackOptions;
use liaison_testkit::events::{meeting_held, new_id, organization, with_id};
use serde_json::{Value, json};

/// How long one request may take: an append's own bound (ack waits and retries) is well below.
const REQUEST_BOUND: Duration = Duration::from_secs(30);

/// `POST /v1/events` with `body`: the status, the `Retry-After` header and the answer.
async fn post(stack: &Stack, body: &Value) -> (u16, Option<String>, Value) {
    let response = stack
        .http
        .post(format!("{}/v1/events", stack.url(Service::Ingest)))
        .json(body)
        .timeout(REQUEST_BOUND)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ingest did not answer within {REQUEST_BOUND:?}: {e}"));
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    (
        status,
        retry_after,
        response.json().await.unwrap_or(Value::Null),
    )
}

/// `GET /readyz` of every service: its status code and its answer.
async fn readiness(stack: &Stack) -> Vec<(Service, u16, Value)> {
    let mut answers = Vec::new();
    for service in Service::CORE {
        let response = stack
            .http
            .get(format!("{}/readyz", stack.url(service)))
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{service} /readyz: {e}"));
        let status = response.status().as_u16();
        answers.push((service, status, response.json().await.unwrap_or_default()));
    }
    answers
}

/// Polls until `done` holds for what `readiness` answers, for up to a minute.
async fn wait_readiness(stack: &Stack, what: &str, done: impl Fn(&(Service, u16, Value)) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let answers = readiness(stack).await;
        if answers.iter().all(&done) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: {answers:#?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_quorum_appends_are_refused_with_503_queries_answer_and_readyz_says_why() {
    let mut stack = Stack::start_with(StackOptions::for_tests().on_cluster(3, 1)).await;
    let registrations = json!([organization("meta"), organization("lg-electronics")]);
    let (code, answer) = stack.post_events(&registrations).await.unwrap();
    assert_eq!(code, 201, "{answer}");
    let meeting = meeting_held("2024-02-28", &["meta", "lg-electronics"], &["xr"]);
    let (code, answer) = stack.post_events(&meeting).await.unwrap();
    assert_eq!(code, 201, "{answer}");
    let last = answer["events"][0]["sequence"].as_u64().unwrap();
    let path = format!("/v1/relationships/meta/lg-electronics?min_sequence={last}");
    let (code, before) = stack.query(&path).await;
    assert_eq!(code, 200, "{before}");

    // Two of three nodes gone: no stream leader, no quorum.
    stack.cluster_mut().stop_node(1);
    stack.cluster_mut().stop_node(2);

    // Every service says it is not ready, and why.
    wait_readiness(
        &stack,
        "not every service said the log has no quorum",
        |(_, code, body)| {
            *code == 503
                && body["checks"]["log"]["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("no leader or no quorum"))
        },
    )
    .await;

    // An append is refused with 503 and Retry-After, within the request bound.
    let refused = with_id(
        meeting_held("2024-03-01", &["meta", "lg-electronics"], &["xr"]),
        new_id(),
    );
    let (code, retry_after, answer) = post(&stack, &refused).await;
    assert_eq!(code, 503, "{answer}");
    assert!(retry_after.is_some(), "no Retry-After: {answer}");

    // Queries keep answering from what the projection applied.
    let (code, during) = stack.query(&path).await;
    assert_eq!(code, 200, "{during}");
    assert_eq!(during, before);

    // The nodes are back: the same append is acknowledged, every service is ready again.
    stack.cluster_mut().start_nodes(&[1, 2]).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (code, _, answer) = post(&stack, &refused).await;
        if code == 201 || code == 200 {
            break;
        }
        assert_eq!(code, 503, "{answer}");
        assert!(
            tokio::time::Instant::now() < deadline,
            "appends still refused a minute after the quorum came back: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    wait_readiness(
        &stack,
        "not every service is ready again",
        |(_, code, _)| *code == 200,
    )
    .await;
    drop(stack);
}
