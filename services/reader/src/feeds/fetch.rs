//! Fetching a feed document: a conditional GET (`If-None-Match` with the last ETag,
//! `If-Modified-Since` with the last `Last-Modified`), a timeout, a bounded body, at most a few
//! redirects, and only to addresses the target policy allows (the one policy of outgoing calls,
//! `liaison_runtime::target_policy`).

use std::time::Duration;

use futures::StreamExt;
use liaison_runtime::target_policy::TargetPolicy;
use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};

/// Redirects followed at most.
pub const MAX_REDIRECTS: usize = 5;

/// What a conditional fetch got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// `304`: nothing new since the validators.
    NotModified,
    /// A new document, with its validators for the next fetch.
    Document {
        /// The body.
        body: Vec<u8>,
        /// Its `ETag`.
        etag: Option<String>,
        /// Its `Last-Modified`.
        last_modified: Option<String>,
    },
}

/// The feed client; it also fetches the page of an article posted by its url alone
/// ([`super::page`]).
#[derive(Debug, Clone)]
pub struct FeedClient {
    pub(super) http: reqwest::Client,
    pub(super) policy: TargetPolicy,
    pub(super) max_bytes: usize,
}

/// Why a body was not read whole.
#[derive(Debug, thiserror::Error)]
pub(super) enum BodyError {
    /// It is larger than the bound.
    #[error("the document is larger than {0} bytes")]
    TooLarge(usize),
    /// The connection failed while it was read.
    #[error("reading the body failed: {0}")]
    Broken(#[source] reqwest::Error),
}

/// The body of `response`, at most `max_bytes` of it (refused before reading when its length
/// says it is larger).
pub(super) async fn bounded_body(
    response: reqwest::Response,
    max_bytes: usize,
) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|n| n > max_bytes as u64)
    {
        return Err(BodyError::TooLarge(max_bytes));
    }
    let mut body = Vec::new();
    let mut chunks = response.bytes_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(BodyError::Broken)?;
        if body.len() + chunk.len() > max_bytes {
            return Err(BodyError::TooLarge(max_bytes));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl FeedClient {
    /// A client under `policy`, waiting at most `timeout`, reading at most `max_bytes`.
    pub fn new(policy: TargetPolicy, timeout: Duration, max_bytes: usize) -> Self {
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if let Err(e) = policy.check_url(attempt.url()) {
                attempt.error(e)
            } else {
                attempt.follow()
            }
        });
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(redirects)
            .no_proxy()
            .dns_resolver(policy.resolver())
            .user_agent(concat!("liaison-reader/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("an HTTP client with rustls");
        Self {
            http,
            policy,
            max_bytes,
        }
    }

    /// The policy it fetches under.
    pub fn policy(&self) -> TargetPolicy {
        self.policy
    }

    /// Fetches `url` unless it is unchanged since `etag` / `last_modified`.
    pub async fn fetch(
        &self,
        url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Result<Fetched, String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
        self.policy
            .check_url(&parsed)
            .map_err(|e| format!("the feed's address is refused: {e}"))?;
        let mut request = self.http.get(parsed);
        if let Some(etag) = etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(since) = last_modified {
            request = request.header(IF_MODIFIED_SINCE, since);
        }
        let response = request.send().await.map_err(|e| format!("{e}"))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(format!("HTTP {status}"));
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let (etag, last_modified) = (header(ETAG), header(LAST_MODIFIED));
        let body = bounded_body(response, self.max_bytes)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Fetched::Document {
            body,
            etag,
            last_modified,
        })
    }
}
