//! The whole stack for a test — nats-server and the three services, each a real process, as
//! `liaison dev` runs them but on free ports in a temporary directory — with the HTTP calls the
//! tests make, an import that rides out crashes, and a dump of everything a user can read.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use liaison_testkit::{Service, StackOptions};
use serde_json::Value;

use crate::dump::{projection_view, strip_instants};

/// The testkit's [`liaison_testkit::Stack`] (reach its processes through it: `nats_mut()`,
/// `service_mut()`) with an HTTP client for the tests.
pub struct Stack {
    processes: liaison_testkit::Stack,
    /// An HTTP client for the tests.
    pub http: reqwest::Client,
}

impl Deref for Stack {
    type Target = liaison_testkit::Stack;

    fn deref(&self) -> &Self::Target {
        &self.processes
    }
}

impl DerefMut for Stack {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.processes
    }
}

impl Stack {
    /// Starts everything ([`StackOptions::for_tests`]) and waits until every service is ready;
    /// panics with what went wrong.
    pub async fn start() -> Self {
        Self::start_with(StackOptions::for_tests()).await
    }

    /// Starts everything with `options` (a secured stack: `secured` and the `streams`) and waits
    /// until every service is ready; panics with what went wrong.
    pub async fn start_with(options: StackOptions) -> Self {
        let processes = liaison_testkit::Stack::start(options, |_| {})
            .await
            .unwrap_or_else(|e| panic!("the stack did not start: {e}"));
        Self {
            processes,
            http: reqwest::Client::new(),
        }
    }

    /// `POST /v1/events` with `body`; the status and the JSON answer.
    pub async fn post_events(&self, body: &Value) -> Result<(u16, Value), reqwest::Error> {
        let response = self
            .http
            .post(format!("{}/v1/events", self.url(Service::Ingest)))
            .json(body)
            .timeout(Duration::from_secs(10))
            .send()
            .await?;
        let status = response.status().as_u16();
        let json = response.json::<Value>().await.unwrap_or(Value::Null);
        Ok((status, json))
    }

    /// `GET` on the projection (`path` with its query string); the status and the JSON answer.
    pub async fn query(&self, path: &str) -> (u16, Value) {
        self.query_at(&self.url(Service::Projection), path).await
    }

    /// `GET` on the projection instance at `base` (`path` with its query string); the status
    /// and the JSON answer, once it is not `503` (a `min_sequence` wait that ran out), retried
    /// after its `Retry-After` as the contract tells clients to ([`crate::http::query`]).
    pub async fn query_at(&self, base: &str, path: &str) -> (u16, Value) {
        crate::http::query(&self.http, base, path).await
    }

    /// `GET` on the notifier; the status and the JSON answer.
    pub async fn notifier_get(&self, path: &str) -> (u16, Value) {
        self.get(&self.url(Service::Notifier), path).await
    }

    /// One `GET` of `path` on the service at `base`: the status and the JSON answer (`null` when
    /// it is not JSON).
    async fn get(&self, base: &str, path: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{base}{path}"))
            .timeout(Duration::from_secs(15))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{base} reachable: {e}"));
        let status = response.status().as_u16();
        let body = response.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }
}

impl Stack {
    /// Sends every request in order, each until the ingest acknowledges it (201 or 200): a
    /// connection error or a 503 (ingest or NATS down) is retried with the same body, hence the same
    /// event ids. Returns the highest sequence acknowledged. `after_each` runs after every
    /// acknowledged request with its index, for tests that disturb the stack mid-import.
    pub async fn import(
        &mut self,
        requests: &[Value],
        mut after_each: impl AsyncFnMut(&mut Stack, usize),
    ) -> u64 {
        let mut last = 0;
        for (i, body) in requests.iter().enumerate() {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
            loop {
                match self.post_events(body).await {
                    Ok((200 | 201, answer)) => {
                        for event in answer["events"].as_array().expect("events") {
                            last = last.max(event["sequence"].as_u64().expect("sequence"));
                        }
                        break;
                    }
                    Ok((503, _)) | Err(_) => {}
                    Ok((code, answer)) => panic!("request {i} answered {code}: {answer}\n{body}"),
                }
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "request {i} not acknowledged within 60 s; ingest log:\n{}",
                    self.service(Service::Ingest).log_tail()
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            after_each(self, i).await;
        }
        last
    }

    /// Everything a user can read, as one JSON value, once the projection has applied `sequence`
    /// and the notifier has raised and delivered its alerts: every relationship of every pair of
    /// `organizations`, each organization's profile and whole timeline, and every alert (without
    /// the instants of delivery, which differ between runs).
    pub async fn dump(&self, organizations: &[String], sequence: u64) -> Value {
        let mut dump = projection_view(
            async |path| self.query(&path).await,
            organizations,
            sequence,
        )
        .await
        .unwrap_or_else(|e| {
            panic!(
                "{e}\nprojection log:\n{}",
                self.service(Service::Projection).log_tail()
            )
        });
        self.wait_notifier_applied(sequence).await;
        dump.insert("alerts".into(), self.delivered_alerts().await);
        let mut dump = Value::Object(dump);
        strip_instants(&mut dump);
        dump
    }

    /// Waits until the notifier has applied the log up to `sequence` (its `/readyz` reports
    /// `applied N` in the `log` check), so that every alert the log calls for exists.
    async fn wait_notifier_applied(&self, sequence: u64) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let (_, ready) = self.notifier_get("/readyz").await;
            let applied = ready["checks"]["log"]["detail"]
                .as_str()
                .and_then(|d| d.strip_prefix("applied "))
                .and_then(|d| d.split(',').next())
                .and_then(|n| n.trim().parse::<u64>().ok());
            if applied.is_some_and(|a| a >= sequence) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the notifier did not apply the log up to {sequence} within 30 s: {ready}\nnotifier log:\n{}",
                self.service(Service::Notifier).log_tail()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Every alert, once none is pending any more, without delivery instants.
    async fn delivered_alerts(&self) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let mut alerts = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let path = match &cursor {
                    Some(c) => format!("/v1/alerts?limit=100&cursor={c}"),
                    None => "/v1/alerts?limit=100".to_owned(),
                };
                let (code, page) = self.notifier_get(&path).await;
                assert_eq!(code, 200, "{page}");
                alerts.extend(page["alerts"].as_array().cloned().unwrap_or_default());
                match page["next_cursor"].as_str() {
                    Some(next) => cursor = Some(next.to_owned()),
                    None => break,
                }
            }
            if alerts.iter().all(|a| a["state"] == "delivered") {
                return Value::Array(alerts);
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "alerts still not delivered after 30 s: {alerts:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
