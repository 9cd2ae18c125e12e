//! Every endpoint reads its parameters strictly: a misspelt name (`asof=`) is a `400` that names
//! it and lists the names understood — over HTTP and over NATS alike — instead of being ignored
//! and answered as "now"; a repeated or malformed parameter is a `400` naming it too.

mod support;

use std::time::Duration;

use bytes::Bytes;
use liaison_proto::subjects::query_subject;
use serde_json::{Value, json};
use support::{Log, Projection, event, org};

/// Asks `liaison.query.<name>`; the `Status` header and the JSON body.
async fn ask(client: &async_nats::Client, name: &str, body: Value) -> (String, Value) {
    let reply = tokio::time::timeout(
        Duration::from_secs(10),
        client.request(query_subject(name), Bytes::from(body.to_string())),
    )
    .await
    .expect("answered in time")
    .expect("a reply");
    let status = reply.headers.as_ref().unwrap().get("Status").unwrap();
    (
        status.to_string(),
        serde_json::from_slice(&reply.payload).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_misspelt_as_of_is_refused_over_http_and_nats_not_ignored() {
    let log = Log::start().await;
    let dir = tempfile::tempdir().unwrap();
    let p = Projection::start(&log.server.url(), dir.path().join("p"), |_| {}).await;
    let pair = json!({"organizations": ["samsung", "google"], "topics": ["xr"]});
    let last = log
        .append(&[
            org("samsung"),
            org("google"),
            event("agreement.signed", "2024-03-01", pair),
        ])
        .await[2];
    p.wait_applied(last).await;

    // As of the day before the agreement there is none; `as_of` is read.
    let (code, v, _) = p
        .get("/v1/relationships/samsung/google?topic=xr&as_of=2024-02-01")
        .await;
    assert_eq!((code, v["status"].as_str()), (200, Some("none")));

    // The typo is refused on every endpoint, with the parameter named and what is understood.
    for path in [
        "/v1/relationships/samsung/google?topic=xr&asof=2024-02-01",
        "/v1/relationships?org=samsung&asof=2024-02-01",
        "/v1/organizations/samsung?asof=2024-02-01",
        "/v1/organizations/samsung/timeline?asof=2024-02-01",
        "/v1/organizations/samsung/meetings?asof=2024-02-01",
        "/v1/meetings?asof=2024-02-01",
        "/v1/stream?asof=2024-02-01",
    ] {
        let (code, problem, headers) = p.get(path).await;
        assert_eq!(code, 400, "{path}: {problem}");
        assert_eq!(
            headers["content-type"], "application/problem+json",
            "{path}"
        );
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.starts_with("unknown parameter 'asof'; expected one of: "),
            "{path}: {detail}"
        );
        if path != "/v1/stream?asof=2024-02-01" {
            assert!(detail.contains("as_of"), "{path}: {detail}");
            assert!(detail.contains("min_sequence"), "{path}: {detail}");
        }
        assert_eq!(problem["errors"][0]["pointer"], "/asof", "{path}");
    }
    let (_, problem, _) = p
        .get("/v1/relationships/samsung/google?asof=2024-02-01")
        .await;
    assert_eq!(
        problem["detail"],
        "unknown parameter 'asof'; expected one of: topic, limit, before, cursor, as_of, min_sequence"
    );

    // A repeated parameter, a path parameter given again, and malformed values.
    for (path, detail) in [
        (
            "/v1/relationships/samsung/google?topic=xr&topic=ai",
            "parameter 'topic' is given more than once",
        ),
        (
            "/v1/organizations/samsung?id=google",
            "unknown parameter 'id'; expected one of: as_of, min_sequence",
        ),
        (
            "/v1/organizations/samsung/timeline?limit=ten",
            "limit: expected a non-negative integer (got \"ten\")",
        ),
        (
            "/v1/relationships?status=friends",
            "status: unknown variant `friends`, expected one of `none`, `contact`, `exploring`, `negotiating`, `agreed`, `active`, `ended`",
        ),
        (
            "/v1/relationships/samsung/google?as_of=yesterday",
            "as_of: expected a date (YYYY-MM-DD) or an RFC 3339 timestamp, got \"yesterday\"",
        ),
        (
            "/v1/organizations/Samsung",
            "id: may hold only lowercase ASCII letters, digits and '-', found 'S' (got \"Samsung\")",
        ),
    ] {
        let (code, problem, _) = p.get(path).await;
        assert_eq!(
            (code, problem["detail"].as_str()),
            (400, Some(detail)),
            "{path}"
        );
    }

    // The same over NATS request-reply, for every query.
    for (name, body) in [
        (
            "relationship",
            json!({"a": "samsung", "b": "google", "asof": "2024-02-01"}),
        ),
        ("relationships", json!({"asof": "2024-02-01"})),
        (
            "organization",
            json!({"id": "samsung", "asof": "2024-02-01"}),
        ),
        ("timeline", json!({"id": "samsung", "asof": "2024-02-01"})),
        ("meetings", json!({"asof": "2024-02-01"})),
    ] {
        let (status, problem) = ask(&log.client, name, body).await;
        assert_eq!(status, "400", "{name}: {problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.starts_with("unknown parameter 'asof'; expected one of: ")
                && detail.contains("as_of, min_sequence"),
            "{name}: {detail}"
        );
    }
    let (status, problem) = ask(
        &log.client,
        "relationship",
        json!({"a": "samsung", "b": "google", "topic": "xr", "limit": "5"}),
    )
    .await;
    assert_eq!(status, "400");
    assert_eq!(
        problem["detail"],
        "limit: invalid type: string \"5\", expected u32"
    );
    // A well-spelt as_of is read over NATS as well.
    let (status, v) = ask(
        &log.client,
        "relationship",
        json!({"a": "samsung", "b": "google", "topic": "xr", "as_of": "2024-02-01"}),
    )
    .await;
    assert_eq!(
        (status.as_str(), v["status"].as_str()),
        ("200", Some("none"))
    );
    p.stop().await;
}
