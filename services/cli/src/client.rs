//! A typed HTTP client for the three services, decoding answers into the proto crate's types
//! and turning every failure into a message that says what to do.
//!
//! The mapping from HTTP outcomes to [`ClientError`] is the basis of the exit codes: a refused
//! connection or a `5xx` is "unavailable" (3), a `4xx` is "rejected" (1), with the
//! `application/problem+json` document's `detail` and per-field `errors` in the message.

use liaison_proto::admin::QuarantineList;
use liaison_proto::services::{DEFAULT_NATS_URL, Service};
use std::time::Duration;

use liaison_proto::ingest::{AppendAnswer, Appended};
use liaison_proto::notifier::{AlertList, DeliveryState, RuleList, RuleView};
use liaison_proto::query::{
    Consistency, OrganizationView, PairView, RelationshipList, RelationshipView, TimelinePage,
};
use liaison_proto::{BusinessTime, Slug, Status};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{EXIT_REJECTED, EXIT_UNAVAILABLE};

mod reader;

/// Where the services and NATS are, and the tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// Base URL of `liaison-ingest`.
    pub ingest: String,
    /// Base URL of `liaison-projection`.
    pub projection: String,
    /// Base URL of `liaison-notifier`.
    pub notifier: String,
    /// Base URL of `liaison-reader`.
    pub reader: String,
    /// NATS URL(s), comma-separated.
    pub nats: String,
    /// Bearer token for write and admin endpoints (and reads, without a read token).
    pub api_token: Option<String>,
    /// Bearer token for reads.
    pub read_token: Option<String>,
}

impl Default for Endpoints {
    fn default() -> Self {
        Self {
            ingest: Service::Ingest.default_url().into(),
            projection: Service::Projection.default_url().into(),
            notifier: Service::Notifier.default_url().into(),
            reader: Service::Reader.default_url().into(),
            nats: DEFAULT_NATS_URL.into(),
            api_token: None,
            read_token: None,
        }
    }
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The service could not be reached at all.
    #[error(
        "cannot reach the {service} at {url}: is the stack running? start it with `liaison dev`"
    )]
    Unreachable {
        /// Which service.
        service: &'static str,
        /// Its base URL.
        url: String,
    },
    /// The service answered `4xx`.
    #[error("the {service} refused the request ({status}): {message}")]
    Rejected {
        /// Which service.
        service: &'static str,
        /// The HTTP status.
        status: u16,
        /// The problem's detail, with its field errors.
        message: String,
    },
    /// The service answered `5xx`.
    #[error("the {service} failed ({status}): {message}")]
    Failed {
        /// Which service.
        service: &'static str,
        /// The HTTP status.
        status: u16,
        /// The problem's detail.
        message: String,
    },
    /// The answer could not be decoded.
    #[error(
        "the {service} sent an answer this `liaison` cannot read ({message}); is it the same version?"
    )]
    Decode {
        /// Which service.
        service: &'static str,
        /// What went wrong.
        message: String,
    },
}

impl ClientError {
    /// The exit code: 1 for a refusal, 3 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Rejected { .. } => EXIT_REJECTED,
            _ => EXIT_UNAVAILABLE,
        }
    }

    /// The HTTP status, when the service answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Rejected { status, .. } | Self::Failed { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// The ingest's answer to `POST /v1/events`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendOutcome {
    /// `false` when every event was already appended (`200`), `true` on `201`.
    pub created: bool,
    /// The events, in request order.
    pub events: Vec<Appended>,
}

/// A decoded answer together with the JSON it was decoded from, for `--json`, which prints the
/// service's own document rather than a re-encoding of the proto type.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer<T> {
    /// The answer as proto's type.
    pub value: T,
    /// The answer as the service sent it.
    pub json: Value,
}

/// The answer of `GET /v1/relationships/{a}/{b}`: one topic, or every topic of the pair.
#[derive(Debug, Clone, PartialEq)]
pub enum PairAnswer {
    /// With `topic`.
    One(RelationshipView),
    /// Without `topic`.
    All(PairView),
}

/// A typed client of ingest, projection and notifier.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    endpoints: Endpoints,
}

impl Client {
    /// A client of `endpoints`.
    pub fn new(endpoints: Endpoints) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("liaison-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("an HTTP client");
        Self { http, endpoints }
    }

    /// The endpoints it talks to.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// `POST /v1/events` with one event or an array of events.
    pub async fn post_events(&self, body: &Value) -> Result<AppendOutcome, ClientError> {
        let url = format!("{}/v1/events", trim(&self.endpoints.ingest));
        self.append(self.write(Method::POST, &url).json(body)).await
    }

    /// `POST /v1/events` with a body that is JSON already (a batch as an events file wrote it:
    /// `liaison import` sends the events' text as is, never decoded and encoded again).
    pub async fn post_events_json(&self, body: Vec<u8>) -> Result<AppendOutcome, ClientError> {
        let url = format!("{}/v1/events", trim(&self.endpoints.ingest));
        let request = self
            .write(Method::POST, &url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        self.append(request).await
    }

    /// The ingest's answer to an append `request`.
    async fn append(&self, request: RequestBuilder) -> Result<AppendOutcome, ClientError> {
        let (status, value) = self.send("ingest", &self.endpoints.ingest, request).await?;
        let events = match value {
            Value::Object(_) => decode::<AppendAnswer>("ingest", value)?.events,
            _ => Vec::new(),
        };
        Ok(AppendOutcome {
            created: status != StatusCode::OK,
            events,
        })
    }

    /// `GET /v1/relationships/{a}/{b}`, for one topic or all.
    pub async fn relationship(
        &self,
        a: &Slug,
        b: &Slug,
        topic: Option<&Slug>,
        consistency: &Consistency,
    ) -> Result<PairAnswer, ClientError> {
        let url = format!(
            "{}/v1/relationships/{a}/{b}",
            trim(&self.endpoints.projection)
        );
        let mut query = bounds(consistency);
        if let Some(topic) = topic {
            query.push(("topic", topic.to_string()));
        }
        let value = self.get_projection(&url, &query).await?;
        if topic.is_some() {
            decode("projection", value).map(PairAnswer::One)
        } else {
            decode("projection", value).map(PairAnswer::All)
        }
    }

    /// `GET /v1/relationships?org=&topic=&status=`.
    pub async fn relationships(
        &self,
        org: Option<&Slug>,
        topic: Option<&Slug>,
        status: Option<Status>,
        consistency: &Consistency,
    ) -> Result<RelationshipList, ClientError> {
        let url = format!("{}/v1/relationships", trim(&self.endpoints.projection));
        let mut query = bounds(consistency);
        if let Some(org) = org {
            query.push(("org", org.to_string()));
        }
        if let Some(topic) = topic {
            query.push(("topic", topic.to_string()));
        }
        if let Some(status) = status {
            query.push(("status", status.to_string()));
        }
        decode("projection", self.get_projection(&url, &query).await?)
    }

    /// `GET /v1/organizations/{id}`.
    pub async fn organization(
        &self,
        id: &Slug,
        consistency: &Consistency,
    ) -> Result<OrganizationView, ClientError> {
        let url = format!("{}/v1/organizations/{id}", trim(&self.endpoints.projection));
        decode(
            "projection",
            self.get_projection(&url, &bounds(consistency)).await?,
        )
    }

    /// `GET /v1/organizations/{id}/timeline`.
    pub async fn timeline(
        &self,
        id: &Slug,
        cursor: Option<&str>,
        limit: Option<u32>,
        consistency: &Consistency,
    ) -> Result<TimelinePage, ClientError> {
        let url = format!(
            "{}/v1/organizations/{id}/timeline",
            trim(&self.endpoints.projection)
        );
        let mut query = bounds(consistency);
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor.to_owned()));
        }
        if let Some(limit) = limit {
            query.push(("limit", limit.to_string()));
        }
        decode("projection", self.get_projection(&url, &query).await?)
    }

    /// `GET /v1/rules` on the notifier.
    pub async fn rules(&self) -> Result<Answer<RuleList>, ClientError> {
        let url = format!("{}/v1/rules", trim(&self.endpoints.notifier));
        let request = self.read(&url);
        self.notifier_answer(request).await
    }

    /// `POST /v1/rules` on the notifier: the rule as it now stands.
    pub async fn add_rule(&self, rule: &Value) -> Result<Answer<RuleView>, ClientError> {
        let url = format!("{}/v1/rules", trim(&self.endpoints.notifier));
        let request = self.write(Method::POST, &url).json(rule);
        self.notifier_answer(request).await
    }

    /// `DELETE /v1/rules/{id}` on the notifier.
    pub async fn delete_rule(&self, id: &Slug) -> Result<(), ClientError> {
        let url = format!("{}/v1/rules/{id}", trim(&self.endpoints.notifier));
        let request = self.write(Method::DELETE, &url);
        self.send("notifier", &self.endpoints.notifier, request)
            .await
            .map(drop)
    }

    /// `GET /v1/alerts?state=` on the notifier: the first page, in log order.
    pub async fn alerts(
        &self,
        state: Option<DeliveryState>,
    ) -> Result<Answer<AlertList>, ClientError> {
        let url = format!("{}/v1/alerts", trim(&self.endpoints.notifier));
        let mut request = self.read(&url);
        if let Some(state) = state {
            request = request.query(&[("state", state.as_str())]);
        }
        self.notifier_answer(request).await
    }

    /// `GET /v1/admin/quarantine?after=&limit=` on `service` (with the API token when set).
    pub async fn quarantine(
        &self,
        service: Service,
        after: u64,
        limit: u16,
    ) -> Result<Answer<QuarantineList>, ClientError> {
        let base = match service {
            Service::Ingest => &self.endpoints.ingest,
            Service::Projection => &self.endpoints.projection,
            Service::Reader => &self.endpoints.reader,
            _ => &self.endpoints.notifier,
        };
        let url = format!("{}/v1/admin/quarantine", trim(base));
        let request = self
            .write(Method::GET, &url)
            .query(&[("after", after.to_string()), ("limit", limit.to_string())]);
        let (_, json) = self.send(service.name(), base, request).await?;
        let value = decode(service.name(), json.clone())?;
        Ok(Answer { value, json })
    }

    async fn notifier_answer<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> Result<Answer<T>, ClientError> {
        let (_, json) = self
            .send("notifier", &self.endpoints.notifier, request)
            .await?;
        let value = decode("notifier", json.clone())?;
        Ok(Answer { value, json })
    }

    fn write(&self, method: Method, url: &str) -> RequestBuilder {
        let request = self.http.request(method, url);
        match &self.endpoints.api_token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// A `GET` with the read token when one is given, else the API token (which also reads).
    fn read(&self, url: &str) -> RequestBuilder {
        let request = self.http.get(url);
        let token = [&self.endpoints.read_token, &self.endpoints.api_token]
            .into_iter()
            .flatten()
            .find(|t| !t.is_empty());
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    async fn get_projection(
        &self,
        url: &str,
        query: &[(&str, String)],
    ) -> Result<Value, ClientError> {
        let request = self.read(url).query(query);
        Ok(self
            .send("projection", &self.endpoints.projection, request)
            .await?
            .1)
    }

    async fn send(
        &self,
        service: &'static str,
        base: &str,
        request: RequestBuilder,
    ) -> Result<(StatusCode, Value), ClientError> {
        let response = request.send().await.map_err(|e| {
            if e.is_connect() || e.is_timeout() || e.is_request() {
                ClientError::Unreachable {
                    service,
                    url: trim(base).to_owned(),
                }
            } else {
                ClientError::Decode {
                    service,
                    message: e.to_string(),
                }
            }
        })?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await.unwrap_or_default();
        if status.is_success() {
            if text.trim().is_empty() {
                return Ok((status, Value::Null));
            }
            let value = serde_json::from_str(&text).map_err(|e| ClientError::Decode {
                service,
                message: e.to_string(),
            })?;
            return Ok((status, value));
        }
        let mut message = problem_message(status, &text);
        if let Some(after) = retry_after {
            message.push_str(&format!(" (retry after {after} s)"));
        }
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            message.push_str(
                "; pass the API token with --api-token (LIAISON_API_TOKEN), or for reads the \
                 read token with --read-token (LIAISON_READ_TOKEN)",
            );
        }
        if status.is_client_error() {
            Err(ClientError::Rejected {
                service,
                status: status.as_u16(),
                message,
            })
        } else {
            Err(ClientError::Failed {
                service,
                status: status.as_u16(),
                message,
            })
        }
    }
}

/// The human message of an error answer: the problem document's `detail` (or `title`), then
/// one line per field error (`/data/organizations/1: unknown organization 'lgg'`); the raw
/// body when it is not a problem document.
pub fn problem_message(status: StatusCode, body: &str) -> String {
    let Ok(Value::Object(problem)) = serde_json::from_str::<Value>(body) else {
        let body = body.trim();
        return if body.is_empty() {
            status.canonical_reason().unwrap_or("no detail").to_owned()
        } else {
            body.to_owned()
        };
    };
    let text = |k: &str| problem.get(k).and_then(Value::as_str).map(str::to_owned);
    let mut message = text("detail")
        .or_else(|| text("title"))
        .unwrap_or_else(|| status.to_string());
    if let Some(Value::Array(errors)) = problem.get("errors") {
        for error in errors {
            let pointer = error.get("pointer").and_then(Value::as_str).unwrap_or("");
            let detail = error.get("detail").and_then(Value::as_str).unwrap_or("");
            let at = if pointer.is_empty() {
                "(body)"
            } else {
                pointer
            };
            let line = format!("{at}: {detail}");
            if errors.len() == 1 && message.contains(&line) {
                continue;
            }
            message.push_str(&format!("\n  {line}"));
        }
    }
    message
}

fn decode<T: DeserializeOwned>(service: &'static str, value: Value) -> Result<T, ClientError> {
    serde_json::from_value(value).map_err(|e| ClientError::Decode {
        service,
        message: e.to_string(),
    })
}

fn bounds(consistency: &Consistency) -> Vec<(&'static str, String)> {
    let mut query = Vec::new();
    if let Some(as_of) = consistency.as_of {
        query.push(("as_of", BusinessTime::to_string(&as_of)));
    }
    if let Some(n) = consistency.min_sequence {
        query.push(("min_sequence", n.to_string()));
    }
    query
}

fn trim(url: &str) -> &str {
    url.trim_end_matches('/')
}
