//! Spawns a tiny router through `HttpServer` on port 0 and checks the shared HTTP surface
//! with a real HTTP client: ops routes, problem fallbacks and the `JsonBody` failures.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::routing::post;
use axum::{Extension, Json, Router};
use liaison_runtime::auth::BearerAuthLayer;
use liaison_runtime::http::{self, Check, HttpServer};
use liaison_runtime::json_body::{JsonBody, JsonLimits, JsonValue};
use liaison_runtime::problem::{PROBLEM_JSON, Problem};
use liaison_runtime::shutdown::Shutdown;
use serde_json::{Value, json};

struct TestApp {
    base: String,
    ready: Arc<AtomicBool>,
    shutdown: Shutdown,
    server: tokio::task::JoinHandle<()>,
    client: reqwest::Client,
}

#[derive(serde::Deserialize)]
struct Greeting {
    name: String,
}

async fn spawn_app() -> TestApp {
    let ready = Arc::new(AtomicBool::new(false));
    let flag = ready.clone();
    let readiness = move || {
        let connected = flag.load(Ordering::SeqCst);
        vec![
            Check::new(
                "nats",
                connected,
                if connected {
                    "connected"
                } else {
                    "disconnected"
                },
            ),
            Check::pass("lag", "12 <= 1000"),
        ]
    };
    let app = Router::new()
        .route(
            "/echo",
            post(|JsonBody(v): JsonValue| async move { Json(v) }),
        )
        .route(
            "/greet",
            post(|JsonBody(g): JsonBody<Greeting>| async move { format!("hello {}", g.name) }),
        )
        .route(
            "/gone",
            axum::routing::get(|| async { Problem::unavailable("log down", Some(7)) }),
        )
        .layer(Extension(JsonLimits::new(1024, 8)));
    let writes = Router::new()
        .route("/write", post(|| async { "written" }))
        .layer(BearerAuthLayer::new(Some("s3cret".to_owned())));
    let app = app.merge(writes);
    let router = http::service_router(app, readiness);
    let server = HttpServer::build(SocketAddr::from(([127, 0, 0, 1], 0)), router)
        .await
        .expect("bind port 0");
    let address = server.address();
    assert_ne!(address.port(), 0);
    let shutdown = Shutdown::new();
    let stop = shutdown.clone();
    let server = tokio::spawn(async move { server.run_until_stopped(stop).await.unwrap() });
    TestApp {
        base: format!("http://{address}"),
        ready,
        shutdown,
        server,
        client: reqwest::Client::new(),
    }
}

impl TestApp {
    async fn post(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> reqwest::Response {
        let mut req = self.client.post(format!("{}{path}", self.base)).body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        req.send().await.unwrap()
    }
}

/// Asserts `response` is a problem with `status`, and returns it.
async fn problem(response: reqwest::Response, status: u16) -> Problem {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(response.headers()["content-type"], PROBLEM_JSON);
    let problem: Problem = response.json().await.unwrap();
    assert_eq!(problem.status, status);
    assert!(!problem.title.is_empty());
    problem
}

#[tokio::test]
async fn healthz_is_ok() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"status": "ok"}));
}

#[tokio::test]
async fn readyz_follows_the_checks() {
    let app = spawn_app().await;
    let url = format!("{}/readyz", app.base);
    let r = app.client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 503);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "not_ready");
    assert_eq!(
        body["checks"]["nats"],
        json!({"ok": false, "detail": "disconnected"})
    );
    assert_eq!(body["checks"]["lag"]["detail"], "12 <= 1000");

    app.ready.store(true, Ordering::SeqCst);
    let r = app.client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["nats"]["detail"], "connected");
}

#[tokio::test]
async fn metrics_count_requests_by_route() {
    let app = spawn_app().await;
    app.client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    let text = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.lines().any(|l| l.starts_with("http_requests_total{")
            && l.contains(r#"route="/healthz""#)
            && l.contains(r#"status="200""#)),
        "{text}"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
}

#[tokio::test]
async fn every_seconds_metric_is_a_histogram_with_buckets() {
    let app = spawn_app().await;
    metrics::histogram!("test_append_duration_seconds").record(0.003);
    let text = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(r#"test_append_duration_seconds_bucket{le="0.005"} 1"#),
        "{text}"
    );
}

#[tokio::test]
async fn unknown_route_is_a_404_problem() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(format!("{}/nowhere", app.base))
        .send()
        .await
        .unwrap();
    let p = problem(r, 404).await;
    assert!(p.detail.contains("/nowhere"), "{}", p.detail);
}

#[tokio::test]
async fn wrong_method_is_a_405_problem_with_allow() {
    let app = spawn_app().await;
    let r = app
        .client
        .delete(format!("{}/echo", app.base))
        .send()
        .await
        .unwrap();
    let allow = r.headers().get("allow").cloned();
    let p = problem(r, 405).await;
    assert_eq!(allow.unwrap(), "POST");
    assert!(p.detail.contains("DELETE"), "{}", p.detail);
}

#[tokio::test]
async fn problems_from_handlers_carry_retry_after() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(format!("{}/gone", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["retry-after"], "7");
    problem(r, 503).await;
}

#[tokio::test]
async fn json_body_accepts_json() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/echo",
            Some("application/json; charset=utf-8"),
            br#"{"a":[1,2]}"#.to_vec(),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"a": [1, 2]}));
    let r = app
        .post(
            "/greet",
            Some("application/cloudevents+json"),
            br#"{"name":"lg"}"#.to_vec(),
        )
        .await;
    assert_eq!(r.text().await.unwrap(), "hello lg");
}

#[tokio::test]
async fn json_body_wrong_or_missing_content_type_is_415() {
    let app = spawn_app().await;
    let p = problem(
        app.post("/echo", Some("text/plain"), b"{}".to_vec()).await,
        415,
    )
    .await;
    assert!(p.detail.contains("application/json"), "{}", p.detail);
    let p = problem(app.post("/echo", None, b"{}".to_vec()).await, 415).await;
    assert!(p.detail.contains("missing Content-Type"), "{}", p.detail);
}

#[tokio::test]
async fn json_body_too_large_is_413_naming_the_limit() {
    let app = spawn_app().await;
    let body = format!("[\"{}\"]", "x".repeat(2000)).into_bytes();
    let p = problem(app.post("/echo", Some("application/json"), body).await, 413).await;
    assert!(p.detail.contains("1024 bytes"), "{}", p.detail);
}

#[tokio::test]
async fn json_body_too_large_without_content_length_is_413() {
    let app = spawn_app().await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..10).map(|_| Ok(vec![b' '; 200])).collect();
    let body = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let r = app
        .client
        .post(format!("{}/echo", app.base))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    problem(r, 413).await;
}

#[tokio::test]
async fn json_body_malformed_is_400_with_line_and_column() {
    let app = spawn_app().await;
    let p = problem(
        app.post(
            "/echo",
            Some("application/json"),
            b"{\n \"a\": tru }".to_vec(),
        )
        .await,
        400,
    )
    .await;
    assert!(p.detail.starts_with("malformed JSON"), "{}", p.detail);
    assert!(p.detail.contains("line 2"), "{}", p.detail);
    assert_eq!(p.extensions["line"], 2);
}

#[tokio::test]
async fn json_body_too_deep_is_400_naming_the_limit() {
    let app = spawn_app().await;
    let p = problem(
        app.post("/echo", Some("application/json"), vec![b'['; 1000])
            .await,
        400,
    )
    .await;
    assert!(p.detail.contains("limit of 8 levels"), "{}", p.detail);
}

#[tokio::test]
async fn json_body_bad_utf8_is_400() {
    let app = spawn_app().await;
    let p = problem(
        app.post(
            "/echo",
            Some("application/json"),
            b"[\"\xc3\x28\"]".to_vec(),
        )
        .await,
        400,
    )
    .await;
    assert!(p.detail.contains("not valid UTF-8"), "{}", p.detail);
}

#[tokio::test]
async fn json_body_wrong_shape_is_422() {
    let app = spawn_app().await;
    let p = problem(
        app.post("/greet", Some("application/json"), b"{\"nom\":1}".to_vec())
            .await,
        422,
    )
    .await;
    assert!(p.detail.contains("missing field `name`"), "{}", p.detail);
}

#[tokio::test]
async fn server_stops_when_shutdown_fires() {
    let app = spawn_app().await;
    app.shutdown.trigger();
    tokio::time::timeout(std::time::Duration::from_secs(5), app.server)
        .await
        .expect("server stops promptly")
        .unwrap();
}

#[tokio::test]
async fn bearer_auth_guards_wrapped_routes_only() {
    let app = spawn_app().await;
    let url = format!("{}/write", app.base);
    let r = app.client.post(&url).send().await.unwrap();
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let p = problem(r, 401).await;
    assert!(p.detail.contains("Authorization: Bearer"), "{}", p.detail);

    let r = app
        .client
        .post(&url)
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    problem(r, 401).await;

    let r = app
        .client
        .post(&url)
        .bearer_auth("s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "written");

    // unwrapped routes and the ops routes stay open
    let r = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = app
        .post("/echo", Some("application/json"), b"{}".to_vec())
        .await;
    assert_eq!(r.status(), 200);
}
